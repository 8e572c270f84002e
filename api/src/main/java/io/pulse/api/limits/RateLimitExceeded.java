package io.pulse.api.limits;

import io.github.bucket4j.ConsumptionProbe;
import io.pulse.api.problem.Problem;
import io.pulse.api.problem.ProblemException;
import java.util.HashMap;
import java.util.Map;

/** The 429 a caller gets past its rate or quota: a problem body and when to try again. */
final class RateLimitExceeded {
  private RateLimitExceeded() {}

  static ProblemException of(String slug, String detail, RateLimitStatus status) {
    Map<String, String> headers = new HashMap<>(status.headers());
    headers.put("Retry-After", Long.toString(status.retryAfterSeconds()));
    return new ProblemException(
        Problem.of(429, "Too Many Requests", slug, detail), Map.copyOf(headers), null);
  }

  static long seconds(long nanos) {
    return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
  }

  static long retryAfter(ConsumptionProbe probe) {
    return seconds(probe.getNanosToWaitForRefill());
  }
}
