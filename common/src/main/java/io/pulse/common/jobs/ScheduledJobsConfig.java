package io.pulse.common.jobs;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The poller that publishes scheduled jobs when they are due. */
@ConfigMapping(prefix = "pulse.scheduled")
public interface ScheduledJobsConfig {
  /**
   * How often each node looks for due rows, or {@code off} (the scheduler reads {@code
   * pulse.scheduled.poll-every} itself; the workers poll, the API does not by default). A job is
   * published at most about this late, plus the time to publish the jobs due before it.
   */
  @WithDefault("off")
  String pollEvery();

  /** Rows locked and published per transaction. */
  @WithDefault("500")
  int batchSize();

  /**
   * Transactions that publish due rows at once on one node when a poll finds more than one batch
   * due. Their {@code SKIP LOCKED} takes disjoint rows, so they overlap one batch's confirm wait
   * with the next one's database work.
   */
  @WithDefault("3")
  int parallelism();
}
