package io.pulse.api;

import static io.pulse.api.ApiTestSupport.ADMIN_KEY;
import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.broker;
import static io.pulse.api.ApiTestSupport.count;
import static io.pulse.api.ApiTestSupport.keyWithScopes;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pulse.common.jobs.JobType;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Who gets into the operator console and what they may change there, over plain HTTP: sessions,
 * CSRF, scopes, security headers, and that the console's cookie opens nothing in the JSON API.
 */
@QuarkusTest
class ConsoleAccessTest {
  static final String TYPE = JobType.FEED_REBUILD;

  @Inject EntityManager em;
  DeadJobs dead;

  @BeforeEach
  void clear() {
    dead = DeadJobs.clearing(em, broker(), TYPE);
  }

  @Test
  void withoutASessionEveryPageGoesToSignIn() {
    for (String path : new String[] {"/console", "/console/jobs", "/console/dead-letters"}) {
      given()
          .redirects()
          .follow(false)
          .get(path)
          .then()
          .statusCode(303)
          .header("Location", containsString("/console/sign-in"));
    }
    given()
        .redirects()
        .follow(false)
        .cookie(ConsoleSession.COOKIE, "made-up")
        .get("/console")
        .then()
        .statusCode(303);
  }

  @Test
  void signInSetsAStrictHttpOnlyCookieAndPagesCarrySecurityHeaders() {
    String signIns = "select count(*) from audit_events where action = 'console.signed-in'";
    long before = count(em, signIns);
    Response signedIn = ConsoleSession.postSignIn(ADMIN_KEY);
    assertEquals(303, signedIn.statusCode());
    String setCookie =
        signedIn.headers().getValues("Set-Cookie").stream()
            .filter(c -> c.startsWith(ConsoleSession.COOKIE + "="))
            .findFirst()
            .orElseThrow();
    assertTrue(setCookie.contains("HttpOnly"), setCookie);
    assertTrue(setCookie.contains("SameSite=Strict"), setCookie);
    assertTrue(setCookie.contains("Path=/console"), setCookie);
    new ConsoleSession(signedIn.cookie(ConsoleSession.COOKIE), null)
        .request()
        .get("/console")
        .then()
        .statusCode(200)
        .header("Content-Security-Policy", containsString("script-src 'self'"))
        .header("X-Frame-Options", "DENY")
        .header("Cache-Control", "no-store");
    assertEquals(before + 1, count(em, signIns), "the sign-in is in the audit trail");
  }

  @Test
  void badKeysAndAForgedFormDoNotSignIn() {
    long sessions = count(em, "select count(*) from console_sessions");
    assertEquals(401, ConsoleSession.postSignIn("pk_not-a-key").statusCode());
    assertEquals(403, ConsoleSession.postSignIn(keyWithScopes("jobs:write")).statusCode());
    // A form posted from elsewhere has no token matching this browser's cookie.
    given()
        .redirects()
        .follow(false)
        .formParam("csrf", "guessed")
        .formParam("key", ADMIN_KEY)
        .post("/console/sign-in")
        .then()
        .statusCode(403);
    assertEquals(sessions, count(em, "select count(*) from console_sessions"));
  }

  @Test
  void aReplayNeedsTheSessionsCsrfTokenAndAnAdminKey() {
    UUID job = dead.deadWithMessage(TYPE, Instant.now());
    ConsoleSession adminSession = ConsoleSession.signIn(ADMIN_KEY);
    adminSession
        .request()
        .formParam("jobId", job.toString())
        .post("/console/dead-letters/replay")
        .then()
        .statusCode(403)
        .body(containsString("csrf"));
    adminSession
        .request()
        .formParam("csrf", "not-the-token")
        .formParam("jobId", job.toString())
        .post("/console/dead-letters/replay")
        .then()
        .statusCode(403);

    ConsoleSession reader = ConsoleSession.signIn(keyWithScopes("read"));
    reader.request().get("/console/dead-letters").then().statusCode(200);
    reader
        .request()
        .formParam("csrf", reader.csrf())
        .formParam("jobId", job.toString())
        .post("/console/dead-letters/replay")
        .then()
        .statusCode(403);
    assertEquals("dead", status(job), "nothing was replayed");

    adminSession
        .request()
        .formParam("csrf", adminSession.csrf())
        .formParam("jobId", job.toString())
        .post("/console/dead-letters/replay")
        .then()
        .statusCode(200)
        .body(containsString("1 moved, 0 skipped"));
    assertEquals("queued", status(job));
  }

  @Test
  void signingOutOrRevokingTheKeyEndsTheSession() {
    ConsoleSession session = ConsoleSession.signIn(ADMIN_KEY);
    session
        .request()
        .formParam("csrf", session.csrf())
        .post("/console/sign-out")
        .then()
        .statusCode(303);
    session.request().get("/console").then().statusCode(303);

    JsonPath created =
        admin()
            .body("{\"name\":\"console-reader\",\"scopes\":[\"read\"]}")
            .post("/api/v1/admin/api-keys")
            .then()
            .statusCode(201)
            .extract()
            .jsonPath();
    ConsoleSession reader = ConsoleSession.signIn(created.getString("key"));
    reader.request().get("/console").then().statusCode(200);
    admin().delete("/api/v1/admin/api-keys/" + created.getString("id")).then().statusCode(200);
    reader.request().get("/console").then().statusCode(303);
  }

  @Test
  void theConsoleCookieOpensNothingInTheJsonApi() {
    ConsoleSession session = ConsoleSession.signIn(ADMIN_KEY);
    session.request().get("/api/v1/admin/queues").then().statusCode(401);
  }

  @Test
  void aScriptInATitleIsShownAsText() {
    String title = "<script>alert(1)</script>";
    String jobId =
        admin()
            .header("Idempotency-Key", "console-xss-" + UUID.randomUUID())
            .body(Map.of("type", "comment.reply", "title", title, "recipientIds", List.of(1)))
            .post("/api/v1/notifications")
            .then()
            .log()
            .ifValidationFails()
            .statusCode(202)
            .extract()
            .path("jobId");
    ConsoleSession session = ConsoleSession.signIn(ADMIN_KEY);
    session
        .request()
        .get("/console/jobs/" + jobId)
        .then()
        .statusCode(200)
        .body(containsString("&lt;script&gt;alert(1)&lt;/script&gt;"))
        .body(not(containsString(title)));
  }

  private String status(UUID job) {
    return ApiTestSupport.one(em, "select status from jobs where id = '" + job + "'");
  }

  @Test
  void theJobsPageFindsAJobByItsIdempotencyKey() {
    UUID job = dead.deadWithMessage(TYPE, Instant.now());
    ConsoleSession session = ConsoleSession.signIn(ADMIN_KEY);
    session
        .request()
        .queryParam("key", "key-" + job)
        .get("/console/jobs")
        .then()
        .statusCode(200)
        .body(containsString(job.toString()))
        .body(containsString("connection reset"));
    session
        .request()
        .queryParam("status", "nonsense")
        .get("/console/jobs")
        .then()
        .statusCode(200)
        .body(containsString("status: unknown"));
  }

  @Test
  void aUsersPageShowsInboxDeliveriesAndDigestsAndTheDigestRunsPageCountsThem() {
    long user = 900_000 + (System.nanoTime() % 90_000);
    UUID job = UUID.randomUUID();
    Instant periodStart = Instant.parse("2026-12-06T00:00:00Z");
    QuarkusTransaction.requiringNew()
        .run(
            () -> {
              em.createNativeQuery(
                      "insert into notifications (user_id, job_id, type, title) values (?1, ?2,"
                          + " 'comment.reply', '<b>Console reply</b>')")
                  .setParameter(1, user)
                  .setParameter(2, job)
                  .executeUpdate();
              em.createNativeQuery(
                      "insert into deliveries (id, notification_job_id, user_id, channel, status,"
                          + " attempts, last_error) values (?1, ?2, ?3, 'email', 'failed', 3,"
                          + " 'smtp said no')")
                  .setParameter(1, UUID.randomUUID())
                  .setParameter(2, job)
                  .setParameter(3, user)
                  .executeUpdate();
              em.createNativeQuery(
                      "insert into digests (user_id, period, period_start, status, notifications,"
                          + " posts) values (?1, 'daily', ?2, 'sent', 4, 2)")
                  .setParameter(1, user)
                  .setParameter(2, periodStart.atOffset(java.time.ZoneOffset.UTC))
                  .executeUpdate();
            });
    ConsoleSession session = ConsoleSession.signIn(keyWithScopes("read"));
    session
        .request()
        .queryParam("id", Long.toString(user))
        .get("/console/users")
        .then()
        .statusCode(303)
        .header("Location", containsString("/console/users/" + user));
    session
        .request()
        .get("/console/users/" + user)
        .then()
        .statusCode(200)
        .body(containsString("&lt;b&gt;Console reply&lt;/b&gt;"))
        .body(containsString("smtp said no"))
        .body(containsString(job.toString()))
        .body(containsString("2026-12-06T00:00:00Z"));
    session
        .request()
        .get("/console/digests")
        .then()
        .statusCode(200)
        .body(containsString("2026-12-06T00:00:00Z"));
  }

  @Test
  void badInputToConsolePagesIsA4xxAndWritesNothing() {
    ConsoleSession session = ConsoleSession.signIn(ADMIN_KEY);
    long keys = count(em, "select count(*) from api_keys");
    long audit = count(em, "select count(*) from audit_events");
    for (String path :
        new String[] {
          "/console/jobs/not-a-uuid",
          "/console/dead-letters/replay?jobId=not-a-uuid",
          "/console/dead-letters/replay?type=no.such.type",
          "/console/dead-letters/replay?type=" + TYPE + "&limit=0",
          "/console/dead-letters/replay?type=" + TYPE + "&limit=abc",
          "/console/users/abc",
          "/console/users?id=abc"
        }) {
      int status = session.request().get(path).statusCode();
      assertTrue(status >= 400 && status < 500, path + " answered " + status);
    }
    session
        .request()
        .formParam("csrf", session.csrf())
        .formParam("jobId", "not-a-uuid")
        .post("/console/dead-letters/replay")
        .then()
        .statusCode(400)
        .body(containsString("jobIds[0]"));
    session
        .request()
        .formParam("csrf", session.csrf())
        .formParam("name", "")
        .formParam("scope", "read")
        .post("/console/api-keys")
        .then()
        .statusCode(400);
    session
        .request()
        .formParam("csrf", session.csrf())
        .formParam("name", "x")
        .formParam("scope", "root")
        .post("/console/api-keys")
        .then()
        .statusCode(400)
        .body(containsString("scopes"));
    assertEquals(keys, count(em, "select count(*) from api_keys"), "no key written");
    assertEquals(audit, count(em, "select count(*) from audit_events"), "nothing audited");
  }
}
