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

  /**
   * Each statement that moves a job, where it moves it, and, for a statement that makes one
   * particular move of several that reach its target, the one state it starts from.
   */
  private enum Move {
    SUCCEED(JobStatus.SUCCEEDED, null, job -> ledger.markSucceeded(job)),
    SUCCEED_IN_A_BATCH(JobStatus.SUCCEEDED, null, job -> ledger.markAllSucceeded(List.of(job))),
    RETRY(
        JobStatus.RETRYING,
        null,
        job -> ledger.recordFailure(job, JobStatus.RETRYING, "boom", Instant.now())),
    BURY(JobStatus.DEAD, null, job -> ledger.recordFailure(job, JobStatus.DEAD, "boom", null)),
    REPLAY(JobStatus.QUEUED, JobStatus.DEAD, job -> ledger.requeue(List.of(job.jobId()))),
    RELEASE(
        JobStatus.QUEUED, JobStatus.SCHEDULED, job -> ledger.markReleased(List.of(job.jobId()))),
    CANCEL(JobStatus.CANCELLED, JobStatus.SCHEDULED, job -> ledger.cancel(job.jobId()));

    final JobStatus target;
    final JobStatus onlyFrom;
    final Consumer<JobMessage> statement;

    Move(JobStatus target, JobStatus onlyFrom, Consumer<JobMessage> statement) {
      this.target = target;
      this.onlyFrom = onlyFrom;
      this.statement = statement;
    }

    boolean moves(JobStatus from) {
      return from.canMoveTo(target) && (onlyFrom == null || onlyFrom == from);
    }
  }

  @ParameterizedTest
  @EnumSource(JobStatus.class)
  void eachStatementMovesARowExactlyWhereTheTableAllows(JobStatus from) throws SQLException {
    for (Move move : Move.values()) {
      JobMessage job = job("test.ledger", null);
      insertRow(job, from);

      move.statement.accept(job);

      JobStatus expected = move.moves(from) ? move.target : from;
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
  void aScheduledRowIsDueOnlyFromItsSendTimeAndOneLockerTakesIt() throws Exception {
    Instant sendAt = Instant.parse("2031-01-01T10:00:00Z");
    JobMessage job = job("test.ledger.scheduled", null);
    ledger.insertAccepted(List.of(row(job, "h", sendAt)));
    assertEquals(JobStatus.SCHEDULED, statusOf(job.jobId()));
    assertTrue(
        ledger.lockUnpublished(Duration.ZERO, 10_000).stream()
            .noneMatch(j -> j.id().equals(job.jobId())),
        "the sweeper leaves scheduled rows alone");

    assertTrue(!dueIds(sendAt.minusMillis(1)).contains(job.jobId()), "a millisecond early");
    try (Connection first = dataSource.getConnection();
        Connection second = dataSource.getConnection()) {
      first.setAutoCommit(false);
      second.setAutoCommit(false);
      assertTrue(dueIds(first, sendAt).contains(job.jobId()));
      assertTrue(
          !dueIds(second, sendAt.plusSeconds(3600)).contains(job.jobId()), "held by the first");
      first.rollback();
      second.rollback();
    }
    JobLedger.LedgerJob due =
        ledger.lockDue(sendAt, 10_000).stream()
            .filter(j -> j.id().equals(job.jobId()))
            .findFirst()
            .orElseThrow();
    assertEquals(sendAt, due.message().createdAt(), "stamped with its send time");
    ledger.markReleased(List.of(job.jobId()));
    assertEquals(JobStatus.QUEUED, statusOf(job.jobId()));
    assertTrue(!dueIds(sendAt.plusSeconds(60)).contains(job.jobId()), "released once");
    assertEquals(JobStatus.QUEUED, ledger.cancel(job.jobId()), "too late to cancel");
  }

  @Test
  void cancellingTwiceIsCancellingOnce() throws SQLException {
    JobMessage job = job("test.ledger.scheduled", null);
    ledger.insertAccepted(List.of(row(job, "h", Instant.parse("2031-01-01T10:00:00Z"))));
    assertEquals(JobStatus.CANCELLED, ledger.cancel(job.jobId()));
    assertEquals(JobStatus.CANCELLED, ledger.cancel(job.jobId()));
    assertEquals(JobStatus.CANCELLED, statusOf(job.jobId()));
    assertTrue(
        dueIds(Instant.parse("2032-01-01T00:00:00Z")).stream().noneMatch(job.jobId()::equals));
    assertEquals(null, ledger.cancel(JobIds.next()), "no such job");
  }

  private static List<UUID> dueIds(Instant now) {
    return ledger.lockDue(now, 10_000).stream().map(JobLedger.LedgerJob::id).toList();
  }

  /**
   * The due rows a poll in this connection's open transaction locks: the ledger's statement runs
   * autocommitted outside a managed transaction, so two concurrent polls are written out here.
   */
  private static List<UUID> dueIds(Connection connection, Instant now) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "select id from jobs where status = 'scheduled' and send_at <= ?"
                + " order by send_at for update skip locked")) {
      select.setObject(1, now.atOffset(java.time.ZoneOffset.UTC));
      List<UUID> ids = new java.util.ArrayList<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          ids.add(rows.getObject(1, UUID.class));
        }
      }
      return ids;
    }
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
    return row(job, hash, null);
  }

  private static JobLedger.NewRow row(JobMessage job, String hash, Instant sendAt) {
    return new JobLedger.NewRow(
        job.jobId(),
        job.type(),
        job.idempotencyKey(),
        hash,
        "{\"n\":1}",
        null,
        job.createdAt().atOffset(java.time.ZoneOffset.UTC),
        sendAt == null ? null : sendAt.atOffset(java.time.ZoneOffset.UTC));
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
