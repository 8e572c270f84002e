package io.pulse.workers.feed;

import io.pulse.common.feed.FeedConfig;
import io.pulse.common.feed.FeedPayloads;
import io.pulse.common.jobs.JobType;
import io.pulse.workers.jobs.JobContext;
import io.pulse.workers.jobs.JobHandler;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@code feed.fanout}: cuts the community's members into user-id ranges of {@code
 * pulse.feed.chunk-size} and leaves one {@code feed.fanout.chunk} job per range, so several workers
 * share a big community and a retry redoes one chunk only.
 */
@ApplicationScoped
public class FeedFanoutHandler implements JobHandler<FeedPayloads.Fanout> {
  private final FeedRepository feeds;
  private final FeedConfig config;

  public FeedFanoutHandler(FeedRepository feeds, FeedConfig config) {
    this.feeds = feeds;
    this.config = config;
  }

  @Override
  public String type() {
    return JobType.FEED_FANOUT;
  }

  @Override
  public Class<FeedPayloads.Fanout> payloadType() {
    return FeedPayloads.Fanout.class;
  }

  @Override
  public void handle(FeedPayloads.Fanout fanout, JobContext context) {
    if (!feeds.lockLivePost(fanout.postId())) {
      return; // retracted (or never recorded) before its fan-out ran: nothing to spread
    }
    for (FeedRepository.Range range :
        feeds.memberRanges(fanout.communityId(), config.chunkSize())) {
      context.followUp(
          JobType.FEED_FANOUT_CHUNK,
          range.from() + "-" + range.to(),
          new FeedPayloads.FanoutChunk(
              fanout.postId(), fanout.communityId(), range.from(), range.to()));
    }
  }
}
