package io.pulse.api.admin;

import jakarta.validation.constraints.Positive;

/** A key's own limits; one left out (null) is the configured default. */
public record ChangeLimits(
    @Positive Integer requestsPerSecond, @Positive Integer burst, @Positive Long dailyJobQuota) {}
