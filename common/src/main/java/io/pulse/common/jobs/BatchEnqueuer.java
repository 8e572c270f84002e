package io.pulse.common.jobs;

import io.pulse.common.messaging.BrokerUnavailableException;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.messaging.PublishFailedException;
import io.pulse.common.messaging.UnroutableMessageException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Accepts many jobs of one type at once: one transaction writes every ledger row (all or none),
 * then one pipelined publish sends the new ones and waits for their confirms. Per job, that spends
 * one row in a shared commit and one confirm in a shared window, instead of a commit, a round trip
 * and a confirm each: what lets a caller with a backlog go at the broker's pace.
 */
@ApplicationScoped
public class BatchEnqueuer {
  private final EntityManager em;
  private final JobEnqueuer enqueuer;

  public BatchEnqueuer(EntityManager em, JobEnqueuer enqueuer) {
    this.em = em;
    this.enqueuer = enqueuer;
  }

  /**
   * @param key the batch's idempotency key, or null; item {@code i} is keyed {@code "<key> <i>"},
   *     and every item's request hash is the whole batch's, so the key stands for the batch as
   *     sent: the same key with an item added, removed or changed is a conflict on item 0 already
   * @return one result per payload, in order: a new job, or the earlier job of the same key
   * @throws IdempotencyConflictException when the key was used with another batch; nothing is
   *     written
   * @throws BrokerUnavailableException when the broker did not confirm every new job; the rows stay
   *     and the sweeper publishes them, so a retry with the same key is safe
   */
  public List<JobEnqueuer.Enqueued> enqueue(
      String type, List<?> payloads, String key, String traceparent) {
    Instant now = Instant.now();
    List<byte[]> bodies = payloads.stream().map(JobCodec::encode).toList();
    String batchHash = JobCodec.sha256(bodies);
    List<JobMessage> candidates = new ArrayList<>(payloads.size());
    for (int i = 0; i < bodies.size(); i++) {
      String itemKey = key == null ? null : key + " " + i;
      candidates.add(
          new JobMessage(JobIds.next(), type, 1, itemKey, traceparent, now, bodies.get(i)));
    }
    List<JobEnqueuer.Enqueued> results =
        QuarkusTransaction.requiringNew().call(() -> insert(type, candidates, batchHash, now));
    List<JobMessage> fresh = new ArrayList<>();
    for (int i = 0; i < candidates.size(); i++) {
      if (results.get(i).created()) {
        fresh.add(candidates.get(i));
      }
    }
    List<PublishFailedException> failures = enqueuer.publishConfirmed(fresh);
    if (!failures.isEmpty()) {
      // An unroutable job says more about what is wrong than a slow broker: report that one.
      PublishFailedException first =
          failures.stream()
              .filter(UnroutableMessageException.class::isInstance)
              .findFirst()
              .orElse(failures.get(0));
      String what = failures.size() + " of " + fresh.size() + " jobs were not confirmed: ";
      throw first instanceof UnroutableMessageException
          ? new UnroutableMessageException(what + first.getMessage(), first)
          : new BrokerUnavailableException(what + first.getMessage(), first);
    }
    return results;
  }

  private List<JobEnqueuer.Enqueued> insert(
      String type, List<JobMessage> candidates, String batchHash, Instant now) {
    Set<UUID> inserted = new HashSet<>();
    Map<String, Object[]> earlier = new HashMap<>();
    em.unwrap(org.hibernate.Session.class)
        .doWork(
            connection -> {
              inserted.addAll(insertRows(connection, type, candidates, batchHash, now));
              earlier.putAll(earlierJobs(connection, type, candidates, inserted));
            });
    List<JobEnqueuer.Enqueued> results = new ArrayList<>(candidates.size());
    for (int i = 0; i < candidates.size(); i++) {
      JobMessage job = candidates.get(i);
      if (inserted.contains(job.jobId())) {
        results.add(new JobEnqueuer.Enqueued(job.jobId(), true));
        continue;
      }
      Object[] found = earlier.get(job.idempotencyKey());
      UUID earlierId = (UUID) found[0];
      if (!batchHash.equals(found[1])) {
        // Thrown inside the transaction: the whole batch rolls back.
        throw new IdempotencyConflictException(job.idempotencyKey(), earlierId);
      }
      results.add(new JobEnqueuer.Enqueued(earlierId, false));
    }
    return results;
  }

  private static Set<UUID> insertRows(
      Connection connection,
      String type,
      List<JobMessage> candidates,
      String batchHash,
      Instant now)
      throws SQLException {
    java.time.OffsetDateTime at = now.atOffset(java.time.ZoneOffset.UTC);
    List<LedgerRows.NewRow> rows = new ArrayList<>(candidates.size());
    for (int i = 0; i < candidates.size(); i++) {
      JobMessage job = candidates.get(i);
      rows.add(
          new LedgerRows.NewRow(
              job.jobId(),
              type,
              job.idempotencyKey(),
              batchHash,
              JobCodec.text(job.body()),
              job.traceparent(),
              at));
    }
    return LedgerRows.insert(connection, rows);
  }

  /** The jobs that hold the keys of the items that were not inserted: key → [id, request hash]. */
  private static Map<String, Object[]> earlierJobs(
      Connection connection, String type, List<JobMessage> candidates, Set<UUID> inserted)
      throws SQLException {
    Object[] keys =
        candidates.stream()
            .filter(j -> !inserted.contains(j.jobId()))
            .map(JobMessage::idempotencyKey)
            .toArray();
    Map<String, Object[]> earlier = new HashMap<>();
    if (keys.length == 0) {
      return earlier;
    }
    try (var select =
        connection.prepareStatement(
            "select idempotency_key, id, request_hash from jobs"
                + " where type = ? and idempotency_key = any(?)")) {
      select.setString(1, type);
      select.setArray(2, connection.createArrayOf("text", keys));
      try (var rows = select.executeQuery()) {
        while (rows.next()) {
          earlier.put(
              rows.getString(1), new Object[] {rows.getObject(2, UUID.class), rows.getString(3)});
        }
      }
    }
    return earlier;
  }
}
