package io.pulse.common.jobs;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/** The job counters and timers both apps export on {@code /q/metrics}, tagged by job type. */
@ApplicationScoped
public class JobMetrics {
  private final MeterRegistry registry;

  public JobMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public void enqueued(String type) {
    Counter.builder("pulse.jobs.enqueued").tag("type", type).register(registry).increment();
  }

  /** outcome: succeeded, skipped (already done), retried, dead. */
  public void completed(String type, String outcome) {
    Counter.builder("pulse.jobs.completed")
        .tag("type", type)
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }

  public void handlerTime(String type, Duration time) {
    Timer.builder("pulse.jobs.handler")
        .tag("type", type)
        .publishPercentileHistogram()
        .register(registry)
        .record(time);
  }

  /** From the job's creation (API accept) to its handler's commit. */
  public void endToEnd(String type, Duration time) {
    Timer.builder("pulse.jobs.latency")
        .tag("type", type)
        .publishPercentileHistogram()
        .register(registry)
        .record(time);
  }

  /** Jobs a worker ran in one transaction (types with a batch size above 1). */
  public void batch(String type, int jobs) {
    DistributionSummary.builder("pulse.jobs.batch.size")
        .tag("type", type)
        .register(registry)
        .record(jobs);
  }

  /** Ledger rows of single enqueues written by one statement ({@link GroupCommitEnqueuer}). */
  public void ledgerGroup(int rows) {
    DistributionSummary.builder("pulse.ledger.insert.rows").register(registry).record(rows);
  }
}
