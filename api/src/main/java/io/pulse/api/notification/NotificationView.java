package io.pulse.api.notification;

import java.time.OffsetDateTime;

public record NotificationView(
    String id,
    String type,
    String title,
    String body,
    String link,
    Long actorId,
    OffsetDateTime createdAt,
    boolean read,
    String source,
    boolean recalled) {
  static NotificationView of(Notification n) {
    return new NotificationView(
        Long.toString(n.id),
        n.type,
        n.title,
        n.body,
        n.link,
        n.actorId,
        n.createdAt,
        n.readAt != null,
        n.source,
        n.recalledAt != null);
  }
}
