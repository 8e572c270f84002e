package io.pulse.api;

import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.count;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@QuarkusTest
class UserResourceTest {
  static final AtomicLong IDS =
      new AtomicLong(80_000_000 + (System.currentTimeMillis() % 1_000) * 10_000);
  @Inject EntityManager em;

  @Test
  void putCreatesThenReplacesAndLastActiveNeverMovesBack() {
    String body =
        """
        {"handle":"mina","email":"mina@uni.example","displayName":"Mina","timeZone":"Asia/Seoul",
         "digest":"daily","lastActiveAt":"2026-11-24T08:00:00Z"}
        """;
    admin()
        .body(body)
        .put("/api/v1/users/42")
        .then()
        .statusCode(200)
        .body("id", equalTo(42))
        .body("timeZone", equalTo("Asia/Seoul"))
        .body("digest", equalTo("daily"));
    admin()
        .body(body.replace("2026-11-24T08", "2026-11-20T08").replace("Mina\"", "Mina K\""))
        .put("/api/v1/users/42")
        .then()
        .statusCode(200)
        .body("displayName", equalTo("Mina K"))
        .body("lastActiveAt", equalTo("2026-11-24T08:00:00Z"));
  }

  @Test
  void defaultsAreUtcAndNoDigest() {
    admin()
        .body("{\"handle\":\"noor\"}")
        .put("/api/v1/users/43")
        .then()
        .statusCode(200)
        .body("timeZone", equalTo("UTC"))
        .body("digest", equalTo("off"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "bad email | {\"handle\":\"a\",\"email\":\"not-an-email\"} | email",
        "bad zone | {\"handle\":\"a\",\"timeZone\":\"Mars/Olympus\"} | timeZone",
        "bad digest | {\"handle\":\"a\",\"digest\":\"hourly\"} | digest",
        "no handle | {\"email\":\"a@b.example\"} | handle",
        "handle with space | {\"handle\":\"a b\"} | handle",
        "date not a date | {\"handle\":\"a\",\"lastActiveAt\":\"yesterday\"} | lastActiveAt",
        "unknown field | {\"handle\":\"a\",\"role\":\"admin\"} | role",
      })
  void badInputIs400NamingTheField(String name, String body, String field) {
    admin()
        .body(body)
        .put("/api/v1/users/44")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", hasItem(field));
    admin().get("/api/v1/users/44/notifications").then().statusCode(200);
  }

  @Test
  void badIdsAre400() {
    admin()
        .body("{\"handle\":\"a\"}")
        .put("/api/v1/users/-1")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("id"));
    admin()
        .body("{\"handle\":\"a\"}")
        .put("/api/v1/users/99999999999999999999")
        .then()
        .statusCode(400);
  }

  @Test
  void concurrentPutsOfANewUserAllSucceedAndWriteOneRow() throws Exception {
    long user = IDS.incrementAndGet();
    String body = "{\"handle\":\"race\",\"lastActiveAt\":\"2026-11-24T08:00:00Z\"}";
    var answers = Concurrently.send(20, i -> admin().body(body).put("/api/v1/users/" + user));
    assertEquals(Map.of(200, 20), Concurrently.statuses(answers), answers.get(0).asString());
    assertEquals(1, count(em, "select count(*) from users where id = " + user));
  }
}
