package io.pulse.api;

import static io.pulse.api.ApiTestSupport.admin;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class JobResourceTest {

  @Test
  void aJobReadsBackWithItsStatusAndTimestamps() {
    String id =
        admin()
            .body("{\"type\":\"mention\",\"recipientIds\":[7],\"title\":\"t\"}")
            .post("/api/v1/notifications")
            .then()
            .statusCode(202)
            .extract()
            .path("jobId");
    admin()
        .get("/api/v1/jobs/" + id)
        .then()
        .statusCode(200)
        .body("id", equalTo(id))
        .body("type", equalTo("notification.dispatch"))
        .body("status", equalTo("queued"))
        .body("attempts", equalTo(0))
        .body("createdAt", notNullValue());
  }

  @Test
  void unknownJobIs404AndABadIdIs400() {
    admin()
        .get("/api/v1/jobs/" + UUID.randomUUID())
        .then()
        .statusCode(404)
        .contentType("application/problem+json")
        .body("detail", containsString("not found"));
    admin()
        .get("/api/v1/jobs/not-a-uuid")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("id"));
  }

  @Test
  void unknownPathsAndMethodsAreProblemsToo() {
    admin()
        .get("/api/v1/nothing-here")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    admin()
        .put("/api/v1/jobs/" + UUID.randomUUID())
        .then()
        .statusCode(405)
        .contentType("application/problem+json");
  }
}
