package io.pulse.api.limits;

import java.util.OptionalLong;

/** The limits one key runs under: its own where set, the configured defaults otherwise. */
public record KeyLimits(int requestsPerSecond, int burst, OptionalLong dailyJobQuota) {

  public static KeyLimits of(
      Integer requestsPerSecond, Integer burst, Long dailyJobQuota, LimitsConfig defaults) {
    return new KeyLimits(
        requestsPerSecond != null ? requestsPerSecond : defaults.requestsPerSecond(),
        burst != null ? burst : defaults.burst(),
        dailyJobQuota != null ? OptionalLong.of(dailyJobQuota) : defaults.dailyJobQuota());
  }

  public static KeyLimits defaults(LimitsConfig defaults) {
    return of(null, null, null, defaults);
  }
}
