package io.pulse.api.notification;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.quarkus.panache.common.Parameters;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** An in-app notification of one user. Rows are written by the workers, set-based. */
@Entity
@Table(name = "notifications")
public class Notification extends PanacheEntityBase {
  @Id public Long id;

  @Column(name = "user_id")
  public long userId;

  @Column(name = "job_id")
  public UUID jobId;

  public String type;
  public String title;
  public String body;
  public String link;

  @Column(name = "actor_id")
  public Long actorId;

  @Column(name = "created_at")
  public OffsetDateTime createdAt;

  @Column(name = "read_at")
  public OffsetDateTime readAt;

  public String source;

  /** Notifications with this key within the type's group window are folded into this item. */
  @Column(name = "group_key")
  public String groupKey;

  /** How many notifications this item stands for: 1, or more for a group. */
  @Column(name = "group_count")
  public int groupCount;

  /** A group's latest actors, newest first (at most 5); null for a plain item. */
  @Column(name = "actor_ids")
  @org.hibernate.annotations.JdbcTypeCode(org.hibernate.type.SqlTypes.ARRAY)
  public Long[] actorIds;

  /** Set when a recall found it read already; unread ones are deleted by the recall. */
  @Column(name = "recalled_at")
  public OffsetDateTime recalledAt;

  /** Newest first, strictly older than {@code beforeId} when given: a keyset page. */
  public static List<Notification> page(long userId, Long beforeId, boolean unreadOnly, int limit) {
    StringBuilder query = new StringBuilder("userId = :user");
    Parameters params = Parameters.with("user", userId);
    if (beforeId != null) {
      query.append(" and id < :before");
      params.and("before", beforeId);
    }
    if (unreadOnly) {
      query.append(" and readAt is null");
    }
    query.append(" order by id desc");
    return find(query.toString(), params).page(0, limit).list();
  }

  /**
   * Marks the given ones (or all, when ids is null) read and returns the ids this changed;
   * already-read rows keep their time.
   */
  @SuppressWarnings("unchecked")
  public static List<Long> markRead(long userId, List<Long> ids) {
    String sql =
        "update notifications set read_at = now() where user_id = ?1 and read_at is null"
            + (ids == null ? "" : " and id in (?2)")
            + " returning id";
    var query = getEntityManager().createNativeQuery(sql, Long.class).setParameter(1, userId);
    if (ids != null) {
      if (ids.isEmpty()) {
        return List.of();
      }
      query.setParameter(2, ids);
    }
    return (List<Long>) query.getResultList();
  }

  /** How many of the user's notifications are unread. */
  public static long unreadCount(long userId) {
    return count("userId = ?1 and readAt is null", userId);
  }
}
