package io.pulse.common.jobs;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The one statement that writes new ledger rows, for a single enqueue, a batch request or a group
 * of concurrent requests alike: every row as arrays, one round trip. A row whose idempotency key is
 * taken, earlier or by a row before it in the same call, is left out.
 */
final class LedgerRows {
  private static final String INSERT =
      """
      insert into jobs (id, type, status, idempotency_key, request_hash, payload, traceparent,
                        created_at, updated_at)
      select id, type, 'queued', key, hash, cast(payload as jsonb), trace, at, at
      from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                  ?::timestamptz[]) as t(id, type, key, hash, payload, trace, at)
      on conflict (type, idempotency_key) where idempotency_key is not null do nothing
      returning id
      """;

  private LedgerRows() {}

  /** A job's ledger row as an enqueue writes it ({@code queued}, not yet published). */
  record NewRow(
      UUID id,
      String type,
      String idempotencyKey,
      String hash,
      String payload,
      String traceparent,
      OffsetDateTime at) {}

  /** Inserts the rows in the connection's transaction (or autocommitted); returns the new ids. */
  static Set<UUID> insert(Connection connection, List<NewRow> rows) throws SQLException {
    Set<UUID> inserted = new HashSet<>();
    try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
      insert.setArray(1, connection.createArrayOf("uuid", rows.stream().map(NewRow::id).toArray()));
      insert.setArray(
          2, connection.createArrayOf("text", rows.stream().map(NewRow::type).toArray()));
      insert.setArray(
          3, connection.createArrayOf("text", rows.stream().map(NewRow::idempotencyKey).toArray()));
      insert.setArray(
          4, connection.createArrayOf("text", rows.stream().map(NewRow::hash).toArray()));
      insert.setArray(
          5, connection.createArrayOf("text", rows.stream().map(NewRow::payload).toArray()));
      insert.setArray(
          6, connection.createArrayOf("text", rows.stream().map(NewRow::traceparent).toArray()));
      insert.setArray(
          7, connection.createArrayOf("text", rows.stream().map(r -> r.at().toString()).toArray()));
      try (ResultSet ids = insert.executeQuery()) {
        while (ids.next()) {
          inserted.add(ids.getObject(1, UUID.class));
        }
      }
    }
    return inserted;
  }
}
