package io.pulse.workers.deadletters;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How the workers keep the dead-letter queues in step with the ledger. */
@ConfigMapping(prefix = "pulse.dead-letters")
public interface DeadLettersConfig {
  /** Run the reconciler on this node (any number of nodes may; see DeadLetterReconciler). */
  @WithDefault("true")
  boolean reconcile();

  /**
   * How often each DLQ's depth is compared with the ledger's dead count; a pass over the queue runs
   * only when they disagree in a way a pass can fix.
   */
  @WithDefault("1m")
  Duration every();

  /**
   * How long a dead letter whose row is not (yet) dead is left alone: a worker publishes the dead
   * letter first and writes the ledger right after. Past it, the row is marked dead from the copy.
   */
  @WithDefault("1m")
  Duration grace();

  /**
   * How often a job that the broker's delivery limit parked before any handler ran it (its
   * deliveries handed back unstarted, e.g. by connections closing) is put back on its work queue
   * before it is marked dead like a job that crashed its workers.
   */
  @WithDefault("3")
  int limitRequeues();

  /** Dead letters read per ledger lookup during a pass. */
  @WithDefault("500")
  int batch();
}
