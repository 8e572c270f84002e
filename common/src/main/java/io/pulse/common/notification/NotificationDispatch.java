package io.pulse.common.notification;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * Payload of {@code notification.dispatch}: one notification to up to 10,000 recipients. {@code
 * source} (optional, e.g. {@code post:9}) names what it is about, so recalling the source withdraws
 * it. {@code groupKey} (optional, e.g. {@code post:9:replies}) folds it into the recipient's open
 * inbox item of that key when its type has a group window.
 */
public record NotificationDispatch(
    @NotBlank @Size(max = 100) String type,
    @NotEmpty @Size(max = 10_000) List<@Positive Long> recipientIds,
    @NotBlank @Size(max = 200) String title,
    @Size(max = 4_000) String body,
    @Size(max = 2_000) String link,
    @Positive Long actorId,
    @Size(max = Recalls.MAX_SOURCE) String source,
    // Left out of the JSON when absent, so a request hashes (for its Idempotency-Key) as before.
    @JsonInclude(JsonInclude.Include.NON_NULL) @Size(max = MAX_GROUP_KEY) String groupKey) {

  /** The longest group key a notification may carry. */
  public static final int MAX_GROUP_KEY = 200;

  /** A notification that is not grouped. */
  public NotificationDispatch(
      String type,
      List<Long> recipientIds,
      String title,
      String body,
      String link,
      Long actorId,
      String source) {
    this(type, recipientIds, title, body, link, actorId, source, null);
  }

  /** A notification without a source. */
  public NotificationDispatch(
      String type, List<Long> recipientIds, String title, String body, String link, Long actorId) {
    this(type, recipientIds, title, body, link, actorId, null, null);
  }
}
