package io.pulse.common.feed;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "pulse.feed")
public interface FeedConfig {
  /**
   * Members per {@code feed.fanout.chunk} (and per retraction chunk). Bigger chunks spread less job
   * overhead over more rows; a retry redoes one chunk, so a chunk should stay well under a second.
   */
  @WithDefault("25000")
  int chunkSize();

  /** Members not active for this long get no fan-out; their feed is backfilled when they return. */
  @WithDefault("30d")
  Duration inactiveAfter();

  /** Entries kept per feed; the trimmer removes older ones off the fan-out path. */
  @WithDefault("1000")
  int maxLength();

  /** How often the trimmer runs (the scheduler reads {@code pulse.feed.trim-every} itself). */
  @WithDefault("1s")
  Duration trimEvery();

  /**
   * Feed entries one trimmer run reads: the next ones by user id each run (the last user's whole
   * feed), so a run's work stays the same however big the table is. At the defaults a pass over
   * 100,000,000 entries takes between five and six hours. Small runs often rather than large ones
   * seldom: 50,000 every 10 s took about 90 ms of a core at once (188 ms under load), which the
   * jobs beside it waited out (the live stream's latency tail); 5,000 a second read as many, 12 ms
   * each.
   */
  @WithDefault("5000")
  int trimEntries();

  /** How far back a backfill looks for posts. */
  @WithDefault("30d")
  Duration backfillWindow();
}
