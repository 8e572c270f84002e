package io.pulse.workers.e2e;

import static io.pulse.workers.e2e.EndToEndIT.call;
import static io.pulse.workers.e2e.EndToEndIT.count;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A burst of single-recipient notifications sent to the running API while a fault is injected, and
 * the counts that judge it: ledger rows, inbox rows, duplicates.
 */
record Burst(String title, int sent, int accepted, int refused) {

  /**
   * Sends {@code jobs} notifications from 8 clients and runs {@code fault} once a third of them
   * were sent. A request that fails in any way (an error status, a refused or reset connection)
   * counts as refused.
   */
  static Burst send(String name, int jobs, long firstRecipient, Runnable fault) throws Exception {
    String title = name + "-" + System.nanoTime();
    ExecutorService clients = Executors.newFixedThreadPool(8);
    AtomicInteger accepted = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    List<Future<?>> sent = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      long recipient = firstRecipient + i;
      sent.add(
          clients.submit(
              () -> {
                try {
                  int status =
                      call()
                          .body(
                              "{\"type\":\"community.post\",\"recipientIds\":["
                                  + recipient
                                  + "],\"title\":\""
                                  + title
                                  + "\"}")
                          .post("/api/v1/notifications")
                          .statusCode();
                  (status == 202 ? accepted : refused).incrementAndGet();
                } catch (Exception e) {
                  refused.incrementAndGet();
                }
              }));
      if (i == jobs / 3) {
        sent.add(clients.submit(fault));
      }
    }
    for (Future<?> f : sent) {
      f.get(120, TimeUnit.SECONDS);
    }
    clients.shutdown();
    assertEquals(jobs, accepted.get() + refused.get());
    return new Burst(title, jobs, accepted.get(), refused.get());
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
