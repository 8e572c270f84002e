package io.pulse.api.auth;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.pulse.api.limits.LimitsConfig;
import io.quarkus.security.AuthenticationFailedException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/**
 * Counts unknown or revoked keys per client address, in this instance's memory: past {@code
 * pulse.api.limits.failed-keys-per-address} in a window, the address is refused (429) before its
 * key is looked up, so a flood of made-up keys costs no database query. Local on purpose: it guards
 * this instance's database connections, and a shared store would itself be the load to avoid.
 */
@ApplicationScoped
public class FailedKeyThrottle {
  /** The attribute of a refusal that makes it a 429 with this Retry-After (seconds). */
  static final String RETRY_AFTER = "pulse.retry-after";

  private final LoadingCache<String, Bucket> failures;

  public FailedKeyThrottle(LimitsConfig config) {
    this.failures =
        Caffeine.newBuilder()
            .expireAfterAccess(config.failedKeyWindow())
            .maximumSize(100_000)
            .build(
                address ->
                    Bucket.builder()
                        .addLimit(
                            Bandwidth.builder()
                                .capacity(config.failedKeysPerAddress())
                                .refillGreedy(
                                    config.failedKeysPerAddress(), config.failedKeyWindow())
                                .build())
                        .build());
  }

  /** Seconds until this address may try a key again, or 0 if it may now. */
  public long secondsRefused(String address) {
    Bucket bucket = failures.getIfPresent(address);
    if (bucket == null || bucket.getAvailableTokens() > 0) {
      return 0;
    }
    return Math.max(
        1, bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill() / 1_000_000_000L);
  }

  /** The refusal of an address that presented too many unknown keys lately: a 429. */
  static AuthenticationFailedException refusal(long retryAfterSeconds) {
    return new AuthenticationFailedException(
        "too many unknown API keys from this address; retry after " + retryAfterSeconds + " s",
        Map.of(RETRY_AFTER, retryAfterSeconds));
  }

  public void recordFailure(String address) {
    failures.get(address).tryConsume(1);
  }
}
