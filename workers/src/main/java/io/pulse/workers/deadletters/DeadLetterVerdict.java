package io.pulse.workers.deadletters;

import io.pulse.common.jobs.JobLedger.DeadLetterRow;
import io.pulse.common.jobs.JobStatus;
import java.time.Duration;
import java.time.Instant;

/**
 * What a reconciler pass does with one dead letter, decided from the copy and its job's ledger row
 * alone (no broker, no database: {@code DeadLetterVerdictTest} walks every case).
 */
enum DeadLetterVerdict {
  /** The copy of a job that is dead: it stays, for operators to read in the RabbitMQ console. */
  KEEP,
  /** A stale copy: the job was replayed since, finished, or its row is gone with retention. */
  DROP,
  /**
   * The row is not dead but the broker has the job's dead letter (a delivery limit, or a worker
   * that published the dead letter and could not write the ledger): mark the row dead.
   */
  MARK_DEAD,
  /**
   * The delivery limit parked a job no handler has run (its row is still {@code queued}): its
   * deliveries were handed back unstarted, as a closing connection hands back every consumer's
   * prefetch, and each hand-back counts towards the limit. It goes back to its work queue.
   */
  REQUEUE,
  /** Too fresh to judge: the worker that published it is about to write its row. */
  WAIT,
  /** Not ours to judge (no job id, no known cause): it stays, and stays out of the counts. */
  LEAVE;

  /**
   * @param maxRequeues how often a job parked unstarted goes back to its work queue before it is
   *     marked dead all the same (a loop the runtime cannot see must end)
   */
  static DeadLetterVerdict judge(
      DeadLetterCopy copy, DeadLetterRow row, Instant now, Duration grace, int maxRequeues) {
    if (copy.jobId() == null) {
      return LEAVE;
    }
    boolean fresh = copy.deadAt() != null && copy.deadAt().isAfter(now.minus(grace));
    if (row == null) {
      // Retention removed the row (dead for longer than the ledger keeps it), or the worker that
      // dead-lettered a job without a row has not written one yet.
      return fresh ? WAIT : DROP;
    }
    if (row.replayedAt() != null
        && (copy.deadAt() == null || copy.deadAt().isBefore(row.replayedAt()))) {
      // A copy from before the job's last replay, whatever the job did since.
      return DROP;
    }
    return switch (row.status()) {
      case DEAD -> KEEP;
      case SUCCEEDED, CANCELLED -> DROP;
      case SCHEDULED -> LEAVE;
      case QUEUED, RUNNING, RETRYING -> {
        if (copy.parkedByDeliveryLimit()) {
          // The runtime writes retrying for every redelivery it takes, before the handler runs,
          // so a job that crashed its workers is retrying here; queued means none ever started.
          yield row.status() == JobStatus.QUEUED && copy.limitRequeues() < maxRequeues
              ? REQUEUE
              : MARK_DEAD;
        }
        if (copy.deadLetteredByWorker()) {
          yield fresh ? WAIT : MARK_DEAD;
        }
        yield LEAVE;
      }
    };
  }
}
