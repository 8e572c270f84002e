package io.pulse.common.events;

import io.pulse.common.messaging.Topology;
import java.util.List;

/**
 * What changed in one user's inbox, as published to {@value Topology#EVENTS_EXCHANGE}: the ids of
 * the items created, read or recalled, and the user's unread count as of the change's commit. A
 * plain new item travels with its event ({@code items}), so a stream writes it without a read; an
 * event without it (a group's item, which a batch rewrites in place) has the stream read the item
 * from the notifications table, the record. Either way a lost event loses nothing.
 */
public record InboxEvent(
    String event, long userId, long unread, List<Long> ids, List<InboxItem> items) {
  public static final String CREATED = "notification.created";
  public static final String READ = "notification.read";
  public static final String RECALLED = "notification.recalled";

  /** A created item the stream reads from the table. */
  public static InboxEvent created(long userId, long unread, long id) {
    return new InboxEvent(CREATED, userId, unread, List.of(id), null);
  }

  /** A created item that travels with its event. */
  public static InboxEvent created(long userId, long unread, InboxItem item) {
    return new InboxEvent(CREATED, userId, unread, List.of(item.id()), List.of(item));
  }

  public static InboxEvent read(long userId, long unread, List<Long> ids) {
    return new InboxEvent(READ, userId, unread, ids, null);
  }

  public static InboxEvent recalled(long userId, long unread, List<Long> ids) {
    return new InboxEvent(RECALLED, userId, unread, ids, null);
  }

  /** The items this event carries, or none. */
  public List<InboxItem> carried() {
    return items == null ? List.of() : items;
  }

  public String routingKey() {
    return Topology.eventRoutingKey(userId);
  }
}
