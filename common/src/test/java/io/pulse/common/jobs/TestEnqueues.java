package io.pulse.common.jobs;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pulse.common.messaging.ConfirmingPublisher;
import io.pulse.common.messaging.JobMessage;
import java.time.Duration;
import java.time.ZoneOffset;

/** The enqueue path built without Quarkus, for the tests of this package. */
final class TestEnqueues {
  private TestEnqueues() {}

  static GroupCommitEnqueuer groups(
      JobLedger ledger, ConfirmingPublisher publisher, Duration timeout) {
    LedgerConfig config =
        new LedgerConfig() {
          @Override
          public Duration markPublishedEvery() {
            return Duration.ofSeconds(1);
          }

          @Override
          public Duration markPublishedAfter() {
            return Duration.ZERO;
          }

          @Override
          public Duration enqueueTimeout() {
            return timeout;
          }
        };
    return new GroupCommitEnqueuer(
        ledger, new JobMetrics(new SimpleMeterRegistry()), publisher, config);
  }

  /** The row an enqueue of this job writes. */
  static JobLedger.NewRow row(JobMessage job) {
    return new JobLedger.NewRow(
        job.jobId(),
        job.type(),
        job.idempotencyKey(),
        "hash",
        "{}",
        null,
        job.createdAt().atOffset(ZoneOffset.UTC),
        null);
  }
}
