package io.pulse.workers.feed;

import io.pulse.common.feed.FeedConfig;
import io.pulse.common.feed.FeedPayloads;
import io.pulse.common.jobs.JobType;
import io.pulse.workers.jobs.JobContext;
import io.pulse.workers.jobs.JobHandler;
import jakarta.enterprise.context.ApplicationScoped;

/** {@code feed.fanout.chunk}: one {@code INSERT ... SELECT ... ON CONFLICT DO NOTHING}. */
@ApplicationScoped
public class FeedFanoutChunkHandler implements JobHandler<FeedPayloads.FanoutChunk> {
  private final FeedRepository feeds;
  private final FeedConfig config;

  public FeedFanoutChunkHandler(FeedRepository feeds, FeedConfig config) {
    this.feeds = feeds;
    this.config = config;
  }

  @Override
  public String type() {
    return JobType.FEED_FANOUT_CHUNK;
  }

  @Override
  public Class<FeedPayloads.FanoutChunk> payloadType() {
    return FeedPayloads.FanoutChunk.class;
  }

  @Override
  public void handle(FeedPayloads.FanoutChunk chunk, JobContext context) {
    if (feeds.lockLivePost(chunk.postId())) {
      feeds.fanOut(
          chunk.postId(),
          chunk.communityId(),
          new FeedRepository.Range(chunk.fromUserId(), chunk.toUserId()),
          config.inactiveAfter());
    }
  }
}
