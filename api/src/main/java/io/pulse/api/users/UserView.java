package io.pulse.api.users;

import java.time.OffsetDateTime;

public record UserView(
    long id,
    String handle,
    String email,
    String displayName,
    String timeZone,
    String digest,
    OffsetDateTime lastActiveAt) {
  static UserView of(User u) {
    return new UserView(
        u.id, u.handle, u.email, u.displayName, u.timeZone, u.digest, u.lastActiveAt);
  }
}
