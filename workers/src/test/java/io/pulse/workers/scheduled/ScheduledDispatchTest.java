package io.pulse.workers.scheduled;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobLedger;
import io.pulse.common.jobs.JobStatus;
import io.pulse.common.jobs.JobType;
import io.pulse.common.jobs.ScheduledJobPoller;
import io.pulse.common.notification.NotificationDispatch;
import io.pulse.workers.TestSql;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Scheduled dispatches through the running workers: real PostgreSQL and RabbitMQ, the poll run with
 * the clock each test chooses (the poller's own tick is off in tests), and the in-app inbox as the
 * effect that must happen once or never.
 */
@QuarkusTest
class ScheduledDispatchTest {
  static long nextUser = 930_000_000L + (System.currentTimeMillis() % 100_000) * 100;

  @Inject JobEnqueuer enqueuer;
  @Inject ScheduledJobPoller poller;
  @Inject JobLedger ledger;
  @Inject TestSql db;

  @Test
  void aScheduledDispatchReachesTheInboxOnlyOnceItIsDue() {
    long user = user();
    Instant sendAt = inAnHour();
    UUID job = schedule(user, sendAt);

    poller.poll(sendAt.minusMillis(1));
    assertEquals("scheduled", db.jobStatus(job));
    poller.poll(sendAt);
    await().atMost(Duration.ofSeconds(15)).until(() -> "succeeded".equals(db.jobStatus(job)));
    assertEquals(1L, inbox(job));
  }

  /**
   * A poll that published a job but died before its commit leaves the message in the broker and the
   * row {@code scheduled}: the workers drop that copy, and the next poll sends the job, once.
   */
  @Test
  void aCopyPublishedWithoutTheCommitIsDroppedAndTheNextPollSendsItOnce() {
    long user = user();
    Instant sendAt = inAnHour().plusSeconds(5);
    UUID job = schedule(user, sendAt);
    JobLedger.LedgerJob row =
        ledger.lockDue(sendAt, 10_000).stream()
            .filter(j -> j.id().equals(job))
            .findFirst()
            .orElseThrow();
    enqueuer.publishAll(List.of(row.message()));
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(5))
        .until(() -> inbox(job) == 0 && "scheduled".equals(db.jobStatus(job)));

    poller.poll(sendAt);
    await().atMost(Duration.ofSeconds(15)).until(() -> "succeeded".equals(db.jobStatus(job)));
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(3))
        .until(() -> inbox(job) == 1);
  }

  /**
   * The cancel against the poll, with the workers running: a cancelled job never reaches an inbox,
   * and a job the cancel came too late for (409 at the API) is delivered, once.
   */
  @Test
  void aCancelRacingThePollEitherPreventsTheDeliveryOrComesTooLate() {
    for (int round = 0; round < 10; round++) {
      long user = user();
      Instant sendAt = inAnHour().plusSeconds(10 + round);
      UUID job = schedule(user, sendAt);
      CyclicBarrier start = new CyclicBarrier(2);
      CompletableFuture<JobStatus> cancel =
          CompletableFuture.supplyAsync(
              () -> {
                together(start);
                return ledger.cancel(job);
              });
      CompletableFuture<Integer> poll =
          CompletableFuture.supplyAsync(
              () -> {
                together(start);
                return poller.poll(sendAt);
              });
      JobStatus afterCancel = cancel.join();
      poll.join();
      if (afterCancel == JobStatus.CANCELLED) {
        await()
            .during(Duration.ofMillis(500))
            .atMost(Duration.ofSeconds(3))
            .until(() -> inbox(job) == 0 && "cancelled".equals(db.jobStatus(job)));
      } else {
        // Too late: published, and by the time the cancel read it perhaps already run.
        assertTrue(
            Set.of(JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.SUCCEEDED).contains(afterCancel),
            "round " + round + ": " + afterCancel);
        await().atMost(Duration.ofSeconds(15)).until(() -> "succeeded".equals(db.jobStatus(job)));
        assertEquals(1L, inbox(job), "round " + round);
      }
    }
  }

  private UUID schedule(long user, Instant sendAt) {
    return enqueuer
        .enqueue(
            JobType.NOTIFICATION_DISPATCH,
            new NotificationDispatch("mention", List.of(user), "Class moved", "Room 4", null, null),
            null,
            null,
            sendAt)
        .jobId();
  }

  private long user() {
    long id = nextUser++;
    db.exec("insert into users (id, handle) values (" + id + ", 'u" + id + "')");
    return id;
  }

  private long inbox(UUID job) {
    return db.count("select count(*) from notifications where job_id = '" + job + "'");
  }

  private static Instant inAnHour() {
    return Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MILLIS);
  }

  private static void together(CyclicBarrier barrier) {
    try {
      barrier.await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
