package io.pulse.workers.e2e;

import static io.pulse.workers.e2e.EndToEndIT.call;
import static io.pulse.workers.e2e.EndToEndIT.count;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A burst of single-recipient notifications sent to the running API while a fault is injected, and
 * the counts that judge it: ledger rows, inbox rows, duplicates. {@code answeredAtFault} is how
 * many requests had their answer when the fault began; {@code refusedFor} how long after it
 * refusals went on (0 when there was none).
 */
record Burst(
    String title, int sent, int accepted, int refused, int answeredAtFault, Duration refusedFor) {

  /**
   * Sends {@code jobs} notifications from 8 clients and runs {@code fault} once a third of them
   * were sent. A request that fails in any way (an error status, a refused or reset connection)
   * counts as refused.
   */
  static Burst send(String name, int jobs, long firstRecipient, Runnable fault) throws Exception {
    return send(name, jobs, firstRecipient, fault, EndToEndIT.API_PORT);
  }

  /** As above, the requests spread in turn over the APIs listening on {@code apiPorts}. */
  static Burst send(String name, int jobs, long firstRecipient, Runnable fault, int... apiPorts)
      throws Exception {
    Clients clients = new Clients(name, firstRecipient, apiPorts);
    for (int i = 0; i < jobs; i++) {
      clients.post();
      if (i == jobs / 3) {
        clients.fault(fault, false);
      }
    }
    return clients.finish();
  }

  /**
   * Steady load: {@code perSecond} notifications a second, spread over {@code apiPorts}, from two
   * seconds before {@code fault} starts until it has returned.
   */
  static Burst during(
      String name, int perSecond, long firstRecipient, Runnable fault, int... apiPorts)
      throws Exception {
    Clients clients = new Clients(name, firstRecipient, apiPorts);
    long every = 1_000_000_000L / perSecond;
    long next = System.nanoTime();
    Future<?> running = null;
    while (running == null || !running.isDone()) {
      LockSupport.parkNanos(next - System.nanoTime());
      next += every;
      clients.post();
      if (running == null && clients.posted() == perSecond * 2) {
        running = clients.fault(fault, true);
      }
    }
    return clients.finish();
  }

  /** The 8 clients of one burst and what they were answered. */
  private static final class Clients {
    final String title;
    final long firstRecipient;
    final int[] apiPorts;
    final ExecutorService pool = Executors.newFixedThreadPool(8);
    final ExecutorService faults = Executors.newSingleThreadExecutor();
    final List<Future<?>> sent = new ArrayList<>();
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    final AtomicLong faultAt = new AtomicLong();
    final AtomicInteger answeredAtFault = new AtomicInteger();
    final AtomicLong lastRefusedAt = new AtomicLong();
    int posted;

    Clients(String name, long firstRecipient, int[] apiPorts) {
      this.title = name + "-" + System.nanoTime();
      this.firstRecipient = firstRecipient;
      this.apiPorts = apiPorts;
    }

    int posted() {
      return posted;
    }

    void post() {
      long recipient = firstRecipient + posted;
      int port = apiPorts[posted % apiPorts.length];
      posted++;
      sent.add(
          pool.submit(
              () -> {
                int status;
                try {
                  status =
                      call(port)
                          .body(notification(recipient, title))
                          .post("/api/v1/notifications")
                          .statusCode();
                } catch (Exception e) {
                  status = 0;
                }
                if (status == 202) {
                  accepted.incrementAndGet();
                } else {
                  refused.incrementAndGet();
                  lastRefusedAt.accumulateAndGet(System.nanoTime(), Math::max);
                }
              }));
    }

    /**
     * Queued behind the requests posted so far, so it starts as the clients reach it; or, {@code
     * now}, on a thread of its own, for a fault that takes a while (a rolling restart) and must not
     * take a client's thread.
     */
    Future<?> fault(Runnable fault, boolean now) {
      Future<?> running =
          (now ? faults : pool)
              .submit(
                  () -> {
                    faultAt.set(System.nanoTime());
                    answeredAtFault.set(accepted.get() + refused.get());
                    fault.run();
                  });
      sent.add(running);
      return running;
    }

    Burst finish() throws Exception {
      for (Future<?> f : sent) {
        f.get(300, TimeUnit.SECONDS);
      }
      pool.shutdown();
      faults.shutdown();
      assertEquals(posted, accepted.get() + refused.get());
      long refusing = lastRefusedAt.get() == 0 ? 0 : lastRefusedAt.get() - faultAt.get();
      return new Burst(
          title,
          posted,
          accepted.get(),
          refused.get(),
          answeredAtFault.get(),
          Duration.ofNanos(Math.max(0, refusing)));
    }
  }

  /** The body of a burst's request: one recipient, the burst's title. */
  static String notification(long recipient, String title) {
    return "{\"type\":\"community.post\",\"recipientIds\":["
        + recipient
        + "],\"title\":\""
        + title
        + "\"}";
  }

  /** Counts this burst's ledger rows (append a condition to narrow it). */
  String rows() {
    return "select count(*) from jobs where type = 'notification.dispatch'"
        + " and payload->>'title' = '"
        + title
        + "'";
  }

  /**
   * Waits until every ledger row of the burst (every request the API took, whatever it answered)
   * succeeded, and returns how many there are.
   */
  long awaitAllSucceeded(Duration within) throws Exception {
    await()
        .atMost(within)
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(() -> count(rows() + " and status = 'succeeded'") == count(rows()));
    return count(rows());
  }

  /**
   * Every accepted job is in the ledger, every ledger row (a 503 may have come after its row was
   * written) has its one inbox row, and nobody got this burst's notification twice.
   */
  void assertEveryJobRanOnce(long ledger) throws Exception {
    assertTrue(ledger >= accepted, "every accepted job is in the ledger");
    assertEquals(ledger, inbox(), "one inbox row per ledger row: nothing lost");
    assertEquals(0, duplicates(), "nothing twice");
  }

  long inbox() throws Exception {
    return count("select count(*) from notifications where title = '" + title + "'");
  }

  long duplicates() throws Exception {
    return count(
        "select count(*) from (select user_id from notifications where title = '"
            + title
            + "' group by user_id having count(*) > 1) d");
  }
}
