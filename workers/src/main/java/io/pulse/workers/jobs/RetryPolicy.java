package io.pulse.workers.jobs;

import java.time.Duration;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * When to try a failed job again: exponential backoff from {@code baseDelay}, capped at {@code
 * maxDelay}, spread by {@code jitter}, then rounded down to a delay tier of the retry exchange (a
 * tier holds one delay only, so nothing waits behind a longer message).
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, double jitter) {

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
    if (jitter < 0 || jitter >= 1) {
      throw new IllegalArgumentException("jitter must be in [0, 1)");
    }
  }

  /** True when the attempt that just failed was the last one allowed. */
  public boolean exhausted(int failedAttempt) {
    return failedAttempt >= maxAttempts;
  }

  /** The backoff after the given failed attempt (1-based). */
  public Duration backoff(int failedAttempt, DoubleSupplier random) {
    int exponent = Math.min(Math.max(failedAttempt - 1, 0), 30);
    double millis = Math.min(baseDelay.toMillis() * Math.pow(2, exponent), maxDelay.toMillis());
    double spread = 1 - jitter + 2 * jitter * random.getAsDouble();
    return Duration.ofMillis(Math.round(Math.min(millis * spread, maxDelay.toMillis())));
  }

  /** The longest tier not above the backoff; the shortest tier when the backoff is below all. */
  public static Duration tierFor(Duration backoff, List<Duration> sortedTiers) {
    Duration chosen = sortedTiers.get(0);
    for (Duration tier : sortedTiers) {
      if (tier.compareTo(backoff) <= 0) {
        chosen = tier;
      }
    }
    return chosen;
  }

  /**
   * The shortest tier not below {@code wait} (a receiver's Retry-After is a minimum); the longest
   * tier when {@code wait} is above all of them.
   */
  public static Duration tierAtLeast(Duration wait, List<Duration> sortedTiers) {
    for (Duration tier : sortedTiers) {
      if (tier.compareTo(wait) >= 0) {
        return tier;
      }
    }
    return sortedTiers.get(sortedTiers.size() - 1);
  }
}
