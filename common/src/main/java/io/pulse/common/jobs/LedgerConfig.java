package io.pulse.common.jobs;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** When the ledger records that the broker has a job ({@code published_at}). */
@ConfigMapping(prefix = "pulse.ledger")
public interface LedgerConfig {
  /** How often confirms are recorded in the ledger. */
  @WithDefault("1s")
  Duration markPublishedEvery();

  /** How old a confirm must be before it is recorded: a job finished by then needs no mark. */
  @WithDefault("2s")
  Duration markPublishedAfter();

  /**
   * How long an enqueue waits for its ledger row to be written and its job confirmed by the broker
   * (the confirm itself is bounded by {@code pulse.rabbitmq.confirm-timeout}); past it the caller
   * gets an error and the row, if written, is the sweeper's.
   */
  @WithDefault("30s")
  Duration enqueueTimeout();
}
