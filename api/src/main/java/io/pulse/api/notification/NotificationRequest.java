package io.pulse.api.notification;

import io.pulse.api.validation.SendTime;
import io.pulse.common.notification.NotificationDispatch;
import io.pulse.common.notification.Recalls;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * Body of {@code POST /notifications} (and of each item of {@code /notifications/batch}); {@code
 * sendAt} schedules it; {@code source} names what it is about, so a recall of the source withdraws
 * it; {@code groupKey} folds it into the recipient's open inbox item of that key (types with a
 * group window).
 */
public record NotificationRequest(
    @NotBlank
        @Size(max = 100)
        @Pattern(
            regexp = "[a-z0-9][a-z0-9_.-]*",
            message = "must be lower-case letters, digits, '.', '_' or '-'")
        String type,
    @NotEmpty @Size(max = 10_000) List<@NotNull @Positive Long> recipientIds,
    @NotBlank @Size(max = 200) String title,
    @Size(max = 4_000) String body,
    @Size(max = 2_000) String link,
    @Positive Long actorId,
    @SendTime OffsetDateTime sendAt,
    @Size(min = 1, max = Recalls.MAX_SOURCE)
        @Pattern(regexp = RecallRequest.SOURCE_PATTERN, message = RecallRequest.SOURCE_MESSAGE)
        String source,
    @Size(min = 1, max = NotificationDispatch.MAX_GROUP_KEY)
        @Pattern(regexp = RecallRequest.SOURCE_PATTERN, message = RecallRequest.SOURCE_MESSAGE)
        String groupKey) {

  /** When the notification is to go out, or null for now. */
  public Instant sendInstant() {
    return sendAt == null ? null : sendAt.toInstant();
  }
}
