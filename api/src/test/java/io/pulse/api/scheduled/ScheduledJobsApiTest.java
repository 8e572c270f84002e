package io.pulse.api.scheduled;

import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.broker;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.GetResponse;
import io.pulse.common.jobs.JobType;
import io.pulse.common.jobs.ScheduledJobPoller;
import io.pulse.common.messaging.Topology;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Scheduled sends against the real database and broker. The poller's own tick is off in tests: each
 * test polls with the clock it needs (a send time a millisecond away, or two days past), so nothing
 * waits for real time to pass.
 */
@QuarkusTest
class ScheduledJobsApiTest {
  static final String DISPATCH = Topology.workQueue(JobType.NOTIFICATION_DISPATCH);
  static final AtomicLong IDS =
      new AtomicLong(80_000_000 + (System.currentTimeMillis() % 1_000) * 10_000);

  @Inject ScheduledJobPoller poller;

  @BeforeEach
  void emptyTheDispatchQueue() {
    broker().purge(DISPATCH);
  }

  @Test
  void aScheduledNotificationWaitsInTheLedgerAndGoesOutOnceWhenDue() {
    Instant sendAt = inAnHour();
    String job = notify(sendAt, null);
    admin()
        .get("/api/v1/jobs/" + job)
        .then()
        .statusCode(200)
        .body("status", equalTo("scheduled"))
        .body("finishedAt", nullValue());
    assertEquals(sendAt, sendAt(job));
    assertEquals(0, broker().depth(DISPATCH), "nothing sits in the broker before it is due");

    poller.poll(sendAt.minusMillis(1));
    assertEquals("scheduled", status(job), "a millisecond early");
    assertEquals(Map.of(), messagesIn(DISPATCH));

    poller.poll(sendAt);
    assertEquals("queued", status(job));
    // A second node polling later, or the same one after a restart, finds nothing left to send.
    poller.poll(sendAt.plus(Duration.ofDays(2)));
    assertEquals(Map.of(job, 1), only(messagesIn(DISPATCH), List.of(job)));
  }

  @Test
  void manyNodesPollingTheSameDueMinutePublishEachJobOnce() throws Exception {
    Instant sendAt = inAnHour().plusSeconds(7);
    StringBuilder batch = new StringBuilder("[");
    for (int i = 0; i < 300; i++) {
      batch.append(i == 0 ? "" : ",").append(notificationBody(sendAt.plusMillis(i % 50)));
    }
    List<String> jobs =
        admin()
            .body(batch.append("]").toString())
            .post("/api/v1/notifications/batch")
            .then()
            .statusCode(202)
            .extract()
            .path("jobs.jobId");
    assertEquals(0, broker().depth(DISPATCH));

    // Four nodes, after a downtime that let the whole minute pass: disjoint rows, each sent once.
    CyclicBarrier start = new CyclicBarrier(4);
    List<CompletableFuture<Integer>> nodes = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      nodes.add(
          CompletableFuture.supplyAsync(
              () -> {
                await(start);
                return poller.poll(sendAt.plusSeconds(90));
              }));
    }
    int published = nodes.stream().mapToInt(CompletableFuture::join).sum();
    assertTrue(published >= jobs.size(), "published " + published);
    Map<String, Integer> copies = only(messagesIn(DISPATCH), jobs);
    assertEquals(jobs.size(), copies.size());
    assertTrue(copies.values().stream().allMatch(n -> n == 1), "copies: " + copies.values());
    jobs.forEach(job -> assertEquals("queued", status(job)));
  }

  @Test
  void cancellingAScheduledJobIsFinalAndRepeatsAreTheSame() {
    Instant sendAt = inAnHour();
    String job = notify(sendAt, null);
    for (int i = 0; i < 2; i++) {
      admin()
          .delete("/api/v1/jobs/" + job)
          .then()
          .statusCode(200)
          .body("status", equalTo("cancelled"))
          .body("finishedAt", notNullValue());
    }
    assertEquals(sendAt, sendAt(job));
    poller.poll(sendAt.plusSeconds(60));
    assertEquals("cancelled", status(job));
    assertEquals(Map.of(), only(messagesIn(DISPATCH), List.of(job)));
  }

  @Test
  void aJobThatIsNotScheduledCannotBeCancelled() {
    String immediate = notify(null, null);
    admin()
        .delete("/api/v1/jobs/" + immediate)
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("type", containsString("job-not-cancellable"))
        .body("detail", containsString("is queued"));
    assertEquals("queued", status(immediate));

    Instant sendAt = inAnHour();
    String published = notify(sendAt, null);
    poller.poll(sendAt);
    admin().delete("/api/v1/jobs/" + published).then().statusCode(409);
    assertEquals("queued", status(published));
  }

  /**
   * The cancel and the poll take the same row lock: whichever comes second sees what the first
   * committed. Either the cancel wins (200, cancelled, never published) or the poll does (409,
   * queued, published once); never both, never neither.
   */
  @Test
  void aCancelRacingThePollEitherStopsTheJobOrIsRefused() {
    Map<Integer, Integer> outcomes = new HashMap<>();
    for (int round = 0; round < 20; round++) {
      Instant sendAt = inAnHour().plusSeconds(round);
      String job = notify(sendAt, null);
      CyclicBarrier start = new CyclicBarrier(2);
      CompletableFuture<Response> cancel =
          CompletableFuture.supplyAsync(
              () -> {
                await(start);
                return admin().delete("/api/v1/jobs/" + job);
              });
      CompletableFuture<Integer> poll =
          CompletableFuture.supplyAsync(
              () -> {
                await(start);
                return poller.poll(sendAt);
              });
      int answer = cancel.join().statusCode();
      poll.join();
      int copies = only(messagesIn(DISPATCH), List.of(job)).getOrDefault(job, 0);
      if (answer == 200) {
        assertEquals("cancelled", status(job), "round " + round);
        assertEquals(0, copies, "round " + round + ": cancelled yet published");
      } else {
        assertEquals(409, answer, "round " + round);
        assertEquals("queued", status(job), "round " + round);
        assertEquals(1, copies, "round " + round + ": refused yet not published");
      }
      outcomes.merge(answer, 1, Integer::sum);
    }
    assertEquals(20, outcomes.values().stream().mapToInt(Integer::intValue).sum());
  }

  @Test
  void theSendTimeIsPartOfTheIdempotencyKeysRequest() {
    Instant sendAt = inAnHour();
    String key = "scheduled-" + UUID.randomUUID();
    String job = notify(sendAt, key);
    admin()
        .header("Idempotency-Key", key)
        .body(notificationBody(sendAt))
        .post("/api/v1/notifications")
        .then()
        .statusCode(200)
        .body("jobId", equalTo(job));
    admin()
        .header("Idempotency-Key", key)
        .body(notificationBody(sendAt.plusSeconds(1)))
        .post("/api/v1/notifications")
        .then()
        .statusCode(422);
    admin()
        .header("Idempotency-Key", key)
        .body(notificationBody(null))
        .post("/api/v1/notifications")
        .then()
        .statusCode(422);
  }

  @Test
  void aPostWithAPublishTimeIsRecordedAndItsFanOutWaits() {
    long community = IDS.incrementAndGet();
    admin().body("{\"name\":\"Announcements\"}").put("/api/v1/communities/" + community);
    long post = IDS.incrementAndGet();
    Instant publishAt = inAnHour();
    String fanoutQueue = Topology.workQueue(JobType.FEED_FANOUT);
    broker().purge(fanoutQueue);
    String body =
        "{\"postId\":"
            + post
            + ",\"communityId\":"
            + community
            + ",\"authorId\":5,\"title\":\"Exam moved\",\"createdAt\":\"2026-11-24T09:00:00Z\","
            + "\"publishAt\":\""
            + publishAt
            + "\"}";
    String job =
        admin().body(body).post("/api/v1/posts").then().statusCode(202).extract().path("jobId");
    admin().body(body).post("/api/v1/posts").then().statusCode(200).body("jobId", equalTo(job));
    admin()
        .get("/api/v1/jobs/" + job)
        .then()
        .body("type", equalTo(JobType.FEED_FANOUT))
        .body("status", equalTo("scheduled"));
    assertEquals(publishAt, sendAt(job));
    assertEquals(0, broker().depth(fanoutQueue));
    poller.poll(publishAt);
    assertEquals(Map.of(job, 1), only(messagesIn(fanoutQueue), List.of(job)));
  }

  // ---------------------------------------------------------------------------------------------

  private static Instant inAnHour() {
    return Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MILLIS);
  }

  private static String notify(Instant sendAt, String key) {
    var request = admin().body(notificationBody(sendAt));
    if (key != null) {
      request = request.header("Idempotency-Key", key);
    }
    return request.post("/api/v1/notifications").then().statusCode(202).extract().path("jobId");
  }

  private static String notificationBody(Instant sendAt) {
    return "{\"type\":\"mention\",\"recipientIds\":[7],\"title\":\"Class moved\""
        + (sendAt == null ? "" : ",\"sendAt\":\"" + sendAt + "\"")
        + "}";
  }

  private static String status(String job) {
    return admin().get("/api/v1/jobs/" + job).then().statusCode(200).extract().path("status");
  }

  private static Instant sendAt(String job) {
    String at = admin().get("/api/v1/jobs/" + job).then().extract().path("sendAt");
    return java.time.OffsetDateTime.parse(at).toInstant();
  }

  /** Takes every message off the queue: how many copies of each job id it held. */
  private static Map<String, Integer> messagesIn(String queue) {
    Map<String, Integer> copies = new HashMap<>();
    for (GetResponse m = broker().take(queue); m != null; m = broker().take(queue)) {
      copies.merge(m.getProps().getMessageId(), 1, Integer::sum);
    }
    return copies;
  }

  /** The counts of these jobs only: other tests' jobs due earlier may go out in the same poll. */
  private static Map<String, Integer> only(Map<String, Integer> copies, List<String> jobs) {
    Map<String, Integer> mine = new HashMap<>(copies);
    mine.keySet().retainAll(jobs);
    return mine;
  }

  private static void await(CyclicBarrier barrier) {
    try {
      barrier.await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
