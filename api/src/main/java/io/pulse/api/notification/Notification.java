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

  /** Marks the given ones (or all, when ids is null) read; already-read rows keep their time. */
  public static int markRead(long userId, List<Long> ids) {
    if (ids == null) {
      return update(
          "readAt = ?1 where userId = ?2 and readAt is null", OffsetDateTime.now(), userId);
    }
    return update(
        "readAt = ?1 where userId = ?2 and readAt is null and id in ?3",
        OffsetDateTime.now(),
        userId,
        ids);
  }
}
