package io.pulse.workers.notification;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.UUID;

/**
 * Whether a recipient's in-app item of a notification is still unread, for escalation only if
 * unread. The row is locked ({@code FOR UPDATE}) until the caller's transaction ends, so marking it
 * read ({@code POST .../read} updates the row) waits for the send decision and its record.
 */
@ApplicationScoped
public class InAppReadState {
  private final EntityManager em;

  public InAppReadState(EntityManager em) {
    this.em = em;
  }

  /** True when the item exists and is unread; a missing item (recalled) counts as not unread. */
  public boolean lockAndCheckUnread(long userId, UUID notificationJobId) {
    List<?> unread =
        em.createNativeQuery(
                """
                select read_at is null from notifications
                where user_id = ?1 and job_id = ?2
                for update
                """)
            .setParameter(1, userId)
            .setParameter(2, notificationJobId)
            .getResultList();
    return !unread.isEmpty() && Boolean.TRUE.equals(unread.get(0));
  }
}
