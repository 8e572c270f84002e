package io.pulse.common.notification;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * Payload of {@code notification.dispatch}: one notification to up to 10,000 recipients. {@code
 * source} (optional, e.g. {@code post:9}) names what it is about, so recalling the source withdraws
 * it.
 */
public record NotificationDispatch(
    @NotBlank @Size(max = 100) String type,
    @NotEmpty @Size(max = 10_000) List<@Positive Long> recipientIds,
    @NotBlank @Size(max = 200) String title,
    @Size(max = 4_000) String body,
    @Size(max = 2_000) String link,
    @Positive Long actorId,
    @Size(max = Recalls.MAX_SOURCE) String source) {

  /** A notification without a source. */
  public NotificationDispatch(
      String type, List<Long> recipientIds, String title, String body, String link, Long actorId) {
    this(type, recipientIds, title, body, link, actorId, null);
  }
}
