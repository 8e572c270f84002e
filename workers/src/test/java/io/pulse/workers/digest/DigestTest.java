package io.pulse.workers.digest;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.icegreen.greenmail.util.GreenMailUtil;
import io.pulse.common.digest.DigestJob;
import io.pulse.common.digest.DigestPeriod;
import io.pulse.common.digest.DigestPlanner;
import io.pulse.common.digest.UnsubscribeTokens;
import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.JobMessage;
import io.pulse.workers.TestSql;
import io.pulse.workers.WithMailServer;
import io.pulse.workers.notification.Mails;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Digests against the real database, broker and an SMTP server (GreenMail). Ticks are run with a
 * chosen clock (the scheduled tick is off in tests); the send hour is 8 and the catch-up window 2h.
 */
@QuarkusTest
class DigestTest extends WithMailServer {
  static long nextId = 900_000_000L + (System.currentTimeMillis() % 100_000) * 100;

  @Inject DigestScheduler scheduler;
  @Inject DigestPlanner planner;
  @Inject UnsubscribeTokens tokens;
  @Inject JobEnqueuer enqueuer;
  @Inject TestSql db;

  // The build may move it (the _TEST_ variables of a parallel worktree).
  @ConfigProperty(name = "pulse.digests.public-url")
  String publicUrl;

  @Test
  void usersInThreeTimeZonesGetTheirDigestAtTheirOwnHour() {
    // News at 14:00 UTC on Dec 1 is after each one's previous 08:00, so all three have a digest.
    Instant news = Instant.parse("2026-12-01T14:00:00Z");
    long seoul = userWithNews("seoul", "Asia/Seoul", "daily", news);
    long london = userWithNews("london", "Europe/London", "daily", news);
    long newYork = userWithNews("newyork", "America/New_York", "daily", news);

    // 07:59 in Seoul: nobody's 08:00 has come, and yesterday's is past the catch-up window.
    scheduler.tick(Instant.parse("2026-12-01T22:59:00Z"));
    // 08:00 in Seoul, 23:00 in London, 18:00 in New York.
    scheduler.tick(Instant.parse("2026-12-01T23:00:30Z"));
    awaitMails(seoul, 1);
    assertEquals(0, mailsTo(london) + mailsTo(newYork));

    // 08:00 in London (UTC in winter); Seoul's period was already planned.
    scheduler.tick(Instant.parse("2026-12-02T08:00:30Z"));
    awaitMails(london, 1);
    assertEquals(0, mailsTo(newYork));

    // 08:00 in New York (UTC-5), and a second node ticking at the same instant.
    Instant nyEight = Instant.parse("2026-12-02T13:00:30Z");
    CompletableFuture.allOf(
            CompletableFuture.runAsync(() -> scheduler.tick(nyEight)),
            CompletableFuture.runAsync(() -> scheduler.tick(nyEight)))
        .join();
    awaitMails(newYork, 1);

    // Nothing more arrives: one digest each, though two nodes ticked for New York.
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(
            () ->
                List.of(mailsTo(seoul), mailsTo(london), mailsTo(newYork))
                    .equals(List.of(1, 1, 1)));
    awaitDigest(seoul, "2026-12-01T23:00:00Z");
    awaitDigest(newYork, "2026-12-02T13:00:00Z");
  }

  /**
   * Two worker nodes ticking in the same minute, over users enough for several pages each, so the
   * two passes insert into the same pages at once. Each digest must be enqueued by exactly one of
   * them (only the rows a pass inserted are published) and be one ledger row (the (user, period
   * start) key) and one digests row; the users with news get one mail each. Most have none: an
   * empty digest sends nothing, which keeps the test's mail (slow on a busy machine) to a few.
   */
  @Test
  void twoNodesTickingTheSameMinuteSendOneDigestPerUser() throws Exception {
    Instant news = Instant.parse("2027-03-09T14:00:00Z");
    List<Long> withNews = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      withNews.add(userWithNews("pair", "UTC", "daily", news));
    }
    for (int i = 0; i < 112; i++) {
      user("pairquiet", "UTC", "daily");
    }
    long first = withNews.get(0);
    long last = nextId - 1;
    String mine = " and (payload->>'userId')::bigint between " + first + " and " + last;
    Instant eight = Instant.parse("2027-03-10T08:00:30Z");
    Instant began = Instant.now();
    CyclicBarrier together = new CyclicBarrier(2);
    ExecutorService nodes = Executors.newFixedThreadPool(2);
    try {
      List<Future<List<DigestPlanner.Plan>>> ticks = new ArrayList<>();
      for (int node = 0; node < 2; node++) {
        ticks.add(
            nodes.submit(
                () -> {
                  together.await(10, TimeUnit.SECONDS);
                  return scheduler.tick(eight);
                }));
      }
      int published = 0;
      for (Future<List<DigestPlanner.Plan>> tick : ticks) {
        published +=
            tick.get(60, TimeUnit.SECONDS).stream()
                .mapToInt(DigestPlanner.Plan::jobsEnqueued)
                .sum();
      }
      // Other tests' users may be due at that instant too: every new row counts, once.
      long planned =
          db.count(
              "select count(*) from jobs where type = 'digest.build' and created_at >= '"
                  + began
                  + "'");
      assertEquals(planned, published, "each planned digest published by one node only");
      assertEquals(
          db.count(
              "select count(*) from jobs where type = 'digest.build'"
                  + " and payload->>'period' = 'daily'"
                  + " and payload->>'periodStart' = '2027-03-10T08:00:00Z'"),
          db.count(
              "select planned from digest_runs where period = 'daily'"
                  + " and period_start = '2027-03-10T08:00:00Z'"),
          "the run's planned count has each job once, whichever node created it");
      String jobs = "select count(*) from jobs where type = 'digest.build'" + mine;
      assertEquals(last - first + 1, db.count(jobs), "one ledger row per user and period");
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> db.count(jobs + " and status = 'succeeded'") == last - first + 1);
      for (long user : withNews) {
        awaitMails(user, 1);
      }
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(3))
          .until(() -> withNews.stream().allMatch(user -> mailsTo(user) == 1));
      // An empty digest is recorded too (not sent): one row per user and period, whoever ticked.
      assertEquals(
          last - first + 1,
          db.count("select count(*) from digests where user_id between " + first + " and " + last));
    } finally {
      nodes.shutdownNow();
      // Out of later runs' ticks and digest runs, which plan every user who wants a digest.
      db.exec("update users set digest = 'off' where id between " + first + " and " + last);
    }
  }

  @Test
  void aTickMissedWhileWorkersWereDownIsCaughtUpWithinTheWindow() {
    Instant news = Instant.parse("2026-12-02T22:00:00Z");
    long caughtUp = userWithNews("late", "Europe/Paris", "daily", news);
    long tooLate = userWithNews("tooLate", "Asia/Tokyo", "daily", news);
    // Paris 08:00 (07:00 UTC) was 1h30 ago, inside the 2h window; Tokyo's 08:00 was 9h30 ago.
    scheduler.tick(Instant.parse("2026-12-03T08:30:00Z"));
    awaitMails(caughtUp, 1);
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> mailsTo(tooLate) == 0);
    assertNull(db.one("select digest_planned_through from users where id = " + tooLate));
  }

  @Test
  void aWeeklyDigestIsDueOnTheConfiguredWeekday() {
    long weekly = userWithNews("weekly", "UTC", "weekly", Instant.parse("2026-12-01T14:00:00Z"));
    // 2026-12-06 is a Sunday: no weekly digest; Monday 2026-12-07 08:00 UTC: due.
    scheduler.tick(Instant.parse("2026-12-06T08:00:30Z"));
    scheduler.tick(Instant.parse("2026-12-07T08:00:30Z"));
    awaitMails(weekly, 1);
    awaitDigest(weekly, "2026-12-07T08:00:00Z");
  }

  @Test
  void theSamePeriodRunTwiceOrRedeliveredSendsOnce() throws Exception {
    long user = userWithNews("twice", "UTC", "daily", Instant.parse("2026-12-04T07:00:00Z"));
    Instant now = Instant.parse("2026-12-04T09:00:00Z");
    DigestPlanner.Plan first = planner.runNow(DigestPeriod.DAILY, now);
    DigestPlanner.Plan second = planner.runNow(DigestPeriod.DAILY, now);
    scheduler.tick(now);
    assertThat("first run enqueues", first.jobsEnqueued() >= 1);
    assertEquals(0, second.jobsEnqueued(), "the second run finds every period enqueued");

    awaitMails(user, 1);
    DigestJob job = new DigestJob(user, "daily", Instant.parse("2026-12-04T08:00:00Z"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> "succeeded".equals(db.jobStatus(job.jobId())));

    // The broker delivers the same job again (the ledger row sent back to queued as if the first
    // commit had been lost after the send): the digest row stops a second mail.
    db.exec("update jobs set status = 'queued' where id = '" + job.jobId() + "'");
    enqueuer.publishAll(List.of(DigestPlanner.message(job)));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> "succeeded".equals(db.jobStatus(job.jobId())));
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> mailsTo(user) == 1);
    assertEquals(
        1L,
        db.count(
            "select count(*) from jobs where idempotency_key = '" + job.idempotencyKey() + "'"));
    assertEquals(1L, db.count("select count(*) from digests where user_id = " + user));
  }

  @Test
  void anEmptyDigestIsNotSentAndDoesNotMoveTheLastDigestTime() {
    long empty = user("empty", "UTC", "daily");
    long full = userWithNews("full", "UTC", "daily", Instant.parse("2026-12-05T07:00:00Z"));
    planner.runNow(DigestPeriod.DAILY, Instant.parse("2026-12-05T08:10:00Z"));
    awaitMails(full, 1);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> "empty".equals(db.one("select status from digests where user_id = " + empty)));
    assertEquals(0, mailsTo(empty));
    assertNull(db.one("select last_digest_at from users where id = " + empty));
    assertEquals("sent", db.one("select status from digests where user_id = " + full));
    assertNotNull(db.one("select last_digest_at from users where id = " + full));
  }

  @Test
  void theMailHasBothPartsTheNewsAndASignedUnsubscribeLink() throws Exception {
    long user = userWithNews("render", "UTC", "daily", Instant.parse("2026-12-05T07:00:00Z"));
    planner.runNow(DigestPeriod.DAILY, Instant.parse("2026-12-05T08:10:00Z"));
    awaitMails(user, 1);
    MimeMessage message = messagesTo(user).get(0);
    assertEquals("Your daily Pulse digest: 1 unread notification", message.getSubject());
    String raw = GreenMailUtil.getWholeMessage(message);
    assertThat(raw, containsString("text/plain"));
    assertThat(raw, containsString("text/html"));
    assertThat(raw, containsString("Reply to render"));
    assertThat(raw, containsString("Robotics night " + user));
    assertThat(raw, not(containsString("Deleted post " + user)));
    String header = message.getHeader("List-Unsubscribe")[0];
    assertThat(header, containsString(publicUrl + "/unsubscribe?token="));
    assertEquals("List-Unsubscribe=One-Click", message.getHeader("List-Unsubscribe-Post")[0]);
    String token = header.substring(header.indexOf("token=") + 6, header.length() - 1);
    assertEquals(user, tokens.verify(token, Instant.now()).userId());
  }

  @Test
  void aKoreanReaderGetsTheDigestInKoreanWithTheirDate() throws Exception {
    long user =
        userWithNews("hangul", "Asia/Seoul", "daily", Instant.parse("2026-12-04T14:00:00Z"));
    db.exec("update users set locale = 'ko-KR' where id = " + user);
    // 08:00 in Seoul on Saturday 5 December is 23:00 UTC the day before.
    scheduler.tick(Instant.parse("2026-12-04T23:00:30Z"));
    awaitMails(user, 1);
    MimeMessage message = messagesTo(user).get(0);
    assertEquals("Pulse 일간 다이제스트: 읽지 않은 알림 1개", message.getSubject());
    String html = Mails.html(message);
    assertThat(html, containsString("<html lang=\"ko\">"));
    assertThat(html, containsString("2026년 12월 5일 토요일"));
    assertThat(html, containsString("hangul님, 안녕하세요."));
    assertThat(html, containsString("내 커뮤니티의 새 글"));
    // The platform's own words stay as they were written.
    assertThat(html, containsString("Robotics night " + user));
    assertThat(
        Mails.text(message), containsString("다이제스트 수신 거부: " + publicUrl + "/unsubscribe?token="));
  }

  @Test
  void aUserWhoUnsubscribedAfterPlanningGetsNothing() {
    long user = userWithNews("gone", "UTC", "daily", Instant.parse("2026-12-05T07:00:00Z"));
    DigestJob job = new DigestJob(user, "daily", Instant.parse("2026-12-05T08:00:00Z"));
    db.exec("update users set digest = 'off' where id = " + user);
    QuarkusTransaction.requiringNew()
        .run(() -> enqueuer.insertInCurrentTransaction(List.of(DigestPlanner.message(job))));
    enqueuer.publishAll(List.of(DigestPlanner.message(job)));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> "succeeded".equals(db.jobStatus(job.jobId())));
    assertEquals(0, mailsTo(user));
    assertEquals(0L, db.count("select count(*) from digests where user_id = " + user));
  }

  @Test
  void aMalformedDigestJobIsDeadWithTheReasonAndSendsNothing() {
    java.util.UUID id = java.util.UUID.randomUUID();
    JobMessage bad =
        new JobMessage(
            id,
            JobType.DIGEST_BUILD,
            1,
            null,
            null,
            Instant.now(),
            "{\"userId\":0,\"period\":\"hourly\"}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    QuarkusTransaction.requiringNew().run(() -> enqueuer.insertInCurrentTransaction(List.of(bad)));
    enqueuer.publishAll(List.of(bad));
    await().atMost(Duration.ofSeconds(10)).until(() -> "dead".equals(db.jobStatus(id)));
    assertThat(db.jobColumn(id, "last_error"), containsString("invalid"));
    assertEquals(0L, db.count("select count(*) from digests where user_id = 0"));
  }

  // --- fixtures

  private long user(String handle, String zone, String digest) {
    long id = nextId++;
    db.exec(
        "insert into users (id, handle, email, display_name, time_zone, digest) values ("
            + id
            + ", '"
            + handle
            + id
            + "', '"
            + handle
            + id
            + "@uni.example', '"
            + handle
            + "', '"
            + zone
            + "', '"
            + digest
            + "')");
    return id;
  }

  /**
   * A user with, at {@code newsAt}, one unread notification and one new post in a community they
   * belong to (and a deleted post that must not show).
   */
  private long userWithNews(String handle, String zone, String digest, Instant newsAt) {
    long id = user(handle, zone, digest);
    String at = "'" + newsAt + "'";
    db.exec(
        "insert into notifications (user_id, job_id, type, title, body, link, created_at) values ("
            + id
            + ", gen_random_uuid(), 'comment.reply', 'Reply to "
            + handle
            + "', 'Nice post', '/posts/1', "
            + at
            + ")");
    db.exec("insert into communities (id, name) values (" + id + ", 'Club " + id + "')");
    db.exec(
        "insert into community_members (community_id, user_id) values (" + id + ", " + id + ")");
    db.exec(
        "insert into posts (id, community_id, author_id, title, excerpt, created_at) values ("
            + id
            + ", "
            + id
            + ", 1, 'Robotics night "
            + id
            + "', 'Bring a robot', "
            + at
            + ")");
    db.exec(
        "insert into posts (id, community_id, author_id, title, created_at, deleted_at) values ("
            + (id + 50_000_000L)
            + ", "
            + id
            + ", 1, 'Deleted post "
            + id
            + "', "
            + at
            + ", now())");
    return id;
  }

  /** The user's one digest row names this period start (the row commits just after the send). */
  private void awaitDigest(long user, String periodStart) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                periodStart.equals(
                    db.one("select period_start from digests where user_id = " + user)));
  }

  private void awaitMails(long user, int expected) {
    await().atMost(Duration.ofSeconds(20)).until(() -> mailsTo(user) >= expected);
  }

  private int mailsTo(long user) {
    return messagesTo(user).size();
  }

  private List<MimeMessage> messagesTo(long user) {
    return Arrays.stream(mail.getReceivedMessages())
        .filter(
            m -> GreenMailUtil.getAddressList(recipients(m)).contains("" + user + "@uni.example"))
        .toList();
  }

  private static jakarta.mail.Address[] recipients(MimeMessage m) {
    try {
      return m.getRecipients(Message.RecipientType.TO);
    } catch (jakarta.mail.MessagingException e) {
      throw new IllegalStateException(e);
    }
  }
}
