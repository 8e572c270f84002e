package io.pulse.workers.testjobs;

import io.pulse.workers.jobs.JobContext;
import io.pulse.workers.jobs.JobHandler;
import io.pulse.workers.jobs.PermanentJobException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A job type the test profile runs in batches. Every run writes one effect row (a user whose handle
 * is the job's key, under a fresh id) before it fails as told, and remembers the database
 * transaction it ran in, so a test sees which jobs shared a transaction and which effects survived.
 */
@ApplicationScoped
public class BatchedTestHandler implements JobHandler<BatchedJob> {
  public static final String TYPE = "test.batched";
  private static final AtomicLong NEXT_ID =
      new AtomicLong(7_000_000_000_000L + (System.nanoTime() & 0xFFFF_FFFFL) * 1_000);
  private static final Map<String, List<Long>> TRANSACTIONS = new ConcurrentHashMap<>();
  private static volatile CountDownLatch gate = new CountDownLatch(1);
  private static volatile CountDownLatch atGate = new CountDownLatch(1);

  private final EntityManager em;

  public BatchedTestHandler(EntityManager em) {
    this.em = em;
  }

  /** The transaction id of each run of the job with this key, in order. */
  public static List<Long> transactions(String key) {
    return TRANSACTIONS.getOrDefault(key, List.of());
  }

  /** The next {@code gate} job waits until {@link #openGate}. */
  public static void closeGate() {
    atGate = new CountDownLatch(1);
    gate = new CountDownLatch(1);
  }

  public static boolean someoneAtGate() {
    return atGate.getCount() == 0;
  }

  public static void openGate() {
    gate.countDown();
  }

  public static String handle(String key) {
    return "batched:" + key;
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Class<BatchedJob> payloadType() {
    return BatchedJob.class;
  }

  @Override
  public void handle(BatchedJob job, JobContext context) throws Exception {
    long tx =
        ((Number) em.createNativeQuery("select txid_current()").getSingleResult()).longValue();
    TRANSACTIONS.computeIfAbsent(job.key(), k -> new CopyOnWriteArrayList<>()).add(tx);
    em.createNativeQuery("insert into users (id, handle) values (?1, ?2)")
        .setParameter(1, NEXT_ID.incrementAndGet())
        .setParameter(2, handle(job.key()))
        .executeUpdate();
    boolean first = context.attempt() == 1;
    switch (job.failure()) {
      case "permanent" -> throw new PermanentJobException("rejected (simulated)");
      case "transient" -> {
        if (first) {
          throw new IOException("server unreachable (simulated)");
        }
      }
      case "statement" -> {
        if (first) {
          em.createNativeQuery("select 1 / 0").getSingleResult();
        }
      }
      case "gate" -> {
        atGate.countDown();
        if (!gate.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the test never opened the gate");
        }
      }
      default -> {}
    }
  }
}
