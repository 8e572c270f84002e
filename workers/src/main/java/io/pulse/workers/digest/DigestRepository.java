package io.pulse.workers.digest;

import io.pulse.common.digest.DigestJob;
import io.pulse.common.jobs.SqlTimes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/**
 * What a digest reads (the user, their unread notifications, their communities' new posts) and
 * writes.
 */
@ApplicationScoped
public class DigestRepository {
  private final EntityManager em;

  public DigestRepository(EntityManager em) {
    this.em = em;
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
    List<Object[]> rows =
        em.createNativeQuery(
                """
                select type, title, body, link, actor, created_at from (
                    select distinct on (d.notification_job_id)
                           j.payload ->> 'type' as type, j.payload ->> 'title' as title,
                           j.payload ->> 'body' as body, j.payload ->> 'link' as link,
                           coalesce(a.display_name, a.handle) as actor,
                           j.created_at, d.updated_at
                    from deliveries d join jobs j on j.id = d.notification_job_id
                    left join users a on a.id = (j.payload ->> 'actorId')::bigint
                    where d.user_id = ?1 and d.skip_reason = 'budget' and d.updated_at > ?2
                    order by d.notification_job_id, d.updated_at) as held
                order by updated_at desc limit ?3
                """)
            .setParameter(1, userId)
            .setParameter(2, utc(since))
            .setParameter(3, limit)
            .getResultList();
    return lines(rows);
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
