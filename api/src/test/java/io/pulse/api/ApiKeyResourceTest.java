package io.pulse.api;

import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.as;
import static io.pulse.api.ApiTestSupport.count;
import static io.pulse.api.ApiTestSupport.keyWithScopes;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pulse.api.auth.Scope;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ApiKeyResourceTest {
  @Inject EntityManager em;

  @Test
  void aCreatedKeyWorksWithItsScopesOnlyAndIsRefusedRightAfterItsRevocation() {
    JsonPath created =
        admin()
            .body("{\"name\":\"campus backend\",\"scopes\":[\"read\"]}")
            .post("/api/v1/admin/api-keys")
            .then()
            .statusCode(201)
            // A shared cache or the browser's disk must not keep the secret.
            .header("Cache-Control", "no-store")
            .body("key", startsWith("pk_"))
            .body("id", notNullValue())
            .extract()
            .jsonPath();
    String key = created.getString("key");
    assertEquals(
        0,
        count(em, "select count(*) from api_keys where key_hash = '" + key + "'"),
        "only the hash is kept");

    as(key).get("/api/v1/users/1/notifications").then().statusCode(200);
    as(key)
        .body("{\"type\":\"mention\",\"recipientIds\":[1],\"title\":\"t\"}")
        .post("/api/v1/notifications")
        .then()
        .statusCode(403);

    admin()
        .delete("/api/v1/admin/api-keys/" + created.getString("id"))
        .then()
        .statusCode(200)
        .body("revokedAt", notNullValue());
    // The key's lookup was cached by the calls above; the revocation drops it on commit.
    as(key).get("/api/v1/users/1/notifications").then().statusCode(401);
    admin().delete("/api/v1/admin/api-keys/" + created.getString("id")).then().statusCode(200);
  }

  @Test
  void onlyAdminsManageKeysAndBadRequestsAre400() {
    String writer = keyWithScopes(Scope.JOBS_WRITE, Scope.READ);
    as(writer)
        .body("{\"name\":\"x\",\"scopes\":[\"admin\"]}")
        .post("/api/v1/admin/api-keys")
        .then()
        .statusCode(403);
    as(writer).delete("/api/v1/admin/api-keys/" + UUID.randomUUID()).then().statusCode(403);
    admin()
        .body("{\"name\":\"x\",\"scopes\":[\"root\"]}")
        .post("/api/v1/admin/api-keys")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("scopes"));
    admin()
        .body("{\"name\":\"\",\"scopes\":[\"read\"]}")
        .post("/api/v1/admin/api-keys")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("name"));
    admin()
        .body("{\"name\":\"x\",\"scopes\":[]}")
        .post("/api/v1/admin/api-keys")
        .then()
        .statusCode(400);
    admin().delete("/api/v1/admin/api-keys/" + UUID.randomUUID()).then().statusCode(404);
    admin().delete("/api/v1/admin/api-keys/nope").then().statusCode(400);
  }
}
