package io.pulse.api.unsubscribe;

import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.count;
import static io.pulse.api.ApiTestSupport.one;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pulse.api.Concurrently;
import io.pulse.common.digest.UnsubscribeScope;
import io.pulse.common.digest.UnsubscribeTokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A notification email's one-click link: it switches that type's email off as a preference the user
 * sees and can undo, its page also offers "all non-critical email", and a critical type is never
 * switched off this way. Each use works once; forged, tampered and expired links change nothing.
 */
@QuarkusTest
class NotificationUnsubscribeTest {
  static final UnsubscribeScope REPLIES = UnsubscribeScope.emailOf("comment.reply");
  static long nextId = 720_000_000L + (System.currentTimeMillis() % 100_000) * 100;

  @Inject UnsubscribeTokens tokens;
  @Inject EntityManager em;

  @Test
  void theMailClientsOneClickPostNeedsNoCookieNorCsrfAndSwitchesOffThatTypesEmail() {
    long user = user(null);
    String token = tokens.issue(user, Instant.now(), REPLIES);
    oneClick(token).statusCode(200).body(containsString("Emails about “comment.reply” are off"));
    Map<String, List<String>> channels = channels(user);
    assertEquals(List.of("in_app"), channels.get("comment.reply"));
    assertEquals(List.of("in_app", "email"), channels.get("message.new"), "other types untouched");

    // The user turns the emails back on in the app; the used link does not undo that.
    admin()
        .body("{\"channels\":{\"comment.reply\":[\"in_app\",\"email\"]}}")
        .put("/api/v1/users/" + user + "/preferences")
        .then()
        .statusCode(200);
    oneClick(token).statusCode(410).body(containsString("already used"));
    assertEquals(List.of("in_app", "email"), channels(user).get("comment.reply"));
  }

  /**
   * A mail client's one-click and a person's clicks at the same moment, while the app saves the
   * user's channels: one use of the link changes the preference, the others are told it was used,
   * and the app's write is not lost either way (one statement each, on the row's lock).
   */
  @Test
  void concurrentUsesOfOneLinkChangeThePreferenceOnce() throws Exception {
    long user = user(null);
    String token = tokens.issue(user, Instant.now(), REPLIES);
    List<Response> answers =
        Concurrently.send(
            9,
            i ->
                i == 8
                    ? admin()
                        .body(
                            "{\"channels\":{\"comment.reply\":[\"in_app\",\"email\",\"webhook\"]}}")
                        .put("/api/v1/users/" + user + "/preferences")
                    : given()
                        .queryParam("token", token)
                        .contentType("application/x-www-form-urlencoded")
                        .body("List-Unsubscribe=One-Click")
                        .post("/unsubscribe"));
    assertEquals(200, answers.get(8).statusCode(), "the app's save");
    assertEquals(
        Map.of(200, 1, 410, 7), Concurrently.statuses(answers.subList(0, 8)), "one use changed it");
    assertEquals(1L, count(em, "select count(*) from digest_unsubscribes where user_id = " + user));
    // Whichever came last, email is off and nothing else the app saved was lost.
    List<String> channels = channels(user).get("comment.reply");
    assertTrue(
        channels.equals(List.of("in_app", "webhook"))
            || channels.equals(List.of("in_app", "email", "webhook")),
        channels.toString());
  }

  @Test
  void aSavedChoiceLosesOnlyEmail() {
    long user = user(null);
    admin()
        .body("{\"channels\":{\"comment.reply\":[\"email\",\"webhook\",\"in_app\"]}}")
        .put("/api/v1/users/" + user + "/preferences")
        .then()
        .statusCode(200);
    given()
        .formParam("token", tokens.issue(user, Instant.now(), REPLIES))
        .post("/unsubscribe")
        .then()
        .statusCode(200);
    assertEquals(List.of("webhook", "in_app"), channels(user).get("comment.reply"));
  }

  @Test
  void getShowsThePageInTheUsersLanguageAndChangesNothing() {
    long user = user("ko-KR");
    String token = tokens.issue(user, Instant.now(), REPLIES);
    given()
        .queryParam("token", token)
        .get("/unsubscribe")
        .then()
        .statusCode(200)
        .contentType(containsString("text/html"))
        .header("Content-Language", "ko")
        .body(containsString("<html lang=\"ko\">"))
        .body(
            containsString(
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"))
        .body(containsString("‘comment.reply’ 알림 메일을 그만 받을까요?"))
        .body(containsString("name=\"token\" value=\"" + token + "\""))
        .body(containsString("name=\"what\" value=\"all-email\""));
    assertEquals(List.of("in_app", "email"), channels(user).get("comment.reply"));
    assertEquals(0L, count(em, "select count(*) from digest_unsubscribes where user_id = " + user));
  }

  @Test
  void thePageAlsoSwitchesOffEveryNonCriticalEmailButNeverACriticalOne() {
    long user = user(null);
    String token = tokens.issue(user, Instant.now(), REPLIES);
    given()
        .formParam("token", token)
        .post("/unsubscribe")
        .then()
        .statusCode(200)
        // After the type, the page still offers the rest.
        .body(containsString("name=\"what\" value=\"all-email\""));
    given()
        .formParam("token", token)
        .formParam("what", "all-email")
        .post("/unsubscribe")
        .then()
        .statusCode(200)
        .body(containsString("All non-critical emails are off"))
        .body(not(containsString("name=\"what\"")));
    Map<String, List<String>> channels = channels(user);
    channels.forEach(
        (type, chosen) -> {
          if (!type.equals("account.security")) {
            assertEquals(false, chosen.contains("email"), type + ": " + chosen);
          }
        });
    assertEquals(List.of("in_app", "email"), channels.get("account.security"));
    assertEquals(
        "email:*",
        one(
            em,
            "select scope from digest_unsubscribes where user_id = "
                + user
                + " and scope <> 'email:comment.reply'"));
  }

  @Test
  void aCriticalTypesLinkIsRefusedAndChangesNothing() {
    long user = user(null);
    String token = tokens.issue(user, Instant.now(), UnsubscribeScope.emailOf("account.security"));
    given()
        .queryParam("token", token)
        .get("/unsubscribe")
        .then()
        .statusCode(409)
        .body(containsString("These emails cannot be switched off"));
    oneClick(token).statusCode(409);
    assertEquals(List.of("in_app", "email"), channels(user).get("account.security"));
    assertEquals(0L, count(em, "select count(*) from digest_unsubscribes where user_id = " + user));
  }

  @Test
  void forgedTamperedExpiredAndMisusedLinksAreRefused() {
    long user = user(null);
    long victim = user(null);
    String token = tokens.issue(user, Instant.now(), REPLIES);
    String[] parts = token.split("\\.");
    String claims = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
    String otherType =
        encode(claims.replace("email:comment.reply", "email:message.new")) + "." + parts[1];
    String otherUser = encode(claims.replaceFirst("^\\d+", "" + victim)) + "." + parts[1];
    // Without its scope the claims are a digest link's; the signature covers the scope.
    String asDigest = encode(claims.substring(0, claims.indexOf(".email:"))) + "." + parts[1];
    for (String forged : List.of(otherType, otherUser, asDigest)) {
      oneClick(forged).statusCode(400).body(containsString("signature does not match"));
    }
    given()
        .formParam("token", tokens.issue(user, Instant.now().minus(Duration.ofDays(31)), REPLIES))
        .post("/unsubscribe")
        .then()
        .statusCode(410)
        .body(containsString("This link has expired"));
    // A digest's link cannot reach notification emails, nor a form ask what no link does.
    given()
        .formParam("token", tokens.issue(user, Instant.now()))
        .formParam("what", "all-email")
        .post("/unsubscribe")
        .then()
        .statusCode(400);
    given()
        .formParam("token", token)
        .formParam("what", "everything")
        .post("/unsubscribe")
        .then()
        .statusCode(400);
    assertEquals(List.of("in_app", "email"), channels(user).get("comment.reply"));
    assertEquals(List.of("in_app", "email"), channels(user).get("message.new"));
    assertEquals(List.of("in_app", "email"), channels(victim).get("comment.reply"));
    assertEquals("daily", one(em, "select digest from users where id = " + user));
  }

  @Test
  void aRefusalPageFollowsTheBrowsersLanguage() {
    given()
        .header("Accept-Language", "ko-KR,ko;q=0.9,en;q=0.5")
        .queryParam("token", "x.y")
        .get("/unsubscribe")
        .then()
        .statusCode(400)
        .header("Content-Language", "ko")
        .body(containsString("올바르지 않은 링크입니다"));
    given()
        .queryParam("token", "x.y")
        .get("/unsubscribe")
        .then()
        .statusCode(400)
        .header("Content-Language", "en")
        .body(containsString("This link is not valid"));
  }

  /** Every state: the headers the console sends too. */
  @Test
  void everyAnswerCarriesTheSecurityHeaders() {
    long user = user("ko");
    String token = tokens.issue(user, Instant.now(), REPLIES);
    List<ValidatableResponse> answers =
        List.of(
            given().queryParam("token", token).get("/unsubscribe").then().statusCode(200),
            given().formParam("token", token).post("/unsubscribe").then().statusCode(200),
            given().formParam("token", token).post("/unsubscribe").then().statusCode(410),
            given().queryParam("token", "x.y").get("/unsubscribe").then().statusCode(400));
    for (ValidatableResponse answer : answers) {
      answer
          .header("X-Content-Type-Options", "nosniff")
          .header("X-Frame-Options", "DENY")
          .header("Referrer-Policy", "no-referrer")
          .header("Cache-Control", "no-store")
          .header("Content-Security-Policy", containsString("default-src 'none'"))
          .header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
          .header("Content-Security-Policy", not(containsString("script-src")));
    }
  }

  /** What a mail client sends for RFC 8058: no cookie, no key, no CSRF token. */
  private static ValidatableResponse oneClick(String token) {
    return given()
        .queryParam("token", token)
        .contentType("application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .post("/unsubscribe")
        .then();
  }

  private static String encode(String claims) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(claims.getBytes(StandardCharsets.UTF_8));
  }

  /** The channels in effect per type, as the user's app reads them. */
  private static Map<String, List<String>> channels(long user) {
    return admin()
        .get("/api/v1/users/" + user + "/preferences")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getMap("channels");
  }

  private long user(String locale) {
    return user(em, locale);
  }

  /** A user with an email and a daily digest, in this locale (null: none chosen). */
  static synchronized long user(EntityManager em, String locale) {
    long id = nextId++;
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                em.createNativeQuery(
                        "insert into users (id, handle, email, digest, locale)"
                            + " values (?1, ?2, ?3, 'daily', cast(?4 as text))")
                    .setParameter(1, id)
                    .setParameter(2, "u" + id)
                    .setParameter(3, "u" + id + "@uni.example")
                    .setParameter(4, locale)
                    .executeUpdate());
    return id;
  }
}
