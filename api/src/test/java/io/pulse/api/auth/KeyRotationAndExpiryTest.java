package io.pulse.api.auth;

import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.as;
import static io.pulse.api.ApiTestSupport.keyWithScopes;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Both edges of an expiry and of a rotation's grace period: the secret works until the instant,
 * then gets 401 saying why. Validity is checked per request, not per cache entry, so the edge is
 * not late by pulse.api.key-cache-ttl.
 */
@QuarkusTest
class KeyRotationAndExpiryTest {
  static final String READ = "/api/v1/users/1/notifications";

  static Response create(String extra) {
    return admin()
        .body("{\"name\":\"rotating\",\"scopes\":[\"read\"]" + extra + "}")
        .post("/api/v1/admin/api-keys");
  }

  @Test
  void anExpiredKeyGets401NamingItsExpiry() {
    Instant expiry = Instant.now().plusSeconds(3);
    String key =
        create(",\"expiresAt\":\"" + expiry + "\"").then().statusCode(201).extract().path("key");
    as(key).get(READ).then().statusCode(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> as(key).get(READ).statusCode() == 401);
    // Not before its time: the refusal came once the expiry had passed.
    assertEquals(true, !Instant.now().isBefore(expiry));
    as(key).get(READ).then().statusCode(401).body("detail", containsString("expired at"));

    create(",\"expiresAt\":\"2020-01-01T00:00:00Z\"")
        .then()
        .statusCode(400)
        .body("detail", containsString("expiresAt"));
  }

  @Test
  void aRotatedSecretWorksThroughItsGraceThenStops() {
    Response created = create("");
    String old = created.path("key");
    String id = created.path("id");
    as(old).get(READ).then().statusCode(200);

    Response rotated =
        admin().body("{\"graceSeconds\":3}").post("/api/v1/admin/api-keys/" + id + "/rotate");
    rotated
        .then()
        .statusCode(200)
        .header("Cache-Control", "no-store")
        .body("previousKeyValidUntil", notNullValue());
    String fresh = rotated.path("key");
    Instant graceEnd = Instant.parse(rotated.<String>path("previousKeyValidUntil"));
    assertNotEquals(old, fresh);

    // Within the grace period both secrets work.
    as(old).get(READ).then().statusCode(200);
    as(fresh).get(READ).then().statusCode(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> as(old).get(READ).statusCode() == 401);
    assertEquals(true, !Instant.now().isBefore(graceEnd));
    as(old).get(READ).then().statusCode(401).body("detail", containsString("rotated"));
    as(fresh).get(READ).then().statusCode(200);

    // A second rotation with no grace stops the current secret at once.
    String third =
        admin()
            .body("{\"graceSeconds\":0}")
            .post("/api/v1/admin/api-keys/" + id + "/rotate")
            .then()
            .statusCode(200)
            .extract()
            .path("key");
    as(fresh).get(READ).then().statusCode(401);
    as(third).get(READ).then().statusCode(200);
  }

  @Test
  void rotationIsForAdminsAndExistingKeys() {
    admin().post("/api/v1/admin/api-keys/" + UUID.randomUUID() + "/rotate").then().statusCode(404);
    String id = create("").path("id");
    admin()
        .body("{\"graceSeconds\":-1}")
        .post("/api/v1/admin/api-keys/" + id + "/rotate")
        .then()
        .statusCode(400);
    as(keyWithScopes(Scope.READ))
        .post("/api/v1/admin/api-keys/" + id + "/rotate")
        .then()
        .statusCode(403);
    admin().delete("/api/v1/admin/api-keys/" + id).then().statusCode(200);
    admin().post("/api/v1/admin/api-keys/" + id + "/rotate").then().statusCode(404);
  }
}
