package io.pulse.api;

import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.broker;
import static io.pulse.api.ApiTestSupport.count;
import static io.pulse.api.ApiTestSupport.jobsAbout;
import static io.pulse.api.ApiTestSupport.one;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.Topology;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
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

  @Test
  void anAdminRebuildOfAFeedEnqueuesOneJobAndARepeatWithItsKeyReturnsIt() {
    long user = IDS.incrementAndGet();
    String path = "/api/v1/admin/feeds/" + user + "/rebuild";
    long queued = broker().depth(Topology.workQueue(JobType.FEED_REBUILD));
    String job =
        admin()
            .header("Idempotency-Key", "rebuild-" + user)
            .post(path)
            .then()
            .statusCode(202)
            .header("Location", containsString("/api/v1/jobs/"))
            .extract()
            .path("jobId");
    admin()
        .header("Idempotency-Key", "rebuild-" + user)
        .post(path)
        .then()
        .statusCode(200)
        .body("jobId", equalTo(job));
    assertEquals(queued + 1, broker().depth(Topology.workQueue(JobType.FEED_REBUILD)));
    assertEquals(1, jobsAbout(em, JobType.FEED_REBUILD, "userId", user));
    admin().post("/api/v1/admin/feeds/0/rebuild").then().statusCode(400);
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
    assertEquals(1, jobsAbout(em, "feed.retract", "postId", post));
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
    assertEquals(2, jobsAbout(em, "feed.backfill", "userId", user));
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
    long user = userAway();
    admin()
        .body("{\"handle\":\"away\",\"lastActiveAt\":\"" + java.time.Instant.now() + "\"}")
        .put("/api/v1/users/" + user)
        .then()
        .statusCode(200);
    assertEquals(1, jobsAbout(em, "feed.backfill", "userId", user));
  }

  @Test
  void concurrentPutsOfANewCommunityAndItsMemberAllSucceed() throws Exception {
    long community = IDS.incrementAndGet();
    var created =
        Concurrently.send(
            20,
            i -> admin().body("{\"name\":\"Race club\"}").put("/api/v1/communities/" + community));
    assertEquals(Map.of(200, 20), Concurrently.statuses(created), created.get(0).asString());
    long user = IDS.incrementAndGet();
    var joined =
        Concurrently.send(
            20, i -> admin().put("/api/v1/communities/" + community + "/members/" + user));
    assertEquals(Map.of(202, 20), Concurrently.statuses(joined), joined.get(0).asString());
    assertEquals(
        1,
        count(
            em,
            "select count(*) from community_members where community_id = "
                + community
                + " and user_id = "
                + user));
  }

  /** One post id, twenty titles at once: the first recorded wins, every other title is refused. */
  @Test
  void concurrentPostsOfOneIdWithOtherContentAreRefused() throws Exception {
    long post = IDS.incrementAndGet();
    var answers = postAtOnce(post, i -> "Title " + i);
    assertEquals(Map.of(202, 1, 422, 19), Concurrently.statuses(answers));
    String winner =
        answers.stream().filter(a -> a.statusCode() == 202).findFirst().orElseThrow().path("jobId");
    String title = one(em, "select title from posts where id = " + post);
    String community = one(em, "select community_id from posts where id = " + post);
    assertEquals(
        winner,
        admin()
            .body(post(post, Long.parseLong(community), title))
            .post("/api/v1/posts")
            .then()
            .statusCode(200)
            .extract()
            .path("jobId"),
        "the stored title is the winner's");
    assertEquals(1, jobsAbout(em, "feed.fanout", "postId", post));
  }

  @Test
  void concurrentRepeatsOfOnePostGetTheFirstJob() throws Exception {
    var answers = postAtOnce(IDS.incrementAndGet(), i -> "Same");
    assertEquals(Map.of(200, 19, 202, 1), Concurrently.statuses(answers));
    assertEquals(
        1, answers.stream().map(a -> a.<String>path("jobId")).distinct().count(), "one job");
  }

  /**
   * Twenty requests bring one user back at once, each with its own (recent) last-active time: one
   * of them brought the user back, so one backfill; the latest time wins.
   */
  @Test
  void concurrentPutsOfAReturningUserBackfillOnce() throws Exception {
    long user = userAway();
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    var answers =
        Concurrently.send(
            20,
            i ->
                admin()
                    .body("{\"handle\":\"back\",\"lastActiveAt\":\"" + now.minusSeconds(i) + "\"}")
                    .put("/api/v1/users/" + user));
    assertEquals(Map.of(200, 20), Concurrently.statuses(answers), answers.get(0).asString());
    assertEquals(1, jobsAbout(em, "feed.backfill", "userId", user));
    assertEquals(
        Long.toString(now.getEpochSecond()),
        one(em, "select extract(epoch from last_active_at)::bigint from users where id = " + user),
        "the latest last-active time wins");
  }

  // --- helpers -------------------------------------------------------------------------------

  /** A user last active years ago: fan-out skips them, and they have no backfill yet. */
  long userAway() {
    long user = IDS.incrementAndGet();
    admin()
        .body("{\"handle\":\"away\",\"lastActiveAt\":\"2020-01-01T00:00:00Z\"}")
        .put("/api/v1/users/" + user)
        .then()
        .statusCode(200);
    assertEquals(0, jobsAbout(em, "feed.backfill", "userId", user));
    return user;
  }

  /** Twenty POSTs of one new post at once, the i-th titled {@code title.apply(i)}. */
  List<Response> postAtOnce(long post, IntFunction<String> title) throws Exception {
    long community = community();
    return Concurrently.send(
        20, i -> admin().body(post(post, community, title.apply(i))).post("/api/v1/posts"));
  }

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
