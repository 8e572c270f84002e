package io.pulse.common.jobs;

import io.pulse.common.messaging.ConfirmingPublisher;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.messaging.PublishFailedException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Accepts a job: writes its ledger row, then publishes it and waits for the broker's confirm. The
 * row comes first so a crash or a broker outage between the two leaves a {@code queued} row with no
 * {@code published_at}, which {@link UnpublishedJobSweeper} publishes later: an accepted job is
 * never lost. Rows of concurrent requests go in together ({@link LedgerRowWriter}); a row that must
 * commit with another record is written in that record's transaction.
 */
@ApplicationScoped
public class JobEnqueuer {
  private static final Logger LOG = Logger.getLogger(JobEnqueuer.class);

  /** Longer than a publish waits for its confirm plus a flush of {@link PublishedMarks}. */
  private static final java.time.Duration UNCONFIRMED_AFTER = java.time.Duration.ofSeconds(10);

  private final EntityManager em;
  private final javax.sql.DataSource dataSource;
  private final ConfirmingPublisher publisher;
  private final JobMetrics metrics;
  private final PublishedMarks marks;
  private final LedgerRowWriter rows;

  public JobEnqueuer(
      EntityManager em,
      javax.sql.DataSource dataSource,
      ConfirmingPublisher publisher,
      JobMetrics metrics,
      PublishedMarks marks,
      LedgerRowWriter rows) {
    this.em = em;
    this.dataSource = dataSource;
    this.publisher = publisher;
    this.metrics = metrics;
    this.marks = marks;
    this.rows = rows;
  }

  /** What an enqueue did: a new job, or the earlier job of the same idempotency key. */
  public record Enqueued(UUID jobId, boolean created) {}

  /**
   * @throws IdempotencyConflictException when the key was used with another body
   * @throws io.pulse.common.messaging.PublishFailedException when the broker did not confirm (a
   *     passing outage, or unroutable); the row stays and the sweeper publishes it later
   */
  public Enqueued enqueue(String type, Object payload, String idempotencyKey, String traceparent) {
    return enqueue(type, payload, idempotencyKey, traceparent, null);
  }

  /**
   * As {@link #enqueue(String, Object, String, String)}, and first runs {@code sameTransaction}
   * (writing the record the job is about: a post, a membership) in the transaction that then writes
   * or finds the ledger row, so the two commit together or not at all. It runs on a repeat too, so
   * it must be idempotent; it is also where a repeat whose record holds more than the job's payload
   * is refused (by throwing, which rolls back): a concurrent first write of the same record has
   * committed by the time the record's own unique key lets this one through.
   */
  public Enqueued enqueue(
      String type,
      Object payload,
      String idempotencyKey,
      String traceparent,
      Runnable sameTransaction) {
    byte[] body = JobCodec.encode(payload);
    String hash = JobCodec.sha256(body);
    UUID candidate = JobIds.next();
    Instant now = Instant.now();
    JobMessage message = new JobMessage(candidate, type, 1, idempotencyKey, traceparent, now, body);
    LedgerRows.NewRow row =
        new LedgerRows.NewRow(
            candidate,
            type,
            idempotencyKey,
            hash,
            JobCodec.text(body),
            traceparent,
            now.atOffset(ZoneOffset.UTC));
    Existing existing;
    if (sameTransaction == null && !QuarkusTransaction.isActive()) {
      existing = rows.insertAndPublish(row, message);
    } else {
      existing =
          QuarkusTransaction.requiringNew()
              .call(
                  () -> {
                    if (sameTransaction != null) {
                      sameTransaction.run();
                    }
                    return insertOrFind(row);
                  });
      if (existing == null) {
        publisher.publishJob(message);
      }
    }
    if (existing == null) {
      confirmed(message);
      metrics.enqueued(type);
      return new Enqueued(candidate, true);
    }
    if (!hash.equals(existing.requestHash())) {
      throw new IdempotencyConflictException(idempotencyKey, existing.id());
    }
    Instant firstAccepted = existing.createdAt().toInstant();
    boolean unconfirmed = existing.publishedAt() == null && "queued".equals(existing.status());
    if (unconfirmed && firstAccepted.isBefore(Instant.now().minus(UNCONFIRMED_AFTER))) {
      // The first attempt was accepted but never confirmed (broker down): try again now rather
      // than leave the caller waiting for the sweeper. A younger row may just have its confirm
      // mark in flight (PublishedMarks), so it is left alone.
      JobMessage again =
          new JobMessage(existing.id(), type, 1, idempotencyKey, traceparent, firstAccepted, body);
      publisher.publishJob(again);
      confirmed(again);
    }
    return new Enqueued(existing.id(), false);
  }

  /** The ledger row that already holds an idempotency key. */
  record Existing(
      UUID id,
      String requestHash,
      OffsetDateTime publishedAt,
      OffsetDateTime createdAt,
      String status) {}

  /** On the transaction's own connection, so the row commits with the record the job is about. */
  private Existing insertOrFind(LedgerRows.NewRow row) {
    try (java.sql.Connection connection = dataSource.getConnection()) {
      return LedgerRows.insert(connection, List.of(row)).isEmpty()
          ? findExisting(connection, row.type(), row.idempotencyKey())
          : null;
    } catch (java.sql.SQLException e) {
      throw new JobLedgerException("could not write the ledger row of a " + row.type() + " job", e);
    }
  }

  static Existing findExisting(java.sql.Connection connection, String type, String key)
      throws java.sql.SQLException {
    try (var select =
        connection.prepareStatement(
            """
            select id, request_hash, published_at, created_at, status from jobs
            where type = ? and idempotency_key = ?
            """)) {
      select.setString(1, type);
      select.setString(2, key);
      try (var rows = select.executeQuery()) {
        if (!rows.next()) {
          // Taken by a row that is gone again (a concurrent purge): nothing to point at.
          throw new java.sql.SQLException(
              "idempotency key " + key + " of a " + type + " job was taken, but its row is gone");
        }
        return new Existing(
            rows.getObject(1, UUID.class),
            rows.getString(2),
            rows.getObject(3, OffsetDateTime.class),
            rows.getObject(4, OffsetDateTime.class),
            rows.getString(5));
      }
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
  public java.util.Set<UUID> insertInCurrentTransaction(List<JobMessage> jobs) {
    java.util.Set<UUID> inserted = new java.util.HashSet<>();
    if (jobs.isEmpty()) {
      return inserted;
    }
    em.unwrap(org.hibernate.Session.class)
        .doWork(
            connection -> {
              try (var insert =
                  connection.prepareStatement(
                      """
                      insert into jobs (id, type, status, payload, idempotency_key, traceparent,
                                        created_at, updated_at)
                      select id, type, 'queued', cast(payload as jsonb), key, trace, now(), now()
                      from unnest(?, ?, ?, ?, ?) as t(id, type, payload, key, trace)
                      on conflict do nothing
                      returning id
                      """)) {
                insert.setArray(
                    1,
                    connection.createArrayOf(
                        "uuid", jobs.stream().map(JobMessage::jobId).toArray()));
                insert.setArray(
                    2,
                    connection.createArrayOf(
                        "text", jobs.stream().map(JobMessage::type).toArray()));
                insert.setArray(
                    3,
                    connection.createArrayOf(
                        "text", jobs.stream().map(j -> JobCodec.text(j.body())).toArray()));
                insert.setArray(
                    4,
                    connection.createArrayOf(
                        "text", jobs.stream().map(JobMessage::idempotencyKey).toArray()));
                insert.setArray(
                    5,
                    connection.createArrayOf(
                        "text", jobs.stream().map(JobMessage::traceparent).toArray()));
                try (var rows = insert.executeQuery()) {
                  while (rows.next()) {
                    inserted.add(rows.getObject(1, UUID.class));
                  }
                }
              }
            });
    return inserted;
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
