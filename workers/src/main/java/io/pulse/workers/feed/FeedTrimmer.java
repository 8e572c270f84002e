package io.pulse.workers.feed;

import io.pulse.common.feed.FeedConfig;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Keeps feeds at {@code pulse.feed.max-length} entries. It runs on a schedule, not in the fan-out,
 * so a chunk's insert stays one cheap statement; a feed may hold a few extra entries until the
 * trimmer comes by. Each run takes the feeds of the next {@code pulse.feed.trim-entries} entries by
 * user id and starts over after the last, so its work is bounded: grouping every feed at once grows
 * with the table and takes the cores from the jobs each time it runs. Several nodes running it only
 * delete the same rows twice.
 */
@ApplicationScoped
public class FeedTrimmer {
  private static final Logger LOG = Logger.getLogger(FeedTrimmer.class);
  private final FeedRepository feeds;
  private final FeedConfig config;

  /** The last user id the previous run reached; 0 starts a pass. */
  private final AtomicLong reached = new AtomicLong();

  public FeedTrimmer(FeedRepository feeds, FeedConfig config) {
    this.feeds = feeds;
    this.config = config;
  }

  @Scheduled(
      every = "${pulse.feed.trim-every:1s}",
      delayed = "30s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void scheduled() {
    trimNext();
  }

  /** Trims the next feeds; returns false when the pass was complete and starts over. */
  public synchronized boolean trimNext() {
    long after = reached.get();
    int[] removed = {0};
    Long last =
        QuarkusTransaction.requiringNew()
            .call(
                () -> {
                  Long to = feeds.sliceEnd(after, config.trimEntries());
                  if (to != null) {
                    removed[0] = feeds.trim(after, to, config.maxLength());
                  }
                  return to;
                });
    reached.set(last == null ? 0 : last);
    if (removed[0] > 0) {
      LOG.infof(
          "trimmed %d feed entries past the newest %d per feed (users %d to %d)",
          removed[0], config.maxLength(), after + 1, last);
    }
    return last != null;
  }

  /** A whole pass from the first feed: for tests and operators. */
  public synchronized void trimAll() {
    reached.set(0);
    while (trimNext()) {
      // next slice
    }
  }
}
