package io.pulse.common.events;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * A new inbox item as its writer committed it, carried in its {@code notification.created} event: a
 * stream serves it without reading it back from the table. The fields are those of the inbox's item
 * (the API's {@code NotificationView}), which the stream writes in the inbox's shape.
 */
public record InboxItem(
    long id,
    String type,
    String title,
    String body,
    String link,
    Long actorId,
    OffsetDateTime createdAt,
    String source) {
  /** The latest actors, as the inbox lists them for a plain (ungrouped) item. */
  public List<Long> actorIds() {
    return actorId == null ? List.of() : List.of(actorId);
  }
}
