package io.pulse.workers.jobs;

import io.pulse.common.jobs.JobStatus;
import io.pulse.common.messaging.JobMessage;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.Session;

/**
 * The workers' side of the job ledger. {@link #claim} and {@link #succeeded} run inside the
 * handler's transaction; the failure marks run in a transaction of their own after the handler's
 * was rolled back. A message that was published without going through the API (or by a newer
 * producer) gets its row here, so every job the workers touch is visible.
 */
@ApplicationScoped
public class JobLedger {
  private final EntityManager em;

  public JobLedger(EntityManager em) {
    this.em = em;
  }

  /**
   * Locks the job's row for this transaction, creating it if needed, and returns its status. The
   * lock makes two deliveries of one job (a redelivery racing a sweeper's republish) run one after
   * the other, so the second sees {@code succeeded} and skips.
   */
  public JobStatus claim(JobMessage message) {
    @SuppressWarnings("unchecked")
    List<String> found =
        em.createNativeQuery("select status from jobs where id = ?1 for update")
            .setParameter(1, message.jobId())
            .getResultList();
    if (!found.isEmpty()) {
      return JobStatus.fromWire(found.get(0));
    }
    em.createNativeQuery(
            """
            insert into jobs (id, type, status, idempotency_key, traceparent, created_at,
                              updated_at, published_at)
            values (?1, ?2, 'running', ?3, ?4, ?5, now(), now())
            on conflict (id) do nothing
            """)
        .setParameter(1, message.jobId())
        .setParameter(2, message.type())
        .setParameter(3, message.idempotencyKey())
        .setParameter(4, message.traceparent())
        .setParameter(5, utc(message.createdAt()))
        .executeUpdate();
    return claim(message);
  }

  /**
   * Marks the job succeeded as the first statement of its transaction, which also takes the row's
   * lock: one statement instead of a locking read now and an update at the end. The mark commits
   * with the handler's effects or rolls back with them; {@code now()} is the transaction's start
   * either way. Returns false when there is nothing to mark: the job already succeeded (a second
   * delivery, which waited for the first one's lock) or has no row yet; {@link #claim} then says
   * which.
   */
  public boolean markSucceeded(JobMessage message) {
    return markSucceededIfAllowed(message) == 1;
  }

  /** A row {@link #markAllSucceeded} marked, with what it held before, to put back on failure. */
  public record Marked(
      UUID jobId, String status, int attempts, String lastError, OffsetDateTime nextAttemptAt) {}

  /**
   * {@link #markSucceeded} for a batch in one statement: locks the rows in id order (so two batches
   * never wait on each other in a circle) and returns, by job id, each row it marked with its
   * earlier state. A job missing from the result already succeeded or has no row.
   */
  public Map<UUID, Marked> markAllSucceeded(List<JobMessage> messages) {
    UUID[] ids = messages.stream().map(JobMessage::jobId).toArray(UUID[]::new);
    Integer[] attempts = messages.stream().map(JobMessage::attempt).toArray(Integer[]::new);
    return em.unwrap(Session.class)
        .doReturningWork(
            connection -> {
              try (PreparedStatement update = connection.prepareStatement(MARK_ALL)) {
                Array idArray = connection.createArrayOf("uuid", ids);
                update.setArray(1, idArray);
                update.setArray(2, idArray);
                update.setArray(3, connection.createArrayOf("integer", attempts));
                Map<UUID, Marked> marked = new HashMap<>();
                try (ResultSet rows = update.executeQuery()) {
                  while (rows.next()) {
                    UUID id = rows.getObject(1, UUID.class);
                    marked.put(
                        id,
                        new Marked(
                            id,
                            rows.getString(2),
                            rows.getInt(3),
                            rows.getString(4),
                            rows.getObject(5, OffsetDateTime.class)));
                  }
                }
                return marked;
              }
            });
  }

  private static final String MARK_ALL =
      """
      with earlier as (
          select id, status, attempts, last_error, next_attempt_at from jobs
          where id = any(?) and %s
          order by id
          for update),
      delivered as (
          select id, max(attempt) as attempt from unnest(?::uuid[], ?::integer[]) as d(id, attempt)
          group by id)
      update jobs j set status = 'succeeded', attempts = greatest(j.attempts, d.attempt),
             last_error = null, next_attempt_at = null, finished_at = now(), updated_at = now()
      from earlier e, delivered d
      where j.id = e.id and d.id = e.id
      returning j.id, e.status, e.attempts, e.last_error, e.next_attempt_at
      """
          .formatted(JobStatus.sqlFrom("status", JobStatus.SUCCEEDED));

  /**
   * Puts a row {@link #markAllSucceeded} marked back as it was: its job failed after all. Not a
   * transition but an undo inside the same transaction, so it is the one statement without a guard
   * from the table.
   */
  public void unmark(Marked marked) {
    em.unwrap(Session.class)
        .doWork(
            connection -> {
              try (PreparedStatement update =
                  connection.prepareStatement(
                      """
                      update jobs set status = ?, attempts = ?, last_error = ?,
                             next_attempt_at = ?, finished_at = null, updated_at = now()
                      where id = ?
                      """)) {
                update.setString(1, marked.status());
                update.setInt(2, marked.attempts());
                update.setString(3, marked.lastError());
                update.setObject(4, marked.nextAttemptAt(), Types.TIMESTAMP_WITH_TIMEZONE);
                update.setObject(5, marked.jobId());
                update.executeUpdate();
              }
            });
  }

  /** Marks a job that {@link #claim} found running (it had no row) succeeded. */
  public void succeeded(JobMessage message) {
    markSucceededIfAllowed(message);
  }

  private int markSucceededIfAllowed(JobMessage message) {
    return em.createNativeQuery(MARK_ONE)
        .setParameter(1, message.jobId())
        .setParameter(2, message.attempt())
        .executeUpdate();
  }

  private static final String MARK_ONE =
      """
      update jobs set status = 'succeeded', attempts = greatest(attempts, ?2),
             last_error = null, next_attempt_at = null, finished_at = now(), updated_at = now()
      where id = ?1 and %s
      """
          .formatted(JobStatus.sqlFrom("status", JobStatus.SUCCEEDED));

  public void retrying(JobMessage message, String error, Instant nextAttemptAt) {
    record(message, JobStatus.RETRYING, error, nextAttemptAt);
  }

  public void dead(JobMessage message, String error) {
    record(message, JobStatus.DEAD, error, null);
  }

  /** Notes that the previous delivery ended without an ack: the worker died or lost the broker. */
  public void noteRedelivery(JobMessage message, long deliveryCount) {
    record(
        message,
        JobStatus.RETRYING,
        "delivery "
            + (deliveryCount + 1)
            + ": the previous delivery ended without an ack (worker crashed or lost the broker)",
        null);
  }

  private void record(JobMessage message, JobStatus status, String error, Instant nextAttemptAt) {
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                em.createNativeQuery(
                        """
                        insert into jobs (id, type, status, attempts, last_error, next_attempt_at,
                                          created_at, updated_at, published_at, finished_at)
                        values (?1, ?2, ?3, ?4, ?5, ?6, ?7, now(), now(),
                                case when ?3 = 'dead' then now() end)
                        on conflict (id) do update set
                            status = excluded.status,
                            attempts = greatest(jobs.attempts, excluded.attempts),
                            last_error = excluded.last_error,
                            next_attempt_at = excluded.next_attempt_at,
                            updated_at = now(),
                            finished_at = excluded.finished_at
                        where %s
                        """
                            .formatted(JobStatus.sqlFrom("jobs.status", status)))
                    .setParameter(1, message.jobId())
                    .setParameter(2, message.type())
                    .setParameter(3, status.wire())
                    .setParameter(4, message.attempt())
                    .setParameter(5, error)
                    .setParameter(6, nextAttemptAt == null ? null : utc(nextAttemptAt))
                    .setParameter(7, utc(message.createdAt()))
                    .executeUpdate());
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
