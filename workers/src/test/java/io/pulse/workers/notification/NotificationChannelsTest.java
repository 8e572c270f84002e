package io.pulse.workers.notification;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobType;
import io.pulse.common.notification.NotificationDispatch;
import io.pulse.workers.TestSql;
import io.pulse.workers.WithMailServer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Notifications on every channel against a real SMTP server (GreenMail, or a scripted SMTP server
 * for 4xx/5xx answers) and a real HTTP receiver that checks webhook signatures.
 */
@QuarkusTest
class NotificationChannelsTest {
  static WebhookReceiver webhooks;

  GreenMail mail;
  @Inject JobEnqueuer enqueuer;
  @Inject NotificationFixtures fixtures;
  @Inject EntityManager em;
  @Inject TestSql db;

  @BeforeAll
  static void receivers() throws Exception {
    webhooks = new WebhookReceiver(18765, "test-webhook-secret");
  }

  @AfterAll
  static void stopReceivers() {
    webhooks.close();
  }

  @BeforeEach
  void startMail() {
    mail = new GreenMail(WithMailServer.SMTP);
    mail.start();
  }

  @AfterEach
  void stopMail() {
    if (mail != null) {
      mail.stop();
    }
  }

  @Test
  void eachRecipientGetsTheChannelsTheyChoseOrTheDefaults() throws Exception {
    long both = user("both@uni.example", "comment.reply", "in_app", "email");
    long inAppOnly = user("quiet@uni.example", "comment.reply", "in_app");
    long defaults = user("dflt@uni.example", null);
    UUID job = dispatch("comment.reply", both, inAppOnly, defaults);

    assertTrue(mail.waitForIncomingEmail(15_000, 2));
    await().atMost(Duration.ofSeconds(10)).until(() -> sent(job) == 2);
    MimeMessage[] received = mail.getReceivedMessages();
    assertEquals(2, received.length, "no email for the recipient who chose in-app only");
    List<String> to =
        Arrays.stream(received).map(m -> GreenMailUtil.getAddressList(recipients(m))).toList();
    assertTrue(to.contains("both@uni.example") && to.contains("dflt@uni.example"), to.toString());

    MimeMessage message = received[0];
    assertEquals("New reply", message.getSubject());
    String raw = GreenMailUtil.getWholeMessage(message);
    assertThat(raw, containsString("text/plain"));
    assertThat(raw, containsString("text/html"));
    assertThat(raw, containsString("https://campus.example/posts/9"));
    assertThat(message.getHeader("List-Unsubscribe")[0], containsString("/unsubscribe?token="));
    String messageId = message.getMessageID();
    assertEquals(
        1L,
        count(
            "select count(*) from deliveries where provider_id = '"
                + messageId
                + "' and status = 'sent'"),
        "the Message-ID is the delivery's recorded provider id");
    assertEquals(3L, count("select count(*) from notifications where job_id = '" + job + "'"));
    assertEquals(
        2L,
        count(
            "select count(*) from jobs where type = 'notification.email' and parent_id = '"
                + job
                + "'"),
        "each email job names the dispatch that created it as its parent");
  }

  @Test
  void aCriticalTypeIgnoresAnOptOut() throws Exception {
    long optedOut = user("strict@uni.example", "account.security");
    UUID job = dispatch("account.security", optedOut);
    assertTrue(mail.waitForIncomingEmail(15_000, 1));
    await().atMost(Duration.ofSeconds(10)).until(() -> sent(job) == 1);
    assertEquals(1L, count("select count(*) from notifications where job_id = '" + job + "'"));
  }

  @Test
  void aRedeliveredDispatchSendsEachEmailOnce() throws Exception {
    long a = user("once-a@uni.example", null);
    long b = user("once-b@uni.example", null);
    NotificationDispatch payload =
        new NotificationDispatch("comment.reply", List.of(a, b), "Once", "only once", null, null);
    UUID job = enqueuer.enqueue(JobType.NOTIFICATION_DISPATCH, payload, null, null).jobId();
    await().atMost(Duration.ofSeconds(15)).until(() -> sent(job) == 2);
    // The same dispatch again, as the broker would redeliver it: same job id, same payload.
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                em.createNativeQuery("update jobs set status = 'queued' where id = ?1")
                    .setParameter(1, job)
                    .executeUpdate());
    enqueuer.publishAll(
        List.of(
            new io.pulse.common.messaging.JobMessage(
                job,
                JobType.NOTIFICATION_DISPATCH,
                1,
                null,
                null,
                java.time.Instant.now(),
                io.pulse.common.jobs.JobCodec.encode(payload))));
    await().atMost(Duration.ofSeconds(15)).until(() -> "succeeded".equals(status(job)));
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> mail.getReceivedMessages().length == 2);
    assertEquals(
        2L,
        count(
            "select count(*) from deliveries where status <> 'skipped' and notification_job_id = '"
                + job
                + "'"));
  }

  @Test
  void anSmtpServerThatIsDownIsRetriedUntilItIsBack() throws Exception {
    mail.stop();
    long recipient = user("patient@uni.example", null);
    UUID job = dispatch("comment.reply", recipient);
    await().atMost(Duration.ofSeconds(15)).until(() -> deliveryAttempts(job) >= 2);
    assertEquals("pending", deliveryStatus(job));
    mail = new GreenMail(WithMailServer.SMTP);
    mail.start();
    assertTrue(mail.waitForIncomingEmail(20_000, 1));
    await().atMost(Duration.ofSeconds(10)).until(() -> sent(job) == 1);
  }

  @Test
  void a4xxAnswerIsRetriedAndA5xxRejectionIsDeadWithTheReason() throws Exception {
    mail.stop();
    long busy = user("busy@uni.example", null);
    long gone = user("gone@uni.example", null);
    int[] busyReplies = {0};
    try (ScriptedSmtpServer smtp =
        new ScriptedSmtpServer(
            WithMailServer.SMTP.getPort(),
            rcpt -> {
              if (rcpt.contains("gone@")) {
                return "550 5.1.1 <gone@uni.example>: mailbox unavailable";
              }
              return busyReplies[0]++ < 2 ? "451 4.3.0 try again later" : "250 2.1.5 ok";
            })) {
      UUID busyJob = dispatch("comment.reply", busy);
      UUID goneJob = dispatch("comment.reply", gone);

      await().atMost(Duration.ofSeconds(20)).until(() -> sent(busyJob) == 1);
      assertTrue(deliveryAttempts(busyJob) >= 3, "two 451 answers, then accepted");
      await().atMost(Duration.ofSeconds(20)).until(() -> "failed".equals(deliveryStatus(goneJob)));
      assertThat(deliveryError(goneJob), containsString("550"));
      // The 550 itself is never retried: the server is asked for that recipient once. (An attempt
      // that stalls before reaching the server, which the test mailer now and then does after a
      // refused send, times out and counts as an attempt without asking the server.)
      assertEquals(
          1,
          smtp.recipients.stream().filter(r -> r.contains("gone@")).count(),
          "a 5xx is not retried");
    }
  }

  @Test
  void aWebhookThatFailsOrTimesOutIsRetriedToSuccessWithOneIdempotencyKey() throws Exception {
    long flaky = user(null, "comment.reply", "webhook");
    long slow = user(null, "comment.reply", "webhook");
    webhooks.script(flaky, "500", "503", "200");
    webhooks.script(slow, "timeout", "timeout", "200");
    UUID job = dispatch("comment.reply", flaky, slow);

    await().atMost(Duration.ofSeconds(20)).until(() -> sent(job) == 2);
    for (long user : new long[] {flaky, slow}) {
      List<WebhookReceiver.Received> calls = webhooks.forUser(user);
      assertEquals(3, calls.size(), "two failures then success for user " + user);
      assertTrue(calls.stream().allMatch(WebhookReceiver.Received::signatureValid));
      assertEquals(
          1, calls.stream().map(WebhookReceiver.Received::idempotencyKey).distinct().count());
    }
    assertThat(webhooks.forUser(flaky).get(0).body(), containsString("\"title\":\"New reply\""));
  }

  @Test
  void aWebhookAnswering400IsDeadAtOnce() throws Exception {
    long refusing = user(null, "comment.reply", "webhook");
    webhooks.script(refusing, "400");
    UUID job = dispatch("comment.reply", refusing);
    await().atMost(Duration.ofSeconds(15)).until(() -> "failed".equals(deliveryStatus(job)));
    assertThat(deliveryError(job), containsString("answered 400"));
    await()
        .during(Duration.ofMillis(1500))
        .atMost(Duration.ofSeconds(3))
        .until(() -> webhooks.forUser(refusing).size() == 1);
  }

  // --- helpers -------------------------------------------------------------------------------

  long user(String email, String type, String... channels) {
    return fixtures.user(email, type, channels);
  }

  UUID dispatch(String type, Long... recipients) {
    return fixtures.dispatch(type, recipients);
  }

  long sent(UUID job) {
    return fixtures.sent(job);
  }

  String deliveryStatus(UUID job) {
    return one(
        "select status from deliveries where status <> 'skipped' and notification_job_id = '"
            + job
            + "'");
  }

  String deliveryError(UUID job) {
    return one(
        "select last_error from deliveries where status <> 'skipped' and notification_job_id = '"
            + job
            + "'");
  }

  int deliveryAttempts(UUID job) {
    String attempts =
        one(
            "select attempts from deliveries where status <> 'skipped' and notification_job_id = '"
                + job
                + "'");
    return attempts == null ? 0 : Integer.parseInt(attempts);
  }

  String status(UUID job) {
    return one("select status from jobs where id = '" + job + "'");
  }

  private static jakarta.mail.Address[] recipients(MimeMessage message) {
    try {
      return message.getAllRecipients();
    } catch (jakarta.mail.MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  long count(String sql) {
    return db.count(sql);
  }

  String one(String sql) {
    return db.one(sql);
  }
}
