package io.pulse.common.jobs;

import io.pulse.common.messaging.ConfirmingPublisher;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.messaging.PublishFailedException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Publishes ledger rows that were accepted but never confirmed by the broker: the API crashed
 * between insert and publish, or the broker was down. Rows are locked with SKIP LOCKED, so every
 * node can run the sweeper without two nodes publishing the same row at once. A row may still be
 * published twice (its first publish was confirmed but not yet recorded); workers skip a job that
 * already succeeded, so that costs a redundant delivery, never a second effect.
 */
@ApplicationScoped
public class UnpublishedJobSweeper {
  private static final Logger LOG = Logger.getLogger(UnpublishedJobSweeper.class);

  private final JobLedger ledger;
  private final ConfirmingPublisher publisher;
  private final Duration grace;
  private final int batchSize;

  public UnpublishedJobSweeper(
      JobLedger jobs, ConfirmingPublisher publisher, SweeperConfig sweeper, LedgerConfig ledger) {
    this.ledger = jobs;
    this.publisher = publisher;
    this.grace = sweeper.grace();
    this.batchSize = sweeper.batchSize();
    Duration markedWithin = ledger.markPublishedAfter().plus(ledger.markPublishedEvery());
    if (grace.compareTo(markedWithin) <= 0) {
      LOG.warnf(
          "pulse.sweeper.grace (%s) is not longer than a confirm takes to be recorded"
              + " (pulse.ledger.mark-published-after + mark-published-every = %s): the sweeper will"
              + " re-publish jobs the broker already has (harmless, but wasted work)",
          grace, markedWithin);
    }
  }

  @Scheduled(
      every = "${pulse.sweeper.every:5s}",
      delayed = "2s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void sweep() {
    try {
      int published;
      do {
        published = QuarkusTransaction.requiringNew().call(this::sweepBatch);
      } while (published == batchSize);
    } catch (RuntimeException e) {
      LOG.warnf("sweeper could not publish pending jobs yet: %s", e.getMessage());
    }
  }

  /** Publishes one batch; returns how many rows it published. */
  int sweepBatch() {
    List<JobMessage> jobs =
        ledger.lockUnpublished(grace, batchSize).stream()
            .map(JobLedger.LedgerJob::message)
            .toList();
    if (jobs.isEmpty()) {
      return 0;
    }
    List<PublishFailedException> failures = publisher.publishJobs(jobs);
    List<UUID> confirmed = new ArrayList<>();
    PublishFailedException firstFailure = null;
    for (int i = 0; i < jobs.size(); i++) {
      if (failures.get(i) == null) {
        confirmed.add(jobs.get(i).jobId());
      } else if (firstFailure == null) {
        firstFailure = failures.get(i);
      }
    }
    // What the broker confirmed is marked even when some of the batch failed: those are out.
    ledger.markPublished(confirmed);
    LOG.infof("sweeper published %d job(s) that had no broker confirm", confirmed.size());
    if (firstFailure != null) {
      LOG.warnf(
          "sweeper: %d of %d job(s) not confirmed yet, next sweep tries again: %s",
          jobs.size() - confirmed.size(), jobs.size(), firstFailure.getMessage());
    }
    return confirmed.size();
  }
}
