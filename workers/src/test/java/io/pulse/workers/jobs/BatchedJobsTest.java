package io.pulse.workers.jobs;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pulse.common.jobs.JobCodec;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.messaging.Topology;
import io.pulse.common.testing.BrokerProbe;
import io.pulse.workers.TestSql;
import io.pulse.workers.testjobs.BatchedJob;
import io.pulse.workers.testjobs.BatchedTestHandler;
import io.pulse.workers.testjobs.SetBatchedTestHandler;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Jobs of a type with a batch size run several to a transaction, a savepoint each. The test type
 * has one consumer with batch size 8: a job waiting at a gate holds it while the others are
 * delivered, so they come out as full batches when the gate opens.
 */
@QuarkusTest
class BatchedJobsTest {
  private static final int BATCH_SIZE = 8;
  static BrokerProbe broker;

  @Inject TestSql db;
  @Inject JobRuntime runtime;
  @Inject io.micrometer.core.instrument.MeterRegistry meters;

  @BeforeAll
  static void connect() {
    broker = new BrokerProbe();
  }

  @AfterAll
  static void disconnect() {
    broker.close();
  }

  @BeforeEach
  void consuming() {
    await().atMost(Duration.ofSeconds(30)).until(runtime::isConsuming);
  }

  @Test
  void jobsDeliveredTogetherCommitTogetherAndAFailureUndoesOnlyItsOwnEffects() {
    Map<String, UUID> jobs =
        queueBehindGate(24, i -> i % 8 == 3 ? "permanent" : i % 8 == 6 ? "transient" : "none");
    Map<String, String> failures = failuresByKey(24, jobs.keySet());

    await().atMost(Duration.ofSeconds(30)).until(() -> allSettled(jobs.values()));

    Map<Long, List<String>> byTransaction = firstRuns(jobs.keySet());
    int largest = byTransaction.values().stream().mapToInt(List::size).max().orElse(0);
    assertEquals(BATCH_SIZE, largest, "jobs in the largest transaction: " + byTransaction);
    var sizes = meters.find("pulse.jobs.batch.size").tag("type", BatchedTestHandler.TYPE).summary();
    assertEquals(BATCH_SIZE, sizes.max(), "the batch size operators see on /q/metrics");
    for (Map.Entry<String, UUID> job : jobs.entrySet()) {
      String key = job.getKey();
      String failure = failures.get(key);
      boolean permanent = failure.equals("permanent");
      assertEquals(permanent ? "dead" : "succeeded", db.jobColumn(job.getValue(), "status"), key);
      assertEquals(permanent ? 0 : 1, effects(key), "effect rows of " + key);
      // The batch marked every row succeeded up front; a failed job's row was put back, so its
      // failure and retry are in the ledger as for a job run alone.
      assertEquals(
          failure.equals("transient") ? "2" : "1", db.jobColumn(job.getValue(), "attempts"), key);
      if (permanent) {
        assertEquals(
            "io.pulse.workers.jobs.PermanentJobException: rejected (simulated)",
            db.jobColumn(job.getValue(), "last_error"));
      }
      assertEquals(
          failure.equals("transient") ? 2 : 1, BatchedTestHandler.transactions(key).size(), key);
      if (!failure.equals("none")) {
        List<String> sharedWith = byTransaction.get(BatchedTestHandler.transactions(key).get(0));
        assertTrue(sharedWith.size() > 1, key + " ran alone: " + byTransaction);
        for (String other : sharedWith) {
          if (failures.get(other).equals("none")) {
            assertEquals(
                1, effects(other), other + " committed in the batch " + key + " failed in");
          }
        }
      }
    }
  }

  @Test
  void aStatementThatDoomsTheTransactionSendsItsBatchToRunJobByJob() {
    Map<String, UUID> jobs = queueBehindGate(BATCH_SIZE, i -> i == 2 ? "statement" : "none");
    String broken = jobs.keySet().stream().toList().get(2);

    await().atMost(Duration.ofSeconds(30)).until(() -> allSettled(jobs.values()));

    for (Map.Entry<String, UUID> job : jobs.entrySet()) {
      assertEquals("succeeded", db.jobColumn(job.getValue(), "status"), job.getKey());
      assertEquals(1, effects(job.getKey()), "effect rows of " + job.getKey());
    }
    // The batch ran up to the broken job, then each job alone: the broken one failed again and
    // succeeded on its retry.
    assertEquals("2", db.jobColumn(jobs.get(broken), "attempts"));
    assertEquals(3, BatchedTestHandler.transactions(broken).size());
  }

  @Test
  void oneJobDeliveredTwiceInOneBatchHasOneEffect() {
    String key = "twice-" + UUID.randomUUID();
    UUID job = UUID.randomUUID();
    gated(
        () -> {
          publish(job, new BatchedJob(key, "none"));
          publish(job, new BatchedJob(key, "none"));
        });

    await().atMost(Duration.ofSeconds(30)).until(() -> allSettled(List.of(job)));
    assertEquals(1, effects(key));
    assertEquals(1, BatchedTestHandler.transactions(key).size(), "the second delivery was skipped");
  }

  @Test
  void anIdleBatchingConsumerCountsNothingInFlight() {
    // Shutdown waits while jobs are in flight: a count that drifted below zero while the consumer
    // idled would let it close the connections and the pool under running batches.
    oneJobDeliveredTwiceInOneBatchHasOneEffect();
    await()
        .during(Duration.ofMillis(1_000))
        .atMost(Duration.ofSeconds(10))
        .until(() -> runtime.inFlight() == 0);
  }

  @Test
  void aSetBasedHandlerIsHandedTheWholeBatchInOneCall() {
    int callsBefore = SetBatchedTestHandler.calls().size();
    Map<String, UUID> jobs = queueBehindGate(SetBatchedTestHandler.TYPE, 16, i -> "none");

    await().atMost(Duration.ofSeconds(30)).until(() -> allSettled(jobs.values()));

    List<Integer> calls = SetBatchedTestHandler.calls();
    List<Integer> ours = calls.subList(callsBefore, calls.size());
    // Two calls of 8 as a rule; the client may still be handing the last deliveries over when the
    // gate opens, which splits a batch, never joins two.
    assertEquals(16, ours.stream().mapToInt(Integer::intValue).sum(), "jobs in set-based calls");
    assertEquals(BATCH_SIZE, ours.stream().mapToInt(Integer::intValue).max().orElse(0), "" + ours);
    for (Map.Entry<String, UUID> job : jobs.entrySet()) {
      assertEquals("succeeded", db.jobColumn(job.getValue(), "status"), job.getKey());
      assertEquals(1, effects(job.getKey()), "effect rows of " + job.getKey());
      assertEquals(1, BatchedTestHandler.transactions(job.getKey()).size(), job.getKey());
    }
    assertEquals(ours.size(), firstRuns(jobs.keySet()).size(), "one transaction per call");
  }

  @Test
  void aFailureInASetBasedBatchUndoesItAndTheJobsRunUnderSavepoints() {
    Map<String, UUID> jobs =
        queueBehindGate(SetBatchedTestHandler.TYPE, BATCH_SIZE, i -> i == 5 ? "permanent" : "none");
    String bad = jobs.keySet().stream().toList().get(5);

    await().atMost(Duration.ofSeconds(30)).until(() -> allSettled(jobs.values()));

    assertEquals("dead", db.jobColumn(jobs.get(bad), "status"));
    assertEquals(
        "io.pulse.workers.jobs.PermanentJobException: rejected (simulated)",
        db.jobColumn(jobs.get(bad), "last_error"));
    assertEquals(0, effects(bad));
    List<String> keys = List.copyOf(jobs.keySet());
    for (int i = 0; i < keys.size(); i++) {
      String key = keys.get(i);
      if (i != 5) {
        assertEquals("succeeded", db.jobColumn(jobs.get(key), "status"), key);
        // The set-based run got as far as the bad job and rolled back; the run under savepoints
        // wrote the effect that stays.
        assertEquals(1, effects(key), "effect rows of " + key);
        assertEquals(i < 5 ? 2 : 1, BatchedTestHandler.transactions(key).size(), "runs of " + key);
      }
    }
  }

  // --- helpers -------------------------------------------------------------------------------

  /** Publishes {@code count} jobs while the consumer waits at a gate, then opens it. */
  private Map<String, UUID> queueBehindGate(int count, IntFunction<String> failure) {
    return queueBehindGate(BatchedTestHandler.TYPE, count, failure);
  }

  private Map<String, UUID> queueBehindGate(String type, int count, IntFunction<String> failure) {
    String run = UUID.randomUUID().toString().substring(0, 8);
    Map<String, UUID> jobs = new LinkedHashMap<>();
    gated(
        type,
        () -> {
          for (int i = 0; i < count; i++) {
            String key = run + "-" + i + "-" + failure.apply(i);
            jobs.put(key, UUID.randomUUID());
            publish(type, jobs.get(key), new BatchedJob(key, failure.apply(i)));
          }
        });
    return jobs;
  }

  private void gated(Runnable publishing) {
    gated(BatchedTestHandler.TYPE, publishing);
  }

  private void gated(String type, Runnable publishing) {
    BatchedTestHandler.closeGate();
    publish(type, UUID.randomUUID(), new BatchedJob("gate-" + UUID.randomUUID(), "gate"));
    await().atMost(Duration.ofSeconds(30)).until(BatchedTestHandler::someoneAtGate);
    try {
      publishing.run();
      // Everything is with the consumer (prefetch 32) before the gate opens.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> broker.depth(Topology.workQueue(type)) == 0);
    } finally {
      BatchedTestHandler.openGate();
    }
  }

  private static Map<String, String> failuresByKey(int count, Set<String> keys) {
    Map<String, String> failures = new HashMap<>();
    for (String key : keys) {
      failures.put(key, key.substring(key.lastIndexOf('-') + 1));
    }
    assertEquals(count, failures.size());
    return failures;
  }

  /** The jobs of each transaction that ran a first attempt. */
  private static Map<Long, List<String>> firstRuns(Set<String> keys) {
    Map<Long, List<String>> byTransaction = new HashMap<>();
    for (String key : keys) {
      long tx = BatchedTestHandler.transactions(key).get(0);
      byTransaction.computeIfAbsent(tx, t -> new java.util.ArrayList<>()).add(key);
    }
    return byTransaction;
  }

  private boolean allSettled(java.util.Collection<UUID> jobs) {
    for (UUID job : jobs) {
      String status = db.jobColumn(job, "status");
      if (!"succeeded".equals(status) && !"dead".equals(status)) {
        return false;
      }
    }
    return true;
  }

  private long effects(String key) {
    return db.count(
        "select count(*) from users where handle = '" + BatchedTestHandler.handle(key) + "'");
  }

  /** As the API enqueues: a queued ledger row, then the message (a second copy finds the row). */
  private void publish(UUID job, BatchedJob payload) {
    publish(BatchedTestHandler.TYPE, job, payload);
  }

  private void publish(String type, UUID job, BatchedJob payload) {
    db.exec(
        "insert into jobs (id, type, status) values ('"
            + job
            + "', '"
            + type
            + "', 'queued') on conflict do nothing");
    JobMessage message =
        new JobMessage(job, type, 1, null, null, Instant.now(), JobCodec.encode(payload));
    broker.publish(Topology.JOBS_EXCHANGE, type, message.properties(Map.of()), message.body());
  }
}
