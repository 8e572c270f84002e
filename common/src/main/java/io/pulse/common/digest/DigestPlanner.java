package io.pulse.common.digest;

import io.pulse.common.jobs.JobCodec;
import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobType;
import io.pulse.common.jobs.SqlTimes;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.tracing.Traceparent;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Finds the users whose digest of a period is due and enqueues one {@code digest.build} each. It
 * pages through the users who want that digest by id, one transaction per page: the page's jobs are
 * inserted with their (user, period start) keys, and only the rows this call inserted are
 * published, so two nodes planning at once, or a rerun of the same period, enqueue nothing twice.
 */
@ApplicationScoped
public class DigestPlanner {
  private static final Logger LOG = Logger.getLogger(DigestPlanner.class);

  private final EntityManager em;
  private final JobEnqueuer enqueuer;
  private final DigestConfig config;

  public DigestPlanner(EntityManager em, JobEnqueuer enqueuer, DigestConfig config) {
    this.em = em;
    this.enqueuer = enqueuer;
    this.config = config;
  }

  /** What a planning pass did. */
  public record Plan(String period, Instant at, int usersScanned, int jobsEnqueued) {}

  /**
   * A scheduler tick: digests whose send time passed since they were last planned, and no longer
   * ago than the catch-up window.
   */
  public Plan tick(DigestPeriod period, Instant now) {
    return plan(period, now, true);
  }

  /**
   * An operator's run: every user's current period, however long ago it started. A period already
   * enqueued is not enqueued again.
   */
  public Plan runNow(DigestPeriod period, Instant now) {
    return plan(period, now, false);
  }

  private Plan plan(DigestPeriod period, Instant now, boolean scheduled) {
    long after = 0;
    int scanned = 0;
    int enqueued = 0;
    while (true) {
      long from = after;
      Page page =
          QuarkusTransaction.requiringNew().call(() -> planPage(period, now, scheduled, from));
      enqueuer.publishAll(page.toPublish());
      scanned += page.users();
      enqueued += page.toPublish().size();
      if (page.users() < config.pageSize()) {
        break;
      }
      after = page.lastUserId();
    }
    if (enqueued > 0) {
      LOG.infof(
          "planned %d %s digests at %s (%d users scanned)", enqueued, period.key(), now, scanned);
    }
    return new Plan(period.key(), now, scanned, enqueued);
  }

  private record Page(int users, long lastUserId, List<JobMessage> toPublish) {}

  private Page planPage(DigestPeriod period, Instant now, boolean scheduled, long afterId) {
    @SuppressWarnings("unchecked")
    List<Object[]> users =
        em.createNativeQuery(
                """
                select id, time_zone, digest_planned_through from users
                where digest = ?1 and id > ?2 and email is not null
                order by id limit ?3
                """)
            .setParameter(1, period.key())
            .setParameter(2, afterId)
            .setParameter(3, config.pageSize())
            .getResultList();
    List<DigestJob> due = new ArrayList<>();
    Instant oldest = now.minus(config.catchUp());
    for (Object[] user : users) {
      long userId = ((Number) user[0]).longValue();
      Instant start =
          period.currentStart(
              now, zone(userId, (String) user[1]), config.sendHour(), config.weeklyDay());
      Instant plannedThrough = SqlTimes.instant(user[2]);
      boolean alreadyPlanned = plannedThrough != null && !start.isAfter(plannedThrough);
      if (scheduled && (alreadyPlanned || start.isBefore(oldest))) {
        continue;
      }
      due.add(new DigestJob(userId, period.key(), start));
    }
    List<JobMessage> messages = due.stream().map(DigestPlanner::message).toList();
    Set<UUID> inserted = enqueuer.insertInCurrentTransaction(messages);
    markPlanned(due);
    countPlanned(period, due, inserted);
    List<JobMessage> mine = messages.stream().filter(m -> inserted.contains(m.jobId())).toList();
    long last = users.isEmpty() ? afterId : ((Number) users.get(users.size() - 1)[0]).longValue();
    return new Page(users.size(), last, mine);
  }

  private void markPlanned(List<DigestJob> due) {
    if (due.isEmpty()) {
      return;
    }
    em.unwrap(org.hibernate.Session.class)
        .doWork(
            connection -> {
              try (var update =
                  connection.prepareStatement(
                      """
                      update users u set digest_planned_through = t.start
                      from unnest(?, ?) as t(id, start)
                      where u.id = t.id
                        and (u.digest_planned_through is null or u.digest_planned_through < t.start)
                      """)) {
                update.setArray(
                    1,
                    connection.createArrayOf(
                        "bigint", due.stream().map(DigestJob::userId).toArray()));
                update.setArray(
                    2,
                    connection.createArrayOf(
                        "timestamptz",
                        due.stream().map(j -> java.sql.Timestamp.from(j.periodStart())).toArray()));
                update.executeUpdate();
              }
            });
  }

  /**
   * Adds the jobs this call created to their run's planned count, which the console shows beside
   * the digests sent: only inserted jobs count, so a rerun or a second node adds nothing.
   */
  private void countPlanned(DigestPeriod period, List<DigestJob> due, Set<UUID> inserted) {
    Map<Instant, Long> perStart =
        due.stream()
            .filter(job -> inserted.contains(job.jobId()))
            .collect(
                Collectors.groupingBy(DigestJob::periodStart, TreeMap::new, Collectors.counting()));
    if (perStart.isEmpty()) {
      return;
    }
    em.unwrap(org.hibernate.Session.class)
        .doWork(
            connection -> {
              try (var upsert =
                  connection.prepareStatement(
                      """
                      insert into digest_runs (period, period_start, planned)
                      select ?, t.start, t.planned from unnest(?, ?) as t(start, planned)
                      on conflict (period, period_start)
                      do update set planned = digest_runs.planned + excluded.planned
                      """)) {
                upsert.setString(1, period.key());
                upsert.setArray(
                    2,
                    connection.createArrayOf(
                        "timestamptz",
                        perStart.keySet().stream().map(java.sql.Timestamp::from).toArray()));
                upsert.setArray(
                    3,
                    connection.createArrayOf(
                        "integer", perStart.values().stream().map(Long::intValue).toArray()));
                upsert.executeUpdate();
              }
            });
  }

  /**
   * Accepted now, whatever clock the period was planned with: latency is measured from here. Part
   * of the trace of the request that asked for it, if any.
   */
  public static JobMessage message(DigestJob job) {
    return new JobMessage(
        job.jobId(),
        JobType.DIGEST_BUILD,
        1,
        job.idempotencyKey(),
        Traceparent.ofCurrentSpan(),
        Instant.now(),
        JobCodec.encode(job));
  }

  /** The API validates time zones; a zone this JVM no longer knows falls back to UTC. */
  private static ZoneId zone(long userId, String zone) {
    try {
      return ZoneId.of(zone);
    } catch (DateTimeException e) {
      LOG.warnf("user %d has an unknown time zone '%s', planning in UTC", userId, zone);
      return ZoneOffset.UTC;
    }
  }
}
