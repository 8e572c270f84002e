package io.pulse.workers.digest;

import io.pulse.common.digest.DigestJob;
import io.pulse.common.jobs.JobLedger;
import io.pulse.common.jobs.SqlTimes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * What a digest reads (the user, their unread notifications, their communities' new posts) and
 * writes.
 */
@ApplicationScoped
public class DigestRepository {
  private final EntityManager em;
  private final JobLedger ledger;

  public DigestRepository(EntityManager em, JobLedger ledger) {
    this.em = em;
    this.ledger = ledger;
  }

  public record Recipient(
      long id,
      String email,
      String name,
      String digest,
      String timeZone,
      Instant lastDigestAt,
      String locale) {}

  /** {@code actor} is the actor's name, null when there is none or we do not know them. */
  public record NotificationLine(
      String type, String title, String body, String link, String actor, Instant createdAt) {}

  public record PostLine(
      long id, String title, String excerpt, String community, Instant createdAt) {}

  /**
   * The user, locked: two deliveries of one digest (a redelivery racing a slow first) queue here.
   */
  public Optional<Recipient> lockRecipient(long userId) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                """
                select id, email, coalesce(display_name, handle), digest, time_zone, last_digest_at,
                       locale
                from users where id = ?1 for update
                """)
            .setParameter(1, userId)
            .getResultList();
    return rows.stream()
        .findFirst()
        .map(
            r ->
                new Recipient(
                    ((Number) r[0]).longValue(),
                    (String) r[1],
                    (String) r[2],
                    (String) r[3],
                    (String) r[4],
                    SqlTimes.instant(r[5]),
                    (String) r[6]));
  }

  public boolean built(DigestJob job) {
    return !em.createNativeQuery(
            "select 1 from digests where user_id = ?1 and period = ?2 and period_start = ?3")
        .setParameter(1, job.userId())
        .setParameter(2, job.period())
        .setParameter(3, utc(job.periodStart()))
        .getResultList()
        .isEmpty();
  }

  public long unreadCount(long userId, Instant since) {
    return ((Number)
            em.createNativeQuery(
                    """
                    select count(*) from notifications
                    where user_id = ?1 and read_at is null and created_at > ?2
                    """)
                .setParameter(1, userId)
                .setParameter(2, utc(since))
                .getSingleResult())
        .longValue();
  }

  @SuppressWarnings("unchecked")
  public List<NotificationLine> unread(long userId, Instant since, int limit) {
    List<Object[]> rows =
        em.createNativeQuery(
                """
                select n.type, n.title, n.body, n.link, coalesce(a.display_name, a.handle),
                       n.created_at
                from notifications n left join users a on a.id = n.actor_id
                where n.user_id = ?1 and n.read_at is null and n.created_at > ?2
                order by n.id desc limit ?3
                """)
            .setParameter(1, userId)
            .setParameter(2, utc(since))
            .setParameter(3, limit)
            .getResultList();
    return lines(rows);
  }

  /**
   * What the daily budget held back since {@code since}, newest first: each notification once,
   * whichever of its channels were held. Its text comes from the dispatch in the jobs ledger.
   */
  @SuppressWarnings("unchecked")
  public List<NotificationLine> heldBack(long userId, Instant since, int limit) {
    List<Object[]> held =
        em.createNativeQuery(
                """
                select notification_job_id, min(created_at), max(updated_at) from deliveries
                where user_id = ?1 and skip_reason = 'budget' and updated_at > ?2
                group by notification_job_id order by 3 desc limit ?3
                """)
            .setParameter(1, userId)
            .setParameter(2, utc(since))
            .setParameter(3, limit)
            .getResultList();
    if (held.isEmpty()) {
      return List.of();
    }
    // The text is the dispatch's, in the jobs ledger; the actor's name is the users table's.
    Map<UUID, Map<String, String>> dispatches =
        ledger.payloadFields(
            held.stream().map(row -> (UUID) row[0]).toList(),
            List.of("type", "title", "body", "link", "actorId"));
    Map<Long, String> actors =
        names(
            dispatches.values().stream()
                .map(fields -> fields.get("actorId"))
                .filter(java.util.Objects::nonNull)
                .map(Long::valueOf)
                .distinct()
                .toList());
    List<NotificationLine> lines = new java.util.ArrayList<>();
    for (Object[] row : held) {
      Map<String, String> dispatch = dispatches.get((UUID) row[0]);
      if (dispatch == null) {
        continue; // the dispatch's row is gone with retention; its delivery row outlived it
      }
      String actorId = dispatch.get("actorId");
      lines.add(
          new NotificationLine(
              dispatch.get("type"),
              dispatch.get("title"),
              dispatch.get("body"),
              dispatch.get("link"),
              actorId == null ? null : actors.get(Long.valueOf(actorId)),
              SqlTimes.instant(row[1])));
    }
    return lines;
  }

  /** Display names (else handles) of these users. */
  @SuppressWarnings("unchecked")
  private Map<Long, String> names(List<Long> ids) {
    if (ids.isEmpty()) {
      return Map.of();
    }
    List<Object[]> rows =
        em.createNativeQuery(
                "select id, coalesce(display_name, handle) from users where id = any(cast(?1 as"
                    + " bigint[]))")
            .setParameter(
                1,
                ids.stream()
                    .map(String::valueOf)
                    .collect(java.util.stream.Collectors.joining(",", "{", "}")))
            .getResultList();
    Map<Long, String> names = new java.util.HashMap<>();
    rows.forEach(r -> names.put(((Number) r[0]).longValue(), (String) r[1]));
    return names;
  }

  private static List<NotificationLine> lines(List<Object[]> rows) {
    return rows.stream()
        .map(
            r ->
                new NotificationLine(
                    (String) r[0],
                    (String) r[1],
                    (String) r[2],
                    (String) r[3],
                    (String) r[4],
                    SqlTimes.instant(r[5])))
        .toList();
  }

  /**
   * The newest live posts of the user's communities since {@code since}, not their own. "Top" is
   * newest: the platform tells us no reactions to rank by.
   */
  @SuppressWarnings("unchecked")
  public List<PostLine> newPosts(long userId, Instant since, int limit) {
    List<Object[]> rows =
        em.createNativeQuery(
                """
                select p.id, p.title, p.excerpt, c.name, p.created_at
                from community_members m
                join posts p on p.community_id = m.community_id
                join communities c on c.id = p.community_id
                where m.user_id = ?1 and p.created_at > ?2 and p.deleted_at is null
                  and p.author_id <> ?1
                order by p.created_at desc, p.id desc limit ?3
                """)
            .setParameter(1, userId)
            .setParameter(2, utc(since))
            .setParameter(3, limit)
            .getResultList();
    return rows.stream()
        .map(
            r ->
                new PostLine(
                    ((Number) r[0]).longValue(),
                    (String) r[1],
                    (String) r[2],
                    (String) r[3],
                    SqlTimes.instant(r[4])))
        .toList();
  }

  /** Records the digest; a sent one also moves the user's last-digest time. */
  public void record(
      DigestJob job,
      boolean sent,
      long notifications,
      int posts,
      int heldBack,
      String messageId,
      Instant at) {
    em.createNativeQuery(
            """
            insert into digests (user_id, period, period_start, status, notifications, posts,
                                 message_id, built_at, held_back)
            values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
            on conflict do nothing
            """)
        .setParameter(1, job.userId())
        .setParameter(2, job.period())
        .setParameter(3, utc(job.periodStart()))
        .setParameter(4, sent ? "sent" : "empty")
        .setParameter(5, (int) notifications)
        .setParameter(6, posts)
        .setParameter(7, messageId)
        .setParameter(8, utc(at))
        .setParameter(9, heldBack)
        .executeUpdate();
    if (sent) {
      em.createNativeQuery("update users set last_digest_at = ?2 where id = ?1")
          .setParameter(1, job.userId())
          .setParameter(2, utc(at))
          .executeUpdate();
    }
  }

  private static java.time.OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
