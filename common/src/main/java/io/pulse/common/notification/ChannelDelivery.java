package io.pulse.common.notification;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.time.Instant;
import java.util.UUID;

/**
 * Payload of {@code notification.email} and {@code notification.webhook}: one notification to one
 * recipient on one channel. The job id is derived from (dispatch job, recipient, channel), so it is
 * stable across redeliveries and serves as Message-ID and Idempotency-Key. {@code onlyIfUnread}
 * marks an escalation: it goes out only if the recipient's in-app item is still unread when it
 * runs.
 */
public record ChannelDelivery(
    @NotNull UUID notificationJobId,
    @NotNull @Positive Long userId,
    @NotBlank String type,
    @NotBlank String title,
    String body,
    String link,
    Long actorId,
    Instant createdAt,
    String source,
    boolean onlyIfUnread) {

  /** A delivery that goes out as soon as it runs. */
  public ChannelDelivery(
      UUID notificationJobId,
      Long userId,
      String type,
      String title,
      String body,
      String link,
      Long actorId,
      Instant createdAt) {
    this(notificationJobId, userId, type, title, body, link, actorId, createdAt, null, false);
  }
}
