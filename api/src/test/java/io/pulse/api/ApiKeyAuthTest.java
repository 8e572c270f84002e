package io.pulse.api;

import static io.pulse.api.ApiTestSupport.as;
import static io.pulse.api.ApiTestSupport.keyWithScopes;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.pulse.api.auth.ApiKey;
import io.pulse.api.auth.Scope;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ApiKeyAuthTest {
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

  @Test
  void aRevokedKeyIsRefusedOnTheNextCall() {
    String key = keyWithScopes(Scope.READ);
    as(key).get("/api/v1/users/1/notifications").then().statusCode(200);
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                ApiKey.update(
                    "revokedAt = ?1 where keyHash = ?2", OffsetDateTime.now(), ApiKey.hash(key)));
    as(key).get("/api/v1/users/1/notifications").then().statusCode(401);
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
