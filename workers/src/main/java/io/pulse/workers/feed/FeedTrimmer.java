package io.pulse.workers.feed;

import io.pulse.common.feed.FeedConfig;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Keeps feeds at {@code pulse.feed.max-length} entries. It runs on a schedule, not in the fan-out,
 * so a chunk's insert stays one cheap statement; a feed may hold a few extra entries until the next
 * run. Several nodes running it at once only delete the same rows twice.
 */
@ApplicationScoped
public class FeedTrimmer {
  private static final Logger LOG = Logger.getLogger(FeedTrimmer.class);
  private final FeedRepository feeds;
  private final FeedConfig config;

  public FeedTrimmer(FeedRepository feeds, FeedConfig config) {
    this.feeds = feeds;
    this.config = config;
  }

  @Scheduled(
      every = "${pulse.feed.trim-every:1m}",
      delayed = "30s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  public void trim() {
    int removed = QuarkusTransaction.requiringNew().call(() -> feeds.trim(config.maxLength()));
    if (removed > 0) {
      LOG.infof("trimmed %d feed entries past the newest %d per feed", removed, config.maxLength());
    }
  }
}
