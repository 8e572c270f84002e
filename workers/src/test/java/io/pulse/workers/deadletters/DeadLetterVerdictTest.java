package io.pulse.workers.deadletters;

import static io.pulse.workers.deadletters.DeadLetterVerdict.DROP;
import static io.pulse.workers.deadletters.DeadLetterVerdict.KEEP;
import static io.pulse.workers.deadletters.DeadLetterVerdict.LEAVE;
import static io.pulse.workers.deadletters.DeadLetterVerdict.MARK_DEAD;
import static io.pulse.workers.deadletters.DeadLetterVerdict.REQUEUE;
import static io.pulse.workers.deadletters.DeadLetterVerdict.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pulse.common.jobs.JobLedger.DeadLetterRow;
import io.pulse.common.jobs.JobStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every case of the reconciler's decision, without a broker or a database. */
class DeadLetterVerdictTest {
  static final Instant NOW = Instant.parse("2026-12-07T09:00:00Z");
  static final Duration GRACE = Duration.ofMinutes(1);
  static final UUID ID = UUID.randomUUID();
  static final int MAX_REQUEUES = 3;

  static DeadLetterCopy byWorker(Instant deadAt) {
    return new DeadLetterCopy(1, ID, deadAt, null, null, "boom", 0, null, new byte[0]);
  }

  static DeadLetterCopy byDeliveryLimit(Instant deadAt) {
    return byDeliveryLimit(deadAt, 0);
  }

  static DeadLetterCopy byDeliveryLimit(Instant deadAt, int requeued) {
    return new DeadLetterCopy(
        1, ID, deadAt, "delivery_limit", "pulse.x", null, requeued, null, new byte[0]);
  }

  static DeadLetterRow row(JobStatus status, Instant replayedAt) {
    return new DeadLetterRow(ID, status, replayedAt, NOW.minusSeconds(3600), true);
  }

  static DeadLetterVerdict judge(DeadLetterCopy copy, DeadLetterRow row, int maxRequeues) {
    return DeadLetterVerdict.judge(copy, row, NOW, GRACE, maxRequeues);
  }

  static DeadLetterVerdict judge(DeadLetterCopy copy, DeadLetterRow row) {
    return DeadLetterVerdict.judge(copy, row, NOW, GRACE, MAX_REQUEUES);
  }

  @Test
  void theCopyOfADeadJobIsKept() {
    assertEquals(KEEP, judge(byWorker(NOW.minusSeconds(600)), row(JobStatus.DEAD, null)));
    assertEquals(KEEP, judge(byDeliveryLimit(NOW.minusSeconds(600)), row(JobStatus.DEAD, null)));
  }

  @Test
  void aCopyFromBeforeTheLastReplayIsDroppedWhateverTheJobDidSince() {
    Instant replayed = NOW.minusSeconds(60);
    for (JobStatus status : JobStatus.values()) {
      assertEquals(
          DROP, judge(byWorker(replayed.minusSeconds(1)), row(status, replayed)), status.wire());
      assertEquals(
          DROP,
          judge(byDeliveryLimit(replayed.minusSeconds(1)), row(status, replayed)),
          "a parked copy from before a replay must not kill the replayed job: " + status.wire());
    }
  }

  @Test
  void aCopyFromAfterTheLastReplayIsJudgedByTheRow() {
    Instant replayed = NOW.minusSeconds(600);
    assertEquals(KEEP, judge(byWorker(NOW.minusSeconds(300)), row(JobStatus.DEAD, replayed)));
    assertEquals(
        MARK_DEAD,
        judge(byDeliveryLimit(NOW.minusSeconds(300)), row(JobStatus.RETRYING, replayed)));
  }

  @ParameterizedTest
  @EnumSource(
      value = JobStatus.class,
      names = {"SUCCEEDED", "CANCELLED"})
  void theCopyOfAFinishedJobIsDropped(JobStatus status) {
    assertEquals(DROP, judge(byWorker(NOW.minusSeconds(600)), row(status, null)));
    assertEquals(DROP, judge(byDeliveryLimit(NOW.minusSeconds(600)), row(status, null)));
  }

  @ParameterizedTest
  @EnumSource(
      value = JobStatus.class,
      names = {"RUNNING", "RETRYING"})
  void aCopyParkedByTheDeliveryLimitMarksAJobThatStartedDeadAtOnce(JobStatus status) {
    assertEquals(MARK_DEAD, judge(byDeliveryLimit(NOW.minusSeconds(1)), row(status, null)));
    assertEquals(MARK_DEAD, judge(byDeliveryLimit(null), row(status, null)));
  }

  @Test
  void aCopyParkedBeforeAnyHandlerRanTheJobIsRequeuedUpToTheLimitThenMarkedDead() {
    for (int requeued = 0; requeued < MAX_REQUEUES; requeued++) {
      assertEquals(
          REQUEUE,
          judge(byDeliveryLimit(NOW.minusSeconds(1), requeued), row(JobStatus.QUEUED, null)),
          "requeued " + requeued + " times before");
    }
    assertEquals(
        MARK_DEAD,
        judge(byDeliveryLimit(NOW.minusSeconds(1), MAX_REQUEUES), row(JobStatus.QUEUED, null)),
        "a loop the runtime cannot see ends");
    assertEquals(
        MARK_DEAD,
        judge(byDeliveryLimit(NOW, 0), row(JobStatus.QUEUED, null), 0),
        "with no requeues configured it is dead at once, as before");
  }

  @ParameterizedTest
  @EnumSource(
      value = JobStatus.class,
      names = {"QUEUED", "RUNNING", "RETRYING"})
  void aWorkersCopyWhoseRowIsNotDeadWaitsForTheGraceThenMarksIt(JobStatus status) {
    assertEquals(WAIT, judge(byWorker(NOW.minusSeconds(10)), row(status, null)));
    assertEquals(MARK_DEAD, judge(byWorker(NOW.minusSeconds(61)), row(status, null)));
  }

  @Test
  void aCopyWithoutARowIsDroppedOnceOldAndWaitedForWhileFresh() {
    assertEquals(DROP, judge(byWorker(NOW.minusSeconds(3600)), null));
    assertEquals(DROP, judge(byWorker(null), null));
    assertEquals(WAIT, judge(byWorker(NOW.minusSeconds(5)), null));
  }

  @Test
  void whatIsNotOursToJudgeIsLeft() {
    DeadLetterCopy anonymous =
        new DeadLetterCopy(1, null, NOW, null, null, null, 0, null, new byte[0]);
    assertEquals(LEAVE, judge(anonymous, row(JobStatus.DEAD, null)));
    DeadLetterCopy noCause =
        new DeadLetterCopy(1, ID, NOW.minusSeconds(600), "rejected", null, null, 0, null, null);
    assertEquals(LEAVE, judge(noCause, row(JobStatus.QUEUED, null)));
    assertEquals(LEAVE, judge(byWorker(NOW.minusSeconds(600)), row(JobStatus.SCHEDULED, null)));
  }
}
