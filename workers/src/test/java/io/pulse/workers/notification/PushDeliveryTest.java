package io.pulse.workers.notification;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulse.common.jobs.JobCodec;
import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobType;
import io.pulse.common.jobs.ScheduledJobPoller;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.notification.ChannelDelivery;
import io.pulse.common.notification.NotificationConfig;
import io.pulse.common.notification.QuietHours;
import io.pulse.workers.TestSql;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The push channel against a real HTTP push service on 127.0.0.1 that checks each request's VAPID
 * signature and decrypts its body with the subscription's own private key, as a browser would.
 */
@QuarkusTest
class PushDeliveryTest {
  private static final Duration LONG = Duration.ofSeconds(20);
  static PushServiceStandIn pushService;
  private final Map<String, Long> subscriptionIds = new ConcurrentHashMap<>();

  @Inject NotificationFixtures fixtures;
  @Inject JobEnqueuer enqueuer;
  @Inject EntityManager em;
  @Inject TestSql db;
  @Inject NotificationConfig config;
  @Inject ScheduledJobPoller poller;

  @BeforeAll
  static void startPushService() throws Exception {
    pushService =
        new PushServiceStandIn(
            ConfigProvider.getConfig()
                .getValue("pulse.notifications.push.vapid-public-key", String.class));
  }

  @AfterAll
  static void stopPushService() {
    pushService.close();
  }

  @Test
  void eachSubscriptionGetsOneMessageEncryptedForItAndSignedWithVapid() throws Exception {
    long user = fixtures.user(null, "comment.reply", "in_app", "push");
    PushServiceStandIn.Subscription phone = subscribe(user);
    PushServiceStandIn.Subscription laptop = subscribe(user);
    UUID job = fixtures.dispatch("comment.reply", user);

    await().atMost(LONG).until(() -> fixtures.sent(job) == 2);
    for (PushServiceStandIn.Subscription subscription : List.of(phone, laptop)) {
      List<PushServiceStandIn.Received> calls = pushService.forSubscription(subscription);
      assertEquals(1, calls.size(), "one message per subscription");
      PushServiceStandIn.Received call = calls.get(0);
      assertTrue(call.vapidValid(), call.vapidProblem());
      assertEquals("aes128gcm", call.contentEncoding());
      assertEquals(Long.toString(config.push().ttl().toSeconds()), call.ttl());
      assertEquals("normal", call.urgency());
      assertEquals(PushDeliveryHandler.topic(job), call.topic());
      assertTrue(call.topic().matches("[A-Za-z0-9_-]{1,32}"), call.topic());

      UUID delivery = deliveryOf(job, subscription);
      assertArrayEquals(expectedPlaintext(delivery), call.plaintext(), "byte for byte");
      JsonNode message = new ObjectMapper().readTree(call.plaintext());
      assertEquals("New reply", message.path("title").asText());
      assertEquals("Nice post", message.path("body").asText());
      assertEquals("https://campus.example/posts/9", message.path("link").asText());
      assertEquals(job.toString(), message.path("notificationId").asText());
      assertThat(
          db.one("select provider_id from deliveries where id = '" + delivery + "'"),
          containsString(pushService.origin() + "/message/"));
    }
    assertEquals(1L, db.count("select count(*) from notifications where job_id = '" + job + "'"));
  }

  @Test
  void aRedeliveredPushJobSendsNothingAgain() throws Exception {
    long user = fixtures.user(null, "comment.reply", "push");
    PushServiceStandIn.Subscription subscription = subscribe(user);
    UUID job = fixtures.dispatch("comment.reply", user);
    await().atMost(LONG).until(() -> fixtures.sent(job) == 1);
    UUID pushJob = deliveryOf(job, subscription);
    await().atMost(LONG).until(() -> "succeeded".equals(db.jobStatus(pushJob)));

    // The same push job again, as the broker would redeliver it after a lost ack.
    db.exec("update jobs set status = 'queued' where id = '" + pushJob + "'");
    enqueuer.publishAll(List.of(jobMessage(pushJob)));
    await().atMost(LONG).until(() -> "succeeded".equals(db.jobStatus(pushJob)));
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> pushService.forSubscription(subscription).size() == 1);
    assertEquals("sent", deliveryStatus(pushJob));
  }

  @Test
  void a410DeletesTheSubscriptionAndTheDeliveryEndsSkippedWithoutFailingTheJob() {
    long user = fixtures.user(null, "comment.reply", "push");
    PushServiceStandIn.Subscription gone = subscribe(user, "410");
    PushServiceStandIn.Subscription alive = subscribe(user);
    UUID job = fixtures.dispatch("comment.reply", user);
    UUID goneDelivery = deliveryOf(job, gone);

    await().atMost(LONG).until(() -> "skipped".equals(deliveryStatus(goneDelivery)));
    assertEquals("subscription_gone", column(goneDelivery, "skip_reason"));
    await().atMost(LONG).until(() -> "succeeded".equals(db.jobStatus(goneDelivery)));
    assertEquals(0L, subscriptions("endpoint = '" + gone.endpoint() + "'"), "deleted");
    assertEquals(1L, subscriptions("endpoint = '" + alive.endpoint() + "'"), "the other stays");
    await().atMost(LONG).until(() -> fixtures.sent(job) == 1);
    assertEquals(1, pushService.forSubscription(gone).size(), "asked once");
  }

  @Test
  void a429IsRetriedNoSoonerThanItsRetryAfter() {
    long user = fixtures.user(null, "comment.reply", "push");
    PushServiceStandIn.Subscription throttled = subscribe(user, "429:1", "201");
    UUID job = fixtures.dispatch("comment.reply", user);
    UUID delivery = deliveryOf(job, throttled);

    await().atMost(LONG).until(() -> "sent".equals(deliveryStatus(delivery)));
    List<PushServiceStandIn.Received> calls = pushService.forSubscription(throttled);
    assertEquals(2, calls.size());
    long gapMillis = (calls.get(1).atNanos() - calls.get(0).atNanos()) / 1_000_000;
    // Without the Retry-After the first retry waits 100 ms (the test profile's base delay); with
    // it, the 1 s tier.
    assertTrue(gapMillis >= 950, "retried after " + gapMillis + " ms, asked for 1 s");
    assertEquals("2", column(delivery, "attempts"));
    assertEquals(calls.get(0).text(), calls.get(1).text(), "the same message again");
  }

  @Test
  void a5xxIsRetriedUntilThePushServiceTakesIt() {
    long user = fixtures.user(null, "comment.reply", "push");
    PushServiceStandIn.Subscription flaky = subscribe(user, "500", "503", "201");
    UUID job = fixtures.dispatch("comment.reply", user);
    UUID delivery = deliveryOf(job, flaky);

    await().atMost(LONG).until(() -> "sent".equals(deliveryStatus(delivery)));
    List<PushServiceStandIn.Received> calls = pushService.forSubscription(flaky);
    assertEquals(3, calls.size(), "two failures, then accepted");
    assertTrue(calls.stream().allMatch(c -> c.plaintext() != null && c.vapidValid()));
    assertEquals(1, calls.stream().map(PushServiceStandIn.Received::topic).distinct().count());
    assertEquals("succeeded", db.jobStatus(delivery));
  }

  @Test
  void a400IsDeadAtOnceWithThePushServicesReply() {
    long user = fixtures.user(null, "comment.reply", "push");
    PushServiceStandIn.Subscription refusing = subscribe(user, "400");
    UUID job = fixtures.dispatch("comment.reply", user);
    UUID delivery = deliveryOf(job, refusing);

    await().atMost(LONG).until(() -> "failed".equals(deliveryStatus(delivery)));
    assertThat(column(delivery, "last_error"), containsString("answered 400"));
    assertThat(column(delivery, "last_error"), containsString("scripted 400"));
    await().atMost(LONG).until(() -> "dead".equals(db.jobStatus(delivery)));
    await()
        .during(Duration.ofMillis(1500))
        .atMost(Duration.ofSeconds(3))
        .until(() -> pushService.forSubscription(refusing).size() == 1);
    assertEquals(1L, subscriptions("endpoint = '" + refusing.endpoint() + "'"), "kept");
  }

  @Test
  void pushWantedWithoutASubscriptionIsRecordedSkipped() {
    long user = fixtures.user(null, "comment.reply", "in_app", "push");
    UUID job = fixtures.dispatch("comment.reply", user);

    await().atMost(LONG).until(() -> "succeeded".equals(db.jobStatus(job)));
    assertEquals(
        "skipped no_subscription",
        db.one(
            "select status || ' ' || skip_reason from deliveries where notification_job_id = '"
                + job
                + "' and channel = 'push'"));
    assertEquals(
        0L,
        db.count(
            "select count(*) from jobs where type = 'notification.push' and payload ->>"
                + " 'notificationJobId' = '"
                + job
                + "'"));
  }

  @Test
  void aSubscriptionPastItsExpirationTimeGetsNothing() {
    long user = fixtures.user(null, "comment.reply", "push");
    PushServiceStandIn.Subscription expired = subscribe(user);
    db.exec(
        "update push_subscriptions set expires_at = now() - interval '1 minute' where endpoint = '"
            + expired.endpoint()
            + "'");
    UUID job = fixtures.dispatch("comment.reply", user);

    await().atMost(LONG).until(() -> "succeeded".equals(db.jobStatus(job)));
    assertEquals(
        "skipped no_subscription",
        db.one(
            "select status || ' ' || skip_reason from deliveries where notification_job_id = '"
                + job
                + "' and channel = 'push'"));
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> pushService.forSubscription(expired).isEmpty());
  }

  @Test
  void aUserWhoseChannelsLeavePushOutGetsNoPush() {
    long optedOut = fixtures.user(null, "comment.reply", "in_app");
    PushServiceStandIn.Subscription subscription = subscribe(optedOut);
    // community.post defaults to in_app only.
    long defaults = fixtures.user(null, null);
    PushServiceStandIn.Subscription other = subscribe(defaults);
    UUID reply = fixtures.dispatch("comment.reply", optedOut);
    UUID post = fixtures.dispatch("community.post", defaults);

    await().atMost(LONG).until(() -> "succeeded".equals(db.jobStatus(reply)));
    await().atMost(LONG).until(() -> "succeeded".equals(db.jobStatus(post)));
    assertEquals(
        0L,
        db.count(
            "select count(*) from deliveries where channel = 'push' and notification_job_id in ('"
                + reply
                + "', '"
                + post
                + "')"));
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(
            () ->
                pushService.forSubscription(subscription).isEmpty()
                    && pushService.forSubscription(other).isEmpty());
  }

  /**
   * A push in the recipient's quiet hours (set around the real clock, on UTC as the user has no
   * zone) waits as a scheduled job due at the window's end, recorded with that time; the poll at
   * that clock sends it once, and a critical type does not wait.
   */
  @Test
  void aPushInQuietHoursWaitsForTheirEndAndGoesOutOnceWhenDue() {
    long user = fixtures.user(null, "comment.reply", "in_app", "push");
    LocalTime now = LocalTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
    QuietHours window = new QuietHours(now.minusHours(1), now.plusHours(1));
    db.exec(
        "insert into quiet_hours (user_id, starts, ends) values (%d, '%s', '%s')"
            .formatted(user, window.start(), window.end()));
    PushServiceStandIn.Subscription phone = subscribe(user);
    UUID job = fixtures.dispatch("comment.reply", user);
    Instant end = window.deferUntil(Instant.now(), ZoneOffset.UTC).orElseThrow();
    UUID delivery = deliveryOf(job, phone);

    await().atMost(LONG).until(() -> "succeeded".equals(db.jobStatus(job)));
    assertEquals("scheduled", db.jobStatus(delivery));
    assertEquals("pending", deliveryStatus(delivery));
    assertEquals(
        Long.toString(end.toEpochMilli()),
        column(delivery, "(extract(epoch from deferred_until) * 1000)::bigint"),
        "the delivery records the end of the window (\"why\": quiet_hours)");
    assertEquals(
        Long.toString(end.toEpochMilli()),
        db.jobColumn(delivery, "(extract(epoch from send_at) * 1000)::bigint"));
    assertEquals(0, pushService.forSubscription(phone).size(), "nothing sent in quiet hours");

    poller.poll(end.minusMillis(1));
    assertEquals("scheduled", db.jobStatus(delivery));
    poller.poll(end);
    await().atMost(LONG).until(() -> "sent".equals(deliveryStatus(delivery)));
    poller.poll(end.plusSeconds(60));
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> pushService.forSubscription(phone).size() == 1);

    // account.security is critical: it ignores the window (its channels are the user's own here).
    db.exec(
        "insert into notification_preferences (user_id, type, channels) values (%d,".formatted(user)
            + " 'account.security', '{in_app,push}')");
    UUID critical = fixtures.dispatch("account.security", user);
    await().atMost(LONG).until(() -> fixtures.sent(critical) == 1);
    assertEquals(2, pushService.forSubscription(phone).size());
  }

  // --- set-up and reads ---------------------------------------------------------------------

  private PushServiceStandIn.Subscription subscribe(long user, String... script) {
    PushServiceStandIn.Subscription subscription = pushService.subscribe(script);
    long id =
        QuarkusTransaction.requiringNew()
            .call(
                () ->
                    ((Number)
                            em.createNativeQuery(
                                    "insert into push_subscriptions (user_id, endpoint, p256dh,"
                                        + " auth) values (?1, ?2, ?3, ?4) returning id")
                                .setParameter(1, user)
                                .setParameter(2, subscription.endpoint())
                                .setParameter(
                                    3,
                                    java.util.Base64.getUrlDecoder().decode(subscription.p256dh()))
                                .setParameter(4, subscription.auth())
                                .getSingleResult())
                        .longValue());
    subscriptionIds.put(subscription.endpoint(), id);
    return subscription;
  }

  /** The id of the push delivery (and its job) of this notification to this subscription. */
  private UUID deliveryOf(UUID job, PushServiceStandIn.Subscription subscription) {
    String sql =
        "select id from deliveries where notification_job_id = '"
            + job
            + "' and subscription_id = "
            + subscriptionIds.get(subscription.endpoint());
    await().atMost(LONG).until(() -> db.one(sql) != null);
    return UUID.fromString(db.one(sql));
  }

  /** What the sender must have encrypted: the message built from the push job's own payload. */
  private byte[] expectedPlaintext(UUID delivery) throws Exception {
    String payload = db.jobColumn(delivery, "payload::text");
    assertNotNull(payload, "the push job " + delivery + " is in the ledger");
    ChannelDelivery sent =
        JobCodec.decode(payload.getBytes(StandardCharsets.UTF_8), ChannelDelivery.class);
    return PushMessage.of(delivery, sent, "https://campus.example" + sent.link()).encodeToFit();
  }

  private JobMessage jobMessage(UUID pushJob) {
    String payload = db.jobColumn(pushJob, "payload::text");
    return new JobMessage(
        pushJob,
        JobType.NOTIFICATION_PUSH,
        1,
        null,
        null,
        Instant.now(),
        payload.getBytes(StandardCharsets.UTF_8));
  }

  private String deliveryStatus(UUID delivery) {
    return column(delivery, "status");
  }

  private String column(UUID delivery, String column) {
    return db.one("select " + column + " from deliveries where id = '" + delivery + "'");
  }

  private long subscriptions(String where) {
    return db.count("select count(*) from push_subscriptions where " + where);
  }
}
