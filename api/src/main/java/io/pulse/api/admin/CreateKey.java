package io.pulse.api.admin;

import io.pulse.api.auth.ApiKeys;
import jakarta.validation.constraints.Future;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.time.OffsetDateTime;
import java.util.List;

/** Limits left out (null) are the configured defaults (pulse.api.limits.*). */
public record CreateKey(
    @NotBlank @Size(max = 100) String name,
    @NotEmpty @Size(max = 3) List<@NotNull String> scopes,
    @Positive Integer requestsPerSecond,
    @Positive Integer burst,
    @Positive Long dailyJobQuota,
    @Future OffsetDateTime expiresAt) {

  ApiKeys.Limits limits() {
    return new ApiKeys.Limits(requestsPerSecond, burst, dailyJobQuota);
  }
}
