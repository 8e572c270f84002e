package io.pulse.workers.notification;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.icegreen.greenmail.util.GreenMailUtil;
import io.pulse.common.digest.DigestJob;
import io.pulse.common.jobs.JobCodec;
import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobType;
import io.pulse.common.jobs.ScheduledJobPoller;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.notification.ChannelDelivery;
import io.pulse.common.notification.NotificationDispatch;
import io.pulse.workers.TestSql;
import io.pulse.workers.WithMailServer;
import io.pulse.workers.digest.DigestBuildHandler;
import io.pulse.workers.jobs.JobContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The daily budget against the real database, broker and SMTP server: exact under concurrency,
 * counted on the user's own day, critical types free of it, and what it held back listed in the
 * next digest or, with digests off, one catch-up mail the next morning.
 */
@QuarkusTest
class DailyBudgetTest extends WithMailServer {

  @Inject DailyBudget budget;
  @Inject DeliveryLedger deliveries;
  @Inject EmailDeliveryHandler email;
  @Inject NotificationFixtures fixtures;
  @Inject JobEnqueuer enqueuer;
  @Inject ScheduledJobPoller poller;
  @Inject DigestBuildHandler digests;
  @Inject TestSql db;

  @Test
  void aHundredSendsAtOnceForABudgetOfTwentyTakeExactlyTwenty() throws Exception {
    long user = fixtures.user("race-budget@uni.example", null);
    Instant now = Instant.now();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Boolean>> takes = new ArrayList<>();
    try {
      for (int i = 0; i < 100; i++) {
        takes.add(
            pool.submit(
                () -> {
                  start.await();
                  return QuarkusTransaction.requiringNew()
                      .call(() -> budget.take(user, now).taken());
                }));
      }
      start.countDown();
      int taken = 0;
      for (Future<Boolean> take : takes) {
        taken += take.get() ? 1 : 0;
      }
      assertEquals(20, taken, "pulse.notifications.daily-budget is 20");
    } finally {
      pool.shutdown();
    }
    assertEquals(
        "20", db.one("select spent from notification_budget_days where user_id = " + user));
  }

  @Test
  void aHundredEmailHandlersRacingInTheirOwnTransactionsSendExactlyTwenty() throws Exception {
    String address = "race-handlers@uni.example";
    long user = fixtures.user(address, null);
    // A hundred notifications' emails to one user: one delivery row each.
    List<DeliveryLedger.Pending> rows = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      rows.add(
          new DeliveryLedger.Pending(UUID.randomUUID(), UUID.randomUUID(), user, "email", null));
    }
    QuarkusTransaction.requiringNew().run(() -> deliveries.insertPending(rows));
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> runs = new ArrayList<>();
    try {
      for (DeliveryLedger.Pending row : rows) {
        ChannelDelivery delivery =
            new ChannelDelivery(
                row.notificationJobId(),
                user,
                "comment.reply",
                "Race",
                null,
                null,
                null,
                Instant.now());
        JobContext context = new JobContext(row.id(), JobType.NOTIFICATION_EMAIL, 1, null, null);
        runs.add(
            pool.submit(
                () -> {
                  start.await();
                  // As the runtime would: a send that fails (GreenMail stalls now and then under a
                  // burst) rolls back, its place in the budget with it, and is tried again.
                  for (int attempt = 1; ; attempt++) {
                    try {
                      return QuarkusTransaction.requiringNew()
                          .call(
                              () -> {
                                email.handle(delivery, context);
                                return null;
                              });
                    } catch (Exception failed) {
                      if (attempt == 5) {
                        throw failed;
                      }
                    }
                  }
                }));
      }
      start.countDown();
      for (Future<?> run : runs) {
        run.get();
      }
    } finally {
      pool.shutdown();
    }
    assertEquals(20, mailsTo(address).size());
    assertEquals(
        "sent 20, skipped 80",
        db.one(
            "select string_agg(status || ' ' || n, ', ' order by status) from (select status,"
                + " count(*) n from deliveries where user_id = "
                + user
                + " group by status) s"));
  }

  @Test
  void aHundredEmailsInOneBurstSendTwentyAndSkipEightyForTheBudget() {
    long user = fixtures.user("burst-budget@uni.example", "comment.reply", "email");
    List<JobMessage> messages = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      messages.add(
          message(
              new NotificationDispatch(
                  "comment.reply", List.of(user), "Burst " + i, null, null, null)));
    }
    QuarkusTransaction.requiringNew().run(() -> enqueuer.insertInCurrentTransaction(messages));
    enqueuer.publishAll(messages);
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () ->
                db.count(
                        "select count(*) from deliveries where channel = 'email' and status in"
                            + " ('sent', 'skipped') and user_id = "
                            + user)
                    == 100);
    assertEquals(20, mailsTo("burst-budget@uni.example").size());
    assertEquals(
        80,
        db.count(
            "select count(*) from deliveries where skip_reason = 'budget' and user_id = " + user));
  }

  @Test
  void theDayIsTheUsersOwnAndALowerBudgetOfTheirsApplies() {
    long user = fixtures.user("own-day@uni.example", null);
    db.exec("update users set time_zone = 'Asia/Seoul' where id = " + user);
    db.exec("insert into notification_budgets (user_id, daily_budget) values (" + user + ", 2)");
    // 23:30 and 23:50 in Seoul on Dec 1, then 00:10 on Dec 2 (15:10 UTC, still Dec 1 in UTC).
    Instant late = Instant.parse("2026-12-01T14:30:00Z");
    assertEquals(true, take(user, late));
    assertEquals(true, take(user, late.plusSeconds(1200)));
    assertEquals(false, take(user, late.plusSeconds(1500)), "a budget of 2");
    assertEquals(true, take(user, Instant.parse("2026-12-01T15:10:00Z")), "a new day in Seoul");
    assertEquals(
        "2026-12-01 2, 2026-12-02 1",
        db.one(
            "select string_agg(day || ' ' || spent, ', ' order by day)"
                + " from notification_budget_days where user_id = "
                + user));
    assertEquals(true, take(user, Instant.parse("2026-12-02T15:10:00Z")));
    assertEquals(
        "2026-12-02 1, 2026-12-03 1",
        db.one(
            "select string_agg(day || ' ' || spent, ', ' order by day)"
                + " from notification_budget_days where user_id = "
                + user),
        "a new day's first send drops the days before yesterday");
  }

  @Test
  void aCriticalTypeNeitherCountsNorIsLimited() {
    long user = fixtures.user("critical-budget@uni.example", null);
    db.exec("insert into notification_budgets (user_id, daily_budget) values (" + user + ", 0)");
    UUID job = fixtures.dispatch("account.security", user);
    await().atMost(Duration.ofSeconds(15)).until(() -> fixtures.sent(job) == 1);
    assertEquals(
        0, db.count("select count(*) from notification_budget_days where user_id = " + user));
  }

  @Test
  void withDigestsOffWhatWasHeldBackGoesOutAsOneCatchUpMailAtTheNextDigestHour() throws Exception {
    long user = fixtures.user("catch-up@uni.example", "comment.reply", "email");
    db.exec("update users set time_zone = 'Asia/Seoul' where id = " + user);
    db.exec("insert into notification_budgets (user_id, daily_budget) values (" + user + ", 1)");
    UUID first = dispatch(user, "Sent one");
    await().atMost(Duration.ofSeconds(15)).until(() -> fixtures.sent(first) == 1);
    UUID second = dispatch(user, "Held one");
    UUID third = dispatch(user, "Held two");
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                db.count(
                        "select count(*) from deliveries where skip_reason = 'budget' and user_id = "
                            + user)
                    == 2);
    assertEquals(1, mailsTo("catch-up@uni.example").size());

    assertEquals(
        1,
        db.count(
            "select count(*) from jobs where type = 'digest.build' and status = 'scheduled'"
                + " and payload ->> 'userId' = '"
                + user
                + "'"),
        "both held-back deliveries asked for the same catch-up mail");
    Instant at =
        Instant.parse(
            db.one(
                "select to_char(send_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
                    + " from jobs where type = 'digest.build' and payload ->> 'userId' = '"
                    + user
                    + "'"));
    assertEquals(8, at.atZone(ZoneId.of("Asia/Seoul")).getHour(), "the digest hour, in Seoul");
    assertEquals(
        true,
        at.isAfter(Instant.now()) && at.isBefore(Instant.now().plus(Duration.ofDays(1))),
        "the next one");

    poller.poll(at);
    await().atMost(Duration.ofSeconds(15)).until(() -> mailsTo("catch-up@uni.example").size() == 2);
    MimeMessage catchUp = mailsTo("catch-up@uni.example").get(1);
    assertEquals("While you were away: 2 notifications", catchUp.getSubject());
    String body = GreenMailUtil.getWholeMessage(catchUp);
    assertThat(body, containsString("Held one"));
    assertThat(body, containsString("Held two"));
    assertThat(body, not(containsString("Sent one")));
    // The mail goes out before its record commits.
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                "sent 2"
                    .equals(
                        db.one(
                            "select status || ' ' || held_back from digests"
                                + " where period = 'catchup' and user_id = "
                                + user)));
    assertEquals(
        "budget budget",
        db.one(
            "select string_agg(skip_reason, ' ') from deliveries where channel = 'email'"
                + " and notification_job_id in ('"
                + second
                + "', '"
                + third
                + "')"));
  }

  @Test
  void aDigestUserFindsWhatWasHeldBackInTheNextDigest() throws Exception {
    long user = fixtures.user("held-digest@uni.example", "comment.reply", "email");
    db.exec("update users set digest = 'daily' where id = " + user);
    db.exec("insert into notification_budgets (user_id, daily_budget) values (" + user + ", 0)");
    UUID held = dispatch(user, "Held for the digest");
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                db.count(
                        "select count(*) from deliveries where skip_reason = 'budget'"
                            + " and notification_job_id = '"
                            + held
                            + "'")
                    == 1);
    assertEquals(
        0,
        db.count(
            "select count(*) from jobs where type = 'digest.build' and payload ->> 'userId' = '"
                + user
                + "'"),
        "no catch-up mail for a user whose digest will carry it");

    Instant periodStart =
        LocalDate.now(ZoneId.of("UTC")).atTime(8, 0).atZone(ZoneId.of("UTC")).toInstant();
    DigestJob job = new DigestJob(user, "daily", periodStart);
    // Run as the job runtime would, with its retry: a CI run once saw GreenMail not answer within
    // the test profile's 4 s mailer timeout, and the job would simply have been tried again.
    await()
        .atMost(Duration.ofSeconds(40))
        .until(
            () -> {
              try {
                QuarkusTransaction.requiringNew()
                    .call(
                        () -> {
                          digests.handle(
                              job,
                              new JobContext(job.jobId(), JobType.DIGEST_BUILD, 1, null, null));
                          return null;
                        });
                return true;
              } catch (RuntimeException e) {
                // Sent, and only the answer was lost: the next step sees the mail.
                return !mailsTo("held-digest@uni.example").isEmpty();
              }
            });
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> mailsTo("held-digest@uni.example").size() == 1);
    String body = GreenMailUtil.getWholeMessage(mailsTo("held-digest@uni.example").get(0));
    assertThat(body, containsString("While you were away"));
    assertThat(body, containsString("Held for the digest"));
  }

  /** The mails that reached one address, in order: other classes' mail may arrive meanwhile. */
  private static List<MimeMessage> mailsTo(String address) {
    List<MimeMessage> to = new ArrayList<>();
    for (MimeMessage message : mail.getReceivedMessages()) {
      try {
        if (GreenMailUtil.getAddressList(message.getAllRecipients()).contains(address)) {
          to.add(message);
        }
      } catch (jakarta.mail.MessagingException e) {
        throw new IllegalStateException(e);
      }
    }
    return to;
  }

  private boolean take(long user, Instant at) {
    return QuarkusTransaction.requiringNew().call(() -> budget.take(user, at).taken());
  }

  private UUID dispatch(long user, String title) {
    return enqueuer
        .enqueue(
            JobType.NOTIFICATION_DISPATCH,
            new NotificationDispatch("comment.reply", List.of(user), title, null, "/posts/1", 5L),
            null,
            null)
        .jobId();
  }

  private static JobMessage message(NotificationDispatch payload) {
    return new JobMessage(
        UUID.randomUUID(),
        JobType.NOTIFICATION_DISPATCH,
        1,
        null,
        null,
        Instant.now(),
        JobCodec.encode(payload));
  }
}
