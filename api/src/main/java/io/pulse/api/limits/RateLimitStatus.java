package io.pulse.api.limits;

import java.util.Map;

/**
 * What the IETF RateLimit headers tell a caller after a request: the bucket's size, what is left in
 * it, and in how many seconds it is full again.
 */
public record RateLimitStatus(
    long limit, long remaining, long resetSeconds, long retryAfterSeconds) {
  static final String REQUEST_PROPERTY = "pulse.rate-limit";

  public Map<String, String> headers() {
    return Map.of(
        "RateLimit-Limit", Long.toString(limit),
        "RateLimit-Remaining", Long.toString(remaining),
        "RateLimit-Reset", Long.toString(resetSeconds));
  }
}
