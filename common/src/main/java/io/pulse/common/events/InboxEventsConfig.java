package io.pulse.common.events;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "pulse.events")
public interface InboxEventsConfig {
  /**
   * Publish inbox events to {@code pulse.events} at all. Off, live streams only see what a
   * reconnect replays.
   */
  @WithDefault("true")
  boolean enabled();

  /**
   * Events waiting for the publishing thread; past it new ones are dropped (and counted in the
   * log), so a slow or absent broker never holds up a job or a request.
   */
  @WithDefault("10000")
  int buffer();
}
