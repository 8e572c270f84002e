package io.pulse.common.feed;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "pulse.feed")
public interface FeedConfig {
  /**
   * Members per {@code feed.fanout.chunk} (and per retraction chunk). Bigger chunks spread less job
   * overhead over more rows; a retry redoes one chunk (25,000 rows take about half a second).
   */
  @WithDefault("25000")
  int chunkSize();

  /** Members not active for this long get no fan-out; their feed is backfilled when they return. */
  @WithDefault("30d")
  Duration inactiveAfter();

  /** Entries kept per feed; the trimmer removes older ones off the fan-out path. */
  @WithDefault("1000")
  int maxLength();

  /** How far back a backfill looks for posts. */
  @WithDefault("30d")
  Duration backfillWindow();
}
