package io.pulse.workers.notification;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import io.agroal.api.AgroalDataSource;
import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobType;
import io.pulse.common.jobs.ScheduledJobPoller;
import io.pulse.common.notification.NotificationDispatch;
import io.pulse.common.notification.Recalls;
import io.pulse.workers.TestSql;
import io.pulse.workers.WithMailServer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Recall against the running workers (real PostgreSQL, RabbitMQ and GreenMail), landing before,
 * during and after the dispatch job: whatever the order, no unread in-app item of a recalled
 * notification is left, no delivery is left pending, and no mail goes out after the recall.
 */
@QuarkusTest
class RecallTest {
  static long nextUser = 940_000_000L + (System.currentTimeMillis() % 100_000) * 100;

  GreenMail mail;
  @Inject JobEnqueuer enqueuer;
  @Inject ScheduledJobPoller poller;
  @Inject Recalls recalls;
  @Inject AgroalDataSource dataSource;
  @Inject TestSql db;

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
  void aDispatchThatRunsAfterTheRecallOfItsSourceWritesNothing() {
    long user = user("before@uni.example");
    String source = source();
    Recalls.Outcome outcome = recalls.recall(Recalls.Target.source(source));
    assertTrue(outcome.first());
    assertEquals(0, outcome.inAppRemoved());

    UUID job = dispatch(source, null, user);
    await().atMost(Duration.ofSeconds(15)).until(() -> "succeeded".equals(db.jobStatus(job)));
    assertEquals(0, inbox(job));
    assertEquals(
        0,
        db.count(
            "select count(*) from deliveries where channel <> 'in_app' and notification_job_id = '"
                + job
                + "'"));
    assertEquals(
        "skipped recalled",
        db.one(
            "select status || ' ' || skip_reason from deliveries where channel = 'in_app'"
                + " and notification_job_id = '"
                + job
                + "'"),
        "the recipient's in-app decision records the recall");
    assertEquals(0, mail.getReceivedMessages().length);
  }

  @Test
  void aRecallOfAScheduledDispatchCancelsItAndTheRecallOfItsIdStopsItToo() {
    long user = user("scheduled@uni.example");
    Instant sendAt = Instant.now().plus(Duration.ofHours(2)).truncatedTo(ChronoUnit.MILLIS);
    UUID bySource = dispatch(source(), sendAt, user);
    UUID byId = dispatch(null, sendAt, user);

    String source = sourceOf(bySource);
    assertEquals(1, recalls.recall(Recalls.Target.source(source)).scheduledCancelled());
    assertEquals(1, recalls.recall(Recalls.Target.dispatch(byId)).scheduledCancelled());
    assertEquals("cancelled", db.jobStatus(bySource));
    assertEquals("cancelled", db.jobStatus(byId));

    poller.poll(sendAt);
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(3))
        .until(() -> inbox(bySource) == 0 && inbox(byId) == 0);
    assertEquals(0, mail.getReceivedMessages().length);
  }

  /**
   * The recall lands while the dispatch is inside its transaction: a test transaction holds an
   * uncommitted in-app row of the same (user, job), so the dispatch's insert waits on it after it
   * took its recall lock. The recall then waits for the dispatch, which commits; the recall
   * withdraws what it wrote. The mail server is down meanwhile, so the email is still pending when
   * the recall comes and must end skipped, never sent.
   */
  @Test
  void aRecallDuringTheDispatchWaitsForItAndWithdrawsWhatItWrote() throws Exception {
    mail.stop();
    long user = user("during@uni.example");
    Instant sendAt = Instant.now().plus(Duration.ofHours(3)).truncatedTo(ChronoUnit.MILLIS);
    String source = source();
    UUID job = dispatch(source, sendAt, user);
    CompletableFuture<Recalls.Outcome> recall;
    try (Connection blocker = dataSource.getConnection()) {
      blocker.setAutoCommit(false);
      try (PreparedStatement hold =
          blocker.prepareStatement(
              "insert into notifications (user_id, job_id, type, title) values (?, ?, 'x', 'x')")) {
        hold.setLong(1, user);
        hold.setObject(2, job);
        hold.executeUpdate();
      }
      poller.poll(sendAt);
      // The dispatch holds its recall lock (shared) and waits on the blocker's row.
      await().atMost(Duration.ofSeconds(15)).until(() -> advisoryLocks(true) >= 1);
      recall = CompletableFuture.supplyAsync(() -> recalls.recall(Recalls.Target.source(source)));
      await().atMost(Duration.ofSeconds(10)).until(() -> advisoryLocks(false) >= 1);
      assertTrue(!recall.isDone(), "the recall waits for the running dispatch");
      blocker.rollback();
    }
    Recalls.Outcome outcome = recall.get();
    assertEquals("succeeded", db.jobStatus(job));
    assertEquals(1, outcome.inAppRemoved());
    assertEquals(1, outcome.deliveriesSkipped());
    assertEquals(0, inbox(job));
    assertEquals("skipped recalled", delivery(job));

    mail = new GreenMail(WithMailServer.SMTP);
    mail.start();
    UUID emailJob = deliveryId(job);
    await().atMost(Duration.ofSeconds(15)).until(() -> "succeeded".equals(db.jobStatus(emailJob)));
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(3))
        .until(() -> mail.getReceivedMessages().length == 0);
    assertEquals("skipped recalled", delivery(job));
  }

  /**
   * After the dispatch: the unread item goes, the read one stays marked recalled, the email already
   * sent stays sent; a second recall finds nothing more and a redelivered dispatch writes nothing.
   */
  @Test
  void aRecallAfterTheDispatchRemovesUnreadItemsAndMarksReadOnes() {
    long reader = user("reader@uni.example");
    long unread = user(null);
    String source = source();
    UUID job = dispatch(source, null, reader, unread);
    await().atMost(Duration.ofSeconds(15)).until(() -> "sent".equals(status(job, reader)));
    db.exec(
        "update notifications set read_at = now() where job_id = '"
            + job
            + "' and user_id = "
            + reader);

    Recalls.Outcome outcome = recalls.recall(Recalls.Target.dispatch(job));
    assertEquals(1, outcome.inAppRemoved());
    assertEquals(1, outcome.inAppMarkedRecalled());
    assertEquals(0, outcome.deliveriesSkipped());
    assertEquals(1, inbox(job));
    assertEquals(
        1,
        db.count(
            "select count(*) from notifications where recalled_at is not null and read_at is not null and user_id = "
                + reader));
    assertEquals("sent", status(job, reader));
    assertEquals(1, mail.getReceivedMessages().length);

    Recalls.Outcome again = recalls.recall(Recalls.Target.dispatch(job));
    assertEquals(false, again.first());
    assertEquals(0, again.inAppRemoved() + again.inAppMarkedRecalled() + again.deliveriesSkipped());
  }

  private UUID dispatch(String source, Instant sendAt, Long... recipients) {
    return enqueuer
        .enqueue(
            JobType.NOTIFICATION_DISPATCH,
            new NotificationDispatch(
                "comment.reply", List.of(recipients), "Reply", "Nice", "/posts/9", 5L, source),
            null,
            null,
            sendAt)
        .jobId();
  }

  private long user(String email) {
    long id = nextUser++;
    db.exec(
        "insert into users (id, handle, email) values ("
            + id
            + ", 'u"
            + id
            + "', "
            + (email == null ? "null" : "'" + email + "'")
            + ")");
    return id;
  }

  private static String source() {
    return "post:" + UUID.randomUUID();
  }

  private String sourceOf(UUID job) {
    return db.one("select payload ->> 'source' from jobs where id = '" + job + "'");
  }

  private long inbox(UUID job) {
    return db.count("select count(*) from notifications where job_id = '" + job + "'");
  }

  private String status(UUID job, long user) {
    return db.one(
        "select status from deliveries where channel = 'email' and notification_job_id = '"
            + job
            + "' and user_id = "
            + user);
  }

  private String delivery(UUID job) {
    return db.one(
        "select status || ' ' || coalesce(skip_reason, '-') from deliveries"
            + " where channel = 'email' and notification_job_id = '"
            + job
            + "'");
  }

  private UUID deliveryId(UUID job) {
    return UUID.fromString(
        db.one(
            "select id from deliveries where channel = 'email' and notification_job_id = '"
                + job
                + "'"));
  }

  private long advisoryLocks(boolean granted) {
    return db.count(
        "select count(*) from pg_locks where locktype = 'advisory' and granted = " + granted);
  }
}
