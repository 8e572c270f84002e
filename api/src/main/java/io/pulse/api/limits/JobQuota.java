package io.pulse.api.limits;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * A key's daily job quota: each enqueue takes as many tokens as the jobs it asks for (a batch, its
 * items) before anything is written, so a refused request writes and enqueues nothing. One bucket
 * per key and UTC day: the next day is a new, full bucket. A request refused later (400, 409) has
 * still used its share: the quota counts jobs asked for, which is what a runaway caller does.
 */
@ApplicationScoped
public class JobQuota {
  private final QuotaBuckets buckets;
  private final SecurityIdentity identity;
  private final Clock clock = Clock.systemUTC();

  public JobQuota(QuotaBuckets buckets, SecurityIdentity identity) {
    this.buckets = buckets;
    this.identity = identity;
  }

  /**
   * Takes {@code jobs} from the caller's quota for the current UTC day, or throws 429 if it has
   * fewer left.
   */
  public void take(long jobs) {
    Caller caller = Caller.of(identity);
    if (caller == null || caller.limits().dailyJobQuota().isEmpty()) {
      return;
    }
    long quota = caller.limits().dailyJobQuota().getAsLong();
    LocalDate day = LocalDate.now(clock);
    long untilTomorrow =
        Math.max(
            1,
            Duration.between(
                    Instant.now(clock), day.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC))
                .toSeconds());
    ConsumptionProbe probe =
        buckets.tryConsume(
            "quota:" + caller.keyId() + ":" + quota + ":" + day, configuration(quota), jobs);
    if (!probe.isConsumed()) {
      throw RateLimitExceeded.of(
          "quota-exceeded",
          "this API key's daily quota of "
              + quota
              + " jobs has "
              + probe.getRemainingTokens()
              + " left, this request asks for "
              + jobs
              + "; it renews at 00:00 UTC",
          new RateLimitStatus(quota, probe.getRemainingTokens(), untilTomorrow, untilTomorrow));
    }
  }

  private static BucketConfiguration configuration(long quota) {
    // Never refills within its day: the day is in the bucket's id.
    return BucketConfiguration.builder()
        .addLimit(
            Bandwidth.builder().capacity(quota).refillIntervally(quota, Duration.ofDays(2)).build())
        .build();
  }
}
