package io.pulse.workers.feed;

import io.pulse.common.feed.FeedConfig;
import io.pulse.common.feed.FeedPayloads;
import io.pulse.common.jobs.JobType;
import io.pulse.workers.jobs.JobContext;
import io.pulse.workers.jobs.JobHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

/**
 * {@code feed.rebuild}: an operator's repair of one user's home feed (entries of posts that were
 * retracted or of communities left while a job was dead, say). The feed is emptied and backfilled
 * from all the user's communities, in the job's one transaction: a reader sees the old feed or the
 * new one, and a repeat ends the same way.
 */
@ApplicationScoped
public class FeedRebuildHandler implements JobHandler<FeedPayloads.Rebuild> {
  private final EntityManager em;
  private final FeedRepository feeds;
  private final FeedConfig config;

  public FeedRebuildHandler(EntityManager em, FeedRepository feeds, FeedConfig config) {
    this.em = em;
    this.feeds = feeds;
    this.config = config;
  }

  @Override
  public String type() {
    return JobType.FEED_REBUILD;
  }

  @Override
  public Class<FeedPayloads.Rebuild> payloadType() {
    return FeedPayloads.Rebuild.class;
  }

  @Override
  public void handle(FeedPayloads.Rebuild rebuild, JobContext context) {
    em.createNativeQuery("delete from feed_entries where user_id = ?1")
        .setParameter(1, rebuild.userId())
        .executeUpdate();
    feeds.backfill(rebuild.userId(), null, config.backfillWindow(), config.maxLength());
  }
}
