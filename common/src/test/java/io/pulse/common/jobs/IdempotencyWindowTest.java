package io.pulse.common.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.pulse.common.messaging.JobMessage;
import io.pulse.common.testing.TestDatabase;
import io.pulse.common.testing.TestPublisher;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The idempotency window (README, Retention): a key stays taken while its job's row exists, which
 * is until the succeeded-jobs retention has passed since the job finished; a repeat after that
 * starts a new job.
 */
class IdempotencyWindowTest {
  private static final Duration WINDOW = Duration.ofDays(7);

  @RegisterExtension final TestPublisher broker = new TestPublisher("test.window.");
  private final DataSource dataSource = TestDatabase.migrated();
  private final JobLedger ledger = new JobLedger(dataSource);

  @Test
  void aKeyInsideTheWindowStillFindsTheFirstJob() throws Exception {
    JobMessage first = succeededWithKey("inside", Duration.ofDays(6).plusHours(23));

    purgeSucceeded();
    JobMessage again = broker.job("inside", broker.type);
    JobLedger.KeyHolder holder =
        TestEnqueues.groups(ledger, broker.publisher, Duration.ofSeconds(10))
            .insertAndPublish(TestEnqueues.row(again), again);

    assertNotNull(holder, "the repeat is answered with the first job");
    assertEquals(first.jobId(), holder.id());
  }

  @Test
  void aKeyReusedAfterTheWindowStartsANewJob() throws Exception {
    JobMessage first = succeededWithKey("after", Duration.ofDays(7).plusMinutes(1));

    purgeSucceeded();
    JobMessage again = broker.job("after", broker.type);
    JobLedger.KeyHolder holder =
        TestEnqueues.groups(ledger, broker.publisher, Duration.ofSeconds(10))
            .insertAndPublish(TestEnqueues.row(again), again);

    assertNull(holder, "a new job was accepted");
    assertNotEquals(first.jobId(), again.jobId());
    assertEquals(
        List.of(again.jobId()), List.copyOf(ledger.typesOf(List.of(again.jobId())).keySet()));
    assertEquals(0, ledger.typesOf(List.of(first.jobId())).size(), "the first job is gone");
  }

  private void purgeSucceeded() {
    UUID after = new UUID(0, 0);
    while (ledger.purgeSucceeded(Instant.now().minus(WINDOW), after, 1000).removed() == 1000) {
      // every old row goes, batch after batch
    }
  }

  /** A job accepted with the key, run, and moved back in time by SQL (its id too). */
  private JobMessage succeededWithKey(String key, Duration finishedAgo) throws Exception {
    JobMessage job = broker.job(key, broker.type);
    assertNull(
        TestEnqueues.groups(ledger, broker.publisher, Duration.ofSeconds(10))
            .insertAndPublish(TestEnqueues.row(job), job));
    assertEquals(true, ledger.markSucceeded(job));
    Instant finished = Instant.now().minus(finishedAgo);
    Instant created = finished.minus(Duration.ofMinutes(5));
    UUID oldId = idAt(created);
    try (Connection connection = dataSource.getConnection();
        PreparedStatement update =
            connection.prepareStatement(
                "update jobs set id = ?, created_at = ?, finished_at = ? where id = ?")) {
      update.setObject(1, oldId);
      update.setObject(2, created.atOffset(ZoneOffset.UTC));
      update.setObject(3, finished.atOffset(ZoneOffset.UTC));
      update.setObject(4, job.jobId());
      assertEquals(1, update.executeUpdate());
    }
    return new JobMessage(oldId, job.type(), 1, key, null, created, job.body());
  }

  static UUID idAt(Instant at) {
    UUID floor = JobIds.floorAt(at);
    return new UUID(
        floor.getMostSignificantBits() | (ThreadLocalRandom.current().nextInt() & 0x0FFFL),
        floor.getLeastSignificantBits()
            | (ThreadLocalRandom.current().nextLong() & 0x3FFF_FFFF_FFFF_FFFFL));
  }
}
