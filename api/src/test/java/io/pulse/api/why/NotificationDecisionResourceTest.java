package io.pulse.api.why;

import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.as;
import static io.pulse.api.ApiTestSupport.keyWithScopes;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.pulse.api.auth.Scope;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * "Why" against the ledger and deliveries as the workers leave them (rows written here by hand; the
 * workers' {@code DecisionRecordsTest}, {@code GroupingTest}, {@code DailyBudgetTest}, {@code
 * QuietHoursDeliveryTest}, {@code EscalationTest} and {@code RecallTest} check that they write
 * them): one decision per channel, each reason, and who may ask.
 */
@QuarkusTest
class NotificationDecisionResourceTest {
  static final AtomicLong IDS =
      new AtomicLong(990_000_000L + (System.currentTimeMillis() % 100_000) * 100);
  static final Instant AT = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  @Inject EntityManager em;

  @Test
  void aSentNotificationShowsTheInboxItemAndTheMessageId() {
    long user = IDS.incrementAndGet();
    UUID job = dispatch(user);
    long item = inboxItem(user, job);
    UUID email = delivery(job, user, "email", "sent", null);
    sql(
        "update deliveries set provider_id = '<"
            + email
            + "@pulse.jobs>', attempts = 1,"
            + " sent_at = now() where id = '"
            + email
            + "'");

    why(user, job)
        .statusCode(200)
        .body("userId", equalTo((int) user))
        .body("jobId", equalTo(job.toString()))
        .body("type", equalTo("comment.reply"))
        .body("dispatch", equalTo("succeeded"))
        .body("channels", hasSize(2))
        .body("channels[0].channel", equalTo("in_app"))
        .body("channels[0].decision", equalTo("sent"))
        .body("channels[0].itemId", equalTo(Long.toString(item)))
        .body("channels[0].at", notNullValue())
        .body("channels[1].channel", equalTo("email"))
        .body("channels[1].decision", equalTo("sent"))
        .body("channels[1].providerId", equalTo("<" + email + "@pulse.jobs>"))
        .body("channels[1].attempts", equalTo(1))
        .body("channels[1].reason", nullValue());
  }

  @Test
  void eachSkipSaysWhy() {
    long user = IDS.incrementAndGet();
    UUID job = dispatch(user);
    delivery(job, user, "in_app", "skipped", "preference");
    delivery(job, user, "email", "skipped", "budget");
    delivery(job, user, "webhook", "skipped", "preference");
    why(user, job)
        .statusCode(200)
        .body("channels.channel", equalTo(java.util.List.of("in_app", "email", "webhook")))
        .body("channels.decision", equalTo(java.util.List.of("skipped", "skipped", "skipped")))
        .body("channels.reason", equalTo(java.util.List.of("preference", "budget", "preference")));

    for (String reason : new String[] {"no_address", "read", "recalled", "no_subscription"}) {
      long other = IDS.incrementAndGet();
      UUID dispatched = dispatch(other);
      inboxItem(other, dispatched);
      delivery(dispatched, other, "email", "skipped", reason);
      why(other, dispatched)
          .statusCode(200)
          .body("channels[1].channel", equalTo("email"))
          .body("channels[1].decision", equalTo("skipped"))
          .body("channels[1].reason", equalTo(reason));
    }
  }

  @Test
  void theConsoleShowsTheSameDecisionsToAReadKey() {
    long user = IDS.incrementAndGet();
    UUID job = dispatch(user);
    long item = inboxItem(user, job);
    delivery(job, user, "email", "skipped", "budget");
    io.pulse.api.ConsoleSession session =
        io.pulse.api.ConsoleSession.signIn(keyWithScopes(Scope.READ));
    session
        .request()
        .get("/console/users/" + user)
        .then()
        .statusCode(200)
        .body(containsString("/console/users/" + user + "/notifications/" + job));
    session
        .request()
        .get("/console/users/" + user + "/notifications/" + job)
        .then()
        .statusCode(200)
        .body(
            containsString("<tr data-channel=\"in_app\"><td>in_app</td><td class=\"status sent\">"))
        .body(containsString("inbox item " + item))
        .body(
            containsString(
                "<tr data-channel=\"email\"><td>email</td><td class=\"status skipped\">skipped</td><td>budget</td>"));
    session
        .request()
        .get("/console/users/" + (user + 1) + "/notifications/" + job)
        .then()
        .statusCode(404);
  }

  @Test
  void aGroupedNotificationNamesTheItemItWentInto() {
    long user = IDS.incrementAndGet();
    UUID opener = dispatch(user);
    long item = inboxItem(user, opener);
    UUID folded = dispatch(user);
    UUID inApp = delivery(folded, user, "in_app", "skipped", "grouped");
    UUID email = delivery(folded, user, "email", "skipped", "grouped");
    sql(
        "update deliveries set grouped_into = '"
            + opener
            + "' where id in ('"
            + inApp
            + "', '"
            + email
            + "')");
    why(user, folded)
        .statusCode(200)
        .body("channels", hasSize(2))
        .body("channels[0].reason", equalTo("grouped"))
        .body("channels[0].groupedInto.itemId", equalTo(Long.toString(item)))
        .body("channels[0].groupedInto.jobId", equalTo(opener.toString()))
        .body("channels[1].reason", equalTo("grouped"))
        .body("channels[1].groupedInto.itemId", equalTo(Long.toString(item)));
  }

  @Test
  void quietHoursRetryingDeadAndPendingAreTold() {
    long user = IDS.incrementAndGet();
    UUID job = dispatch(user);
    UUID email = delivery(job, user, "email", "pending", null);
    Instant end = AT.plus(5, ChronoUnit.HOURS);
    sql("update deliveries set deferred_until = '" + end + "' where id = '" + email + "'");
    deliveryJob(email, "scheduled", null, end);
    UUID webhook = delivery(job, user, "webhook", "pending", null);
    sql(
        "update deliveries set last_error = 'HTTP 503 from receiver', attempts = 2 where id = '"
            + webhook
            + "'");
    deliveryJob(webhook, "retrying", AT.plus(30, ChronoUnit.SECONDS), null);
    why(user, job)
        .statusCode(200)
        .body("channels[0].channel", equalTo("email"))
        .body("channels[0].decision", equalTo("skipped"))
        .body("channels[0].reason", equalTo("quiet_hours"))
        .body("channels[0].deferredUntil", equalTo(end.toString()))
        .body("channels[1].channel", equalTo("webhook"))
        .body("channels[1].decision", equalTo("retrying"))
        .body("channels[1].error", equalTo("HTTP 503 from receiver"))
        .body("channels[1].attempts", equalTo(2))
        .body("channels[1].nextAttemptAt", equalTo(AT.plus(30, ChronoUnit.SECONDS).toString()));

    long other = IDS.incrementAndGet();
    UUID second = dispatch(other);
    UUID dead = delivery(second, other, "email", "failed", null);
    sql("update deliveries set last_error = '550 mailbox unavailable' where id = '" + dead + "'");
    UUID waiting = delivery(second, other, "webhook", "pending", null);
    deliveryJob(waiting, "queued", null, null);
    why(other, second)
        .statusCode(200)
        .body("channels[0].decision", equalTo("dead"))
        .body("channels[0].error", equalTo("550 mailbox unavailable"))
        .body("channels[1].decision", equalTo("pending"));
  }

  @Test
  void someoneWhoWasNotARecipientIsNotFound() {
    long user = IDS.incrementAndGet();
    UUID job = dispatch(user);
    why(user + 1, job)
        .statusCode(404)
        .contentType("application/problem+json")
        .body("detail", containsString("recipient"));
    why(user, UUID.randomUUID()).statusCode(404).contentType("application/problem+json");
  }

  @Test
  void aDispatchNotRunYetHasNoDecisions() {
    long user = IDS.incrementAndGet();
    UUID job = dispatch(user);
    sql("update jobs set status = 'queued' where id = '" + job + "'");
    why(user, job).statusCode(200).body("dispatch", equalTo("queued")).body("channels", hasSize(0));
  }

  @Test
  void onlyAnAdminMayAskAndBadIdsAreRefused() {
    long user = IDS.incrementAndGet();
    UUID job = dispatch(user);
    String path = "/api/v1/admin/users/" + user + "/notifications/" + job;
    as(keyWithScopes(Scope.READ)).get(path).then().statusCode(403);
    as(keyWithScopes(Scope.JOBS_WRITE)).get(path).then().statusCode(403);
    io.restassured.RestAssured.given().get(path).then().statusCode(401);
    admin()
        .get("/api/v1/admin/users/" + user + "/notifications/not-a-uuid")
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
    admin()
        .get("/api/v1/admin/users/0/notifications/" + job)
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
  }

  private io.restassured.response.ValidatableResponse why(long user, UUID job) {
    return admin().get("/api/v1/admin/users/" + user + "/notifications/" + job).then();
  }

  private UUID dispatch(long user) {
    UUID id = UUID.randomUUID();
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                em.createNativeQuery(
                        """
                        insert into jobs (id, type, status, payload, created_at, updated_at)
                        values (?1, 'notification.dispatch', 'succeeded', cast(?2 as jsonb),
                                now(), now())
                        """)
                    .setParameter(1, id)
                    .setParameter(
                        2,
                        "{\"type\":\"comment.reply\",\"recipientIds\":["
                            + (user - 100)
                            + ","
                            + user
                            + "],\"title\":\"Why\"}")
                    .executeUpdate());
    return id;
  }

  private long inboxItem(long user, UUID job) {
    return QuarkusTransaction.requiringNew()
        .call(
            () ->
                ((Number)
                        em.createNativeQuery(
                                """
                                insert into notifications (user_id, job_id, type, title)
                                values (?1, ?2, 'comment.reply', 'Why') returning id
                                """)
                            .setParameter(1, user)
                            .setParameter(2, job)
                            .getSingleResult())
                    .longValue());
  }

  private UUID delivery(UUID job, long user, String channel, String status, String reason) {
    UUID id = UUID.randomUUID();
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                em.createNativeQuery(
                        """
                        insert into deliveries (id, notification_job_id, user_id, channel, status,
                                                skip_reason)
                        values (?1, ?2, ?3, ?4, ?5, ?6)
                        """)
                    .setParameter(1, id)
                    .setParameter(2, job)
                    .setParameter(3, user)
                    .setParameter(4, channel)
                    .setParameter(5, status)
                    .setParameter(6, reason)
                    .executeUpdate());
    return id;
  }

  /** The delivery's own job in the ledger, as the workers leave it. */
  private void deliveryJob(UUID id, String status, Instant nextAttempt, Instant sendAt) {
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                em.createNativeQuery(
                        """
                        insert into jobs (id, type, status, payload, next_attempt_at, send_at)
                        values (?1, 'notification.email', ?2, '{}', ?3, ?4)
                        """)
                    .setParameter(1, id)
                    .setParameter(2, status)
                    .setParameter(
                        3, nextAttempt == null ? null : nextAttempt.atOffset(ZoneOffset.UTC))
                    .setParameter(4, sendAt == null ? null : sendAt.atOffset(ZoneOffset.UTC))
                    .executeUpdate());
  }

  private void sql(String statement) {
    QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(statement).executeUpdate());
  }
}
