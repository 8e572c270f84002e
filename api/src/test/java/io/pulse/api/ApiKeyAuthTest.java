package io.pulse.api;

import static io.pulse.api.ApiTestSupport.ADMIN_KEY;
import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.as;
import static io.pulse.api.ApiTestSupport.count;
import static io.pulse.api.ApiTestSupport.keyWithScopes;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.MeterRegistry;
import io.pulse.api.auth.ApiConfig;
import io.pulse.api.auth.Scope;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ApiKeyAuthTest {
  @Inject ApiConfig config;
  @Inject MeterRegistry registry;
  @Inject EntityManager em;

  static final String NOTIFICATION = "{\"type\":\"mention\",\"recipientIds\":[1],\"title\":\"t\"}";

  @Test
  void noKeyIs401WithAChallenge() {
    given()
        .contentType(ContentType.JSON)
        .body(NOTIFICATION)
        .post("/api/v1/notifications")
        .then()
        .statusCode(401)
        .header("WWW-Authenticate", "Bearer")
        .contentType("application/problem+json")
        .body("detail", containsString("Authorization"));
    given()
        .header("Authorization", "Basic abc")
        .get("/api/v1/users/1/notifications")
        .then()
        .statusCode(401);
  }

  /**
   * Two Authorization headers are refused whatever they hold, even twice the same valid key: which
   * one counts would be up to each hop on the way, which is how a key is smuggled past a proxy.
   */
  @Test
  void twoAuthorizationHeadersAre401AndWriteNothing() {
    String title = "two-auth-" + UUID.randomUUID();
    String notification = "{\"type\":\"mention\",\"recipientIds\":[1],\"title\":\"" + title + "\"}";
    String[][] pairs = {
      {ADMIN_KEY, ADMIN_KEY},
      {ADMIN_KEY, "pk_not-a-key"},
      {"pk_not-a-key", ADMIN_KEY},
      {ADMIN_KEY, ""}
    };
    for (String[] pair : pairs) {
      given()
          .header("Authorization", "Bearer " + pair[0])
          .header("Authorization", "Bearer " + pair[1])
          .contentType(ContentType.JSON)
          .body(notification)
          .post("/api/v1/notifications")
          .then()
          .statusCode(401)
          .header("WWW-Authenticate", "Bearer")
          .contentType("application/problem+json")
          .body("detail", containsString("more than one Authorization header"));
      given()
          .header("Authorization", "Bearer " + pair[0])
          .header("Authorization", "Bearer " + pair[1])
          .get("/api/v1/users/1/notifications")
          .then()
          .statusCode(401);
    }
    assertEquals(
        0, count(em, "select count(*) from jobs where payload->>'title' = '" + title + "'"));
    // One of them alone is fine.
    admin().body(notification).post("/api/v1/notifications").then().statusCode(202);
  }

  @Test
  void unknownKeyIs401() {
    as("pk_not-a-key")
        .get("/api/v1/users/1/notifications")
        .then()
        .statusCode(401)
        .body("detail", containsString("unknown"));
  }

  @Test
  void aKeyWithoutTheScopeIs403() {
    String reader = keyWithScopes(Scope.READ);
    as(reader)
        .body(NOTIFICATION)
        .post("/api/v1/notifications")
        .then()
        .statusCode(403)
        .contentType("application/problem+json")
        .body("detail", containsString(Scope.JOBS_WRITE));
    as(reader).get("/api/v1/users/1/notifications").then().statusCode(200);

    String writer = keyWithScopes(Scope.JOBS_WRITE);
    as(writer).get("/api/v1/users/1/notifications").then().statusCode(403);
  }

  /**
   * Revoked in the database, as another instance (or an operator) would: this instance has the
   * key's lookup cached, and refuses it once the entry expires, within pulse.api.key-cache-ttl. (A
   * revocation through this instance's admin endpoint is refused at once: ApiKeyResourceTest.)
   */
  @Test
  void aKeyRevokedElsewhereIsRefusedWithinTheCacheBound() {
    String key = keyWithScopes(Scope.READ);
    as(key).get("/api/v1/users/1/notifications").then().statusCode(200);
    ApiTestSupport.revokeInDatabase(key);
    await()
        .atMost(config.keyCacheTtl().plusSeconds(2))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> as(key).get("/api/v1/users/1/notifications").statusCode() == 401);
  }

  /**
   * Lookups are cached: many calls with one key query api_keys once, an unknown key is looked up
   * once too, and the bootstrap key never. Counted where the query runs (pulse.api.key.lookups).
   */
  @Test
  void aKeyIsLookedUpOnceForManyCalls() {
    String reader = keyWithScopes(Scope.READ);
    String unknown = "pk_unknown-" + UUID.randomUUID();
    double before = lookups();
    for (int i = 0; i < 5; i++) {
      as(reader).get("/api/v1/users/1/notifications").then().statusCode(200);
      as(unknown).get("/api/v1/users/1/notifications").then().statusCode(401);
      admin().get("/api/v1/users/1/notifications").then().statusCode(200);
    }
    assertEquals(before + 2, lookups(), "database lookups for 15 calls with 3 keys");
  }

  private double lookups() {
    return registry.get("pulse.api.key.lookups").counter().count();
  }

  @Test
  void healthAndMetricsNeedNoKey() {
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.name", org.hamcrest.Matchers.hasItem("rabbitmq"));
    given().get("/q/metrics").then().statusCode(200);
  }
}
