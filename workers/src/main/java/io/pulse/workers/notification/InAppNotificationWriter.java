package io.pulse.workers.notification;

import io.pulse.common.notification.NotificationDispatch;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.Types;
import java.util.List;
import java.util.UUID;
import org.hibernate.Session;

/**
 * Inserts in-app notifications set-based: the recipient ids go in as one array and {@code unnest}
 * turns them into rows, so 10,000 recipients are one statement, not 10,000. The unique key
 * (user_id, job_id) makes a redelivered dispatch a no-op.
 */
@ApplicationScoped
public class InAppNotificationWriter {
  private static final String INSERT =
      """
      insert into notifications (user_id, job_id, type, title, body, link, actor_id)
      select recipient, ?, ?, ?, ?, ?, ?
      from unnest(?) as recipient
      on conflict (user_id, job_id) do nothing
      """;

  private final EntityManager em;

  public InAppNotificationWriter(EntityManager em) {
    this.em = em;
  }

  /** Runs in the caller's transaction; returns how many rows were new. */
  public int write(UUID jobId, NotificationDispatch notification, List<Long> recipients) {
    int[] inserted = new int[1];
    em.unwrap(Session.class)
        .doWork(
            connection -> {
              try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                Array ids = connection.createArrayOf("bigint", recipients.toArray(Long[]::new));
                insert.setObject(1, jobId);
                insert.setString(2, notification.type());
                insert.setString(3, notification.title());
                insert.setString(4, notification.body());
                insert.setString(5, notification.link());
                if (notification.actorId() == null) {
                  insert.setNull(6, Types.BIGINT);
                } else {
                  insert.setLong(6, notification.actorId());
                }
                insert.setArray(7, ids);
                inserted[0] = insert.executeUpdate();
              }
            });
    return inserted[0];
  }
}
