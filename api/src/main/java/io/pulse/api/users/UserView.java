package io.pulse.api.users;

import java.time.OffsetDateTime;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

public record UserView(
    long id,
    String handle,
    String email,
    String displayName,
    String timeZone,
    String digest,
    OffsetDateTime lastActiveAt,
    @Schema(
            description =
                "The user's language (BCP 47): the one they chose, or pulse.notifications.default-locale")
        String locale) {
  static UserView of(User u, Locale locale) {
    return new UserView(
        u.id,
        u.handle,
        u.email,
        u.displayName,
        u.timeZone,
        u.digest,
        u.lastActiveAt,
        locale.toLanguageTag());
  }
}
