package io.pulse.workers.notification;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobType;
import io.pulse.common.jobs.ScheduledJobPoller;
import io.pulse.common.notification.NotificationDispatch;
import io.pulse.common.notification.QuietHours;
import io.pulse.common.notification.Recalls;
import io.pulse.workers.TestSql;
import io.pulse.workers.WithMailServer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Quiet hours against the running workers (real PostgreSQL, RabbitMQ and GreenMail), for a user in
 * Asia/Seoul whose window is set around the real clock: the in-app item is written at once, the
 * email waits as a {@code scheduled} job due at the window's end (in UTC), and the poll run at the
 * clock the test chooses sends it once when due. Critical types ignore the window; a recall before
 * its end stops the email; an escalation that falls into the window waits for its end.
 */
@QuarkusTest
class QuietHoursDeliveryTest extends WithMailServer {
  static final ZoneId SEOUL = ZoneId.of("Asia/Seoul");
  static long nextUser = 960_000_000L + (System.currentTimeMillis() % 100_000) * 100;

  @Inject TestSql db;
  @Inject ScheduledJobPoller poller;
  @Inject JobEnqueuer enqueuer;
  @Inject Recalls recalls;

  @Test
  void anEmailInQuietHoursIsScheduledForTheirEndAndGoesOutOnceWhenDue() {
    QuietHours window = windowAroundNow();
    long user = user(window);
    UUID job = dispatch("comment.reply", user, null);
    Instant end = window.deferUntil(Instant.now(), SEOUL).orElseThrow();

    assertEquals(1, unread(job), "in-app is written at once");
    UUID email = emailJob(job);
    assertEquals("scheduled", db.jobStatus(email));
    assertEquals(end, sendAt(email), "due when the window ends, in UTC");
    assertEquals("pending -", delivery(job));
    assertEquals(
        end.toEpochMilli(),
        Long.parseLong(ofEmail(job, "(extract(epoch from deferred_until) * 1000)::bigint")),
        "the delivery records the end of the window it waits for (\"why\": quiet_hours)");

    poller.poll(end.minusMillis(1));
    assertEquals("scheduled", db.jobStatus(email));
    poller.poll(end);
    await().atMost(Duration.ofSeconds(15)).until(() -> "succeeded".equals(db.jobStatus(email)));
    assertEquals("sent -", delivery(job));
    assertEquals(1, mail.getReceivedMessages().length);

    // A later poll finds nothing of it to send again.
    poller.poll(end.plusSeconds(60));
    assertEquals(1, mail.getReceivedMessages().length);
    assertEquals("sent -", delivery(job));
  }

  @Test
  void aCriticalTypeIgnoresQuietHours() {
    long user = user(windowAroundNow());
    UUID job = dispatch("account.security", user, null);

    UUID email = emailJob(job);
    await().atMost(Duration.ofSeconds(15)).until(() -> "succeeded".equals(db.jobStatus(email)));
    assertEquals("sent -", delivery(job));
    assertEquals(1, mail.getReceivedMessages().length);
    assertEquals(
        "", db.one("select coalesce(send_at::text, '') from jobs where id = '" + email + "'"));
  }

  @Test
  void aRecallBeforeTheWindowEndsMeansTheEmailNeverGoesOut() {
    QuietHours window = windowAroundNow();
    long user = user(window);
    String source = "post:quiet-" + UUID.randomUUID();
    UUID job = dispatch("comment.reply", user, source);
    UUID email = emailJob(job);
    Instant end = sendAt(email);

    Recalls.Outcome outcome = recalls.recall(Recalls.Target.source(source));
    assertEquals(1, outcome.deliveriesSkipped());
    assertEquals(1, outcome.inAppRemoved());
    assertEquals("cancelled", db.jobStatus(email));
    assertEquals("skipped recalled", delivery(job));

    poller.poll(end);
    assertEquals("cancelled", db.jobStatus(email));
    assertEquals(0, mail.getReceivedMessages().length);
  }

  /**
   * Quiet hours begin two to three minutes from now, the escalation is due ten minutes from now:
   * inside the window, so the email waits for the window's end, not the escalation delay alone.
   */
  @Test
  void anEscalationDueInQuietHoursWaitsForTheirEnd() {
    LocalTime start =
        Instant.now().atZone(SEOUL).toLocalTime().truncatedTo(ChronoUnit.MINUTES).plusMinutes(3);
    QuietHours window = new QuietHours(start, start.plusHours(1));
    long user = user(window);
    UUID job = dispatch("test.escalated", user, null);
    UUID email = emailJob(job);
    // Any moment of the window gives its end; the handler's ten minutes were a moment ago.
    Instant end =
        window.deferUntil(Instant.now().plus(Duration.ofMinutes(10)), SEOUL).orElseThrow();

    assertEquals(end, sendAt(email));
    poller.poll(end);
    await().atMost(Duration.ofSeconds(15)).until(() -> "succeeded".equals(db.jobStatus(email)));
    assertEquals("sent -", delivery(job));
    assertEquals(1, mail.getReceivedMessages().length);
  }

  /** An hour before now to an hour after, on Seoul's clock (crossing midnight when it does). */
  private static QuietHours windowAroundNow() {
    LocalTime now = Instant.now().atZone(SEOUL).toLocalTime().truncatedTo(ChronoUnit.MINUTES);
    return new QuietHours(now.minusHours(1), now.plusHours(1));
  }

  private UUID dispatch(String type, long user, String source) {
    UUID job =
        enqueuer
            .enqueue(
                JobType.NOTIFICATION_DISPATCH,
                new NotificationDispatch(
                    type, List.of(user), "Quiet reply", "Hi", "/posts/1", null, source),
                null,
                null)
            .jobId();
    await().atMost(Duration.ofSeconds(15)).until(() -> "succeeded".equals(db.jobStatus(job)));
    return job;
  }

  private long unread(UUID job) {
    return db.count(
        "select count(*) from notifications where read_at is null and job_id = '" + job + "'");
  }

  private UUID emailJob(UUID job) {
    return UUID.fromString(ofEmail(job, "id"));
  }

  /** Whole milliseconds: windows end on whole minutes. */
  private Instant sendAt(UUID email) {
    return Instant.ofEpochMilli(
        Long.parseLong(db.jobColumn(email, "(extract(epoch from send_at) * 1000)::bigint")));
  }

  private String delivery(UUID job) {
    return ofEmail(job, "status || ' ' || coalesce(skip_reason, '-')");
  }

  private String ofEmail(UUID job, String expression) {
    return db.one(
        "select %s from deliveries where channel = 'email' and notification_job_id = '%s'"
            .formatted(expression, job));
  }

  private long user(QuietHours window) {
    long id = nextUser++;
    db.exec(
        "insert into users (id, handle, email, time_zone) values ("
            + id
            + ", 'q"
            + id
            + "', 'q"
            + id
            + "@uni.example', 'Asia/Seoul')");
    db.exec(
        "insert into quiet_hours (user_id, starts, ends) values ("
            + id
            + ", '"
            + window.start()
            + "', '"
            + window.end()
            + "')");
    return id;
  }
}
