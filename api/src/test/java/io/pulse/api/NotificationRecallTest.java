package io.pulse.api;

import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.count;
import static io.pulse.api.ApiTestSupport.one;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The recall endpoints against the database as the workers leave it (rows written here by hand):
 * what each withdraws, what it leaves, the audit record, and the post delete that recalls its
 * source. The race with a running dispatch is the workers' {@code RecallTest}.
 */
@QuarkusTest
class NotificationRecallTest {
  static final AtomicLong IDS =
      new AtomicLong(970_000_000L + (System.currentTimeMillis() % 100_000) * 100);

  @Inject EntityManager em;

  @Test
  void aRecallBySourceRemovesUnreadItemsMarksReadOnesSkipsDeliveriesAndCancelsScheduledOnes() {
    long user = IDS.incrementAndGet();
    String source = "post:" + IDS.incrementAndGet();
    UUID sent = UUID.randomUUID();
    notification(user, sent, source, true);
    notification(IDS.incrementAndGet(), sent, source, false);
    pendingDelivery(user, sent, source);
    String scheduled = scheduledDispatch(user, source);

    admin()
        .body("{\"source\":\"" + source + "\"}")
        .post("/api/v1/notifications/recall")
        .then()
        .statusCode(200)
        .body("target", equalTo("source:" + source))
        .body("firstRecall", equalTo(true))
        .body("inAppRemoved", equalTo(1))
        .body("inAppMarkedRecalled", equalTo(1))
        .body("deliveriesSkipped", equalTo(1))
        .body("scheduledCancelled", equalTo(1));

    admin()
        .get("/api/v1/users/" + user + "/notifications")
        .then()
        .statusCode(200)
        .body("items", hasSize(1))
        .body("items[0].read", equalTo(true))
        .body("items[0].recalled", equalTo(true))
        .body("items[0].source", equalTo(source));
    admin().get("/api/v1/jobs/" + scheduled).then().body("status", equalTo("cancelled"));
    assertEquals(
        "skipped recalled",
        one(
            em,
            "select status || ' ' || skip_reason from deliveries where channel = 'email'"
                + " and notification_job_id = '"
                + sent
                + "'"));
    assertEquals(
        "skipped recalled",
        one(
            em,
            "select status || ' ' || skip_reason from deliveries where channel = 'in_app'"
                + " and notification_job_id = '"
                + sent
                + "' and user_id <> "
                + user),
        "the unread item the recall removed leaves its in-app decision for \"why\"");
    assertEquals(
        1,
        count(
            em,
            "select count(*) from audit_events where action = 'notification.recall' and target = 'source:"
                + source
                + "' and outcome = 'succeeded' and actor_id = 'bootstrap'"));

    admin()
        .body("{\"source\":\"" + source + "\"}")
        .post("/api/v1/notifications/recall")
        .then()
        .statusCode(200)
        .body("firstRecall", equalTo(false))
        .body("inAppRemoved", equalTo(0))
        .body("inAppMarkedRecalled", equalTo(0));
  }

  @Test
  void aDispatchIsRecalledByItsJobIdAndOtherIdsAre404() {
    long user = IDS.incrementAndGet();
    String job = scheduledDispatch(user, null);

    admin()
        .delete("/api/v1/notifications/" + job)
        .then()
        .statusCode(200)
        .body("target", equalTo("job:" + job))
        .body("scheduledCancelled", equalTo(1));
    admin().get("/api/v1/jobs/" + job).then().body("status", equalTo("cancelled"));
    admin().delete("/api/v1/notifications/" + job).then().statusCode(200);

    admin().delete("/api/v1/notifications/" + UUID.randomUUID()).then().statusCode(404);
    long before = count(em, "select count(*) from notification_recalls");
    // Not a dispatch: a job of another type is no notification to recall.
    long community = IDS.incrementAndGet();
    admin().body("{\"name\":\"Recall club\"}").put("/api/v1/communities/" + community);
    String fanout =
        admin()
            .body(post(IDS.incrementAndGet(), community))
            .post("/api/v1/posts")
            .then()
            .statusCode(202)
            .extract()
            .path("jobId");
    admin().delete("/api/v1/notifications/" + fanout).then().statusCode(404);
    assertEquals(before, count(em, "select count(*) from notification_recalls"));
  }

  @Test
  void deletingAPostRecallsTheNotificationsItsSourceNamed() {
    long community = IDS.incrementAndGet();
    long post = IDS.incrementAndGet();
    long user = IDS.incrementAndGet();
    admin().body("{\"name\":\"Recall club\"}").put("/api/v1/communities/" + community);
    admin().body(post(post, community)).post("/api/v1/posts").then().statusCode(202);
    notification(user, UUID.randomUUID(), "post:" + post, false);

    admin().delete("/api/v1/posts/" + post).then().statusCode(202);
    assertEquals(0, count(em, "select count(*) from notifications where user_id = " + user));
    assertEquals(
        1,
        count(
            em,
            "select count(*) from notification_recalls where target = 'source:post:" + post + "'"));
  }

  /** A dispatch due tomorrow, so it is still scheduled when recalled. */
  private static String scheduledDispatch(long user, String source) {
    return admin()
        .body(
            "{\"type\":\"mention\",\"recipientIds\":["
                + user
                + "],\"title\":\"Later\","
                + (source == null ? "" : "\"source\":\"" + source + "\",")
                + "\"sendAt\":\""
                + Instant.now().plus(1, ChronoUnit.DAYS)
                + "\"}")
        .post("/api/v1/notifications")
        .then()
        .statusCode(202)
        .extract()
        .path("jobId");
  }

  private static String post(long post, long community) {
    return "{\"postId\":"
        + post
        + ",\"communityId\":"
        + community
        + ",\"authorId\":5,\"title\":\"Soon gone\",\"excerpt\":\"...\",\"createdAt\":\"2026-11-24T09:00:00Z\"}";
  }

  private void notification(long user, UUID job, String source, boolean read) {
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                em.createNativeQuery(
                        """
                        insert into notifications (user_id, job_id, type, title, source, read_at)
                        values (?1, ?2, 'mention', 'Hello', ?3, case when ?4 then now() end)
                        """)
                    .setParameter(1, user)
                    .setParameter(2, job)
                    .setParameter(3, source)
                    .setParameter(4, read)
                    .executeUpdate());
  }

  private void pendingDelivery(long user, UUID job, String source) {
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                em.createNativeQuery(
                        """
                        insert into deliveries (id, notification_job_id, user_id, channel, source)
                        values (?1, ?2, ?3, 'email', ?4)
                        """)
                    .setParameter(1, UUID.randomUUID())
                    .setParameter(2, job)
                    .setParameter(3, user)
                    .setParameter(4, source)
                    .executeUpdate());
  }
}
