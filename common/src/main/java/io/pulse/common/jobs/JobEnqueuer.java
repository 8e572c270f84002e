package io.pulse.common.jobs;

import io.pulse.common.messaging.ConfirmingPublisher;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.messaging.PublishFailedException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Accepts a job: writes its ledger row, then publishes it and waits for the broker's confirm. The
 * row comes first so a crash or a broker outage between the two leaves a {@code queued} row with no
 * {@code published_at}, which {@link UnpublishedJobSweeper} publishes later: an accepted job is
 * never lost. Two ways in, chosen by the caller and not by ambient state: {@link #enqueue} commits
 * the row on its own, grouped with concurrent requests ({@link GroupCommitEnqueuer}); {@link
 * #enqueueWith} commits it with the record the job is about. Jobs created inside a transaction that
 * is already open (a handler's follow-ups) go through {@link #insertInCurrentTransaction} and
 * {@link #publishAll} after the commit.
 */
@ApplicationScoped
public class JobEnqueuer {
  private static final Logger LOG = Logger.getLogger(JobEnqueuer.class);

  /** Longer than a publish waits for its confirm plus a flush of {@link PublishedMarks}. */
  private static final Duration UNCONFIRMED_AFTER = Duration.ofSeconds(10);

  private final JobLedger ledger;
  private final ConfirmingPublisher publisher;
  private final JobMetrics metrics;
  private final PublishedMarks marks;
  private final GroupCommitEnqueuer groups;

  public JobEnqueuer(
      JobLedger ledger,
      ConfirmingPublisher publisher,
      JobMetrics metrics,
      PublishedMarks marks,
      GroupCommitEnqueuer groups) {
    this.ledger = ledger;
    this.publisher = publisher;
    this.metrics = metrics;
    this.marks = marks;
    this.groups = groups;
  }

  /** What an enqueue did: a new job, or the earlier job of the same idempotency key. */
  public record Enqueued(UUID jobId, boolean created) {}

  /**
   * Accepts a job in a commit of its own (shared with concurrent requests). Not for use inside an
   * open transaction: the row would commit before, and without, the caller's work.
   *
   * @throws IdempotencyConflictException when the key was used with another body
   * @throws PublishFailedException when the broker did not confirm (a passing outage, or
   *     unroutable); the row stays and the sweeper publishes it later
   */
  public Enqueued enqueue(String type, Object payload, String idempotencyKey, String traceparent) {
    return enqueue(type, payload, idempotencyKey, traceparent, null);
  }

  /**
   * As {@link #enqueue(String, Object, String, String)}; with a {@code sendAt}, the row is written
   * {@code scheduled} and nothing is published now: the poller ({@link ScheduledJobPoller})
   * publishes it when due. The send time is part of the request's fingerprint, so the same key with
   * another time is a conflict.
   */
  public Enqueued enqueue(
      String type, Object payload, String idempotencyKey, String traceparent, Instant sendAt) {
    refuseWhileBlocked(sendAt);
    Accepting job = new Accepting(type, payload, idempotencyKey, traceparent, sendAt);
    JobLedger.KeyHolder holder = groups.insertAndPublish(job.row(), job.message());
    return job.outcome(holder);
  }

  /**
   * As {@link #enqueue}, and first runs {@code sameTransaction} (writing the record the job is
   * about: a post, a membership) in a new transaction that then writes or finds the ledger row, so
   * the two commit together or not at all. It runs on a repeat too, so it must be idempotent; it is
   * also where a repeat whose record holds more than the job's payload is refused (by throwing,
   * which rolls back): a concurrent first write of the same record has committed by the time the
   * record's own unique key lets this one through.
   */
  public Enqueued enqueueWith(
      String type,
      Object payload,
      String idempotencyKey,
      String traceparent,
      Runnable sameTransaction) {
    return enqueueWith(type, payload, idempotencyKey, traceparent, null, sameTransaction);
  }

  /**
   * As {@link #enqueueWith(String, Object, String, String, Runnable)}, scheduled at {@code sendAt}
   * when given.
   */
  public Enqueued enqueueWith(
      String type,
      Object payload,
      String idempotencyKey,
      String traceparent,
      Instant sendAt,
      Runnable sameTransaction) {
    refuseWhileBlocked(sendAt);
    Accepting job = new Accepting(type, payload, idempotencyKey, traceparent, sendAt);
    JobLedger.KeyHolder holder =
        QuarkusTransaction.requiringNew()
            .call(
                () -> {
                  sameTransaction.run();
                  return ledger.insertAccepted(List.of(job.row())).isEmpty()
                      ? holderOf(job.row())
                      : null;
                });
    if (holder == null && sendAt == null) {
      publisher.publishJob(job.message());
    }
    return job.outcome(holder);
  }

  /**
   * A job to publish now is refused before its row is written while the broker blocks publishing (a
   * resource alarm): the caller's 503 then means nothing was accepted, and an alarm that lasts does
   * not fill the ledger with rows for the sweeper. A scheduled job publishes nothing now.
   */
  private void refuseWhileBlocked(Instant sendAt) {
    if (sendAt == null) {
      publisher.refuseWhileBlocked();
    }
  }

  private JobLedger.KeyHolder holderOf(JobLedger.NewRow row) {
    JobLedger.KeyHolder holder =
        ledger.holdersOf(row.type(), List.of(row.idempotencyKey())).get(row.idempotencyKey());
    if (holder == null) {
      throw new JobLedgerException(
          "idempotency key "
              + row.idempotencyKey()
              + " of a "
              + row.type()
              + " job was taken, but its row is gone");
    }
    return holder;
  }

  /** One job on its way in: its candidate row and message, and what its enqueue answers. */
  private final class Accepting {
    private final String type;
    private final String idempotencyKey;
    private final byte[] body;
    private final String hash;
    private final Instant sendAt;
    private final JobMessage message;

    Accepting(
        String type, Object payload, String idempotencyKey, String traceparent, Instant sendAt) {
      this.type = type;
      this.idempotencyKey = idempotencyKey;
      this.body = JobCodec.encode(payload);
      this.sendAt = sendAt;
      this.hash = JobCodec.sha256(body, sendAt);
      this.message =
          new JobMessage(JobIds.next(), type, 1, idempotencyKey, traceparent, Instant.now(), body);
    }

    JobMessage message() {
      return message;
    }

    JobLedger.NewRow row() {
      return new JobLedger.NewRow(
          message.jobId(),
          type,
          idempotencyKey,
          hash,
          JobCodec.text(body),
          message.traceparent(),
          message.createdAt().atOffset(ZoneOffset.UTC),
          sendAt == null ? null : sendAt.atOffset(ZoneOffset.UTC));
    }

    /** The answer once the row is written: new and confirmed (no holder), or a repeat. */
    Enqueued outcome(JobLedger.KeyHolder holder) {
      if (holder == null) {
        if (sendAt == null) {
          confirmed(message);
          metrics.enqueued(type);
        }
        return new Enqueued(message.jobId(), true);
      }
      if (!hash.equals(holder.requestHash())) {
        throw new IdempotencyConflictException(idempotencyKey, holder.id());
      }
      Instant firstAccepted = holder.createdAt().toInstant();
      if (holder.unconfirmed() && firstAccepted.isBefore(Instant.now().minus(UNCONFIRMED_AFTER))) {
        // The first attempt was accepted but never confirmed (broker down): try again now rather
        // than leave the caller waiting for the sweeper. A younger row may just have its confirm
        // mark in flight (PublishedMarks), so it is left alone.
        JobMessage again =
            new JobMessage(
                holder.id(), type, 1, idempotencyKey, message.traceparent(), firstAccepted, body);
        publisher.publishJob(again);
        confirmed(again);
      }
      return new Enqueued(holder.id(), false);
    }
  }

  private void confirmed(JobMessage message) {
    marks.add(message.jobId());
    LOG.debugf("published job %s type %s", message.jobId(), message.type());
  }

  /**
   * Writes ledger rows for jobs created inside the caller's transaction (follow-up jobs of a
   * handler, planned digests), one statement for the whole batch. Jobs whose id or idempotency key
   * is already present are left alone, so a handler that runs twice creates each follow-up once.
   *
   * @return the ids this call inserted: only those are this caller's to publish
   */
  public Set<UUID> insertInCurrentTransaction(List<JobMessage> jobs) {
    return ledger.insertFollowUps(jobs);
  }

  /** As {@link #insertInCurrentTransaction(List)}, with the job that created each one. */
  public Set<UUID> insertInCurrentTransaction(List<JobMessage> jobs, List<UUID> parents) {
    return ledger.insertFollowUps(jobs, parents);
  }

  /**
   * Publishes jobs whose rows are committed, pipelining the confirms. What the broker does not
   * confirm stays unpublished in the ledger for the sweeper; nothing is lost by returning early.
   */
  public void publishAll(List<JobMessage> jobs) {
    publishConfirmed(jobs);
  }

  /**
   * As {@link #publishAll}, and returns why each job the broker did not confirm was not (their rows
   * stay unpublished for the sweeper), so a caller can tell its client.
   */
  public List<PublishFailedException> publishConfirmed(List<JobMessage> jobs) {
    if (jobs.isEmpty()) {
      return List.of();
    }
    List<PublishFailedException> outcomes = publisher.publishJobs(jobs);
    List<UUID> confirmed = new ArrayList<>();
    List<PublishFailedException> failures = new ArrayList<>();
    for (int i = 0; i < jobs.size(); i++) {
      JobMessage job = jobs.get(i);
      PublishFailedException failure = outcomes.get(i);
      if (failure == null) {
        confirmed.add(job.jobId());
        metrics.enqueued(job.type());
      } else {
        failures.add(failure);
        LOG.warnf(
            "job %s type %s not confirmed, the sweeper will publish it: %s",
            job.jobId(), job.type(), failure.getMessage());
      }
    }
    if (!confirmed.isEmpty()) {
      marks.addAll(confirmed);
    }
    return failures;
  }
}
