package io.pulse.api.admin;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Bounds of the admin operations, so one request cannot hold the broker or the database long. */
@ConfigMapping(prefix = "pulse.admin")
public interface AdminConfig {
  Replay replay();

  interface Replay {
    /** Most dead jobs one replay request moves (a {@code type} replay's default limit). */
    @WithDefault("1000")
    int maxJobs();

    /**
     * Most dead-letter messages one replay looks at per type. A chosen job whose message lies
     * deeper is republished from its ledger payload; its old message stays in the DLQ until a later
     * replay drops it or it expires ({@code pulse.rabbitmq.dead-letter-ttl}).
     */
    @WithDefault("10000")
    int maxScan();

    /**
     * Dead-letter messages a replay looks at per chosen job, on top of 100 (at most {@code
     * max-scan}): the cost of a replay follows the number of jobs chosen, not the depth of the DLQ.
     */
    @WithDefault("2")
    int scanPerJob();

    /** Transaction timeout of one replay: ledger locks are held while messages move. */
    @WithDefault("2m")
    Duration timeout();
  }
}
