package io.pulse.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Scenario 2: jobs per second through the whole of Pulse. N client threads post notifications as
 * fast as the API answers (closed loop); the clock runs from the first request until the ledger
 * shows every accepted job {@code succeeded}, i.e. until the last handler committed.
 */
final class EndToEndBench {
  /** After this many refusals the API is broken, not slow; sending on proves nothing. */
  private static final int MAX_FAILURES = 100;

  record Result(
      int accepted,
      int failed,
      String firstFailure,
      long succeeded,
      Duration elapsed,
      boolean timeLimited,
      Percentiles acceptMillis) {
    double perSecond() {
      return elapsed.isZero() ? 0 : succeeded / (elapsed.toNanos() / 1e9);
    }

    boolean complete() {
      return failed == 0 && succeeded == accepted;
    }
  }

  private final PulseApi api;
  private final Ledger ledger;
  private final Duration drainMax;

  EndToEndBench(PulseApi api, Ledger ledger, Duration drainMax) {
    this.api = api;
    this.ledger = ledger;
    this.drainMax = drainMax;
  }

  /**
   * @param batch jobs per request: 1 posts {@code /notifications}, more posts that many per call to
   *     {@code /notifications/batch}; the accept times are then per request
   */
  Result run(int jobs, Duration maxSending, int clients, int batch) throws Exception {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicReference<String> firstFailure = new AtomicReference<>();
    Queue<UUID> accepted = new ConcurrentLinkedQueue<>();
    double[] acceptMillis = new double[jobs];
    Arrays.fill(acceptMillis, Double.NaN); // NaN: never sent, or refused

    ExecutorService pool = Executors.newFixedThreadPool(clients);
    long start = System.nanoTime();
    long sendDeadline = start + maxSending.toNanos();
    for (int c = 0; c < clients; c++) {
      pool.execute(
          () -> {
            int n;
            while ((n = next.getAndAdd(batch)) < jobs
                && System.nanoTime() < sendDeadline
                && failed.get() < MAX_FAILURES) {
              long sent = System.nanoTime();
              try {
                if (batch == 1) {
                  accepted.add(api.notify(n));
                } else {
                  accepted.addAll(api.notifyBatch(n, Math.min(batch, jobs - n)));
                }
                acceptMillis[n] = (System.nanoTime() - sent) / 1e6;
              } catch (Exception e) {
                failed.incrementAndGet();
                firstFailure.compareAndSet(null, e.toString());
              }
            }
          });
    }
    pool.shutdown();
    // Each request has its own 30 s timeout, so this only ends a pool that is stuck elsewhere.
    if (!pool.awaitTermination(maxSending.toSeconds() + 60, TimeUnit.SECONDS)) {
      pool.shutdownNow();
    }
    boolean timeLimited = accepted.size() + failed.get() < jobs && failed.get() < MAX_FAILURES;

    List<UUID> ids = new ArrayList<>(accepted);
    long doneAt = ledger.awaitSucceeded(ids, drainMax);
    long succeeded = doneAt > 0 ? ids.size() : ledger.succeeded(ids);
    long end = doneAt > 0 ? doneAt : System.nanoTime();
    return new Result(
        ids.size(),
        failed.get(),
        firstFailure.get(),
        succeeded,
        Duration.ofNanos(end - start),
        timeLimited,
        Percentiles.of(Arrays.stream(acceptMillis).filter(v -> !Double.isNaN(v)).toArray()));
  }
}
