package io.pulse.common.notification;

import io.pulse.common.events.InboxEvent;
import io.pulse.common.events.InboxEvents;
import io.pulse.common.events.UnreadCounts;
import io.pulse.common.jobs.JobLedger;
import io.pulse.common.jobs.JobLedgerException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Recalls withdraw a notification everywhere it is not final yet, by its source ({@code post:9}) or
 * by its dispatch job. A recall and a dispatch meet on one PostgreSQL advisory lock per target
 * (taken exclusively by the recall, shared by the dispatch), so they run one after the other: a
 * dispatch that locks first commits its rows and the recall then withdraws them; a recall that
 * locks first is seen by the dispatch, which then writes nothing. A recall is recorded in {@code
 * notification_recalls} for good.
 *
 * <p>Lock order, the same everywhere, so no two of these can deadlock: the recall target, then
 * {@code deliveries} rows, then {@code notifications} rows, then {@code jobs} rows still {@code
 * scheduled}. A delivery job locks its delivery row and then its in-app row (escalation); a
 * dispatch locks its own job row and then takes its targets shared, in key order.
 */
@ApplicationScoped
public class Recalls {
  /** The longest source a notification may name. */
  public static final int MAX_SOURCE = 200;

  private final DataSource dataSource;
  private final JobLedger ledger;
  private final InboxEvents events;

  public Recalls(DataSource dataSource, JobLedger ledger, InboxEvents events) {
    this.dataSource = dataSource;
    this.ledger = ledger;
    this.events = events;
  }

  /** What a recall is of: every notification naming a source, or one dispatch job. */
  public record Target(String source, UUID dispatchJobId) {
    public static Target source(String source) {
      return new Target(source, null);
    }

    public static Target dispatch(UUID jobId) {
      return new Target(null, jobId);
    }

    /** The key of the recall's row and of its advisory lock. */
    public String key() {
      return source != null ? "source:" + source : "job:" + dispatchJobId;
    }
  }

  /**
   * What one recall withdrew. A second recall of the same target finds nothing left ({@code first}
   * false, zero counts).
   */
  public record Outcome(
      String target,
      boolean first,
      int inAppRemoved,
      int inAppMarkedRecalled,
      int deliveriesSkipped,
      int scheduledCancelled) {}

  /** Recalls in a transaction of its own, committed when this returns. */
  public Outcome recall(Target target) {
    return QuarkusTransaction.requiringNew().call(() -> recallInTransaction(target));
  }

  private Outcome recallInTransaction(Target target) {
    return withConnection(
        connection -> {
          String key = target.key();
          execute(connection, "select pg_advisory_xact_lock(hashtextextended(?, 0))", key);
          boolean first =
              update(
                      connection,
                      "insert into notification_recalls (target) values (?) on conflict do nothing",
                      key)
                  == 1;
          boolean bySource = target.source() != null;
          Object match = bySource ? target.source() : target.dispatchJobId();
          List<UUID> skipped =
              uuids(
                  connection,
                  """
                  update deliveries set status = 'skipped', skip_reason = 'recalled',
                         updated_at = now()
                  where %s = ? and status = 'pending'
                  returning id
                  """
                      .formatted(bySource ? "source" : "notification_job_id"),
                  match);
          String notificationsOf = bySource ? "source" : "job_id";
          List<long[]> removed =
              idsAndUsers(
                  connection,
                  // An unread item leaves the inbox; its in-app decision is kept in deliveries,
                  // so "why" still finds it.
                  """
                  with gone as (
                      delete from notifications where %s = ? and read_at is null
                      returning id, user_id, job_id, source),
                  noted as (
                      insert into deliveries (id, notification_job_id, user_id, channel, status,
                                              skip_reason, source)
                      select gen_random_uuid(), job_id, user_id, 'in_app', 'skipped', 'recalled',
                             source
                      from gone
                      on conflict (notification_job_id, user_id, channel, coalesce(subscription_id, 0))
                      do update
                      set status = 'skipped', skip_reason = 'recalled', updated_at = now())
                  select id, user_id from gone
                  """
                      .formatted(notificationsOf),
                  match);
          List<long[]> marked =
              idsAndUsers(
                  connection,
                  """
                  update notifications set recalled_at = now()
                  where %s = ? and read_at is not null and recalled_at is null
                  returning id, user_id
                  """
                      .formatted(notificationsOf),
                  match);
          publishRecalled(connection, removed, marked);
          List<UUID> jobs = new ArrayList<>(skipped);
          if (!bySource) {
            jobs.add(target.dispatchJobId());
          }
          int cancelled = ledger.cancelScheduled(jobs, target.source());
          return new Outcome(key, first, removed.size(), marked.size(), skipped.size(), cancelled);
        });
  }

  /**
   * One {@code notification.recalled} per user whose inbox lost or changed items, sent once the
   * recall commits.
   */
  private void publishRecalled(Connection connection, List<long[]> removed, List<long[]> marked)
      throws SQLException {
    Map<Long, List<Long>> idsByUser = new TreeMap<>();
    for (List<long[]> rows : List.of(removed, marked)) {
      for (long[] row : rows) {
        idsByUser.computeIfAbsent(row[1], user -> new ArrayList<>()).add(row[0]);
      }
    }
    Map<Long, Long> unread = UnreadCounts.of(connection, idsByUser.keySet());
    events.afterCommit(
        idsByUser.entrySet().stream()
            .map(e -> InboxEvent.recalled(e.getKey(), unread.get(e.getKey()), e.getValue()))
            .toList());
  }

  /**
   * For a dispatch, in its transaction: takes each target's lock shared (in key order, so
   * dispatches and recalls never wait on each other in a circle) and returns the keys of those
   * recalled. The locks are held until the dispatch commits, so a recall that starts now waits for
   * the dispatch's rows and withdraws them.
   */
  public Set<String> lockAndFindRecalled(Collection<Target> targets) {
    if (targets.isEmpty()) {
      return Set.of();
    }
    Object[] keys = targets.stream().map(Target::key).distinct().toArray();
    return withConnection(
        connection -> {
          try (PreparedStatement lock =
              connection.prepareStatement(
                  """
                  select pg_advisory_xact_lock_shared(k)
                  from (select distinct hashtextextended(t, 0) as k
                        from unnest(?::text[]) as t order by 1) as ordered
                  """)) {
            lock.setArray(1, connection.createArrayOf("text", keys));
            lock.executeQuery().close();
          }
          Set<String> recalled = new HashSet<>();
          try (PreparedStatement select =
              connection.prepareStatement(
                  "select target from notification_recalls where target = any(?::text[])")) {
            select.setArray(1, connection.createArrayOf("text", keys));
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                recalled.add(rows.getString(1));
              }
            }
          }
          return recalled;
        });
  }

  private interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
  }

  private <T> T withConnection(SqlWork<T> work) {
    try (Connection connection = dataSource.getConnection()) {
      return work.run(connection);
    } catch (SQLException e) {
      throw new JobLedgerException("recall statement failed: " + e.getMessage(), e);
    }
  }

  private static void execute(Connection connection, String sql, Object param) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setObject(1, param);
      statement.executeQuery().close();
    }
  }

  private static int update(Connection connection, String sql, Object param) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setObject(1, param);
      return statement.executeUpdate();
    }
  }

  /** Rows of (notification id, user id) a statement returned. */
  private static List<long[]> idsAndUsers(Connection connection, String sql, Object param)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setObject(1, param);
      List<long[]> rows = new ArrayList<>();
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          rows.add(new long[] {result.getLong(1), result.getLong(2)});
        }
      }
      return rows;
    }
  }

  private static List<UUID> uuids(Connection connection, String sql, Object param)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setObject(1, param);
      List<UUID> ids = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          ids.add(rows.getObject(1, UUID.class));
        }
      }
      return ids;
    }
  }
}
