package io.pulse.common.jobs;

import io.pulse.common.messaging.BrokerUnavailableException;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.messaging.PublishFailedException;
import io.pulse.common.messaging.UnroutableMessageException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
  private final JobLedger ledger;
  private final JobEnqueuer enqueuer;

  public BatchEnqueuer(JobLedger ledger, JobEnqueuer enqueuer) {
    this.ledger = ledger;
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
    return enqueue(type, payloads, Collections.nCopies(payloads.size(), null), key, traceparent);
  }

  /**
   * As {@link #enqueue(String, List, String, String)}, with a send time per payload (null for now):
   * an item with one is written {@code scheduled} and published by the poller when due. The send
   * times are part of the batch's fingerprint.
   */
  public List<JobEnqueuer.Enqueued> enqueue(
      String type, List<?> payloads, List<Instant> sendAts, String key, String traceparent) {
    Instant now = Instant.now();
    List<byte[]> bodies = payloads.stream().map(JobCodec::encode).toList();
    String batchHash = JobCodec.sha256(fingerprinted(bodies, sendAts));
    List<JobMessage> candidates = new ArrayList<>(payloads.size());
    for (int i = 0; i < bodies.size(); i++) {
      String itemKey = key == null ? null : key + " " + i;
      candidates.add(
          new JobMessage(JobIds.next(), type, 1, itemKey, traceparent, now, bodies.get(i)));
    }
    List<JobEnqueuer.Enqueued> results =
        QuarkusTransaction.requiringNew()
            .call(() -> insert(type, candidates, sendAts, batchHash, now));
    List<JobMessage> fresh = new ArrayList<>();
    for (int i = 0; i < candidates.size(); i++) {
      if (results.get(i).created() && sendAts.get(i) == null) {
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

  /** The bodies, and after each one with a send time, that time: a batch's fingerprint. */
  private static List<byte[]> fingerprinted(List<byte[]> bodies, List<Instant> sendAts) {
    if (sendAts.stream().allMatch(Objects::isNull)) {
      return bodies;
    }
    List<byte[]> parts = new ArrayList<>();
    for (int i = 0; i < bodies.size(); i++) {
      parts.add(bodies.get(i));
      Instant sendAt = sendAts.get(i);
      parts.add(sendAt == null ? new byte[0] : sendAt.toString().getBytes(StandardCharsets.UTF_8));
    }
    return parts;
  }

  private List<JobEnqueuer.Enqueued> insert(
      String type,
      List<JobMessage> candidates,
      List<Instant> sendAts,
      String batchHash,
      Instant now) {
    OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
    List<JobLedger.NewRow> rows = new ArrayList<>(candidates.size());
    for (int i = 0; i < candidates.size(); i++) {
      JobMessage job = candidates.get(i);
      Instant sendAt = sendAts.get(i);
      rows.add(
          new JobLedger.NewRow(
              job.jobId(),
              type,
              job.idempotencyKey(),
              batchHash,
              JobCodec.text(job.body()),
              job.traceparent(),
              at,
              sendAt == null ? null : sendAt.atOffset(ZoneOffset.UTC)));
    }
    Set<UUID> inserted = ledger.insertAccepted(rows);
    Map<String, JobLedger.KeyHolder> earlier =
        ledger.holdersOf(
            type,
            candidates.stream()
                .filter(j -> !inserted.contains(j.jobId()))
                .map(JobMessage::idempotencyKey)
                .toList());
    List<JobEnqueuer.Enqueued> results = new ArrayList<>(candidates.size());
    for (JobMessage job : candidates) {
      if (inserted.contains(job.jobId())) {
        results.add(new JobEnqueuer.Enqueued(job.jobId(), true));
        continue;
      }
      JobLedger.KeyHolder holder = earlier.get(job.idempotencyKey());
      if (holder == null) {
        throw new JobLedgerException(
            "idempotency key " + job.idempotencyKey() + " was taken, but its row is gone");
      }
      if (!batchHash.equals(holder.requestHash())) {
        // Thrown inside the transaction: the whole batch rolls back.
        throw new IdempotencyConflictException(job.idempotencyKey(), holder.id());
      }
      results.add(new JobEnqueuer.Enqueued(holder.id(), false));
    }
    return results;
  }
}
