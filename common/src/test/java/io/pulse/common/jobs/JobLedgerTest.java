package io.pulse.common.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pulse.common.messaging.JobMessage;
import io.pulse.common.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The ledger's statements against the real table. The transition walk puts a row in each state in
 * turn and tries every statement that moves a job: the row moves exactly when {@link JobStatus}
 * allows it, and is left untouched otherwise.
 */
class JobLedgerTest {
  private static DataSource dataSource;
  private static JobLedger ledger;

  @BeforeAll
  static void migrate() {
    dataSource = TestDatabase.migrated();
    ledger = new JobLedger(dataSource);
  }

  /** Each statement that moves a job, and where it moves it. */
  private enum Move {
    SUCCEED(JobStatus.SUCCEEDED, job -> ledger.markSucceeded(job)),
    SUCCEED_IN_A_BATCH(JobStatus.SUCCEEDED, job -> ledger.markAllSucceeded(List.of(job))),
    RETRY(
        JobStatus.RETRYING,
        job -> ledger.recordFailure(job, JobStatus.RETRYING, "boom", Instant.now())),
    BURY(JobStatus.DEAD, job -> ledger.recordFailure(job, JobStatus.DEAD, "boom", null)),
    REPLAY(JobStatus.QUEUED, job -> ledger.requeue(List.of(job.jobId())));

    final JobStatus target;
    final Consumer<JobMessage> statement;

    Move(JobStatus target, Consumer<JobMessage> statement) {
      this.target = target;
      this.statement = statement;
    }
  }

  @ParameterizedTest
  @EnumSource(JobStatus.class)
  void eachStatementMovesARowExactlyWhereTheTableAllows(JobStatus from) throws SQLException {
    for (Move move : Move.values()) {
      JobMessage job = job("test.ledger", null);
      insertRow(job, from);

      move.statement.accept(job);

      JobStatus expected = from.canMoveTo(move.target) ? move.target : from;
      assertEquals(expected, statusOf(job.jobId()), from + " by " + move);
    }
  }

  @Test
  void theWorkersClaimWritesTheRowOfAJobThatHasNone() throws SQLException {
    JobMessage job = job("test.ledger", null);
    assertEquals(JobStatus.RUNNING, ledger.claim(job), "a message that came without a row");
    assertEquals(JobStatus.RUNNING, statusOf(job.jobId()));
    assertTrue(ledger.markSucceeded(job));
    assertEquals(JobStatus.SUCCEEDED, ledger.claim(job), "a second delivery sees it done");
  }

  @Test
  void acceptedRowsKeepTheFirstHolderOfAKey() {
    String key = "key-" + UUID.randomUUID();
    JobLedger.NewRow first = row(job("test.ledger", key), "hash-1");
    JobLedger.NewRow second = row(job("test.ledger", key), "hash-2");

    var inserted = ledger.insertAccepted(List.of(first, second));

    assertEquals(java.util.Set.of(first.id()), inserted, "the second row of the same key");
    JobLedger.KeyHolder holder = ledger.holdersOf("test.ledger", List.of(key)).get(key);
    assertEquals(first.id(), holder.id());
    assertEquals("hash-1", holder.requestHash());
    assertEquals(JobStatus.QUEUED, holder.status());
    assertTrue(holder.unconfirmed());
    assertEquals(Map.of(), ledger.holdersOf("test.ledger", List.of("never-used-" + key)));
  }

  @Test
  void theSweeperSeesOnlyOldUnconfirmedRowsAndTheMarkTakesThemAway() throws SQLException {
    JobMessage old = job("test.ledger.sweep", null);
    insertRow(old, JobStatus.QUEUED);
    try (Connection connection = dataSource.getConnection();
        PreparedStatement age =
            connection.prepareStatement(
                "update jobs set created_at = now() - interval '1 hour' where id = ?")) {
      age.setObject(1, old.jobId());
      age.executeUpdate();
    }
    JobMessage young = job("test.ledger.sweep", null);
    insertRow(young, JobStatus.QUEUED);

    List<UUID> due =
        ledger.lockUnpublished(Duration.ofMinutes(1), 1000).stream()
            .map(JobLedger.LedgerJob::id)
            .toList();
    assertTrue(due.contains(old.jobId()));
    assertTrue(!due.contains(young.jobId()), "inside its grace");

    ledger.markPublishedIfQueued(List.of(old.jobId()));
    assertTrue(
        ledger.lockUnpublished(Duration.ofMinutes(1), 1000).stream()
            .noneMatch(j -> j.id().equals(old.jobId())));
  }

  private static JobMessage job(String type, String key) {
    return new JobMessage(
        JobIds.next(),
        type,
        1,
        key,
        null,
        Instant.now(),
        "{\"n\":1}".getBytes(StandardCharsets.UTF_8));
  }

  private static JobLedger.NewRow row(JobMessage job, String hash) {
    return new JobLedger.NewRow(
        job.jobId(),
        job.type(),
        job.idempotencyKey(),
        hash,
        "{\"n\":1}",
        null,
        job.createdAt().atOffset(java.time.ZoneOffset.UTC));
  }

  private static void insertRow(JobMessage job, JobStatus status) throws SQLException {
    ledger.insertAccepted(List.of(row(job, "h")));
    try (Connection connection = dataSource.getConnection();
        PreparedStatement set =
            connection.prepareStatement("update jobs set status = ? where id = ?")) {
      set.setString(1, status.wire());
      set.setObject(2, job.jobId());
      assertEquals(1, set.executeUpdate());
    }
  }

  private static JobStatus statusOf(UUID id) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement("select status from jobs where id = ?")) {
      select.setObject(1, id);
      try (ResultSet rows = select.executeQuery()) {
        assertTrue(rows.next());
        return JobStatus.fromWire(rows.getString(1));
      }
    }
  }
}
