package io.pulse.workers.feed;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pulse.common.feed.FeedPayloads;
import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobType;
import io.pulse.workers.TestSql;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@code feed.rebuild} through the broker and the real database. */
@QuarkusTest
class FeedRebuildTest {
  /** Above the ranges FeedFanoutTest uses, in the same database. */
  static final AtomicLong IDS =
      new AtomicLong(3_000_000_000L + (System.currentTimeMillis() % 1_000) * 1_000);

  @Inject JobEnqueuer enqueuer;
  @Inject TestSql db;

  @Test
  void aRebuiltFeedHoldsTheRecentLivePostsOfTheUsersCommunitiesAndNothingElse() {
    long user = IDS.incrementAndGet();
    long other = IDS.incrementAndGet();
    long joined = community(user, other);
    long alsoJoined = community(user);
    long left = community(other);
    long recent = post(joined, "now() - interval '1 day'");
    long recentToo = post(alsoJoined, "now() - interval '2 days'");
    long tooOld = post(joined, "now() - interval '90 days'");
    long deleted = post(joined, "now() - interval '1 hour'");
    db.exec("update posts set deleted_at = now() where id = " + deleted);
    long elsewhere = post(left, "now()");
    // A feed gone wrong: a deleted post and a community the user is not in (any more).
    entry(user, deleted, joined);
    entry(user, elsewhere, left);
    entry(other, elsewhere, left);

    UUID job =
        enqueuer.enqueue(JobType.FEED_REBUILD, new FeedPayloads.Rebuild(user), null, null).jobId();

    await().atMost(Duration.ofSeconds(20)).until(() -> "succeeded".equals(db.jobStatus(job)));
    assertEquals(
        recent + "," + recentToo,
        db.one(
            "select string_agg(post_id::text, ',' order by created_at desc) from feed_entries"
                + " where user_id = "
                + user),
        "not the old " + tooOld + ", the deleted " + deleted + " nor " + elsewhere);
    assertEquals(
        1, db.count("select count(*) from feed_entries where user_id = " + other), "untouched");
  }

  long community(long... members) {
    long community = IDS.incrementAndGet();
    db.exec("insert into communities (id, name) values (" + community + ", 'c')");
    for (long member : members) {
      db.exec(
          "insert into community_members (community_id, user_id) values ("
              + community
              + ", "
              + member
              + ")");
    }
    return community;
  }

  long post(long community, String createdAt) {
    long post = IDS.incrementAndGet();
    db.exec(
        "insert into posts (id, community_id, author_id, title, created_at) values ("
            + post
            + ", "
            + community
            + ", 1, 't', "
            + createdAt
            + ")");
    return post;
  }

  void entry(long user, long post, long community) {
    db.exec(
        "insert into feed_entries (user_id, post_id, community_id, created_at) values ("
            + user
            + ", "
            + post
            + ", "
            + community
            + ", now())");
  }
}
