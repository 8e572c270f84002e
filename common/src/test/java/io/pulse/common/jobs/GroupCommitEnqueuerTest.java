package io.pulse.common.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pulse.common.messaging.BrokerUnavailableException;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.messaging.UnroutableMessageException;
import io.pulse.common.testing.TestDatabase;
import io.pulse.common.testing.TestPublisher;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The enqueue path without Quarkus, against the real database and broker, with each fault it must
 * survive: the broker returns the message, nacks it, does not confirm in time, or closes the
 * channel; the database refuses the group's statement. Whatever happens, a written row stays {@code
 * queued} without {@code published_at}, which is the sweeper's signal, and the caller is told the
 * kind of failure.
 */
class GroupCommitEnqueuerTest {
  @RegisterExtension final TestPublisher broker = new TestPublisher("test.enqueue.");
  private final JobLedger ledger = new JobLedger(TestDatabase.migrated());

  @Test
  void aConfirmedJobAnswersNullAndARepeatAnswersTheFirstRow() throws Exception {
    GroupCommitEnqueuer groups = groups(Duration.ofSeconds(10));
    JobMessage first = job("k-1");
    assertNull(groups.insertAndPublish(row(first), first));
    assertEquals(1, broker.ready());

    JobMessage again = job("k-1");
    JobLedger.KeyHolder holder = groups.insertAndPublish(row(again), again);

    assertEquals(first.jobId(), holder.id(), "the row that holds the key");
    assertEquals(1, broker.ready(), "nothing published again");
  }

  @Test
  void aReturnIsUnroutableAndLeavesTheRowToTheSweeper() throws Exception {
    broker.deleteWorkQueue();
    JobMessage job = job(null);

    assertThrows(
        UnroutableMessageException.class,
        () -> groups(Duration.ofSeconds(10)).insertAndPublish(row(job), job));

    assertLeftForTheSweeper(job);
  }

  @Test
  void aNackIsBrokerUnavailableAndLeavesTheRowToTheSweeper() throws Exception {
    String full = broker.fullQueue();
    JobMessage job = job(null, full);

    BrokerUnavailableException nacked =
        assertThrows(
            BrokerUnavailableException.class,
            () -> groups(Duration.ofSeconds(10)).insertAndPublish(row(job), job));

    assertTrue(nacked.getMessage().contains("nacked"), nacked.getMessage());
    assertLeftForTheSweeper(job);
  }

  @Test
  void aTimeoutTellsTheCallerAndTheRowIsNotLost() throws Exception {
    JobMessage job = job(null);

    JobLedgerException late =
        assertThrows(
            JobLedgerException.class, () -> groups(Duration.ZERO).insertAndPublish(row(job), job));

    assertTrue(late.getMessage().contains("pulse.ledger.enqueue-timeout"), late.getMessage());
    org.awaitility.Awaitility.await()
        .atMost(10, TimeUnit.SECONDS)
        .until(() -> rowExists(job.jobId()));
  }

  @Test
  void aChannelTheBrokerClosedIsReplacedForTheNextGroup() throws Exception {
    broker.breakChannel();
    GroupCommitEnqueuer groups = groups(Duration.ofSeconds(10));
    JobMessage job = job(null);

    assertNull(groups.insertAndPublish(row(job), job));
  }

  @Test
  void aRefusedStatementFailsTheWholeGroupAndPublishesNothing() throws Exception {
    broker.publisher.ensureConnected();
    JobMessage job = job(null);
    JobLedger.NewRow broken =
        new JobLedger.NewRow(
            job.jobId(),
            broker.type,
            null,
            "h",
            "not json",
            null,
            Instant.now().atOffset(java.time.ZoneOffset.UTC),
            null);

    JobLedgerException refused =
        assertThrows(
            JobLedgerException.class,
            () -> groups(Duration.ofSeconds(10)).insertAndPublish(broken, job));

    assertNotNull(refused.getCause(), "the database's own error is kept");
    assertTrue(!rowExists(job.jobId()));
    assertEquals(0, broker.ready());
  }

  private GroupCommitEnqueuer groups(Duration timeout) {
    return TestEnqueues.groups(ledger, broker.publisher, timeout);
  }

  private static JobLedger.NewRow row(JobMessage job) {
    return TestEnqueues.row(job);
  }

  private void assertLeftForTheSweeper(JobMessage job) {
    assertTrue(
        ledger.lockUnpublished(Duration.ZERO, 10_000).stream()
            .anyMatch(row -> row.id().equals(job.jobId())),
        "queued, not published: the sweeper's to send");
  }

  private boolean rowExists(UUID id) {
    return !ledger.typesOf(List.of(id)).isEmpty();
  }

  private JobMessage job(String key) {
    return broker.job(key, broker.type);
  }

  private JobMessage job(String key, String routedAs) {
    return broker.job(key, routedAs);
  }
}
