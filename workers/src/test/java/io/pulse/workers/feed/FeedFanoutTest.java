package io.pulse.workers.feed;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pulse.common.feed.FeedPayloads;
import io.pulse.common.jobs.JobCodec;
import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.JobMessage;
import io.pulse.workers.TestSql;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Fan-out, retraction, backfill and trimming against the real database and broker. */
@QuarkusTest
class FeedFanoutTest {
  static final AtomicLong IDS =
      new AtomicLong(5_000_000 + (System.currentTimeMillis() % 1_000) * 1_000);

  @Inject JobEnqueuer enqueuer;
  @Inject TestSql db;
  @Inject FeedTrimmer trimmer;

  @Test
  void aTwentyThousandMemberCommunityGetsOneEntryPerActiveMemberEvenWhenDeliveredTwice() {
    long community = IDS.incrementAndGet();
    long firstUser = 1_000_000 + community * 100_000 % 900_000_000;
    // 20,000 members; every 20th has been away for 60 days and is skipped.
    sql(
        "insert into users (id, handle, last_active_at) select g, 'u' || g, "
            + "case when g % 20 = 0 then now() - interval '60 days' else now() end "
            + "from generate_series("
            + firstUser
            + ", "
            + (firstUser + 19_999)
            + ") g");
    sql("insert into communities (id, name) values (" + community + ", 'Big club')");
    sql(
        "insert into community_members (community_id, user_id) select "
            + community
            + ", g "
            + "from generate_series("
            + firstUser
            + ", "
            + (firstUser + 19_999)
            + ") g");
    long post = post(community);

    UUID job =
        enqueuer
            .enqueue(JobType.FEED_FANOUT, new FeedPayloads.Fanout(post, community), null, null)
            .jobId();
    // The same message again, as a redelivery would bring it.
    enqueuer.publishAll(
        List.of(
            new JobMessage(
                job,
                JobType.FEED_FANOUT,
                1,
                null,
                null,
                Instant.now(),
                JobCodec.encode(new FeedPayloads.Fanout(post, community)))));

    long active = 19_000;
    await().atMost(Duration.ofSeconds(60)).until(() -> entries(post) == active);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                count(
                        "select count(*) from jobs where type = 'feed.fanout.chunk' and status = 'succeeded' "
                            + "and payload->>'postId' = '"
                            + post
                            + "'")
                    == 20);
    assertEquals(active, entries(post));
    assertEquals(
        0,
        count(
            "select count(*) from feed_entries f join users u on u.id = f.user_id "
                + "where f.post_id = "
                + post
                + " and u.last_active_at < now() - interval '30 days'"));
    assertEquals(
        20,
        count(
            "select count(*) from jobs where type = 'feed.fanout.chunk' "
                + "and payload->>'postId' = '"
                + post
                + "'"),
        "one chunk job per 1,000 members, created once");
  }

  @Test
  void aRetractionThatOvertakesItsFanOutLeavesNothingBehind() {
    long community = community(3_000);
    long post = post(community);
    enqueuer.enqueue(JobType.FEED_FANOUT, new FeedPayloads.Fanout(post, community), null, null);
    // The delete arrives while the fan-out is queued or running: mark, then retract, as the API
    // does.
    sql("update posts set deleted_at = now() where id = " + post);
    UUID retract =
        enqueuer
            .enqueue(JobType.FEED_RETRACT, new FeedPayloads.Retract(post, null, null), null, null)
            .jobId();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                count(
                            "select count(*) from jobs where type in ('feed.fanout', 'feed.fanout.chunk', 'feed.retract') "
                                + "and status not in ('succeeded', 'dead') and payload->>'postId' = '"
                                + post
                                + "'")
                        == 0
                    && "succeeded".equals(status(retract)));
    assertEquals(0, entries(post));
  }

  @Test
  void retractionRemovesAFannedOutPostFromEveryFeedInChunks() {
    long community = community(2_500);
    long post = post(community);
    enqueuer.enqueue(JobType.FEED_FANOUT, new FeedPayloads.Fanout(post, community), null, null);
    await().atMost(Duration.ofSeconds(30)).until(() -> entries(post) == 2_500);

    sql("update posts set deleted_at = now() where id = " + post);
    enqueuer.enqueue(JobType.FEED_RETRACT, new FeedPayloads.Retract(post, null, null), null, null);
    await().atMost(Duration.ofSeconds(30)).until(() -> entries(post) == 0);
    assertEquals(
        3,
        count(
            "select count(*) from jobs where type = 'feed.retract' "
                + "and payload->>'fromUserId' is not null and payload->>'postId' = '"
                + post
                + "'"));
  }

  @Test
  void backfillBringsRecentPostsOfTheCommunityToANewMember() {
    long community = community(10);
    long old = post(community, "now() - interval '90 days'");
    long recent = post(community, "now() - interval '1 day'");
    long deleted = post(community, "now() - interval '2 days'");
    sql("update posts set deleted_at = now() where id = " + deleted);
    long member = IDS.incrementAndGet();
    sql(
        "insert into community_members (community_id, user_id) values ("
            + community
            + ", "
            + member
            + ")");

    UUID job =
        enqueuer
            .enqueue(
                JobType.FEED_BACKFILL, new FeedPayloads.Backfill(member, community), null, null)
            .jobId();
    await().atMost(Duration.ofSeconds(20)).until(() -> "succeeded".equals(status(job)));
    assertEquals(
        1,
        count(
            "select count(*) from feed_entries where user_id = "
                + member
                + " and post_id = "
                + recent));
    assertEquals(
        1,
        count("select count(*) from feed_entries where user_id = " + member),
        "not the old nor the deleted post " + old);
  }

  @Test
  void theTrimmerKeepsTheNewestEntriesOfALongFeed() {
    long user = IDS.incrementAndGet();
    long community = community(0);
    sql(
        "insert into posts (id, community_id, author_id, title, created_at) select "
            + user * 10_000
            + " + g, "
            + community
            + ", 1, 't', now() - make_interval(mins => g) from generate_series(1, 1010) g");
    sql(
        "insert into feed_entries (user_id, post_id, community_id, created_at) select "
            + user
            + ", id, community_id, created_at from posts where community_id = "
            + community);
    trimmer.trimAll();
    assertEquals(1000, count("select count(*) from feed_entries where user_id = " + user));
    assertEquals(
        0,
        count(
            "select count(*) from feed_entries where user_id = "
                + user
                + " and post_id > "
                + (user * 10_000 + 1000)),
        "the 10 oldest went");
  }

  // --- helpers -------------------------------------------------------------------------------

  long community(int members) {
    long community = IDS.incrementAndGet();
    long first = IDS.getAndAdd(members + 1) + 1;
    sql("insert into communities (id, name) values (" + community + ", 'c')");
    if (members > 0) {
      sql(
          "insert into community_members (community_id, user_id) select "
              + community
              + ", g "
              + "from generate_series("
              + first
              + ", "
              + (first + members - 1)
              + ") g");
    }
    return community;
  }

  long post(long community) {
    return post(community, "now()");
  }

  long post(long community, String createdAt) {
    long post = IDS.incrementAndGet();
    sql(
        "insert into posts (id, community_id, author_id, title, created_at) values ("
            + post
            + ", "
            + community
            + ", 1, 'Meetup', "
            + createdAt
            + ")");
    return post;
  }

  long entries(long post) {
    return count("select count(*) from feed_entries where post_id = " + post);
  }

  String status(UUID job) {
    return db.jobStatus(job);
  }

  void sql(String statement) {
    db.exec(statement);
  }

  long count(String sql) {
    return db.count(sql);
  }
}
