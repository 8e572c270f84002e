package io.pulse.api.users;

import io.pulse.api.validation.PlausibleTime;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.OffsetDateTime;

/** Body of {@code PUT /users/{id}}. */
public record UserRequest(
    @NotBlank
        @Size(max = 64)
        @Pattern(
            regexp = "[A-Za-z0-9_.-]+",
            message = "may hold letters, digits, '_', '.' and '-' only")
        String handle,
    // @Email alone lets "" through, and an empty address is no address.
    @Email(regexp = ".+@.+") @Size(max = 254) String email,
    @Size(max = 100) String displayName,
    @Size(max = 64) String timeZone,
    @Pattern(regexp = "off|daily|weekly", message = "must be off, daily or weekly") String digest,
    @PlausibleTime OffsetDateTime lastActiveAt,
    // Checked by UserLocales (well-formed BCP 47 with a language); the size bounds the work.
    @Size(max = 35) String locale) {}
