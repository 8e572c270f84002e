package io.pulse.api.console;

import io.pulse.common.jobs.SqlTimes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/**
 * What the console shows of one user beyond the inbox and preferences (which it reads through their
 * API resources): the deliveries of their notifications and their digests; and the digest runs of
 * the last days. Each list is the newest rows, bounded, through the tables' own indexes.
 */
@ApplicationScoped
public class UserActivity {
  /** One delivery to an external channel, as its ledger row has it. */
  public record DeliveryRow(
      UUID id,
      UUID notificationJobId,
      String channel,
      String status,
      String skipReason,
      int attempts,
      String lastError,
      Instant sentAt,
      Instant createdAt) {}

  /** One digest built for the user. */
  public record DigestRow(
      String period,
      Instant periodStart,
      String status,
      int notifications,
      int posts,
      String messageId,
      Instant builtAt) {}

  /**
   * One period's digests over all users: how many digest.build jobs the planner created ({@code
   * planned}, null for a run planned before runs were counted), how many were sent and how many had
   * nothing to say.
   */
  public record DigestRun(
      String period, Instant periodStart, Long planned, long sent, long empty, Instant last) {}

  private final EntityManager em;

  public UserActivity(EntityManager em) {
    this.em = em;
  }

  public List<DeliveryRow> deliveries(long userId, int limit) {
    return rows(
            "select id, notification_job_id, channel, status, skip_reason, attempts, last_error,"
                + " sent_at, created_at from deliveries where user_id = ?1"
                + " order by created_at desc limit ?2",
            userId,
            limit)
        .stream()
        .map(
            r ->
                new DeliveryRow(
                    (UUID) r[0],
                    (UUID) r[1],
                    (String) r[2],
                    (String) r[3],
                    (String) r[4],
                    ((Number) r[5]).intValue(),
                    (String) r[6],
                    SqlTimes.instant(r[7]),
                    SqlTimes.instant(r[8])))
        .toList();
  }

  public List<DigestRow> digests(long userId, int limit) {
    return rows(
            "select period, period_start, status, notifications, posts, message_id, built_at"
                + " from digests where user_id = ?1 order by period_start desc limit ?2",
            userId,
            limit)
        .stream()
        .map(
            r ->
                new DigestRow(
                    (String) r[0],
                    SqlTimes.instant(r[1]),
                    (String) r[2],
                    ((Number) r[3]).intValue(),
                    ((Number) r[4]).intValue(),
                    (String) r[5],
                    SqlTimes.instant(r[6])))
        .toList();
  }

  /** The digest periods planned or built since {@code since}, newest first. */
  public List<DigestRun> digestRuns(Instant since) {
    return rows(
            """
            with built as (
                select period, period_start, count(*) filter (where status = 'sent') as sent,
                       count(*) filter (where status = 'empty') as empty, max(built_at) as last
                from digests where built_at >= ?1 group by period, period_start),
            planned as (select * from digest_runs where first_planned_at >= ?1)
            select coalesce(p.period, b.period), coalesce(p.period_start, b.period_start),
                   p.planned, coalesce(b.sent, 0), coalesce(b.empty, 0), b.last
            from planned p full join built b
                on b.period = p.period and b.period_start = p.period_start
            order by 2 desc, 1 limit 100
            """,
            OffsetDateTime.ofInstant(since, ZoneOffset.UTC))
        .stream()
        .map(
            r ->
                new DigestRun(
                    (String) r[0],
                    SqlTimes.instant(r[1]),
                    r[2] == null ? null : ((Number) r[2]).longValue(),
                    ((Number) r[3]).longValue(),
                    ((Number) r[4]).longValue(),
                    SqlTimes.instant(r[5])))
        .toList();
  }

  @SuppressWarnings("unchecked")
  private List<Object[]> rows(String sql, Object... params) {
    var query = em.createNativeQuery(sql);
    for (int i = 0; i < params.length; i++) {
      query.setParameter(i + 1, params[i]);
    }
    return query.getResultList();
  }
}
