package io.pulse.common.jobs;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The sweeper that publishes ledger rows the broker never confirmed. */
@ConfigMapping(prefix = "pulse.sweeper")
public interface SweeperConfig {
  /** How often it looks (the scheduler reads {@code pulse.sweeper.every} itself). */
  @WithDefault("5s")
  Duration every();

  /**
   * How old an unconfirmed row must be before it is published again: longer than a confirm takes to
   * be recorded ({@code pulse.ledger.mark-published-after} + {@code mark-published-every}). A bare
   * number is seconds.
   */
  @WithDefault("10s")
  Duration grace();

  /** Rows published per transaction. */
  @WithDefault("500")
  int batchSize();
}
