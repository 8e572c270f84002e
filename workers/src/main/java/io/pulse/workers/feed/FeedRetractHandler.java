package io.pulse.workers.feed;

import io.pulse.common.feed.FeedConfig;
import io.pulse.common.feed.FeedPayloads;
import io.pulse.common.jobs.JobType;
import io.pulse.workers.jobs.JobContext;
import io.pulse.workers.jobs.JobHandler;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@code feed.retract}: without a range, cuts the feeds that hold the post into user-id ranges and
 * leaves one {@code feed.retract} job per range; with a range, deletes that chunk. The API marked
 * the post deleted first, so no fan-out chunk can put it back afterwards.
 */
@ApplicationScoped
public class FeedRetractHandler implements JobHandler<FeedPayloads.Retract> {
  private final FeedRepository feeds;
  private final FeedConfig config;

  public FeedRetractHandler(FeedRepository feeds, FeedConfig config) {
    this.feeds = feeds;
    this.config = config;
  }

  @Override
  public String type() {
    return JobType.FEED_RETRACT;
  }

  @Override
  public Class<FeedPayloads.Retract> payloadType() {
    return FeedPayloads.Retract.class;
  }

  @Override
  public void handle(FeedPayloads.Retract retract, JobContext context) {
    if (retract.fromUserId() != null && retract.toUserId() != null) {
      feeds.retract(
          retract.postId(), new FeedRepository.Range(retract.fromUserId(), retract.toUserId()));
      return;
    }
    for (FeedRepository.Range range : feeds.holderRanges(retract.postId(), config.chunkSize())) {
      context.followUp(
          JobType.FEED_RETRACT,
          range.from() + "-" + range.to(),
          new FeedPayloads.Retract(retract.postId(), range.from(), range.to()));
    }
  }
}
