package io.pulse.api.admin;

import io.pulse.common.jobs.JobStatus;
import io.pulse.common.jobs.SqlTimes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The admin side of the job ledger's dead rows: the paged listing, and the locks and the one
 * transition ({@code dead -> queued}) of a replay. The replay methods run inside the replay's
 * transaction.
 */
@ApplicationScoped
public class DeadLetterLedger {

  /** A dead row as the listing shows it. */
  record DeadRow(UUID id, String type, String lastError, int attempts, Instant failedAt) {}

  /** A ledger row a replay looked at, with what it needs to publish the job again. */
  record LedgerJob(
      UUID id,
      String type,
      String status,
      String payload,
      String idempotencyKey,
      String traceparent,
      Instant createdAt) {}

  private static final String JOB_COLUMNS =
      "id, type, status, cast(payload as text), idempotency_key, traceparent, created_at";

  private final EntityManager em;

  public DeadLetterLedger(EntityManager em) {
    this.em = em;
  }

  /** Newest failure first, strictly after {@code after} when given; {@code type} null for all. */
  List<DeadRow> page(String type, DeadLetterCursor after, int limit) {
    StringBuilder sql =
        new StringBuilder(
            "select id, type, last_error, attempts, updated_at from jobs where status = 'dead'");
    Map<String, Object> params = new HashMap<>();
    if (type != null) {
      sql.append(" and type = :type");
      params.put("type", type);
    }
    if (after != null) {
      sql.append(" and (updated_at, id) < (:failedAt, :jobId)");
      params.put("failedAt", utc(after.failedAt()));
      params.put("jobId", after.jobId());
    }
    sql.append(" order by updated_at desc, id desc limit :limit");
    params.put("limit", limit);
    var query = em.createNativeQuery(sql.toString());
    params.forEach(query::setParameter);
    @SuppressWarnings("unchecked")
    List<Object[]> rows = query.getResultList();
    return rows.stream()
        .map(
            r ->
                new DeadRow(
                    (UUID) r[0],
                    (String) r[1],
                    (String) r[2],
                    ((Number) r[3]).intValue(),
                    SqlTimes.instant(r[4])))
        .toList();
  }

  /** The type of each of these jobs that exists; read without locks, to know what to lock. */
  Map<UUID, String> typesOf(Collection<UUID> ids) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery("select id, type from jobs where id = any(?1)")
            .setParameter(1, ids.toArray(UUID[]::new))
            .getResultList();
    Map<UUID, String> types = new HashMap<>();
    rows.forEach(r -> types.put((UUID) r[0], (String) r[1]));
    return types;
  }

  /**
   * Serialises replays of one job type across all API nodes until the transaction ends, so two
   * replays never scan the same dead-letter queue at once (a message one of them holds unacked
   * would look missing to the other). Callers lock types in sorted order: no deadlock.
   */
  void lockReplaysOf(String type) {
    // The function returns void, which Hibernate cannot map: count the one row instead.
    em.createNativeQuery(
            "select count(*) from (select pg_advisory_xact_lock("
                + "hashtext('pulse.dead-letter-replay'), hashtext(?1))) locked")
        .setParameter(1, type)
        .getSingleResult();
  }

  /** These jobs' rows, locked until the transaction ends, whatever their status. */
  List<LedgerJob> lockJobs(Collection<UUID> ids) {
    return jobs(
        em.createNativeQuery(
                "select " + JOB_COLUMNS + " from jobs where id = any(?1) order by id for update")
            .setParameter(1, ids.toArray(UUID[]::new))
            .getResultList());
  }

  /**
   * The oldest dead jobs of a type, locked; rows another transaction holds are passed over. Rows
   * without a payload come last: if their message is gone too they cannot be replayed, and they
   * must not take the places of jobs that can, call after call.
   */
  List<LedgerJob> lockOldestDead(String type, int limit) {
    return jobs(
        em.createNativeQuery(
                "select "
                    + JOB_COLUMNS
                    + " from jobs where type = ?1 and status = 'dead'"
                    + " order by payload is null, updated_at, id limit ?2 for update skip locked")
            .setParameter(1, type)
            .setParameter(2, limit)
            .getResultList());
  }

  /**
   * The replay transition, only from {@code dead}: a job another replay already moved is not
   * counted twice. Attempts restart at 0; {@code last_error} is kept so the operator still sees why
   * it died until it runs again (success clears it). {@code published_at} is set because the caller
   * publishes with confirms before this commits, and keeps the sweeper off the row.
   *
   * @return the ids that moved
   */
  List<UUID> requeue(Collection<UUID> ids) {
    @SuppressWarnings("unchecked")
    List<UUID> moved =
        em.createNativeQuery(
                """
                update jobs set status = 'queued', attempts = 0, next_attempt_at = null,
                       finished_at = null, published_at = now(), updated_at = now()
                where id = any(?1) and %s
                returning id
                """
                    .formatted(JobStatus.sqlFrom("status", JobStatus.QUEUED)))
            .setParameter(1, ids.toArray(UUID[]::new))
            .getResultList();
    return moved;
  }

  @SuppressWarnings("unchecked")
  private static List<LedgerJob> jobs(List<?> rows) {
    return ((List<Object[]>) rows)
        .stream()
            .map(
                r ->
                    new LedgerJob(
                        (UUID) r[0],
                        (String) r[1],
                        (String) r[2],
                        (String) r[3],
                        (String) r[4],
                        (String) r[5],
                        SqlTimes.instant(r[6])))
            .toList();
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
