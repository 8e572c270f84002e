package io.pulse.api.limits;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.OptionalLong;

/** Defaults for the limits of a key that sets none of its own, and the failed-key throttle. */
@ConfigMapping(prefix = "pulse.api.limits")
public interface LimitsConfig {
  /** Requests per second a key may make on average (the bucket's refill rate). */
  @WithDefault("50")
  int requestsPerSecond();

  /** Requests a key may make at once after being idle (the bucket's capacity). */
  @WithDefault("100")
  int burst();

  /** Jobs a key may enqueue per UTC day; unset means no quota. */
  OptionalLong dailyJobQuota();

  /**
   * Failed key lookups one client address may cause per {@link #failedKeyWindow()}; past it, it
   * gets 429 before any lookup, so a flood of made-up keys does not reach the database.
   */
  @WithDefault("20")
  int failedKeysPerAddress();

  /** The window of {@link #failedKeysPerAddress()}. */
  @WithDefault("1m")
  Duration failedKeyWindow();

  /** How long an idle bucket row stays after it refilled before it may be removed. */
  @WithDefault("10m")
  Duration idleBucketExpiry();
}
