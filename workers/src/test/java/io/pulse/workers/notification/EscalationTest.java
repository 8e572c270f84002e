package io.pulse.workers.notification;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.icegreen.greenmail.util.GreenMail;
import io.agroal.api.AgroalDataSource;
import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobType;
import io.pulse.common.jobs.ScheduledJobPoller;
import io.pulse.common.notification.NotificationDispatch;
import io.pulse.workers.TestSql;
import io.pulse.workers.WithMailServer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Escalation only if unread ({@code test.escalated}: email after 10 minutes unread), with the poll
 * run at the clock each test chooses, real PostgreSQL, RabbitMQ and GreenMail. The in-app item is
 * read a millisecond before the check or a millisecond after it, and a read that is mid-transaction
 * when the check comes decides the outcome once.
 */
@QuarkusTest
class EscalationTest {
  static long nextUser = 950_000_000L + (System.currentTimeMillis() % 100_000) * 100;

  GreenMail mail;
  @Inject JobEnqueuer enqueuer;
  @Inject ScheduledJobPoller poller;
  @Inject AgroalDataSource dataSource;
  @Inject TestSql db;

  @BeforeEach
  void startMail() {
    mail = new GreenMail(WithMailServer.SMTP);
    mail.start();
  }

  @AfterEach
  void stopMail() {
    mail.stop();
  }

  @Test
  void theEmailWaitsForTheDelayAndIsSkippedWhenReadAMillisecondBeforeTheCheck() {
    long user = user();
    UUID job = dispatch(user);
    UUID email = deferredEmail(job);
    Instant due = sendAt(email);

    poller.poll(due.minusMillis(1));
    assertEquals("scheduled", db.jobStatus(email));
    markRead(job, due.minusMillis(1));
    poller.poll(due);

    await().atMost(Duration.ofSeconds(15)).until(() -> "succeeded".equals(db.jobStatus(email)));
    assertEquals("skipped read", delivery(job));
    assertEquals(0, mail.getReceivedMessages().length);
  }

  @Test
  void anItemReadAMillisecondAfterTheCheckKeepsItsEmail() {
    long user = user();
    UUID job = dispatch(user);
    UUID email = deferredEmail(job);
    Instant due = sendAt(email);

    poller.poll(due);
    await().atMost(Duration.ofSeconds(15)).until(() -> "sent -".equals(delivery(job)));
    markRead(job, due.plusMillis(1));
    assertEquals("sent -", delivery(job));
    assertEquals(1, mail.getReceivedMessages().length);
  }

  /**
   * A read still uncommitted when the email is due: the check waits on the in-app row's lock, and
   * the read that commits makes it skip. The reverse order (the check holds the lock while it
   * sends) makes the read wait for the {@code sent} record; either way exactly one outcome.
   */
  @Test
  void aReadInFlightWhenTheCheckComesIsWaitedForAndWins() throws Exception {
    long user = user();
    UUID job = dispatch(user);
    UUID email = deferredEmail(job);
    Instant due = sendAt(email);
    try (Connection reader = dataSource.getConnection()) {
      reader.setAutoCommit(false);
      try (PreparedStatement read =
          reader.prepareStatement(
              "update notifications set read_at = now() where job_id = ? and user_id = ?")) {
        read.setObject(1, job);
        read.setLong(2, user);
        assertEquals(1, read.executeUpdate());
      }
      poller.poll(due);
      // The delivery job waits on the reader's row lock.
      await()
          .atMost(Duration.ofSeconds(15))
          .until(
              () ->
                  db.count(
                          "select count(*) from pg_stat_activity where wait_event_type = 'Lock'"
                              + " and query like '%from notifications%for update%'")
                      == 1);
      reader.commit();
    }
    await().atMost(Duration.ofSeconds(15)).until(() -> "succeeded".equals(db.jobStatus(email)));
    assertEquals("skipped read", delivery(job));
    assertEquals(0, mail.getReceivedMessages().length);
  }

  private UUID dispatch(long user) {
    UUID job =
        enqueuer
            .enqueue(
                JobType.NOTIFICATION_DISPATCH,
                new NotificationDispatch(
                    "test.escalated", List.of(user), "Unread reply", "Hi", "/posts/1", null),
                null,
                null)
            .jobId();
    await().atMost(Duration.ofSeconds(15)).until(() -> "succeeded".equals(db.jobStatus(job)));
    assertEquals(
        1,
        db.count(
            "select count(*) from notifications where read_at is null and job_id = '" + job + "'"));
    return job;
  }

  private UUID deferredEmail(UUID job) {
    String id =
        db.one(
            "select id from deliveries where channel = 'email' and notification_job_id = '"
                + job
                + "'");
    UUID email = UUID.fromString(id);
    assertEquals("scheduled", db.jobStatus(email));
    assertEquals("pending -", delivery(job));
    return email;
  }

  /** When the email is due, to the millisecond at or after it (the row holds microseconds). */
  private Instant sendAt(UUID email) {
    Instant due =
        Instant.ofEpochMilli(
            db.count(
                "select ceil(extract(epoch from send_at) * 1000)::bigint from jobs where id = '"
                    + email
                    + "'"));
    Instant created =
        OffsetDateTime.parse(
                db.one(
                    "select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') from jobs where id = '"
                        + email
                        + "'"))
            .toInstant();
    long minutes = Duration.between(created, due).toMinutes();
    assertEquals(10, minutes, "due 10 minutes after the dispatch");
    return due;
  }

  private void markRead(UUID job, Instant at) {
    db.exec("update notifications set read_at = '" + at + "' where job_id = '" + job + "'");
  }

  private String delivery(UUID job) {
    return db.one(
        "select status || ' ' || coalesce(skip_reason, '-') from deliveries"
            + " where channel = 'email' and notification_job_id = '"
            + job
            + "'");
  }

  private long user() {
    long id = nextUser++;
    db.exec(
        "insert into users (id, handle, email) values ("
            + id
            + ", 'u"
            + id
            + "', 'u"
            + id
            + "@uni.example')");
    return id;
  }
}
