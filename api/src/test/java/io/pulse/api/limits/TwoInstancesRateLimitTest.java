package io.pulse.api.limits;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.pulse.api.problem.ProblemException;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Two limiters that share nothing but the database, as two API instances do, hammer one key's
 * bucket from four threads: together they let through no more than the burst plus the rate times
 * the elapsed time (the stated accuracy: exact, up to clock skew between instances, here none).
 */
@QuarkusTest
class TwoInstancesRateLimitTest {
  static final int RATE = 20;
  static final int BURST = 10;
  static final Duration RUN = Duration.ofSeconds(3);

  @Inject AgroalDataSource dataSource;

  @Test
  void theCombinedRateStaysWithinTheLimit() throws Exception {
    Caller caller =
        new Caller(
            UUID.randomUUID().toString(),
            "shared",
            new KeyLimits(RATE, BURST, OptionalLong.empty()));
    List<RequestRateLimiter> instances =
        List.of(
            new RequestRateLimiter(new TokenBuckets(dataSource, Duration.ofMinutes(1))),
            new RequestRateLimiter(new TokenBuckets(dataSource, Duration.ofMinutes(1))));
    AtomicLong admitted = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    ExecutorService threads = Executors.newFixedThreadPool(4);
    long start = System.nanoTime();
    long deadline = start + RUN.toNanos();
    List<Future<?>> running = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      RequestRateLimiter instance = instances.get(t % 2);
      running.add(
          threads.submit(
              () -> {
                while (System.nanoTime() < deadline) {
                  try {
                    instance.admit(caller);
                    admitted.incrementAndGet();
                  } catch (ProblemException e) {
                    refused.incrementAndGet();
                  }
                }
              }));
    }
    for (Future<?> f : running) {
      f.get();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    threads.shutdown();
    double allowed = BURST + RATE * elapsed;
    String figures =
        admitted + " admitted, " + refused + " refused in " + elapsed + " s; limit " + allowed;
    assertTrue(admitted.get() <= allowed, figures);
    // Not starved either: the limiters hand out (nearly) all they may.
    assertTrue(admitted.get() >= BURST + RATE * RUN.toSeconds() - 2, figures);
    assertTrue(refused.get() > admitted.get(), figures);
  }
}
