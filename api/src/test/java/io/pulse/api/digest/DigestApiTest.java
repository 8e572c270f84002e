package io.pulse.api.digest;

import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.as;
import static io.pulse.api.ApiTestSupport.count;
import static io.pulse.api.ApiTestSupport.keyWithScopes;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pulse.api.auth.Scope;
import io.pulse.common.digest.UnsubscribeTokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
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

  /**
   * Base64url has more than one spelling of the same bytes: the unused low bits of the last
   * character, and padding. Each spelling must not count as another link.
   */
  @Test
  void anotherSpellingOfAUsedLinkIsNotAnotherLink() {
    long user = user("daily");
    String token = tokens.issue(user, Instant.now());
    List<String> spellings = otherSpellings(token);
    assertTrue(spellings.size() >= 4, "other spellings of " + token + ": " + spellings);
    for (String spelling : spellings) {
      assertArrayEquals(decoded(token), decoded(spelling), "the same bytes: " + spelling);
    }
    given().formParam("token", token).post("/digests/unsubscribe").then().statusCode(200);
    for (String spelling : spellings) {
      setDigest(user, "daily");
      given()
          .formParam("token", spelling)
          .post("/digests/unsubscribe")
          .then()
          .statusCode(400)
          .body(containsString("not well formed"));
      given().queryParam("token", spelling).get("/digests/unsubscribe").then().statusCode(400);
      assertEquals("daily", digestOf(user), spelling);
    }
  }

  /** The same bytes, spelled otherwise: other unused bits, and padding, in either part. */
  static List<String> otherSpellings(String token) {
    String[] parts = token.split("\\.");
    String body = parts[0];
    String signature = parts[1];
    List<String> spellings = new ArrayList<>();
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    // 32 bytes of HMAC are 43 characters: the last one carries 4 bits, and 2 that are ignored.
    int last = alphabet.indexOf(signature.charAt(signature.length() - 1));
    for (int low = 0; low < 4; low++) {
      char other = alphabet.charAt((last & ~3) | low);
      if (other != signature.charAt(signature.length() - 1)) {
        spellings.add(body + "." + signature.substring(0, signature.length() - 1) + other);
      }
    }
    spellings.add(body + "." + signature + "=");
    if (body.length() % 4 != 0) {
      spellings.add(body + "=".repeat(4 - body.length() % 4) + "." + signature);
    }
    return spellings;
  }

  static byte[] decoded(String token) {
    String[] parts = token.split("\\.");
    return (Arrays.toString(Base64.getUrlDecoder().decode(parts[0]))
            + Arrays.toString(Base64.getUrlDecoder().decode(parts[1])))
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Every state of the page: it may not be framed, run scripts, load anything or be sniffed. */
  @Test
  void thePageCarriesAContentSecurityPolicyAndNoSniff() {
    long user = user("daily");
    String token = tokens.issue(user, Instant.now());
    List<ValidatableResponse> answers =
        List.of(
            given().queryParam("token", token).get("/digests/unsubscribe").then().statusCode(200),
            given().formParam("token", token).post("/digests/unsubscribe").then().statusCode(200),
            given().formParam("token", token).post("/digests/unsubscribe").then().statusCode(410),
            given().queryParam("token", "x.y").get("/digests/unsubscribe").then().statusCode(400));
    for (ValidatableResponse answer : answers) {
      answer
          .header("X-Content-Type-Options", "nosniff")
          .header("Content-Security-Policy", containsString("default-src 'none'"))
          .header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
          .header("Content-Security-Policy", containsString("form-action 'self'"))
          .header("Content-Security-Policy", not(containsString("script-src")));
    }
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
