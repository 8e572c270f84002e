package io.pulse.common.jobs;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jboss.logging.Logger;

/**
 * Records broker confirms in the ledger ({@code published_at}) in batches: one UPDATE and one
 * commit for everything confirmed in the last second, instead of a commit per job on the request
 * path. A mark lost in a crash only means the sweeper publishes that job once more after its grace
 * period, and the workers skip a job that already succeeded.
 *
 * <p>Only rows still {@code queued} need the mark (the sweeper looks at no other): a job a worker
 * has already run, or is running (its row locked), is skipped rather than waited for. Waiting would
 * hold the locks of every row marked so far against the workers, and by then most jobs of a burst
 * are done, so the UPDATE would rewrite rows for nothing. For the same reason a confirm is recorded
 * only once it is {@code pulse.ledger.mark-published-after} old: a job the workers finished by then
 * needs no mark, and under load most jobs finish within that delay, so most are spared the mark (a
 * second rewrite of the row, with new index entries). The sweeper's grace must stay longer than
 * that delay plus the flush interval, or it re-publishes jobs whose mark is on its way.
 */
@ApplicationScoped
public class PublishedMarks {
  private static final Logger LOG = Logger.getLogger(PublishedMarks.class);
  private static final int MAX_BATCH = 5_000;

  private final JobLedger ledger;
  private final long delayNanos;
  private final ConcurrentLinkedQueue<Confirmed> confirmed = new ConcurrentLinkedQueue<>();

  /** A confirmed job and when its confirm arrived (System.nanoTime). */
  private record Confirmed(UUID jobId, long atNanos) {}

  public PublishedMarks(JobLedger ledger, LedgerConfig config) {
    this.ledger = ledger;
    this.delayNanos = config.markPublishedAfter().toNanos();
  }

  public void add(UUID jobId) {
    confirmed.add(new Confirmed(jobId, System.nanoTime()));
  }

  public void addAll(List<UUID> jobIds) {
    long now = System.nanoTime();
    jobIds.forEach(id -> confirmed.add(new Confirmed(id, now)));
  }

  @Scheduled(
      every = "${pulse.ledger.mark-published-every:1s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void flush() {
    flush(false);
  }

  /**
   * Records the confirms old enough, or all of them. They queue in the order they arrived, so the
   * first young one ends the flush; only one flush runs at a time (the scheduler skips, and the
   * last one runs at shutdown), so the head it looked at is the one it takes.
   */
  private void flush(boolean all) {
    long cutoff = System.nanoTime() - delayNanos;
    while (true) {
      List<UUID> batch = new ArrayList<>();
      Confirmed next;
      while (batch.size() < MAX_BATCH
          && (next = confirmed.peek()) != null
          && (all || next.atNanos() - cutoff <= 0)) {
        batch.add(confirmed.poll().jobId());
      }
      if (batch.isEmpty()) {
        return;
      }
      try {
        ledger.markPublishedIfQueued(batch);
      } catch (RuntimeException e) {
        // The sweeper covers these rows; a broker-confirmed job is never lost, only re-sent.
        LOG.warnf("could not record %d publisher confirms: %s", batch.size(), e.getMessage());
        return;
      }
    }
  }

  void onStop(@Observes ShutdownEvent event) {
    // Everything, however young: a restart must not find confirmed jobs unmarked and re-send them.
    flush(true);
  }
}
