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
   * seldom: one large run holds a core long enough for the jobs beside it to wait it out (README,
   * Feeds).
   */
  @WithDefault("5000")
  int trimEntries();

  /** How far back a backfill looks for posts. */
  @WithDefault("30d")
  Duration backfillWindow();
}
