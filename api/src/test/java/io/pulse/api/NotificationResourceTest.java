package io.pulse.api;

import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.broker;
import static io.pulse.api.ApiTestSupport.count;
import static io.pulse.api.ApiTestSupport.one;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.GetResponse;
import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.Topology;
import io.pulse.common.testing.BrokerProbe;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@QuarkusTest
class NotificationResourceTest {
  static final String QUEUE = Topology.workQueue(JobType.NOTIFICATION_DISPATCH);
  @Inject EntityManager em;
  @Inject io.micrometer.core.instrument.MeterRegistry meters;

  @BeforeEach
  void emptyQueue() {
    broker().purge(QUEUE);
  }

  static String valid() {
    return """
        {"type":"comment.reply","recipientIds":[42,43],"title":"New reply","body":"Nice post",
         "link":"/posts/9","actorId":5}
        """;
  }

  @Test
  void acceptedNotificationIsConfirmedOnItsQueueWithTheJobProperties() {
    String jobId =
        admin()
            .body(valid())
            .when()
            .post("/api/v1/notifications")
            .then()
            .statusCode(202)
            .header("Location", containsString("/api/v1/jobs/"))
            .body("jobId", notNullValue())
            .extract()
            .path("jobId");

    GetResponse message = broker().take(QUEUE);
    assertNotNull(message, "the job must be on its queue when 202 is answered");
    assertEquals(jobId, message.getProps().getMessageId());
    assertEquals(JobType.NOTIFICATION_DISPATCH, message.getProps().getType());
    assertEquals("application/json", message.getProps().getContentType());
    assertEquals(2, message.getProps().getDeliveryMode());
    assertEquals("1", BrokerProbe.header(message, Topology.ATTEMPT));
    assertNotNull(BrokerProbe.header(message, Topology.TRACEPARENT));

    admin()
        .when()
        .get("/api/v1/jobs/" + jobId)
        .then()
        .statusCode(200)
        .body("type", equalTo(JobType.NOTIFICATION_DISPATCH))
        .body("status", equalTo("queued"))
        .body("attempts", equalTo(0));
    // The confirm is recorded in the ledger in batches, shortly after the 202.
    String published =
        "select count(*) from jobs where id = '" + jobId + "' and published_at is not null";
    await().atMost(Duration.ofSeconds(5)).until(() -> count(em, published) == 1);
  }

  @Test
  void sameIdempotencyKeyReturnsTheFirstJobAndADifferentBodyIs422() {
    String key = "reply-" + UUID.randomUUID();
    String first =
        admin()
            .header("Idempotency-Key", key)
            .body(valid())
            .post("/api/v1/notifications")
            .then()
            .statusCode(202)
            .extract()
            .path("jobId");
    admin()
        .header("Idempotency-Key", key)
        .body(valid())
        .post("/api/v1/notifications")
        .then()
        .statusCode(200)
        .body("jobId", equalTo(first));
    admin()
        .header("Idempotency-Key", key)
        .body(valid().replace("New reply", "Other title"))
        .post("/api/v1/notifications")
        .then()
        .statusCode(422)
        .contentType("application/problem+json")
        .body("detail", containsString(key));
    assertEquals(1, broker().depth(QUEUE), "only the first request is enqueued");
  }

  @Test
  void concurrentRequestsShareLedgerWritesAndEachKeyStaysOneJob() throws Exception {
    var rows = meters.find("pulse.ledger.insert.rows").summary();
    long writesBefore = rows == null ? 0 : rows.count();
    double rowsBefore = rows == null ? 0 : rows.totalAmount();
    String run = UUID.randomUUID().toString().substring(0, 8);
    int threads = 16;
    int rounds = 3;
    java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(threads);
    java.util.concurrent.ExecutorService clients =
        java.util.concurrent.Executors.newFixedThreadPool(threads);
    List<java.util.concurrent.Future<String>> answers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      // Half the clients send without a key; the others share 4 keys, each sent 6 times in all.
      String key = t % 2 == 0 ? null : run + "-" + (t % 8);
      answers.add(
          clients.submit(
              () -> {
                StringBuilder got = new StringBuilder();
                for (int r = 0; r < rounds; r++) {
                  together.await(30, java.util.concurrent.TimeUnit.SECONDS);
                  var request = admin().body(valid());
                  if (key != null) {
                    request.header("Idempotency-Key", key);
                  }
                  var response = request.post("/api/v1/notifications").then().extract();
                  got.append(key).append(' ').append(response.statusCode()).append(' ');
                  got.append(response.<String>path("jobId")).append('\n');
                }
                return got.toString();
              }));
    }
    List<String> lines = new ArrayList<>();
    for (var answer : answers) {
      lines.addAll(List.of(answer.get(60, java.util.concurrent.TimeUnit.SECONDS).split("\n")));
    }
    clients.shutdown();

    java.util.Map<String, java.util.Set<String>> jobsByKey = new java.util.HashMap<>();
    java.util.Set<String> jobs = new java.util.HashSet<>();
    int created = 0;
    for (String line : lines) {
      String[] parts = line.split(" ");
      jobs.add(parts[2]);
      created += parts[1].equals("202") ? 1 : 0;
      if (!parts[0].equals("null")) {
        jobsByKey.computeIfAbsent(parts[0], k -> new java.util.HashSet<>()).add(parts[2]);
      }
    }
    assertEquals(48, lines.size());
    assertEquals(24 + 4, jobs.size(), "a job per keyless request and one per key");
    assertEquals(24 + 4, created, "202 for a new job, 200 for a repeated key");
    jobsByKey.forEach((key, ids) -> assertEquals(1, ids.size(), key + " -> " + ids));
    assertEquals(
        4,
        count(
            em,
            "select count(*) from jobs where idempotency_key like 'notifications " + run + "-%'"),
        "one ledger row per key");
    assertEquals(24 + 4, broker().depth(QUEUE), "each new job published once");
    rows = meters.find("pulse.ledger.insert.rows").summary();
    assertEquals(24 + 4 + 20, rows.totalAmount() - rowsBefore, "every request's row was written");
    assertTrue(
        rows.count() - writesBefore < 48,
        "some requests shared a statement: " + (rows.count() - writesBefore) + " writes");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "missing title | {\"type\":\"mention\",\"recipientIds\":[1]} | title",
        "empty title | {\"type\":\"mention\",\"recipientIds\":[1],\"title\":\"\"} | title",
        "no recipients | {\"type\":\"mention\",\"recipientIds\":[],\"title\":\"t\"} | recipientIds",
        "negative recipient | {\"type\":\"mention\",\"recipientIds\":[1,-2],\"title\":\"t\"} | recipientIds[1]",
        "null recipient | {\"type\":\"mention\",\"recipientIds\":[null],\"title\":\"t\"} | recipientIds[0]",
        "recipient as text | {\"type\":\"mention\",\"recipientIds\":[\"x\"],\"title\":\"t\"} | recipientIds[0]",
        "recipients not a list | {\"type\":\"mention\",\"recipientIds\":7,\"title\":\"t\"} | recipientIds",
        "unknown field | {\"type\":\"mention\",\"recipientIds\":[1],\"title\":\"t\",\"colour\":1} | colour",
        "bad type name | {\"type\":\"Not A Type\",\"recipientIds\":[1],\"title\":\"t\"} | type",
        "title too long | {\"type\":\"mention\",\"recipientIds\":[1],\"title\":\"%s\"} | title",
        "actor zero | {\"type\":\"mention\",\"recipientIds\":[1],\"title\":\"t\",\"actorId\":0} | actorId",
        "unknown type | {\"type\":\"no.such.type\",\"recipientIds\":[1],\"title\":\"t\"} | type",
        "title an object | {\"type\":\"mention\",\"recipientIds\":[1],\"title\":{}} | title",
        "group key too long | {\"type\":\"mention\",\"recipientIds\":[1],\"title\":\"t\",\"groupKey\":\"%s\"} | groupKey",
        "group key empty | {\"type\":\"mention\",\"recipientIds\":[1],\"title\":\"t\",\"groupKey\":\"\"} | groupKey",
        "group key with a space | {\"type\":\"mention\",\"recipientIds\":[1],\"title\":\"t\",\"groupKey\":\"post 9\"} | groupKey",
        "group key a number | {\"type\":\"mention\",\"recipientIds\":[1],\"title\":\"t\",\"groupKey\":9} | groupKey",
      })
  void badInputIs400NamingTheFieldAndEnqueuesNothing(String name, String body, String field) {
    long jobsBefore = count(em, "select count(*) from jobs");
    admin()
        .body(body.replace("%s", "x".repeat(201)))
        .post("/api/v1/notifications")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("status", equalTo(400))
        .body("errors.field", hasItem(field));
    assertEquals(jobsBefore, count(em, "select count(*) from jobs"), "no ledger row for " + name);
    assertEquals(0, broker().depth(QUEUE), "no message for " + name);
  }

  @Test
  void tooManyRecipientsIs400() {
    String ids =
        String.join(",", LongStream.rangeClosed(1, 10_001).mapToObj(Long::toString).toList());
    admin()
        .body("{\"type\":\"mention\",\"title\":\"t\",\"recipientIds\":[" + ids + "]}")
        .post("/api/v1/notifications")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("recipientIds"));
    assertEquals(0, broker().depth(QUEUE));
  }

  @Test
  void tenThousandRecipientsAreOneJob() {
    String ids =
        String.join(",", LongStream.rangeClosed(1, 10_000).mapToObj(Long::toString).toList());
    admin()
        .body("{\"type\":\"mention\",\"title\":\"t\",\"recipientIds\":[" + ids + "]}")
        .post("/api/v1/notifications")
        .then()
        .statusCode(202);
    assertEquals(1, broker().depth(QUEUE));
  }

  @Test
  void malformedJsonWrongContentTypeAndHugeBodiesAreRefusedWithAProblem() {
    admin()
        .body("{\"type\":")
        .post("/api/v1/notifications")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("detail", containsString("not valid JSON"));
    admin()
        .body("")
        .post("/api/v1/notifications")
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
    admin()
        .contentType("text/plain")
        .body("hello")
        .post("/api/v1/notifications")
        .then()
        .statusCode(415)
        .contentType("application/problem+json")
        .body("detail", containsString("application/json"));
    admin()
        .body("{\"title\":\"" + "x".repeat(1_100_000) + "\"}")
        .post("/api/v1/notifications")
        .then()
        .statusCode(413)
        .contentType("application/problem+json");
    admin()
        .header("Idempotency-Key", "has spaces in it")
        .body(valid())
        .post("/api/v1/notifications")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("Idempotency-Key"));
    assertEquals(0, broker().depth(QUEUE));
  }

  @Test
  void inboxPagesWithAKeysetCursorAndMarksReadIdempotently() {
    long user = 900_000 + System.nanoTime() % 100_000;
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                em.createNativeQuery(
                        "insert into notifications (user_id, job_id, type, title) "
                            + "select ?1, gen_random_uuid(), 'comment.reply', 'n' || g from generate_series(1, 5) g")
                    .setParameter(1, user)
                    .executeUpdate());
    List<String> seen = new ArrayList<>();
    String cursor = null;
    do {
      var page =
          admin()
              .queryParam("limit", 2)
              .queryParam("cursor", cursor == null ? "" : cursor)
              .get("/api/v1/users/" + user + "/notifications")
              .then()
              .statusCode(200)
              .extract()
              .jsonPath();
      seen.addAll(page.getList("items.title"));
      cursor = page.getString("nextCursor");
    } while (cursor != null);
    assertEquals(List.of("n5", "n4", "n3", "n2", "n1"), seen, "newest first, no skip, no repeat");

    String firstId =
        admin()
            .get("/api/v1/users/" + user + "/notifications?limit=1")
            .then()
            .extract()
            .path("items[0].id");
    admin()
        .body("{\"ids\":[" + firstId + "]}")
        .post("/api/v1/users/" + user + "/notifications/read")
        .then()
        .statusCode(200)
        .body("marked", equalTo(1));
    admin()
        .body("{\"ids\":[" + firstId + "]}")
        .post("/api/v1/users/" + user + "/notifications/read")
        .then()
        .statusCode(200)
        .body("marked", equalTo(0));
    admin()
        .get("/api/v1/users/" + user + "/notifications?unreadOnly=true")
        .then()
        .statusCode(200)
        .body("items", hasSize(4))
        .body("nextCursor", nullValue());
    admin()
        .body("{\"all\":true}")
        .post("/api/v1/users/" + user + "/notifications/read")
        .then()
        .statusCode(200)
        .body("marked", equalTo(4));
    admin()
        .get("/api/v1/users/" + user + "/notifications")
        .then()
        .body("items.read", everyItemTrue());
  }

  private static org.hamcrest.Matcher<Iterable<? super Boolean>> everyItemTrue() {
    return org.hamcrest.Matchers.not(hasItem(false));
  }

  @Test
  void inboxRefusesBadCursorsLimitsAndIds() {
    admin()
        .get("/api/v1/users/42/notifications?cursor=nonsense")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("cursor"));
    admin()
        .get("/api/v1/users/42/notifications?limit=0")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("limit"));
    admin().get("/api/v1/users/42/notifications?limit=abc").then().statusCode(400);
    admin()
        .get("/api/v1/users/abc/notifications")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("id"));
    admin().get("/api/v1/users/42/notifications?unreadOnly=yes").then().statusCode(400);
    admin().body("{}").post("/api/v1/users/42/notifications/read").then().statusCode(400);
  }

  @Test
  void anUnroutableJobIs500AndTheSweeperPublishesItOnceTheQueueIsBack() {
    broker().deleteQueue(QUEUE); // the broker now returns every message for this type: unroutable
    String key = "outage-" + UUID.randomUUID();
    // A missing queue is a topology fault, not an outage to wait out: 500, not 503.
    admin()
        .header("Idempotency-Key", key)
        .body(valid())
        .post("/api/v1/notifications")
        .then()
        .statusCode(500)
        .header("Retry-After", nullValue())
        .contentType("application/problem+json")
        .body("type", endsWith("/job-unroutable"));
    assertEquals(
        1,
        count(
            em,
            "select count(*) from jobs where idempotency_key = 'notifications "
                + key
                + "' and status = 'queued' and published_at is null"),
        "the accepted row stays for the sweeper");

    // Nobody declares the queue by hand: the publisher does so itself after the return, and the
    // sweeper's next publish lands.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                count(
                        em,
                        "select count(*) from jobs where idempotency_key = 'notifications "
                            + key
                            + "' and published_at is not null")
                    == 1);
    // Other tests' jobs may be swept into the new queue too: count this job's copies only.
    String job = one(em, "select id from jobs where idempotency_key = 'notifications " + key + "'");
    int copies = 0;
    for (var message = broker().take(QUEUE); message != null; message = broker().take(QUEUE)) {
      copies += job.equals(message.getProps().getMessageId()) ? 1 : 0;
    }
    assertEquals(1, copies, "copies of job " + job + " in " + QUEUE);
  }
}
