package io.pulse.api.notification;

import java.time.OffsetDateTime;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One inbox item. A group ({@code groupKey} set) stands for {@code count} notifications: its text
 * and link are the newest one's, {@code actorIds} the latest actors (newest first, at most 5), and
 * {@code createdAt} when the newest arrived; each arrival gives it a new, higher {@code id} (it
 * moves to the top), so a client replaces the item with the same {@code groupKey}.
 */
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
    boolean recalled,
    @Schema(nullable = true, description = "The group this item collects; null for a plain item")
        String groupKey,
    @Schema(description = "How many notifications this item stands for (1 unless grouped)")
        int count,
    @Schema(description = "The latest actors, newest first, at most 5") List<Long> actorIds) {
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
        n.recalledAt != null,
        n.groupKey,
        n.groupCount,
        actors(n.actorIds, n.actorId));
  }

  /** A group's actor list, or a plain item's one actor (or none). */
  public static List<Long> actors(Long[] group, Long actorId) {
    if (group != null) {
      return List.of(group);
    }
    return actorId == null ? List.of() : List.of(actorId);
  }
}
