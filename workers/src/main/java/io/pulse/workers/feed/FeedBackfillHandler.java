package io.pulse.workers.feed;

import io.pulse.common.feed.FeedConfig;
import io.pulse.common.feed.FeedPayloads;
import io.pulse.common.jobs.JobType;
import io.pulse.workers.jobs.JobContext;
import io.pulse.workers.jobs.JobHandler;
import jakarta.enterprise.context.ApplicationScoped;

/** {@code feed.backfill}: a member who joined or came back gets the recent posts they missed. */
@ApplicationScoped
public class FeedBackfillHandler implements JobHandler<FeedPayloads.Backfill> {
  private final FeedRepository feeds;
  private final FeedConfig config;

  public FeedBackfillHandler(FeedRepository feeds, FeedConfig config) {
    this.feeds = feeds;
    this.config = config;
  }

  @Override
  public String type() {
    return JobType.FEED_BACKFILL;
  }

  @Override
  public Class<FeedPayloads.Backfill> payloadType() {
    return FeedPayloads.Backfill.class;
  }

  @Override
  public void handle(FeedPayloads.Backfill backfill, JobContext context) {
    feeds.backfill(
        backfill.userId(), backfill.communityId(), config.backfillWindow(), config.maxLength());
  }
}
