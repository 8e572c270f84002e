package io.pulse.api.notification;

import io.pulse.common.notification.Recalls;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Body of {@code POST /notifications/recall}: the source whose notifications to withdraw. */
public record RecallRequest(
    @NotNull
        @Size(min = 1, max = Recalls.MAX_SOURCE)
        @Pattern(regexp = SOURCE_PATTERN, message = SOURCE_MESSAGE)
        String source) {
  /** Visible ASCII, no spaces: a source is a key the platform makes, like {@code post:9}. */
  static final String SOURCE_PATTERN = "[\\x21-\\x7E]*";

  static final String SOURCE_MESSAGE = "must be visible ASCII characters without spaces";
}
