package io.pulse.workers.feed;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.util.List;

/**
 * The set-based SQL of home feeds, in one place. Every write is one statement over a set of rows;
 * nothing inserts or deletes a feed row per statement.
 */
@ApplicationScoped
public class FeedRepository {
  /** Inclusive user-id bounds of one chunk. */
  public record Range(long from, long to) {}

  private final EntityManager em;

  public FeedRepository(EntityManager em) {
    this.em = em;
  }

  /** The community's members cut into runs of {@code chunkSize} consecutive user ids. */
  public List<Range> memberRanges(long communityId, int chunkSize) {
    return ranges(
        """
        select min(user_id), max(user_id) from (
            select user_id, (row_number() over (order by user_id) - 1) / ?2 as chunk
            from community_members where community_id = ?1) m
        group by chunk order by 1
        """,
        communityId,
        chunkSize);
  }

  /** The users whose feeds hold the post, cut the same way. */
  public List<Range> holderRanges(long postId, int chunkSize) {
    return ranges(
        """
        select min(user_id), max(user_id) from (
            select user_id, (row_number() over (order by user_id) - 1) / ?2 as chunk
            from feed_entries where post_id = ?1) f
        group by chunk order by 1
        """,
        postId,
        chunkSize);
  }

  /**
   * Share-locks the post for this transaction and says whether it is live. A retraction marks the
   * post deleted under an exclusive lock, so it waits for running chunks, and every chunk after it
   * sees the mark: no chunk can insert a retracted post behind the retraction's back.
   */
  public boolean lockLivePost(long postId) {
    List<?> live =
        em.createNativeQuery("select deleted_at is null from posts where id = ?1 for share")
            .setParameter(1, postId)
            .getResultList();
    return !live.isEmpty() && Boolean.TRUE.equals(live.get(0));
  }

  /**
   * One fan-out chunk: the post into the feed of every active member in the range. The membership
   * rows are key-share locked, so a member leaving meanwhile waits for this chunk to commit and
   * then removes what it inserted.
   */
  public int fanOut(long postId, long communityId, Range range, Duration inactiveAfter) {
    return em.createNativeQuery(
            """
            insert into feed_entries (user_id, post_id, community_id, created_at)
            select m.user_id, p.id, p.community_id, p.created_at
            from community_members m
            join posts p on p.id = ?1
            left join users u on u.id = m.user_id
            where m.community_id = ?2 and m.user_id between ?3 and ?4
              and (u.last_active_at is null or u.last_active_at > now() - make_interval(secs => ?5))
            for key share of m
            on conflict do nothing
            """)
        .setParameter(1, postId)
        .setParameter(2, communityId)
        .setParameter(3, range.from())
        .setParameter(4, range.to())
        .setParameter(5, inactiveAfter.toSeconds())
        .executeUpdate();
  }

  public int retract(long postId, Range range) {
    return em.createNativeQuery(
            "delete from feed_entries where post_id = ?1 and user_id between ?2 and ?3")
        .setParameter(1, postId)
        .setParameter(2, range.from())
        .setParameter(3, range.to())
        .executeUpdate();
  }

  /** The recent live posts of the user's communities (or one of them) into their feed. */
  public int backfill(long userId, Long communityId, Duration window, int maxLength) {
    return em.createNativeQuery(
            """
            insert into feed_entries (user_id, post_id, community_id, created_at)
            select m.user_id, p.id, p.community_id, p.created_at
            from community_members m
            join posts p on p.community_id = m.community_id
            where m.user_id = ?1 and (?2 = 0 or m.community_id = ?2)
              and p.deleted_at is null and p.created_at > now() - make_interval(secs => ?3)
            order by p.created_at desc
            limit ?4
            for key share of m
            on conflict do nothing
            """)
        .setParameter(1, userId)
        // 0 stands for "every community": ids are positive
        .setParameter(2, communityId == null ? 0L : communityId)
        .setParameter(3, window.toSeconds())
        .setParameter(4, maxLength)
        .executeUpdate();
  }

  /**
   * The user id of the {@code entries}-th feed entry after user {@code after}, in user id order (or
   * of the last one, when fewer remain), or null when there are none. An index range read of that
   * many entries, whatever the planner knows of the table.
   */
  public Long sliceEnd(long after, int entries) {
    Object last =
        em.createNativeQuery(
                """
                select max(user_id) from (
                    select user_id from feed_entries where user_id > ?1
                    order by user_id limit ?2) e
                """)
            .setParameter(1, after)
            .setParameter(2, entries)
            .getSingleResult();
    return last == null ? null : ((Number) last).longValue();
  }

  /** Deletes entries past the newest {@code maxLength} of each feed of a user in (after, to]. */
  public int trim(long after, long to, int maxLength) {
    return em.createNativeQuery(
            """
            delete from feed_entries f using (
                select user_id, post_id from (
                    select user_id, post_id,
                           row_number() over (partition by user_id
                                              order by created_at desc, post_id desc) as rank
                    from feed_entries
                    where user_id > ?1 and user_id <= ?2) r
                where rank > ?3) old
            where f.user_id = old.user_id and f.post_id = old.post_id
            """)
        .setParameter(1, after)
        .setParameter(2, to)
        .setParameter(3, maxLength)
        .executeUpdate();
  }

  private List<Range> ranges(String sql, long id, int chunkSize) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(sql).setParameter(1, id).setParameter(2, chunkSize).getResultList();
    return rows.stream()
        .map(r -> new Range(((Number) r[0]).longValue(), ((Number) r[1]).longValue()))
        .toList();
  }
}
