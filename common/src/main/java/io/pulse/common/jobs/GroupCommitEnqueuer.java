package io.pulse.common.jobs;

import io.pulse.common.messaging.ConfirmingPublisher;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.messaging.PublishFailedException;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Writes the ledger rows of concurrent enqueues together, as a database's group commit does, and
 * then publishes their jobs: a request hands its job to a writer thread and waits; the writer
 * inserts everything that queued up meanwhile in one statement and one commit, publishes the new
 * jobs back to back without waiting between them, and each request is answered when its own confirm
 * arrives. A lone request is written at once (nothing waits to fill a group), so a quiet API pays
 * one hand-over between threads; a busy one pays one statement and one commit for as many rows as
 * arrived during the previous write, and the broker gets its messages in bursts, which it logs and
 * confirms together. The row is committed before its message is published: a crash in between
 * leaves it for the sweeper.
 */
@ApplicationScoped
public class GroupCommitEnqueuer {
  private static final Logger LOG = Logger.getLogger(GroupCommitEnqueuer.class);

  /** Two, so one slow write (a commit waiting on the disk) does not hold every request up. */
  private static final int WRITERS = 2;

  private static final int MAX_ROWS = 500;

  private final JobLedger ledger;
  private final Duration timeout;
  private final JobMetrics metrics;
  private final ConfirmingPublisher publisher;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final List<Thread> writers = new ArrayList<>();
  private volatile boolean stopping;

  /**
   * A job waiting for a writer, and where its outcome goes: null (inserted and confirmed) or the
   * earlier row.
   */
  private record Pending(
      JobLedger.NewRow row, JobMessage message, CompletableFuture<JobLedger.KeyHolder> done) {}

  public GroupCommitEnqueuer(
      JobLedger ledger, JobMetrics metrics, ConfirmingPublisher publisher, LedgerConfig config) {
    this.ledger = ledger;
    this.timeout = config.enqueueTimeout();
    this.metrics = metrics;
    this.publisher = publisher;
  }

  /**
   * Inserts the row, autocommitted with whatever else is waiting, and publishes the job; returns
   * null once the broker confirmed it, or the row that holds its idempotency key already (nothing
   * published).
   *
   * @throws PublishFailedException when the row is written but the broker did not confirm
   */
  JobLedger.KeyHolder insertAndPublish(JobLedger.NewRow row, JobMessage message) {
    Pending pending = new Pending(row, message, new CompletableFuture<>());
    if (stopping) {
      // Requests still finishing while the app stops write their own rows.
      write(List.of(pending));
    } else {
      startWriters();
      queue.add(pending);
      if (stopping) {
        // The writers may have drained the queue and stopped just before this row went in.
        writeLeftovers();
      }
    }
    String type = row.type();
    try {
      return pending.done().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof PublishFailedException publish) {
        throw publish.rethrownHere();
      }
      throw e.getCause() instanceof JobLedgerException ledger
          ? new JobLedgerException(ledger.getMessage(), ledger)
          : new JobLedgerException("could not write the ledger row of a " + type + " job", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JobLedgerException("interrupted while writing a " + type + " job's ledger row", e);
    } catch (TimeoutException e) {
      throw new JobLedgerException(
          "the ledger row of a "
              + type
              + " job was not written and confirmed within "
              + timeout
              + " (pulse.ledger.enqueue-timeout)",
          e);
    }
  }

  private synchronized void startWriters() {
    if (!writers.isEmpty()) {
      return;
    }
    // Dedicated threads, not the managed worker pool: each loops for the life of the app, and the
    // pool's threads are the very request threads that wait on these writers.
    for (int i = 0; i < WRITERS; i++) {
      Thread writer = new Thread(this::run, "pulse-ledger-writer-" + i);
      writer.setDaemon(true);
      writer.start();
      writers.add(writer);
    }
  }

  private void run() {
    while (!stopping || !queue.isEmpty()) {
      Pending first;
      try {
        first = queue.poll(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (first == null) {
        continue;
      }
      List<Pending> group = new ArrayList<>();
      group.add(first);
      queue.drainTo(group, MAX_ROWS - 1);
      write(group);
    }
  }

  private void write(List<Pending> group) {
    List<JobLedger.NewRow> rows = group.stream().map(Pending::row).toList();
    Set<UUID> inserted;
    try {
      inserted = ledger.insertAccepted(rows);
      metrics.ledgerGroup(rows.size());
      completeRepeats(group, inserted);
    } catch (RuntimeException e) {
      LOG.warnf("could not write %d ledger rows: %s", rows.size(), e.getMessage());
      for (Pending pending : group) {
        pending
            .done()
            .completeExceptionally(
                new JobLedgerException(
                    "could not write the ledger row of a " + pending.row().type() + " job", e));
      }
      return;
    }
    // Committed: now the messages, back to back, without waiting for each confirm. A scheduled
    // job is done once its row is: the poller publishes it when due.
    for (Pending pending : group) {
      if (inserted.contains(pending.row().id()) && pending.row().sendAt() != null) {
        pending.done().complete(null);
      } else if (inserted.contains(pending.row().id())) {
        publisher
            .publishJobAsync(pending.message())
            .whenComplete(
                (confirmed, failure) -> {
                  if (failure == null) {
                    pending.done().complete(null);
                  } else {
                    pending.done().completeExceptionally(unwrap(failure));
                  }
                });
      }
    }
  }

  /**
   * Answers the jobs whose idempotency key was taken, earlier or by a row of this group, with the
   * row that holds it.
   */
  private void completeRepeats(List<Pending> group, Set<UUID> inserted) {
    Map<String, List<Pending>> repeats = new HashMap<>();
    for (Pending pending : group) {
      if (!inserted.contains(pending.row().id())) {
        repeats.computeIfAbsent(pending.row().type(), t -> new ArrayList<>()).add(pending);
      }
    }
    repeats.forEach(
        (type, pendings) -> {
          Map<String, JobLedger.KeyHolder> holders =
              ledger.holdersOf(type, pendings.stream().map(p -> p.row().idempotencyKey()).toList());
          for (Pending pending : pendings) {
            JobLedger.KeyHolder holder = holders.get(pending.row().idempotencyKey());
            if (holder == null) {
              pending
                  .done()
                  .completeExceptionally(
                      new JobLedgerException(
                          "idempotency key "
                              + pending.row().idempotencyKey()
                              + " of a "
                              + type
                              + " job was taken, but its row is gone"));
            } else {
              pending.done().complete(holder);
            }
          }
        });
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }

  private void writeLeftovers() {
    List<Pending> left = new ArrayList<>();
    queue.drainTo(left);
    if (!left.isEmpty()) {
      write(left);
    }
  }

  void onStop(@Observes ShutdownEvent event) {
    stopping = true;
    for (Thread writer : writers) {
      try {
        writer.join(timeout.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    writeLeftovers();
  }
}
