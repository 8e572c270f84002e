package io.pulse.api.limits;

import static io.pulse.api.ApiTestSupport.as;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.github.bucket4j.ConsumptionProbe;
import io.pulse.api.Concurrently;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;

/**
 * The first requests of a new key race to create its bucket row: every one of them is admitted or
 * refused by the limit (2xx or 429), none fails with Bucket4j's "Bucket does not exist" (500).
 */
@QuarkusTest
class FirstRequestsRaceTest {
  static final int CLIENTS = 24;

  @Inject AgroalDataSource dataSource;

  @RepeatedTest(3)
  void concurrentFirstRequestsOfANewKeyGetNo5xx() throws Exception {
    String key =
        RateLimitTest.createKey("\"requestsPerSecond\":1,\"burst\":10")
            .then()
            .statusCode(201)
            .extract()
            .path("key");
    long start = System.nanoTime();
    List<Response> answers =
        Concurrently.send(CLIENTS, i -> as(key).get("/api/v1/users/1/notifications"));
    double elapsed = (System.nanoTime() - start) / 1e9;
    Map<Integer, Integer> statuses = Concurrently.statuses(answers);
    assertEquals(Set.of(200, 429), statuses.keySet(), statuses.toString());
    // The burst, plus what the rate (1/s) refilled while the race ran.
    int admitted = statuses.get(200);
    assertTrue(admitted >= 10 && admitted <= 10 + elapsed, statuses + " in " + elapsed + " s");
  }

  /**
   * The same race without HTTP in between, so more takes meet the missing row at once: three
   * instances (three proxy managers over one table), eight threads each, on a bucket no one has
   * used. Repeated, since a race does not show every time.
   */
  @RepeatedTest(20)
  void threeInstancesRacingOnAFreshBucketNeitherFailNorOverAdmit() throws Exception {
    KeyLimits limits = new KeyLimits(1, 10, OptionalLong.empty());
    String bucket = RequestRateLimiter.bucketId(UUID.randomUUID().toString(), limits);
    List<TokenBuckets> instances = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      instances.add(new TokenBuckets(dataSource, Duration.ofMinutes(1)));
    }
    int threads = 24;
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<ConsumptionProbe>> takes = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        TokenBuckets instance = instances.get(t % instances.size());
        takes.add(
            pool.submit(
                () -> {
                  start.await(30, TimeUnit.SECONDS);
                  return instance.tryConsume(bucket, RequestRateLimiter.configuration(limits), 1);
                }));
      }
      int admitted = 0;
      for (Future<ConsumptionProbe> take : takes) {
        // A "Bucket does not exist" would surface here as an ExecutionException.
        if (take.get(60, TimeUnit.SECONDS).isConsumed()) {
          admitted++;
        }
      }
      // The burst, and at most one refill if the race took over a second.
      assertTrue(admitted >= 10 && admitted <= 11, admitted + " admitted");
    } finally {
      pool.shutdownNow();
    }
  }
}
