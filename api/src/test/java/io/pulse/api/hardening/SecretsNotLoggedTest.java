package io.pulse.api.hardening;

import static io.pulse.api.ApiTestSupport.ADMIN_KEY;
import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.as;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pulse.common.digest.DigestConfig;
import io.pulse.common.digest.UnsubscribeTokens;
import io.pulse.common.testing.CapturedLog;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Keys and secrets are never logged: a run that uses the bootstrap key, creates, uses, rotates and
 * revokes a key, presents unknown and doubled keys, and uses unsubscribe links (signed with the
 * unsubscribe secret), with the application's own categories and the security and REST layers at
 * DEBUG; then every secret the run used is looked for in all it logged. (The workers' secrets: the
 * webhook secrets in {@code WebhookSecretRotationTest}.)
 */
@QuarkusTest
class SecretsNotLoggedTest {
  static final String NOTIFICATION = "{\"type\":\"mention\",\"recipientIds\":[1],\"title\":\"t\"}";

  @Inject UnsubscribeTokens tokens;
  @Inject DigestConfig digests;

  @Test
  void noKeyOrSecretThisRunUsedIsInItsLog() {
    List<String> secrets = new ArrayList<>(List.of(ADMIN_KEY, digests.unsubscribeSecret()));
    String log;
    try (CapturedLog captured =
        new CapturedLog(
            "io.pulse",
            "io.quarkus.security",
            "io.quarkus.vertx.http.runtime.security",
            "org.jboss.resteasy.reactive.server",
            "io.quarkus.resteasy.reactive")) {
      Response created =
          admin()
              .body("{\"name\":\"logged?\",\"scopes\":[\"jobs:write\",\"read\"]}")
              .post("/api/v1/admin/api-keys");
      String key = created.then().statusCode(201).extract().path("key");
      String id = created.path("id");
      secrets.add(key);
      as(key).get("/api/v1/users/1/notifications").then().statusCode(200);
      as(key).body(NOTIFICATION).post("/api/v1/notifications").then().statusCode(202);
      as(key).body("{\"type\":").post("/api/v1/notifications").then().statusCode(400);

      String rotated =
          admin()
              .body("{\"graceSeconds\":60}")
              .post("/api/v1/admin/api-keys/" + id + "/rotate")
              .then()
              .statusCode(200)
              .extract()
              .path("key");
      secrets.add(rotated);
      as(rotated).get("/api/v1/users/1/notifications").then().statusCode(200);
      as(key).get("/api/v1/users/1/notifications").then().statusCode(200);
      given()
          .header("Authorization", "Bearer " + rotated)
          .header("Authorization", "Bearer " + key)
          .get("/api/v1/users/1/notifications")
          .then()
          .statusCode(401);

      String unknown = "pk_" + UUID.randomUUID();
      secrets.add(unknown);
      as(unknown).get("/api/v1/users/1/notifications").then().statusCode(401);
      admin().delete("/api/v1/admin/api-keys/" + id).then().statusCode(200);
      as(rotated).get("/api/v1/users/1/notifications").then().statusCode(401);

      long user = 720_000_000L + System.nanoTime() % 10_000_000L;
      admin()
          .body("{\"handle\":\"u" + user + "\",\"timeZone\":\"UTC\",\"digest\":\"daily\"}")
          .put("/api/v1/users/" + user)
          .then()
          .statusCode(200);
      String link = tokens.issue(user, Instant.now());
      secrets.add(link);
      given().queryParam("token", link).get("/digests/unsubscribe").then().statusCode(200);
      given().formParam("token", link).post("/digests/unsubscribe").then().statusCode(200);
      given().formParam("token", link).post("/digests/unsubscribe").then().statusCode(410);
      given().formParam("token", link + "A").post("/digests/unsubscribe").then().statusCode(400);
      log = captured.text();
      assertEquals(List.of(), captured.leaked(secrets), "secrets in the log");
    }
    // The capture saw the run: the enqueue's DEBUG line, and the REST layer's on the bad body.
    assertTrue(log.contains("published job"), "captured:\n" + log);
    assertTrue(log.contains("Error occurred during deserialization"), "captured:\n" + log);
  }
}
