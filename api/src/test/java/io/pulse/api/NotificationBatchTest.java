package io.pulse.api;

import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.broker;
import static io.pulse.api.ApiTestSupport.count;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.Topology;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@code POST /notifications/batch}: many jobs in one request, all or nothing, idempotent. */
@QuarkusTest
class NotificationBatchTest {
  static final String QUEUE = Topology.workQueue(JobType.NOTIFICATION_DISPATCH);
  @Inject EntityManager em;

  @Test
  void aBatchIsOneJobPerItemAndARetryWithItsKeyCreatesNothing() {
    String title = "batch-" + System.nanoTime();
    String body = batch(title, 3);
    long queued = broker().depth(QUEUE);
    List<String> jobs =
        admin()
            .header("Idempotency-Key", title)
            .body(body)
            .post("/api/v1/notifications/batch")
            .then()
            .statusCode(202)
            .body("jobs", hasSize(3))
            .body("jobs.created", equalTo(List.of(true, true, true)))
            .extract()
            .path("jobs.jobId");
    assertEquals(queued + 3, broker().depth(QUEUE));
    assertEquals(3, rows(title));
    assertEquals(
        1,
        count(
            em,
            "select count(*) from jobs where idempotency_key = 'notifications/batch "
                + title
                + " 2'"));

    admin()
        .header("Idempotency-Key", title)
        .body(body)
        .post("/api/v1/notifications/batch")
        .then()
        .statusCode(200)
        .body("jobs.jobId", equalTo(jobs))
        .body("jobs.created", equalTo(List.of(false, false, false)));
    admin()
        .header("Idempotency-Key", title)
        .body(batch(title, 3).replace("\"title\":\"" + title + "\"}]", "\"title\":\"changed\"}]"))
        .post("/api/v1/notifications/batch")
        .then()
        .statusCode(422);
    assertEquals(queued + 3, broker().depth(QUEUE));
    assertEquals(3, rows(title));
  }

  @Test
  void oneBadItemRefusesTheWholeBatchNamingIt() {
    String title = "badbatch-" + System.nanoTime();
    String body =
        "[{\"type\":\"community.post\",\"recipientIds\":[1],\"title\":\""
            + title
            + "\"},{\"type\":\"no.such.type\",\"recipientIds\":[1],\"title\":\""
            + title
            + "\"}]";
    long queued = broker().depth(QUEUE);
    admin()
        .body(body)
        .post("/api/v1/notifications/batch")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", hasItem("[1].type"));
    admin()
        .body("[{\"type\":\"community.post\",\"recipientIds\":[],\"title\":\"" + title + "\"}]")
        .post("/api/v1/notifications/batch")
        .then()
        .statusCode(400)
        .body("detail", containsString("recipientIds"));
    admin().body("[]").post("/api/v1/notifications/batch").then().statusCode(400);
    admin().body("{}").post("/api/v1/notifications/batch").then().statusCode(400);
    admin().body(batch(title, 1_001)).post("/api/v1/notifications/batch").then().statusCode(400);
    assertEquals(queued, broker().depth(QUEUE));
    assertEquals(0, rows(title));
  }

  /** A key covers the batch as sent: the same key with items added or removed is another body. */
  @Test
  void aKeyRepeatedWithMoreOrFewerItemsIs422AndWritesNothing() {
    String title = "grown-" + System.nanoTime();
    long queued = broker().depth(QUEUE);
    keyed(title, batch(title, 1)).then().statusCode(202);
    keyed(title, batch(title, 2))
        .then()
        .statusCode(422)
        .contentType("application/problem+json")
        .body("detail", containsString(title));
    String shrunk = "shrunk-" + System.nanoTime();
    keyed(shrunk, batch(shrunk, 2)).then().statusCode(202);
    keyed(shrunk, batch(shrunk, 1)).then().statusCode(422);
    assertEquals(queued + 3, broker().depth(QUEUE));
    assertEquals(1, rows(title));
    assertEquals(2, rows(shrunk));
  }

  /** Batch item 0 of key k and a single request keyed k:0 are different requests. */
  @Test
  void aBatchKeyNeverMeetsASingleRequestsKey() {
    String title = "spaces-" + System.nanoTime();
    String item = batch(title, 1);
    String single = item.substring(1, item.length() - 1);
    String first =
        keyed(title + ":0", single, "/api/v1/notifications")
            .then()
            .statusCode(202)
            .extract()
            .path("jobId");
    keyed(title, item)
        .then()
        .statusCode(202)
        .body("jobs.created", equalTo(List.of(true)))
        .body("jobs[0].jobId", not(equalTo(first)));
    keyed(title + ":0", single, "/api/v1/notifications")
        .then()
        .statusCode(200)
        .body("jobId", equalTo(first));
    assertEquals(2, rows(title));
  }

  /**
   * An empty Idempotency-Key is a key that breaks the 1-200 characters rule, not an absent one; two
   * keys are no key a caller can count on.
   */
  @Test
  void anEmptyOrRepeatedIdempotencyKeyIs400NamingTheHeader() {
    String title = "emptykey-" + System.nanoTime();
    String item = batch(title, 1);
    for (String path : List.of("/api/v1/notifications/batch", "/api/v1/notifications")) {
      String body = path.endsWith("batch") ? item : item.substring(1, item.length() - 1);
      keyed("", body, path)
          .then()
          .statusCode(400)
          .contentType("application/problem+json")
          .body("errors.field", hasItem("Idempotency-Key"));
      admin()
          .header("Idempotency-Key", title + "-a")
          .header("Idempotency-Key", title + "-b")
          .body(body)
          .post(path)
          .then()
          .statusCode(400)
          .body("errors.field", hasItem("Idempotency-Key"));
    }
    assertEquals(0, rows(title));
  }

  private static io.restassured.response.Response keyed(String key, String body) {
    return keyed(key, body, "/api/v1/notifications/batch");
  }

  private static io.restassured.response.Response keyed(String key, String body, String path) {
    return admin().header("Idempotency-Key", key).body(body).post(path);
  }

  private long rows(String title) {
    return count(em, "select count(*) from jobs where payload->>'title' = '" + title + "'");
  }

  private static String batch(String title, int items) {
    return IntStream.range(0, items)
        .mapToObj(
            i ->
                "{\"type\":\"community.post\",\"recipientIds\":["
                    + (500_000 + i)
                    + "],\"title\":\""
                    + title
                    + "\"}")
        .collect(Collectors.joining(",", "[", "]"));
  }
}
