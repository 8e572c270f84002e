package io.pulse.api.digest;

import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.as;
import static io.pulse.api.ApiTestSupport.count;
import static io.pulse.api.ApiTestSupport.keyWithScopes;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pulse.api.auth.Scope;
import io.pulse.common.digest.UnsubscribeTokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The unsubscribe page a digest links to, and the operators' "run a digest period now". */
@QuarkusTest
class DigestApiTest {
  static long nextId = 700_000_000L + (System.currentTimeMillis() % 100_000) * 100;

  @Inject UnsubscribeTokens tokens;
  @Inject EntityManager em;

  @Test
  void theLinkShowsAButtonThenUnsubscribesOnceAndOnlyOnce() {
    long user = user("daily");
    String token = tokens.issue(user, Instant.now());

    // Mail scanners follow links: a GET changes nothing.
    given()
        .queryParam("token", token)
        .get("/digests/unsubscribe")
        .then()
        .statusCode(200)
        .contentType(containsString("text/html"))
        .body(containsString("Unsubscribe from digests?"))
        .body(containsString("name=\"token\" value=\"" + token + "\""));
    assertEquals("daily", digestOf(user));

    given()
        .formParam("token", token)
        .post("/digests/unsubscribe")
        .then()
        .statusCode(200)
        .body(containsString("You are unsubscribed"));
    assertEquals("off", digestOf(user));

    // The user turns digests back on; the old link must not turn them off again.
    setDigest(user, "weekly");
    given()
        .formParam("token", token)
        .post("/digests/unsubscribe")
        .then()
        .statusCode(410)
        .body(containsString("already used"));
    given().queryParam("token", token).get("/digests/unsubscribe").then().statusCode(410);
    assertEquals("weekly", digestOf(user));
  }

  @Test
  void theMailClientsOneClickPostWorks() {
    long user = user("weekly");
    given()
        .queryParam("token", tokens.issue(user, Instant.now()))
        .contentType("application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .post("/digests/unsubscribe")
        .then()
        .statusCode(200);
    assertEquals("off", digestOf(user));
  }

  @Test
  void aForgedTamperedExpiredOrMissingTokenIsRefusedWithAClearPage() {
    long user = user("daily");
    long victim = user("daily");
    String token = tokens.issue(user, Instant.now());
    String[] parts = token.split("\\.");
    String claims = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
    String otherUser =
        Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(
                    claims.replaceFirst("^\\d+", "" + victim).getBytes(StandardCharsets.UTF_8))
            + "."
            + parts[1];
    String badSignature = parts[0] + "." + parts[1].substring(1) + "A";
    String expired = tokens.issue(user, Instant.now().minus(Duration.ofDays(31)));

    for (String forged : new String[] {otherUser, badSignature}) {
      given()
          .formParam("token", forged)
          .post("/digests/unsubscribe")
          .then()
          .statusCode(400)
          .body(containsString("This link is not valid"))
          .body(containsString("signature does not match"));
    }
    given()
        .formParam("token", expired)
        .post("/digests/unsubscribe")
        .then()
        .statusCode(410)
        .body(containsString("This link has expired"));
    given().post("/digests/unsubscribe").then().statusCode(400);
    given()
        .queryParam("token", "not-a-token")
        .get("/digests/unsubscribe")
        .then()
        .statusCode(400)
        .body(containsString("not well formed"));
    assertEquals("daily", digestOf(user));
    assertEquals("daily", digestOf(victim));
  }

  @Test
  void anOperatorRunsAPeriodNowAndASecondRunEnqueuesNothing() {
    long user = user("daily");
    admin()
        .body("{\"period\":\"daily\"}")
        .post("/api/v1/admin/digests/runs")
        .then()
        .statusCode(202)
        .body("period", equalTo("daily"))
        .body("jobsEnqueued", greaterThanOrEqualTo(1));
    admin()
        .body("{\"period\":\"daily\"}")
        .post("/api/v1/admin/digests/runs")
        .then()
        .statusCode(202)
        .body("jobsEnqueued", equalTo(0));
    assertEquals(
        1L,
        count(
            em,
            "select count(*) from jobs where type = 'digest.build' and idempotency_key like 'digest:"
                + user
                + ":daily:%'"));
  }

  @Test
  void runsAreForAdminsAndNamedPeriodsOnly() {
    long before = count(em, "select count(*) from jobs where type = 'digest.build'");
    as(keyWithScopes(Scope.JOBS_WRITE))
        .body("{\"period\":\"daily\"}")
        .post("/api/v1/admin/digests/runs")
        .then()
        .statusCode(403);
    admin()
        .body("{\"period\":\"hourly\"}")
        .post("/api/v1/admin/digests/runs")
        .then()
        .statusCode(400)
        .contentType(containsString("application/problem+json"))
        .body("detail", containsString("period"));
    admin().body("{}").post("/api/v1/admin/digests/runs").then().statusCode(400);
    assertEquals(before, count(em, "select count(*) from jobs where type = 'digest.build'"));
  }

  private long user(String digest) {
    long id = nextId++;
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                em.createNativeQuery(
                        "insert into users (id, handle, email, digest) values (?1, ?2, ?3, ?4)")
                    .setParameter(1, id)
                    .setParameter(2, "u" + id)
                    .setParameter(3, "u" + id + "@uni.example")
                    .setParameter(4, digest)
                    .executeUpdate());
    return id;
  }

  private void setDigest(long user, String digest) {
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                em.createNativeQuery("update users set digest = ?2 where id = ?1")
                    .setParameter(1, user)
                    .setParameter(2, digest)
                    .executeUpdate());
  }

  private String digestOf(long user) {
    return QuarkusTransaction.requiringNew()
        .call(
            () ->
                (String)
                    em.createNativeQuery("select digest from users where id = ?1")
                        .setParameter(1, user)
                        .getSingleResult());
  }
}
