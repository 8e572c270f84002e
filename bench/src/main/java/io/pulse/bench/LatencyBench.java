package io.pulse.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Scenario 3: latency at a fixed, moderate rate rather than at saturation. Requests start on a
 * fixed schedule whatever the API's answers (open loop), so one slow answer does not delay the next
 * request. Latency per job is the ledger's {@code finished_at - created_at}: both written by the
 * apps, so the load generator's own scheduling adds nothing to it. Next to it: the mean time of the
 * job's transaction in the workers, which the ledger figure leaves out, and the client-side
 * response time, which shows whether the API kept up with the rate at all.
 */
final class LatencyBench {
  record Result(
      int scheduled,
      int skipped,
      int accepted,
      int failed,
      String firstFailure,
      long succeeded,
      double achievedPerSecond,
      Percentiles ledgerMillis,
      double ledgerMeanMillis,
      double transactionMeanMillis,
      Percentiles responseMillis) {
    boolean complete() {
      return failed == 0 && succeeded == accepted;
    }
  }

  private final PulseApi api;
  private final Ledger ledger;
  private final BenchSettings settings;

  LatencyBench(PulseApi api, Ledger ledger, BenchSettings settings) {
    this.api = api;
    this.ledger = ledger;
    this.settings = settings;
  }

  /**
   * @param rate jobs per second
   * @param perRequest jobs per request: 1 posts {@code /notifications}, more posts that many at a
   *     time to {@code /notifications/batch}, at a request rate that keeps the job rate
   * @param duration how long requests are sent
   */
  Result run(int rate, int perRequest, java.time.Duration duration) throws Exception {
    int total = (int) (rate * duration.toSeconds()) / perRequest;
    long periodNanos = 1_000_000_000L * perRequest / rate;
    Queue<UUID> accepted = new ConcurrentLinkedQueue<>();
    double[] responseMillis = new double[total];
    Arrays.fill(responseMillis, Double.NaN);
    AtomicInteger failed = new AtomicInteger();
    AtomicReference<String> firstFailure = new AtomicReference<>();
    AtomicLong lastAcceptNanos = new AtomicLong();
    WorkerMetrics.Mean transactionsBefore = WorkerMetrics.transaction(settings.workersPort());

    // At most `senders` requests in flight. A tick that finds them all busy is skipped and
    // counted, not queued: a queue would grow without bound when the API is slower than the rate,
    // and the scenario must stay bounded in time. Many skips mean the API did not keep up.
    ExecutorService senders = Executors.newFixedThreadPool(settings.latencySenders());
    Semaphore inFlight = new Semaphore(settings.latencySenders());
    int skipped = 0;
    long start = System.nanoTime() + 10_000_000;
    for (int i = 0; i < total; i++) {
      long due = start + i * periodNanos;
      for (long wait; (wait = due - System.nanoTime()) > 0; ) {
        LockSupport.parkNanos(wait);
      }
      if (!inFlight.tryAcquire()) {
        skipped++;
        continue;
      }
      int n = i;
      senders.execute(
          () -> {
            try {
              if (perRequest == 1) {
                accepted.add(api.notify(n));
              } else {
                accepted.addAll(api.notifyBatch((long) n * perRequest, perRequest));
              }
              long now = System.nanoTime();
              responseMillis[n] = (now - due) / 1e6;
              lastAcceptNanos.accumulateAndGet(now, Math::max);
            } catch (Exception e) {
              failed.incrementAndGet();
              firstFailure.compareAndSet(null, e.toString());
            } finally {
              inFlight.release();
            }
          });
    }
    senders.shutdown();
    // Each request has its own 30 s timeout; this only ends a pool that is stuck elsewhere.
    if (!senders.awaitTermination(60, TimeUnit.SECONDS)) {
      senders.shutdownNow();
    }
    long acceptWindow = lastAcceptNanos.get() - start;

    List<UUID> ids = new ArrayList<>(accepted);
    long doneAt = ledger.awaitSucceeded(ids, settings.drainMax());
    long succeeded = doneAt > 0 ? ids.size() : ledger.succeeded(ids);
    double[] latencies = ledger.latenciesMillis(ids);
    WorkerMetrics.Mean transactionsAfter = WorkerMetrics.transaction(settings.workersPort());
    return new Result(
        total,
        skipped,
        ids.size(),
        failed.get(),
        firstFailure.get(),
        succeeded,
        acceptWindow <= 0 ? 0 : ids.size() / (acceptWindow / 1e9),
        Percentiles.of(latencies),
        Arrays.stream(latencies).average().orElse(Double.NaN),
        transactionsAfter.minus(transactionsBefore).millis(),
        Percentiles.of(Arrays.stream(responseMillis).filter(v -> !Double.isNaN(v)).toArray()));
  }
}
