package io.pulse.common.jobs;

import io.pulse.common.messaging.JobMessage;
import io.pulse.common.retention.Purge;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * The {@code jobs} table: every statement that reads or writes it is here, in the order of a job's
 * life (accepted, published, run, failed, replayed), and nowhere else ({@code
 * JobsTableOwnershipTest} fails on a statement elsewhere). Every status a statement writes comes
 * from {@link JobStatus}, guarded by {@link JobStatus#sqlFrom}, so the table of transitions is the
 * one rulebook.
 *
 * <p>Each method runs on the current connection: inside a transaction (QuarkusTransaction,
 * {@code @Transactional}, a handler's), on that transaction's connection, since Agroal hands every
 * connection request of one transaction the same connection, so the statement commits or rolls back
 * with the rest; outside one, on a connection of its own, autocommitted.
 */
@ApplicationScoped
public class JobLedger {
  private final DataSource dataSource;

  public JobLedger(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  // ---- Accepting jobs ------------------------------------------------------------------------

  /**
   * A job's ledger row as an enqueue writes it: {@code queued} and not yet published, or {@code
   * scheduled} when it has a send time.
   */
  record NewRow(
      UUID id,
      String type,
      String idempotencyKey,
      String hash,
      String payload,
      String traceparent,
      OffsetDateTime at,
      OffsetDateTime sendAt) {}

  /** The row that holds an idempotency key already. */
  record KeyHolder(
      UUID id,
      String requestHash,
      OffsetDateTime publishedAt,
      OffsetDateTime createdAt,
      JobStatus status) {

    /** Accepted but never confirmed by the broker (yet). */
    boolean unconfirmed() {
      return publishedAt == null && status == JobStatus.QUEUED;
    }
  }

  private static final String INSERT_ACCEPTED =
      """
      insert into jobs (id, type, status, idempotency_key, request_hash, payload, traceparent,
                        created_at, updated_at, send_at)
      select id, type, case when send_at is null then '%s' else '%s' end, key, hash,
             cast(payload as jsonb), trace, at, at, send_at
      from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                  ?::timestamptz[], ?::timestamptz[])
          as t(id, type, key, hash, payload, trace, at, send_at)
      on conflict (type, idempotency_key) where idempotency_key is not null do nothing
      returning id
      """
          .formatted(JobStatus.QUEUED.wire(), JobStatus.SCHEDULED.wire());

  /**
   * Writes accepted jobs, every row as arrays in one round trip; returns the ids it inserted. A row
   * whose idempotency key is taken, earlier or by a row before it in the same call, is left out.
   */
  Set<UUID> insertAccepted(List<NewRow> rows) {
    return withConnection(
        connection -> {
          try (PreparedStatement insert = connection.prepareStatement(INSERT_ACCEPTED)) {
            insert.setArray(1, uuids(connection, rows, NewRow::id));
            insert.setArray(2, texts(connection, rows, NewRow::type));
            insert.setArray(3, texts(connection, rows, NewRow::idempotencyKey));
            insert.setArray(4, texts(connection, rows, NewRow::hash));
            insert.setArray(5, texts(connection, rows, NewRow::payload));
            insert.setArray(6, texts(connection, rows, NewRow::traceparent));
            insert.setArray(7, texts(connection, rows, r -> r.at().toString()));
            insert.setArray(
                8, texts(connection, rows, r -> r.sendAt() == null ? null : r.sendAt().toString()));
            return ids(insert);
          }
        });
  }

  /**
   * The rows that hold these idempotency keys of a type, by key. A key taken by a row that is gone
   * again (a concurrent purge) is missing from the result.
   */
  Map<String, KeyHolder> holdersOf(String type, Collection<String> keys) {
    if (keys.isEmpty()) {
      return Map.of();
    }
    return withConnection(
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  """
                  select idempotency_key, id, request_hash, published_at, created_at, status
                  from jobs where type = ? and idempotency_key = any(?)
                  """)) {
            select.setString(1, type);
            select.setArray(2, connection.createArrayOf("text", keys.toArray()));
            Map<String, KeyHolder> holders = new HashMap<>();
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                holders.put(
                    rows.getString(1),
                    new KeyHolder(
                        rows.getObject(2, UUID.class),
                        rows.getString(3),
                        rows.getObject(4, OffsetDateTime.class),
                        rows.getObject(5, OffsetDateTime.class),
                        JobStatus.fromWire(rows.getString(6))));
              }
            }
            return holders;
          }
        });
  }

  private static final String INSERT_FOLLOW_UPS =
      """
      insert into jobs (id, type, status, payload, idempotency_key, traceparent, parent_id,
                        created_at, updated_at)
      select id, type, '%s', cast(payload as jsonb), key, trace, parent, now(), now()
      from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::uuid[])
          as t(id, type, payload, key, trace, parent)
      on conflict do nothing
      returning id
      """
          .formatted(JobStatus.QUEUED.wire());

  /**
   * Writes the rows of jobs created inside the caller's transaction (a handler's follow-ups,
   * planned digests) in one statement. A job whose id or idempotency key is present already is left
   * alone, so a handler that runs twice creates each follow-up once.
   *
   * @return the ids this call inserted: only those are the caller's to publish
   */
  public Set<UUID> insertFollowUps(List<JobMessage> jobs) {
    return insertFollowUps(jobs, Collections.nCopies(jobs.size(), null));
  }

  /**
   * As {@link #insertFollowUps(List)}, with the job that created each one ({@code parents}, in the
   * same order; null for none), which the console shows as the job's parent and follow-ups.
   */
  public Set<UUID> insertFollowUps(List<JobMessage> jobs, List<UUID> parents) {
    if (jobs.isEmpty()) {
      return new HashSet<>();
    }
    return withConnection(
        connection -> {
          try (PreparedStatement insert = connection.prepareStatement(INSERT_FOLLOW_UPS)) {
            insert.setArray(1, uuids(connection, jobs, JobMessage::jobId));
            insert.setArray(2, texts(connection, jobs, JobMessage::type));
            insert.setArray(3, texts(connection, jobs, j -> JobCodec.text(j.body())));
            insert.setArray(4, texts(connection, jobs, JobMessage::idempotencyKey));
            insert.setArray(5, texts(connection, jobs, JobMessage::traceparent));
            insert.setArray(6, uuids(connection, parents, Function.identity()));
            return ids(insert);
          }
        });
  }

  private static final String INSERT_SCHEDULED_FOLLOW_UPS =
      """
      insert into jobs (id, type, status, payload, idempotency_key, traceparent, parent_id,
                        created_at, updated_at, send_at)
      select id, type, '%s', cast(payload as jsonb), key, trace, parent, now(), now(), send_at
      from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[],
                  ?::uuid[])
          as t(id, type, payload, key, trace, send_at, parent)
      on conflict do nothing
      """
          .formatted(JobStatus.SCHEDULED.wire());

  /**
   * A follow-up job that waits in the ledger until {@code sendAt}, then the poller publishes it;
   * {@code parentId} is the job that created it.
   */
  public record Deferred(JobMessage message, Instant sendAt, UUID parentId) {}

  /**
   * As {@link #insertFollowUps}, for follow-ups due later: their rows are written {@code scheduled}
   * and nothing is published now; the poller releases them when due. A handler that runs twice
   * writes each once.
   */
  public void insertScheduledFollowUps(List<Deferred> jobs) {
    if (jobs.isEmpty()) {
      return;
    }
    withConnection(
        connection -> {
          try (PreparedStatement insert =
              connection.prepareStatement(INSERT_SCHEDULED_FOLLOW_UPS)) {
            insert.setArray(1, uuids(connection, jobs, d -> d.message().jobId()));
            insert.setArray(2, texts(connection, jobs, d -> d.message().type()));
            insert.setArray(3, texts(connection, jobs, d -> JobCodec.text(d.message().body())));
            insert.setArray(4, texts(connection, jobs, d -> d.message().idempotencyKey()));
            insert.setArray(5, texts(connection, jobs, d -> d.message().traceparent()));
            insert.setArray(6, texts(connection, jobs, d -> utc(d.sendAt()).toString()));
            insert.setArray(7, uuids(connection, jobs, Deferred::parentId));
            return insert.executeUpdate();
          }
        });
  }

  // ---- Publishing ----------------------------------------------------------------------------

  /**
   * Records broker confirms ({@code published_at}) on rows still {@code queued}. Rows a worker is
   * running (locked) are passed over rather than waited for: by then the mark is not needed.
   */
  void markPublishedIfQueued(List<UUID> ids) {
    update(
        """
        update jobs set published_at = now() where id in (
            select id from jobs
            where id = any(?) and status = '%s' and published_at is null
            for update skip locked)
        """
            .formatted(JobStatus.QUEUED.wire()),
        ids);
  }

  /** Records confirms the caller holds the rows' locks for (the sweeper's). */
  void markPublished(List<UUID> ids) {
    update("update jobs set published_at = now() where id = any(?)", ids);
  }

  /**
   * The oldest rows accepted more than {@code grace} ago and never confirmed, locked until the
   * transaction ends; rows another node's sweep holds are passed over.
   */
  List<LedgerJob> lockUnpublished(Duration grace, int limit) {
    return jobs(
        """
        select %s from jobs
        where status = '%s' and published_at is null
          and created_at < now() - ? * interval '1 millisecond'
        order by created_at
        limit ?
        for update skip locked
        """
            .formatted(LedgerJob.COLUMNS, JobStatus.QUEUED.wire()),
        grace.toMillis(),
        limit);
  }

  // ---- Scheduled jobs ------------------------------------------------------------------------

  /**
   * The scheduled rows due at {@code now}, oldest send time first, locked until the transaction
   * ends; rows another node's poll (or a cancel) holds are passed over, so two nodes never publish
   * the same row at once.
   */
  public List<LedgerJob> lockDue(Instant now, int limit) {
    return jobs(
        """
        select %s from jobs
        where status = '%s' and send_at <= ?
        order by send_at
        limit ?
        for update skip locked
        """
            .formatted(LedgerJob.COLUMNS, JobStatus.SCHEDULED.wire()),
        utc(now),
        limit);
  }

  /**
   * Moves due rows the caller locked and the broker confirmed to {@code queued}, published. The
   * publish time is the clock's, not the transaction's start, so {@code published_at - send_at} is
   * the job's real lateness.
   */
  public void markReleased(List<UUID> ids) {
    update(
        """
        update jobs set status = '%s', published_at = clock_timestamp(), updated_at = now()
        where id = any(?) and %s
        """
            .formatted(
                JobStatus.QUEUED.wire(),
                JobStatus.sqlMove("status", JobStatus.SCHEDULED, JobStatus.QUEUED)),
        ids);
  }

  /**
   * Cancels a scheduled job. The update takes the row's lock, so it waits for a poll that holds it
   * and then sees what that poll committed: either the poll published the job (now {@code queued},
   * too late to cancel) or the cancel wins and the poll never sees the row again.
   *
   * @return the job's status after the call (a job cancelled earlier stays {@code cancelled}), or
   *     null when there is no such job
   */
  public JobStatus cancel(UUID id) {
    List<UUID> cancelled =
        query(
            """
            update jobs set status = '%s', finished_at = now(), updated_at = now()
            where id = ? and %s
            returning id
            """
                .formatted(
                    JobStatus.CANCELLED.wire(),
                    JobStatus.sqlMove("status", JobStatus.SCHEDULED, JobStatus.CANCELLED)),
            rows -> rows.getObject(1, UUID.class),
            id);
    if (!cancelled.isEmpty()) {
      return JobStatus.CANCELLED;
    }
    List<JobStatus> found =
        query(
            "select status from jobs where id = ?",
            rows -> JobStatus.fromWire(rows.getString(1)),
            id);
    return found.isEmpty() ? null : found.get(0);
  }

  /**
   * Cancels, in the caller's transaction, the jobs among {@code ids} that are still {@code
   * scheduled}, and with a {@code dispatchSource} the scheduled {@code notification.dispatch} jobs
   * whose payload names that source (a recall). Rows a poll is publishing are waited for, as for
   * {@link #cancel}; what it published is no longer scheduled and stays.
   *
   * @return how many it cancelled
   */
  public int cancelScheduled(Collection<UUID> ids, String dispatchSource) {
    return withConnection(
        connection -> {
          try (PreparedStatement cancel =
              connection.prepareStatement(
                  """
                  update jobs set status = '%s', finished_at = now(), updated_at = now()
                  where %s and (id = any(?) or (type = '%s' and payload ->> 'source' = ?))
                  """
                      .formatted(
                          JobStatus.CANCELLED.wire(),
                          JobStatus.sqlMove("status", JobStatus.SCHEDULED, JobStatus.CANCELLED),
                          JobType.NOTIFICATION_DISPATCH))) {
            cancel.setArray(1, connection.createArrayOf("uuid", ids.toArray()));
            cancel.setString(2, dispatchSource);
            return cancel.executeUpdate();
          }
        });
  }

  // ---- Running (the workers) -----------------------------------------------------------------

  /**
   * Locks the job's row for this transaction, creating it ({@code running}) if a message came
   * without one (published by hand, or by a newer producer), and returns its status. The lock makes
   * two deliveries of one job (a redelivery racing a sweeper's republish) run one after the other,
   * so the second sees {@code succeeded} and skips.
   */
  public JobStatus claim(JobMessage message) {
    return withConnection(
        connection -> {
          JobStatus found = lockedStatus(connection, message.jobId());
          if (found != null) {
            return found;
          }
          try (PreparedStatement insert =
              connection.prepareStatement(
                  """
                  insert into jobs (id, type, status, idempotency_key, traceparent, created_at,
                                    updated_at, published_at)
                  values (?, ?, '%s', ?, ?, ?, now(), now())
                  on conflict (id) do nothing
                  """
                      .formatted(JobStatus.RUNNING.wire()))) {
            insert.setObject(1, message.jobId());
            insert.setString(2, message.type());
            insert.setString(3, message.idempotencyKey());
            insert.setString(4, message.traceparent());
            insert.setObject(5, utc(message.createdAt()));
            insert.executeUpdate();
          }
          return lockedStatus(connection, message.jobId());
        });
  }

  private static JobStatus lockedStatus(Connection connection, UUID id) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement("select status from jobs where id = ? for update")) {
      select.setObject(1, id);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next() ? JobStatus.fromWire(rows.getString(1)) : null;
      }
    }
  }

  private static final String MARK_ONE =
      """
      update jobs set status = '%s', attempts = greatest(attempts, ?),
             last_error = null, next_attempt_at = null, finished_at = now(), updated_at = now()
      where id = ? and %s
      """
          .formatted(JobStatus.SUCCEEDED.wire(), JobStatus.sqlFrom("status", JobStatus.SUCCEEDED));

  /**
   * Marks the job succeeded as the first statement of its transaction, which also takes the row's
   * lock: one statement instead of a locking read now and an update at the end. The mark commits
   * with the handler's effects or rolls back with them; {@code now()} is the transaction's start
   * either way. Returns false when there is nothing to mark: the job already succeeded (a second
   * delivery, which waited for the first one's lock) or has no row yet; {@link #claim} then says
   * which.
   */
  public boolean markSucceeded(JobMessage message) {
    return withConnection(
        connection -> {
          try (PreparedStatement update = connection.prepareStatement(MARK_ONE)) {
            update.setInt(1, message.attempt());
            update.setObject(2, message.jobId());
            return update.executeUpdate() == 1;
          }
        });
  }

  /** A row {@link #markAllSucceeded} marked, with what it held before, to put back on failure. */
  public record Marked(
      UUID jobId, String status, int attempts, String lastError, OffsetDateTime nextAttemptAt) {}

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
      update jobs j set status = '%s', attempts = greatest(j.attempts, d.attempt),
             last_error = null, next_attempt_at = null, finished_at = now(), updated_at = now()
      from earlier e, delivered d
      where j.id = e.id and d.id = e.id
      returning j.id, e.status, e.attempts, e.last_error, e.next_attempt_at
      """
          .formatted(JobStatus.sqlFrom("status", JobStatus.SUCCEEDED), JobStatus.SUCCEEDED.wire());

  /**
   * {@link #markSucceeded} for a batch in one statement: locks the rows in id order (so two batches
   * never wait on each other in a circle) and returns, by job id, each row it marked with its
   * earlier state. A job missing from the result already succeeded or has no row.
   */
  public Map<UUID, Marked> markAllSucceeded(List<JobMessage> messages) {
    return withConnection(
        connection -> {
          try (PreparedStatement update = connection.prepareStatement(MARK_ALL)) {
            Array ids = uuids(connection, messages, JobMessage::jobId);
            update.setArray(1, ids);
            update.setArray(2, ids);
            update.setArray(
                3,
                connection.createArrayOf(
                    "integer", messages.stream().map(JobMessage::attempt).toArray()));
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

  /**
   * Puts a row {@link #markAllSucceeded} marked back as it was: its job failed after all. Not a
   * transition but an undo inside the same transaction, so it is the one statement without a guard
   * from the table.
   */
  public void unmark(Marked marked) {
    withConnection(
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
            return update.executeUpdate();
          }
        });
  }

  /** Marks a job that {@link #claim} found without a row (and wrote as running) succeeded. */
  public void succeeded(JobMessage message) {
    markSucceeded(message);
  }

  // ---- Failing -------------------------------------------------------------------------------
  // After the handler's transaction rolled back, each in a transaction of its own.

  public void retrying(JobMessage message, String error, Instant nextAttemptAt) {
    QuarkusTransaction.requiringNew()
        .run(() -> recordFailure(message, JobStatus.RETRYING, error, nextAttemptAt));
  }

  public void dead(JobMessage message, String error) {
    QuarkusTransaction.requiringNew()
        .run(() -> recordFailure(message, JobStatus.DEAD, error, null));
  }

  /** Notes that the previous delivery ended without an ack: the worker died or lost the broker. */
  public void noteRedelivery(JobMessage message, long deliveryCount) {
    retrying(
        message,
        "delivery "
            + (deliveryCount + 1)
            + ": the previous delivery ended without an ack (worker crashed or lost the broker)",
        null);
  }

  /**
   * Writes a failure, creating the row if the job has none; a move the table forbids is a no-op.
   */
  void recordFailure(JobMessage message, JobStatus status, String error, Instant nextAttemptAt) {
    withConnection(
        connection -> {
          try (PreparedStatement upsert =
              connection.prepareStatement(
                  """
                  with failed as (
                      insert into jobs (id, type, status, attempts, last_error, next_attempt_at,
                                        created_at, updated_at, published_at, finished_at)
                      values (?, ?, ?, ?, ?, ?, ?, now(), now(), case when ? then now() end)
                      on conflict (id) do update set
                          status = excluded.status,
                          attempts = greatest(jobs.attempts, excluded.attempts),
                          last_error = excluded.last_error,
                          next_attempt_at = excluded.next_attempt_at,
                          updated_at = now(),
                          finished_at = excluded.finished_at
                      where %s
                      returning id, attempts)
                  insert into job_attempts (job_id, attempt, status, error)
                  select id, ?, ?, ? from failed
                  """
                      .formatted(JobStatus.sqlFrom("jobs.status", status)))) {
            upsert.setObject(1, message.jobId());
            upsert.setString(2, message.type());
            upsert.setString(3, status.wire());
            upsert.setInt(4, message.attempt());
            upsert.setString(5, error);
            upsert.setObject(
                6,
                nextAttemptAt == null ? null : utc(nextAttemptAt),
                Types.TIMESTAMP_WITH_TIMEZONE);
            upsert.setObject(7, utc(message.createdAt()));
            upsert.setBoolean(8, status.isFinal());
            // The row keeps the last error; each failed attempt is kept in job_attempts, so the
            // console can show the timeline.
            upsert.setInt(9, message.attempt());
            upsert.setString(10, status.wire());
            upsert.setString(11, error);
            return upsert.executeUpdate();
          }
        });
  }

  // ---- Replaying dead jobs (the admin API) ---------------------------------------------------

  /** A dead row as the listing shows it. */
  public record DeadRow(UUID id, String type, String lastError, int attempts, Instant failedAt) {}

  /**
   * Dead jobs, newest failure first, strictly after ({@code afterFailedAt}, {@code afterId}) when
   * given; {@code type} null for all.
   */
  public List<DeadRow> deadPage(String type, Instant afterFailedAt, UUID afterId, int limit) {
    return deadPage(type, null, null, afterFailedAt, afterId, limit);
  }

  /**
   * As {@link #deadPage(String, Instant, UUID, int)}, narrowed (when not null) to the jobs whose
   * last error is of {@code errorClass} (its text starts with that class name) and that failed at
   * or after {@code failedSince}.
   */
  public List<DeadRow> deadPage(
      String type,
      String errorClass,
      Instant failedSince,
      Instant afterFailedAt,
      UUID afterId,
      int limit) {
    StringBuilder sql =
        new StringBuilder(
            "select id, type, last_error, attempts, updated_at from jobs where status = '"
                + JobStatus.DEAD.wire()
                + "'");
    List<Object> params = new ArrayList<>();
    if (type != null) {
      sql.append(" and type = ?");
      params.add(type);
    }
    if (errorClass != null) {
      sql.append(" and (last_error = ? or starts_with(last_error, ?))");
      params.add(errorClass);
      params.add(errorClass + ": ");
    }
    if (failedSince != null) {
      sql.append(" and updated_at >= ?");
      params.add(utc(failedSince));
    }
    if (afterFailedAt != null) {
      sql.append(" and (updated_at, id) < (?, ?)");
      params.add(utc(afterFailedAt));
      params.add(afterId);
    }
    sql.append(" order by updated_at desc, id desc limit ?");
    params.add(limit);
    return query(
        sql.toString(),
        rows ->
            new DeadRow(
                rows.getObject(1, UUID.class),
                rows.getString(2),
                rows.getString(3),
                rows.getInt(4),
                rows.getObject(5, OffsetDateTime.class).toInstant()),
        params.toArray());
  }

  /** A notification dispatch as "why" reports it: its notification type and its status. */
  public record DispatchOf(String notificationType, String status) {}

  /**
   * The {@code notification.dispatch} job {@code jobId} if {@code userId} is one of its recipients;
   * empty otherwise (another job, or not a recipient).
   */
  public java.util.Optional<DispatchOf> dispatchTo(UUID jobId, long userId) {
    return query(
            "select payload ->> 'type', status from jobs where id = ? and type = ?"
                + " and payload -> 'recipientIds' @> cast(? as jsonb)",
            rows -> new DispatchOf(rows.getString(1), rows.getString(2)),
            jobId,
            JobType.NOTIFICATION_DISPATCH,
            "[" + userId + "]")
        .stream()
        .findFirst();
  }

  /** Where a job stands: its status, its next attempt (retrying), its send time (scheduled). */
  public record JobState(String status, Instant nextAttemptAt, Instant sendAt) {}

  /** The state of each of these jobs that has a row. */
  public Map<UUID, JobState> states(Collection<UUID> ids) {
    Map<UUID, JobState> states = new HashMap<>();
    query(
            "select id, status, next_attempt_at, send_at from jobs where id = any(?)",
            rows ->
                Map.entry(
                    rows.getObject(1, UUID.class),
                    new JobState(rows.getString(2), instant(rows, 3), instant(rows, 4))),
            (Object) ids.toArray(UUID[]::new))
        .forEach(e -> states.put(e.getKey(), e.getValue()));
    return states;
  }

  /**
   * Top-level text fields of these jobs' payloads ({@code payload ->> field}), each job's as a map
   * from field to value (null when absent); jobs without a row are left out.
   */
  public Map<UUID, Map<String, String>> payloadFields(Collection<UUID> ids, List<String> fields) {
    Map<UUID, Map<String, String>> found = new HashMap<>();
    query(
            "select id, payload from jobs where id = any(?)",
            rows -> Map.entry(rows.getObject(1, UUID.class), nullToEmpty(rows.getString(2))),
            (Object) ids.toArray(UUID[]::new))
        .forEach(e -> found.put(e.getKey(), JobCodec.fields(e.getValue(), fields)));
    return found;
  }

  private static String nullToEmpty(String text) {
    return text == null ? "{}" : text;
  }

  private static Instant instant(ResultSet rows, int column) throws SQLException {
    OffsetDateTime at = rows.getObject(column, OffsetDateTime.class);
    return at == null ? null : at.toInstant();
  }

  /**
   * The error classes of {@code type}'s dead jobs (the class name a last error starts with), most
   * frequent first, at most {@code limit}: what the console offers to filter by.
   */
  public List<String> deadErrorClasses(String type, int limit) {
    return query(
        "select cls from (select substring(last_error from"
            + " '^((?:[[:alpha:]_$][[:alnum:]_$]*\\.)+[[:alpha:]_$][[:alnum:]_$]*)(?::|$)') as cls"
            + " from jobs where status = '"
            + JobStatus.DEAD.wire()
            + "' and type = ?) classes where cls is not null group by cls order by count(*) desc,"
            + " cls limit ?",
        rows -> rows.getString(1),
        type,
        limit);
  }

  /** The type of each of these jobs that exists; read without locks, to know what to lock. */
  public Map<UUID, String> typesOf(Collection<UUID> ids) {
    Map<UUID, String> types = new HashMap<>();
    query(
        "select id, type from jobs where id = any(?)",
        rows -> types.put(rows.getObject(1, UUID.class), rows.getString(2)),
        (Object) ids.toArray(UUID[]::new));
    return types;
  }

  /** These jobs' rows, locked until the transaction ends, whatever their status. */
  public List<LedgerJob> lockJobs(Collection<UUID> ids) {
    return jobs(
        "select " + LedgerJob.COLUMNS + " from jobs where id = any(?) order by id for update",
        (Object) ids.toArray(UUID[]::new));
  }

  /**
   * The oldest dead jobs of a type, locked; rows another transaction holds are passed over. Rows
   * without a payload come last: if their message is gone too they cannot be replayed, and they
   * must not take the places of jobs that can, call after call.
   */
  public List<LedgerJob> lockOldestDead(String type, int limit) {
    return jobs(
        """
        select %s from jobs where type = ? and status = '%s'
        order by payload is null, updated_at, id limit ? for update skip locked
        """
            .formatted(LedgerJob.COLUMNS, JobStatus.DEAD.wire()),
        type,
        limit);
  }

  /**
   * The replay transition, only from {@code dead} (a scheduled job also becomes queued, but only
   * through its poll): a job another replay already moved is not counted twice. Attempts restart at
   * 0; {@code last_error} is kept so the operator still sees why it died until it runs again
   * (success clears it). {@code published_at} is set because the caller publishes with confirms
   * before this commits, and keeps the sweeper off the row; {@code replayed_at} tells the job's
   * dead letters from before the replay (stale copies) from a later death.
   *
   * @return the ids that moved
   */
  public List<UUID> requeue(Collection<UUID> ids) {
    return query(
        """
        update jobs set status = '%s', attempts = 0, next_attempt_at = null,
               finished_at = null, published_at = now(), updated_at = now(), replayed_at = now()
        where id = any(?) and %s
        returning id
        """
            .formatted(
                JobStatus.QUEUED.wire(),
                JobStatus.sqlMove("status", JobStatus.DEAD, JobStatus.QUEUED)),
        rows -> rows.getObject(1, UUID.class),
        (Object) ids.toArray(UUID[]::new));
  }

  // ---- Retention -----------------------------------------------------------------------------
  // One statement per batch, so one short transaction: it takes the retention lock, picks at most
  // `limit` rows in id order after the pass's cursor, locks them (passing over rows a worker
  // holds),
  // and deletes them. The id bound (JobIds.floorAt) keeps the primary-key scan among old rows.

  private static final String PURGE =
      """
      with lock as materialized (%s),
      doomed as (
          select j.id from jobs j
          where (select held from lock) and j.id > ? and j.id < ? and j.status = '%s' and j.%s < ?
          order by j.id limit ? for update skip locked),
      gone as (delete from jobs where id in (select id from doomed) returning id)
      select (select held from lock), (select count(*) from gone),
             (select cast(id as text) from gone order by id desc limit 1)
      """;

  private static final String PURGE_SUCCEEDED =
      PURGE.formatted(Purge.LOCK, JobStatus.SUCCEEDED.wire(), "finished_at");

  private static final String PURGE_DEAD =
      PURGE.formatted(Purge.LOCK, JobStatus.DEAD.wire(), "updated_at");

  /**
   * Removes up to {@code limit} jobs that succeeded before {@code cutoff}, with ids after {@code
   * after}; their idempotency keys are free again.
   */
  public Purge purgeSucceeded(Instant cutoff, UUID after, int limit) {
    return purge(PURGE_SUCCEEDED, cutoff, after, limit);
  }

  /**
   * Removes up to {@code limit} jobs dead since before {@code cutoff}, with ids after {@code
   * after}.
   */
  public Purge purgeDead(Instant cutoff, UUID after, int limit) {
    return purge(PURGE_DEAD, cutoff, after, limit);
  }

  /** When the oldest job still in the table was created; null when it is empty. */
  public Instant oldestJob() {
    List<Instant> oldest =
        query(
            "select created_at from jobs order by id limit 1",
            rows -> rows.getObject(1, OffsetDateTime.class).toInstant());
    return oldest.isEmpty() ? null : oldest.get(0);
  }

  // ---- Reconciling dead letters (the workers) --------------------------------------------------

  /** Dead jobs of one type in the ledger, and how many of them have no payload to replay from. */
  public record DeadCount(long dead, long withoutPayload) {}

  /** Per type with dead jobs: their number, from the dead-jobs index. */
  public Map<String, DeadCount> deadCounts() {
    Map<String, DeadCount> counts = new TreeMap<>();
    query(
            "select type, count(*), count(*) filter (where payload is null) from jobs"
                + " where status = '"
                + JobStatus.DEAD.wire()
                + "' group by type",
            rows -> Map.entry(rows.getString(1), new DeadCount(rows.getLong(2), rows.getLong(3))),
            new Object[0])
        .forEach(e -> counts.put(e.getKey(), e.getValue()));
    return counts;
  }

  /** What a dead letter's job looks like in the ledger, to judge the copy by. */
  public record DeadLetterRow(
      UUID id, JobStatus status, Instant replayedAt, Instant updatedAt, boolean hasPayload) {}

  /** The rows of these jobs that exist, by id; read without locks. */
  public Map<UUID, DeadLetterRow> deadLetterRows(Collection<UUID> ids) {
    Map<UUID, DeadLetterRow> rows = new HashMap<>();
    query(
            "select id, status, replayed_at, updated_at, payload is not null from jobs"
                + " where id = any(?)",
            row ->
                new DeadLetterRow(
                    row.getObject(1, UUID.class),
                    JobStatus.fromWire(row.getString(2)),
                    instant(row.getObject(3, OffsetDateTime.class)),
                    instant(row.getObject(4, OffsetDateTime.class)),
                    row.getBoolean(5)),
            (Object) ids.toArray(UUID[]::new))
        .forEach(r -> rows.put(r.id(), r));
    return rows;
  }

  /**
   * Marks a job dead whose dead letter is in the broker while its row says otherwise: parked by a
   * quorum queue's delivery limit, or dead-lettered by a worker that could not write the ledger
   * then. Guarded by the table, so a job that succeeded meanwhile stays succeeded; a row without a
   * payload takes the dead letter's body (JSON only), so it can be replayed from the ledger.
   *
   * @return whether the row moved
   */
  public boolean deadInBroker(UUID id, String error, String payloadIfMissing) {
    return !query(
            """
            update jobs set status = '%s', last_error = ?, next_attempt_at = null,
                   finished_at = now(), updated_at = now(),
                   payload = coalesce(payload, cast(? as jsonb))
            where id = ? and %s
            returning id
            """
                .formatted(JobStatus.DEAD.wire(), JobStatus.sqlFrom("status", JobStatus.DEAD)),
            rows -> rows.getObject(1, UUID.class),
            error,
            payloadIfMissing,
            id)
        .isEmpty();
  }

  /** Gives a dead job without a payload the body of its dead letter, to replay it from. */
  public boolean fillDeadPayload(UUID id, String payload) {
    return !query(
            "update jobs set payload = cast(? as jsonb) where id = ? and payload is null"
                + " and status = '"
                + JobStatus.DEAD.wire()
                + "' returning id",
            rows -> rows.getObject(1, UUID.class),
            payload,
            id)
        .isEmpty();
  }

  private Purge purge(String sql, Instant cutoff, UUID after, int limit) {
    return query(
            sql,
            rows -> new Purge(rows.getBoolean(1), rows.getInt(2), rows.getString(3)),
            after,
            JobIds.floorAt(cutoff),
            utc(cutoff),
            limit)
        .get(0);
  }

  // ---- What the operator console shows ---------------------------------------------------------

  /** A job as a list of jobs shows it. */
  public record JobSummary(
      UUID id, String type, String status, int attempts, String lastError, Instant createdAt) {}

  /**
   * What to look for; every part is optional. {@code from} and {@code to} bound the creation time
   * through the time-ordered ids, so the search walks the primary key backwards from {@code to}.
   */
  public record JobSearch(
      UUID id,
      String idempotencyKey,
      String type,
      JobStatus status,
      Instant from,
      Instant to,
      UUID parent) {}

  /** Jobs matching {@code search}, newest first, with ids below {@code beforeId} when given. */
  public List<JobSummary> search(JobSearch search, UUID beforeId, int limit) {
    StringBuilder sql =
        new StringBuilder(
            "select id, type, status, attempts, last_error, created_at from jobs where true");
    List<Object> params = new ArrayList<>();
    if (search.id() != null) {
      sql.append(" and id = ?");
      params.add(search.id());
    }
    if (search.parent() != null) {
      sql.append(" and parent_id = ?");
      params.add(search.parent());
    }
    if (search.idempotencyKey() != null) {
      sql.append(" and idempotency_key = ?");
      params.add(search.idempotencyKey());
    }
    if (search.type() != null) {
      sql.append(" and type = ?");
      params.add(search.type());
    } else if (search.idempotencyKey() != null) {
      // A key is unique per type: naming every type lets the (type, idempotency_key) index find
      // it instead of a walk through the whole table.
      sql.append(" and type = any(?)");
      params.add(JobType.ALL.toArray(String[]::new));
    }
    if (search.status() != null) {
      sql.append(" and status = ?");
      params.add(search.status().wire());
    }
    if (search.from() != null) {
      sql.append(" and id >= ?");
      params.add(JobIds.floorAt(search.from()));
    }
    if (search.to() != null) {
      sql.append(" and id < ?");
      params.add(JobIds.floorAt(search.to()));
    }
    if (beforeId != null) {
      sql.append(" and id < ?");
      params.add(beforeId);
    }
    sql.append(" order by id desc limit ?");
    params.add(limit);
    return query(sql.toString(), JobLedger::summary, params.toArray());
  }

  private static JobSummary summary(ResultSet rows) throws SQLException {
    return new JobSummary(
        rows.getObject(1, UUID.class),
        rows.getString(2),
        rows.getString(3),
        rows.getInt(4),
        rows.getString(5),
        rows.getObject(6, OffsetDateTime.class).toInstant());
  }

  /** The jobs {@code parent}'s handler created, oldest first (served by the parent index). */
  public List<JobSummary> children(UUID parent, int limit) {
    return query(
        "select id, type, status, attempts, last_error, created_at from jobs"
            + " where parent_id = ? order by id limit ?",
        JobLedger::summary,
        parent,
        limit);
  }

  /**
   * The oldest job not finished yet (queued, running or retrying), or null: how far behind the
   * workers are, read from a partial index that holds only unfinished jobs.
   */
  public JobSummary oldestUnfinished() {
    List<JobSummary> oldest =
        query(
            "select id, type, status, attempts, last_error, created_at from jobs"
                + " where status in ('%s', '%s', '%s') order by id limit 1"
                    .formatted(
                        JobStatus.QUEUED.wire(),
                        JobStatus.RUNNING.wire(),
                        JobStatus.RETRYING.wire()),
            JobLedger::summary);
    return oldest.isEmpty() ? null : oldest.get(0);
  }

  /** One failed attempt of a job. */
  public record Attempt(int attempt, String status, String error, Instant at) {}

  /** A job's failed attempts, oldest first. */
  public List<Attempt> attempts(UUID id, int limit) {
    return query(
        "select attempt, status, error, at from job_attempts where job_id = ? order by id limit ?",
        rows ->
            new Attempt(
                rows.getInt(1),
                rows.getString(2),
                rows.getString(3),
                rows.getObject(4, OffsetDateTime.class).toInstant()),
        id,
        limit);
  }

  /**
   * Jobs per status among those created since {@code since}, counting at most the newest {@code
   * bound} of them, so the cost stays bounded however large the table grows; a total equal to
   * {@code bound} means "at least".
   */
  public Map<String, Long> statusCounts(Instant since, int bound) {
    Map<String, Long> counts = new TreeMap<>();
    query(
            "select status, count(*) from (select status from jobs where id >= ?"
                + " order by id desc limit ?) recent group by status",
            rows -> Map.entry(rows.getString(1), rows.getLong(2)),
            JobIds.floorAt(since),
            bound)
        .forEach(e -> counts.put(e.getKey(), e.getValue()));
    return counts;
  }

  /**
   * Dead jobs of {@code type} that failed since {@code since}, counted per value of the payload's
   * {@code field} and {@code other} joined by a space (a digest's period and period start, say);
   * served by the dead-jobs index, so it costs what the dead jobs of that type cost.
   */
  public Map<String, Long> deadCountsByPayload(
      String type, Instant since, String field, String other) {
    Map<String, Long> counts = new TreeMap<>();
    query(
            "select concat_ws(' ', payload ->> ?, payload ->> ?), count(*) from jobs"
                + " where status = '"
                + JobStatus.DEAD.wire()
                + "' and type = ? and updated_at >= ? group by 1",
            rows -> Map.entry(rows.getString(1), rows.getLong(2)),
            field,
            other,
            type,
            utc(since))
        .forEach(e -> counts.put(e.getKey(), e.getValue()));
    return counts;
  }

  /** One minute of finished jobs: how many succeeded and their accept-to-finish latency. */
  public record MinuteFigures(Instant minute, long succeeded, double p50Millis, double p99Millis) {}

  /**
   * Per minute since {@code since}, over at most the newest {@code bound} jobs created since then
   * (so the cost stays bounded): succeeded jobs and the p50/p99 of {@code finished_at -
   * created_at}, newest minute first.
   */
  public List<MinuteFigures> minuteFigures(Instant since, int bound) {
    return query(
        "select date_trunc('minute', finished_at), count(*),"
            + " percentile_cont(0.5) within group (order by latency),"
            + " percentile_cont(0.99) within group (order by latency)"
            + " from (select finished_at, extract(epoch from finished_at - created_at) * 1000"
            + " as latency from jobs where id >= ? and status = '"
            + JobStatus.SUCCEEDED.wire()
            // A row written succeeded by hand (or by an older build) may lack its finish time.
            + "' and finished_at is not null order by id desc limit ?) recent"
            + " group by 1 order by 1 desc",
        rows ->
            new MinuteFigures(
                rows.getObject(1, OffsetDateTime.class).toInstant(),
                rows.getLong(2),
                rows.getDouble(3),
                rows.getDouble(4)),
        JobIds.floorAt(since),
        bound);
  }

  // ---- Plumbing ------------------------------------------------------------------------------

  /** A ledger row with what it takes to publish its job again. */
  public record LedgerJob(
      UUID id,
      String type,
      JobStatus status,
      String payload,
      String idempotencyKey,
      String traceparent,
      Instant createdAt,
      Instant sendAt) {
    static final String COLUMNS =
        "id, type, status, cast(payload as text), idempotency_key, traceparent, created_at,"
            + " send_at";

    /**
     * The job's first message again (attempt 1), from the row; a row without payload sends {}. A
     * scheduled job's message is stamped with its send time, so end-to-end latency counts from when
     * it was due, not from when it was accepted days before.
     */
    public JobMessage message() {
      String body = payload == null ? "{}" : payload;
      return new JobMessage(
          id,
          type,
          1,
          idempotencyKey,
          traceparent,
          sendAt == null ? createdAt : sendAt,
          body.getBytes(StandardCharsets.UTF_8));
    }
  }

  private List<LedgerJob> jobs(String sql, Object... params) {
    return query(
        sql,
        rows ->
            new LedgerJob(
                rows.getObject(1, UUID.class),
                rows.getString(2),
                JobStatus.fromWire(rows.getString(3)),
                rows.getString(4),
                rows.getString(5),
                rows.getString(6),
                rows.getObject(7, OffsetDateTime.class).toInstant(),
                instant(rows.getObject(8, OffsetDateTime.class))),
        params);
  }

  /** Work on the current connection, as the class comment says. */
  @FunctionalInterface
  interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
  }

  /** Reads one row into a value. */
  @FunctionalInterface
  interface RowReader<T> {
    T read(ResultSet row) throws SQLException;
  }

  private <T> T withConnection(SqlWork<T> work) {
    try (Connection connection = dataSource.getConnection()) {
      return work.run(connection);
    } catch (SQLException e) {
      throw new JobLedgerException("job ledger statement failed: " + e.getMessage(), e);
    }
  }

  private <T> List<T> query(String sql, RowReader<T> reader, Object... params) {
    return withConnection(
        connection -> {
          try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
              Object param = params[i];
              if (param instanceof UUID[] ids) {
                statement.setArray(i + 1, connection.createArrayOf("uuid", ids));
              } else if (param instanceof String[] texts) {
                statement.setArray(i + 1, connection.createArrayOf("text", texts));
              } else {
                statement.setObject(i + 1, param);
              }
            }
            List<T> results = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
              while (rows.next()) {
                results.add(reader.read(rows));
              }
            }
            return results;
          }
        });
  }

  private void update(String sql, List<UUID> ids) {
    withConnection(
        connection -> {
          try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setArray(1, connection.createArrayOf("uuid", ids.toArray()));
            return statement.executeUpdate();
          }
        });
  }

  private static Set<UUID> ids(PreparedStatement returningIds) throws SQLException {
    Set<UUID> ids = new HashSet<>();
    try (ResultSet rows = returningIds.executeQuery()) {
      while (rows.next()) {
        ids.add(rows.getObject(1, UUID.class));
      }
    }
    return ids;
  }

  private static <T> Array uuids(Connection connection, List<T> items, Function<T, UUID> id)
      throws SQLException {
    return connection.createArrayOf("uuid", items.stream().map(id).toArray());
  }

  private static <T> Array texts(Connection connection, List<T> items, Function<T, String> text)
      throws SQLException {
    return connection.createArrayOf("text", items.stream().map(text).toArray());
  }

  private static Instant instant(OffsetDateTime at) {
    return at == null ? null : at.toInstant();
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
