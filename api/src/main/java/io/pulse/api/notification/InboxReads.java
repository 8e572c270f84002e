package io.pulse.api.notification;

import io.pulse.common.events.InboxEvent;
import io.pulse.common.events.InboxEvents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.List;

/**
 * Marks inbox items read and, once that commits, tells the user's live streams which ones and the
 * new unread count ({@code notification.read}).
 */
@ApplicationScoped
public class InboxReads {
  private final InboxEvents events;

  public InboxReads(InboxEvents events) {
    this.events = events;
  }

  /** The ids given, or every unread one when {@code ids} is null; returns how many changed. */
  @Transactional
  public int markRead(long userId, List<Long> ids) {
    List<Long> marked = Notification.markRead(userId, ids);
    if (!marked.isEmpty()) {
      events.afterCommit(
          List.of(InboxEvent.read(userId, Notification.unreadCount(userId), marked)));
    }
    return marked.size();
  }
}
