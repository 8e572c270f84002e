package io.pulse.common.events;

import io.pulse.common.messaging.Topology;
import java.util.List;

/**
 * What changed in one user's inbox, as published to {@value Topology#EVENTS_EXCHANGE}: the ids of
 * the items created, read or recalled, and the user's unread count as of the change's commit. Ids
 * only: a stream reads a created item from the notifications table, the record, so it is served in
 * exactly the inbox's shape, and a lost event loses nothing.
 */
public record InboxEvent(String event, long userId, long unread, List<Long> ids) {
  public static final String CREATED = "notification.created";
  public static final String READ = "notification.read";
  public static final String RECALLED = "notification.recalled";

  public static InboxEvent created(long userId, long unread, long id) {
    return new InboxEvent(CREATED, userId, unread, List.of(id));
  }

  public static InboxEvent read(long userId, long unread, List<Long> ids) {
    return new InboxEvent(READ, userId, unread, ids);
  }

  public static InboxEvent recalled(long userId, long unread, List<Long> ids) {
    return new InboxEvent(RECALLED, userId, unread, ids);
  }

  public String routingKey() {
    return Topology.eventRoutingKey(userId);
  }
}
