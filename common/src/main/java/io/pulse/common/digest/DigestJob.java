package io.pulse.common.digest;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import java.time.Instant;
import java.util.UUID;

/**
 * The payload of {@code digest.build}: one user's digest for one period. Its key, and the job id
 * derived from it, are the same on every node and every run, so the ledger keeps one job per user
 * and period however often the period is planned. A body that breaks the constraints is
 * dead-lettered with the reason, never built.
 */
public record DigestJob(
    @Positive long userId,
    @NotNull @Pattern(regexp = "daily|weekly|" + DigestJob.CATCH_UP) String period,
    @NotNull Instant periodStart) {

  /**
   * The period of a catch-up mail: what the daily budget held back, for a user with digests off,
   * sent at the digest hour after it happened.
   */
  public static final String CATCH_UP = "catchup";

  public boolean catchUp() {
    return CATCH_UP.equals(period);
  }

  public String idempotencyKey() {
    return "digest:" + userId + ":" + period + ":" + periodStart;
  }

  public UUID jobId() {
    return io.pulse.common.jobs.JobIds.named(periodStart, idempotencyKey());
  }
}
