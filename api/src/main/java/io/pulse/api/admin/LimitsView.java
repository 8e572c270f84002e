package io.pulse.api.admin;

import io.pulse.api.auth.ApiKey;
import io.pulse.api.limits.KeyLimits;
import io.pulse.api.limits.LimitsConfig;

/** The limits a key runs under, its own or the defaults. */
public record LimitsView(int requestsPerSecond, int burst, Long dailyJobQuota) {
  static LimitsView of(ApiKey key, LimitsConfig defaults) {
    KeyLimits limits = KeyLimits.of(key.requestsPerSecond, key.burst, key.dailyJobQuota, defaults);
    return new LimitsView(
        limits.requestsPerSecond(),
        limits.burst(),
        limits.dailyJobQuota().isPresent() ? limits.dailyJobQuota().getAsLong() : null);
  }
}
