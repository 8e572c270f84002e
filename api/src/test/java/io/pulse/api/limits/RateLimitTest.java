package io.pulse.api.limits;

import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.as;
import static io.pulse.api.ApiTestSupport.count;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Per-key rates and daily job quotas: 429 past them with nothing written, headers on each answer.
 */
@QuarkusTest
class RateLimitTest {
  @Inject EntityManager em;

  /** Creates a key through the admin API with these limits (a JSON fragment) and returns it. */
  static Response createKey(String limits) {
    return admin()
        .body(
            "{\"name\":\"limited\",\"scopes\":[\"jobs:write\",\"read\"]"
                + (limits.isEmpty() ? "" : "," + limits)
                + "}")
        .post("/api/v1/admin/api-keys");
  }

  static String notification(String title) {
    return "{\"type\":\"mention\",\"recipientIds\":[1],\"title\":\"" + title + "\"}";
  }

  static String batch(String title, int items) {
    return IntStream.range(0, items)
        .mapToObj(i -> notification(title))
        .collect(Collectors.joining(",", "[", "]"));
  }

  long jobsTitled(String title) {
    return count(em, "select count(*) from jobs where payload->>'title' = '" + title + "'");
  }

  @Test
  void everyKeyedAnswerCarriesTheRateLimitHeaders() {
    String key = createKey("\"requestsPerSecond\":1,\"burst\":5").then().extract().path("key");
    as(key)
        .get("/api/v1/users/1/notifications")
        .then()
        .statusCode(200)
        .header("RateLimit-Limit", "5")
        .header("RateLimit-Remaining", "4")
        .header("RateLimit-Reset", "1");
    // An answer that is an error carries them too.
    String remaining =
        as(key)
            .get("/api/v1/users/x/notifications")
            .then()
            .statusCode(400)
            .header("RateLimit-Limit", "5")
            .extract()
            .header("RateLimit-Remaining");
    // 3, or 4 if a slow machine took over a second between the two (the rate is 1/s).
    assertTrue(Integer.parseInt(remaining) <= 4, remaining);
  }

  @Test
  void pastItsBurstAKeyGets429WithRetryAfterAndNothingIsWritten() {
    String key =
        createKey("\"requestsPerSecond\":1,\"burst\":2")
            .then()
            .statusCode(201)
            .body("limits.requestsPerSecond", equalTo(1))
            .body("limits.burst", equalTo(2))
            .body("limits.dailyJobQuota", nullValue())
            .extract()
            .path("key");
    String title = "rate-" + System.nanoTime();
    long start = System.nanoTime();
    int accepted = 0;
    Response answer;
    while ((answer = as(key).body(notification(title)).post("/api/v1/notifications")).statusCode()
        == 202) {
      accepted++;
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    // The burst, plus what the rate (1/s) refilled meanwhile.
    assertTrue(accepted >= 2 && accepted <= 2 + elapsed, accepted + " in " + elapsed + " s");
    answer
        .then()
        .statusCode(429)
        .contentType("application/problem+json")
        .header("Retry-After", "1")
        .header("RateLimit-Limit", "2")
        .header("RateLimit-Remaining", "0")
        .body("detail", containsString("1 requests per second"));
    assertEquals(accepted, jobsTitled(title));
  }

  @Test
  void anAdminChangesAKeysLimitsAndTheyApplyAtOnce() {
    Response created = createKey("\"requestsPerSecond\":1,\"burst\":1");
    String key = created.path("key");
    String id = created.path("id");
    as(key).get("/api/v1/users/1/notifications").then().statusCode(200);
    int status;
    int tries = 0;
    do {
      status = as(key).get("/api/v1/users/1/notifications").statusCode();
    } while (status == 200 && ++tries < 20);
    assertEquals(429, status);

    admin()
        .body("{\"requestsPerSecond\":100,\"burst\":50,\"dailyJobQuota\":7}")
        .put("/api/v1/admin/api-keys/" + id + "/limits")
        .then()
        .statusCode(200)
        .body("limits.burst", equalTo(50))
        .body("limits.dailyJobQuota", equalTo(7));
    as(key)
        .get("/api/v1/users/1/notifications")
        .then()
        .statusCode(200)
        .header("RateLimit-Limit", "50");

    as(key)
        .body("{\"burst\":0}")
        .put("/api/v1/admin/api-keys/" + id + "/limits")
        .then()
        .statusCode(403);
    admin()
        .body("{\"burst\":0}")
        .put("/api/v1/admin/api-keys/" + id + "/limits")
        .then()
        .statusCode(400)
        .body("detail", containsString("burst"));
    admin()
        .body("{}")
        .put("/api/v1/admin/api-keys/" + java.util.UUID.randomUUID() + "/limits")
        .then()
        .statusCode(404);
  }

  @Test
  void aBatchCountsItsItemsAgainstTheDailyQuota() {
    String key =
        createKey("\"dailyJobQuota\":3")
            .then()
            .statusCode(201)
            .body("limits.dailyJobQuota", equalTo(3))
            .extract()
            .path("key");
    String title = "quota-" + System.nanoTime();
    as(key).body(batch(title, 2)).post("/api/v1/notifications/batch").then().statusCode(202);
    as(key)
        .body(batch(title, 2))
        .post("/api/v1/notifications/batch")
        .then()
        .statusCode(429)
        .contentType("application/problem+json")
        .header("Retry-After", notNullValue())
        .body("detail", containsString("quota of 3 jobs has 1 left, this request asks for 2"));
    assertEquals(2, jobsTitled(title));
    as(key).body(notification(title)).post("/api/v1/notifications").then().statusCode(202);
    String retryAfter =
        as(key)
            .body(notification(title))
            .post("/api/v1/notifications")
            .then()
            .statusCode(429)
            .extract()
            .header("Retry-After");
    assertTrue(Long.parseLong(retryAfter) <= 86_400, retryAfter);
    assertEquals(3, jobsTitled(title));
    // Reads do not use the quota.
    as(key).get("/api/v1/users/1/notifications").then().statusCode(200);
  }
}
