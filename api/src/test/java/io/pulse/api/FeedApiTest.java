package io.pulse.api;

import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.broker;
import static io.pulse.api.ApiTestSupport.count;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.Topology;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@QuarkusTest
class FeedApiTest {
  static final AtomicLong IDS =
      new AtomicLong(70_000_000 + (System.currentTimeMillis() % 1_000) * 10_000);
  @Inject EntityManager em;

  @Test
  void aPostIsRecordedWithItsFanOutJobAndARepeatReturnsTheSameJob() {
    long community = community();
    long post = IDS.incrementAndGet();
    String body = post(post, community, "Meetup");
    long queued = broker().depth(Topology.workQueue(JobType.FEED_FANOUT));
    String job =
        admin().body(body).post("/api/v1/posts").then().statusCode(202).extract().path("jobId");
    admin().body(body).post("/api/v1/posts").then().statusCode(200).body("jobId", equalTo(job));
    admin().body(post(post, community, "Other title")).post("/api/v1/posts").then().statusCode(422);
    assertEquals(queued + 1, broker().depth(Topology.workQueue(JobType.FEED_FANOUT)));
    assertEquals(1, count(em, "select count(*) from posts where id = " + post));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "unknown community | {\"postId\":1,\"communityId\":999999999,\"authorId\":5,\"title\":\"t\",\"createdAt\":\"2026-11-24T09:00:00Z\"} | communityId",
        "no createdAt | {\"postId\":1,\"communityId\":1,\"authorId\":5,\"title\":\"t\"} | createdAt",
        "bad createdAt | {\"postId\":1,\"communityId\":1,\"authorId\":5,\"title\":\"t\",\"createdAt\":\"today\"} | createdAt",
        "negative post | {\"postId\":-1,\"communityId\":1,\"authorId\":5,\"title\":\"t\",\"createdAt\":\"2026-11-24T09:00:00Z\"} | postId",
        "empty title | {\"postId\":1,\"communityId\":1,\"authorId\":5,\"title\":\"\",\"createdAt\":\"2026-11-24T09:00:00Z\"} | title",
        "extra field | {\"postId\":1,\"communityId\":1,\"authorId\":5,\"title\":\"t\",\"createdAt\":\"2026-11-24T09:00:00Z\",\"likes\":3} | likes",
      })
  void aBadPostIs400AndWritesNothing(String name, String body, String field) {
    long posts = count(em, "select count(*) from posts");
    long jobs = count(em, "select count(*) from jobs");
    admin()
        .body(body)
        .post("/api/v1/posts")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem(field));
    assertEquals(posts, count(em, "select count(*) from posts"));
    assertEquals(jobs, count(em, "select count(*) from jobs"));
  }

  @Test
  void deletingAPostMarksItAndEnqueuesItsRetraction() {
    long community = community();
    long post = IDS.incrementAndGet();
    admin().body(post(post, community, "Gone soon")).post("/api/v1/posts").then().statusCode(202);
    admin().delete("/api/v1/posts/" + post).then().statusCode(202);
    assertEquals(
        1,
        count(em, "select count(*) from posts where id = " + post + " and deleted_at is not null"));
    assertEquals(
        1,
        count(
            em,
            "select count(*) from jobs where type = 'feed.retract' and payload->>'postId' = '"
                + post
                + "'"));
    admin().delete("/api/v1/posts/" + IDS.incrementAndGet()).then().statusCode(404);
    admin().delete("/api/v1/posts/abc").then().statusCode(400);
  }

  @Test
  void joiningBackfillsAndLeavingRemovesTheCommunityFromTheFeed() {
    long community = community();
    long other = community();
    long user = IDS.incrementAndGet();
    admin().put("/api/v1/communities/" + community + "/members/" + user).then().statusCode(202);
    admin().put("/api/v1/communities/" + other + "/members/" + user).then().statusCode(202);
    assertEquals(2, count(em, "select count(*) from community_members where user_id = " + user));
    assertEquals(
        2,
        count(
            em,
            "select count(*) from jobs where type = 'feed.backfill' and payload->>'userId' = '"
                + user
                + "'"));
    feedRows(user, community, 3, 0);
    feedRows(user, other, 2, 10);

    admin()
        .delete("/api/v1/communities/" + community + "/members/" + user)
        .then()
        .statusCode(200)
        .body("feedEntriesRemoved", equalTo(3));
    assertEquals(
        2,
        count(em, "select count(*) from feed_entries where user_id = " + user),
        "the other community stays");
    admin().delete("/api/v1/communities/" + community + "/members/" + user).then().statusCode(404);
    admin()
        .put("/api/v1/communities/" + IDS.incrementAndGet() + "/members/" + user)
        .then()
        .statusCode(404);
  }

  @Test
  void theFeedPagesNewestFirstWithoutSkippingOrRepeatingWhileEntriesArrive() {
    long community = community();
    long user = IDS.incrementAndGet();
    feedRows(user, community, 25, 0);
    List<Long> seen = new ArrayList<>();
    String cursor = null;
    int page = 0;
    do {
      var body =
          admin()
              .queryParam("limit", 7)
              .queryParam("cursor", cursor == null ? "" : cursor)
              .get("/api/v1/users/" + user + "/feed")
              .then()
              .statusCode(200)
              .extract()
              .jsonPath();
      seen.addAll(body.getList("items.postId", Long.class));
      cursor = body.getString("nextCursor");
      if (page++ == 1) {
        feedRows(user, community, 3, 100); // newer posts land between two page reads
      }
    } while (cursor != null);
    assertEquals(25, seen.size(), seen.toString());
    assertEquals(25, new HashSet<>(seen).size(), "no repeats");
    admin()
        .get("/api/v1/users/" + user + "/feed?limit=1")
        .then()
        .body("items[0].title", containsString("p"));
    admin()
        .get("/api/v1/users/" + user + "/feed?cursor=xyz")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("cursor"));
    admin().get("/api/v1/users/" + user + "/feed?limit=101").then().statusCode(400);
  }

  @Test
  void aUserComingBackFromInactivityGetsABackfill() {
    long user = IDS.incrementAndGet();
    admin()
        .body("{\"handle\":\"away\",\"lastActiveAt\":\"2020-01-01T00:00:00Z\"}")
        .put("/api/v1/users/" + user)
        .then()
        .statusCode(200);
    assertEquals(
        0,
        count(
            em,
            "select count(*) from jobs where type = 'feed.backfill' and payload->>'userId' = '"
                + user
                + "'"));
    admin()
        .body("{\"handle\":\"away\",\"lastActiveAt\":\"" + java.time.Instant.now() + "\"}")
        .put("/api/v1/users/" + user)
        .then()
        .statusCode(200);
    assertEquals(
        1,
        count(
            em,
            "select count(*) from jobs where type = 'feed.backfill' and payload->>'userId' = '"
                + user
                + "'"));
  }

  // --- helpers -------------------------------------------------------------------------------

  long community() {
    long id = IDS.incrementAndGet();
    admin()
        .body("{\"name\":\"Club " + id + "\"}")
        .put("/api/v1/communities/" + id)
        .then()
        .statusCode(200);
    return id;
  }

  static String post(long post, long community, String title) {
    return "{\"postId\":"
        + post
        + ",\"communityId\":"
        + community
        + ",\"authorId\":5,\"title\":\""
        + title
        + "\",\"excerpt\":\"...\",\"createdAt\":\"2026-11-24T09:00:00Z\"}";
  }

  /** Posts of a community with entries in the user's feed; some share a timestamp on purpose. */
  void feedRows(long user, long community, int n, int minutesFromNow) {
    long base = IDS.getAndAdd(n + 1) + 1;
    QuarkusTransaction.requiringNew()
        .run(
            () -> {
              em.createNativeQuery(
                      "insert into posts (id, community_id, author_id, title, created_at) select ?1 + g, ?2, 1, "
                          + "'p' || g, date_trunc('minute', now()) + make_interval(mins => ?3 - g / 2) from generate_series(0, ?4 - 1) g")
                  .setParameter(1, base)
                  .setParameter(2, community)
                  .setParameter(3, minutesFromNow)
                  .setParameter(4, n)
                  .executeUpdate();
              em.createNativeQuery(
                      "insert into feed_entries (user_id, post_id, community_id, created_at) "
                          + "select ?1, id, community_id, created_at from posts where id between ?2 and ?3")
                  .setParameter(1, user)
                  .setParameter(2, base)
                  .setParameter(3, base + n - 1)
                  .executeUpdate();
            });
  }
}
