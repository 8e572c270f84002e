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

    /** Transaction timeout of one replay: the chosen rows stay locked while they are published. */
    @WithDefault("2m")
    Duration timeout();
  }
}
