package io.pulse.api.limits;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * One token per request from the caller's bucket: {@code burst} tokens, refilled at {@code
 * requestsPerSecond}. A bucket is named by its key and its limits, so a key whose limits an admin
 * changed starts a new, full bucket (the old row expires).
 */
@ApplicationScoped
public class RequestRateLimiter {
  private final TokenBuckets buckets;

  public RequestRateLimiter(TokenBuckets buckets) {
    this.buckets = buckets;
  }

  /** The caller's status after this request, or 429 if its bucket is empty. */
  public RateLimitStatus admit(Caller caller) {
    KeyLimits limits = caller.limits();
    ConsumptionProbe probe =
        buckets.tryConsume(bucketId(caller.keyId(), limits), configuration(limits), 1);
    RateLimitStatus status =
        new RateLimitStatus(
            limits.burst(),
            probe.getRemainingTokens(),
            (probe.getNanosToWaitForReset() + 999_999_999L) / 1_000_000_000L,
            RateLimitExceeded.retryAfter(probe));
    if (!probe.isConsumed()) {
      throw RateLimitExceeded.of(
          "rate-limited",
          "this API key is limited to "
              + limits.requestsPerSecond()
              + " requests per second (bursts of "
              + limits.burst()
              + "); retry after "
              + status.retryAfterSeconds()
              + " s",
          status);
    }
    return status;
  }

  static String bucketId(String keyId, KeyLimits limits) {
    return "rate:" + keyId + ":" + limits.requestsPerSecond() + "/" + limits.burst();
  }

  public static BucketConfiguration configuration(KeyLimits limits) {
    return BucketConfiguration.builder()
        .addLimit(
            Bandwidth.builder()
                .capacity(limits.burst())
                .refillGreedy(limits.requestsPerSecond(), Duration.ofSeconds(1))
                .build())
        .build();
  }
}
