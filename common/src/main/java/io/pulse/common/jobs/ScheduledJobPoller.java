package io.pulse.common.jobs;

import io.pulse.common.messaging.ConfirmingPublisher;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.messaging.PublishFailedException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Publishes scheduled jobs when they are due. Each batch is one transaction: lock the due rows
 * ({@code FOR UPDATE SKIP LOCKED}, so nodes polling at once take disjoint rows and a row a cancel
 * holds is left to it), publish them with confirms, mark the confirmed ones {@code queued} and
 * commit. A job the broker did not confirm stays {@code scheduled} and is taken again next poll. A
 * poll after downtime finds every row whose time passed meanwhile, oldest first.
 *
 * <p>Exactly once as far as the ledger goes; the message itself is at-least-once: a node that dies
 * after the confirm and before its commit leaves the row {@code scheduled}, and the next poll
 * publishes it again. The copy the workers get first waits on the row's lock and finds it still
 * {@code scheduled} (skipped) or {@code queued} (run); the job's effects happen once either way.
 */
@ApplicationScoped
public class ScheduledJobPoller {
  private static final Logger LOG = Logger.getLogger(ScheduledJobPoller.class);

  private final JobLedger ledger;
  private final ConfirmingPublisher publisher;
  private final JobMetrics metrics;
  private final int batchSize;
  private final int parallelism;

  /**
   * Threads of its own rather than Quarkus's worker pool: each holds a database transaction while
   * it waits for broker confirms, and this pool bounds how many connections the poller can take
   * however busy the node's other work is.
   */
  private final ExecutorService drainers;

  public ScheduledJobPoller(
      JobLedger ledger,
      ConfirmingPublisher publisher,
      JobMetrics metrics,
      ScheduledJobsConfig config) {
    this.ledger = ledger;
    this.publisher = publisher;
    this.metrics = metrics;
    this.batchSize = config.batchSize();
    this.parallelism = Math.max(1, config.parallelism());
    AtomicInteger threads = new AtomicInteger();
    this.drainers =
        Executors.newFixedThreadPool(
            parallelism,
            task -> {
              Thread thread = new Thread(task, "pulse-scheduled-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  @Scheduled(
      identity = "scheduled-jobs-poll",
      every = "${pulse.scheduled.poll-every:off}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void scheduledPoll() {
    try {
      poll(Instant.now());
    } catch (RuntimeException e) {
      LOG.warnf("could not publish due scheduled jobs yet, the next poll tries again: %s", e);
    }
  }

  /**
   * Publishes every job due at {@code now}, batch after batch, until a batch comes back short; when
   * the first batch is full, {@code pulse.scheduled.parallelism} transactions go on at once.
   *
   * @return how many jobs this call published
   */
  public int poll(Instant now) {
    int[] first = batch(now);
    if (!full(first)) {
      return first[1];
    }
    List<CompletableFuture<Integer>> drains = new ArrayList<>();
    for (int i = 0; i < parallelism; i++) {
      drains.add(CompletableFuture.supplyAsync(() -> drain(now), drainers));
    }
    int total = first[1];
    for (CompletableFuture<Integer> drain : drains) {
      total += drain.join();
    }
    return total;
  }

  private int drain(Instant now) {
    int total = 0;
    int[] counts;
    do {
      counts = batch(now);
      total += counts[1];
    } while (full(counts));
    return total;
  }

  private int[] batch(Instant now) {
    return QuarkusTransaction.requiringNew().call(() -> publishBatch(now));
  }

  /** A batch that took all it could and published all it took: more may be due. */
  private boolean full(int[] counts) {
    return counts[0] == batchSize && counts[1] == counts[0];
  }

  @PreDestroy
  void stop() {
    drainers.shutdownNow();
  }

  /** One batch: {taken, published}. */
  private int[] publishBatch(Instant now) {
    List<JobMessage> due =
        ledger.lockDue(now, batchSize).stream().map(JobLedger.LedgerJob::message).toList();
    if (due.isEmpty()) {
      return new int[] {0, 0};
    }
    List<PublishFailedException> failures = publisher.publishJobs(due);
    List<UUID> confirmed = new ArrayList<>();
    PublishFailedException firstFailure = null;
    for (int i = 0; i < due.size(); i++) {
      JobMessage job = due.get(i);
      if (failures.get(i) == null) {
        confirmed.add(job.jobId());
        metrics.enqueued(job.type());
        LOG.debugf("published scheduled job %s type %s", job.jobId(), job.type());
      } else if (firstFailure == null) {
        firstFailure = failures.get(i);
      }
    }
    if (!confirmed.isEmpty()) {
      ledger.markReleased(confirmed);
    }
    if (firstFailure != null) {
      LOG.warnf(
          "%d of %d due scheduled job(s) not confirmed, the next poll tries again: %s",
          due.size() - confirmed.size(), due.size(), firstFailure.getMessage());
    }
    return new int[] {due.size(), confirmed.size()};
  }
}
