package io.pulse.workers.e2e;

import static io.pulse.workers.e2e.EndToEndIT.API_MANAGEMENT_PORT;
import static io.pulse.workers.e2e.EndToEndIT.API_PORT;
import static io.pulse.workers.e2e.EndToEndIT.awaitReady;
import static io.pulse.workers.e2e.EndToEndIT.call;
import static io.pulse.workers.e2e.EndToEndIT.count;
import static io.pulse.workers.e2e.EndToEndIT.exec;
import static io.pulse.workers.e2e.EndToEndIT.launch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Faults injected into the running platform (the packaged api and workers, the real broker and
 * database): the API killed between its ledger insert and its publish, and PostgreSQL restarted
 * while jobs run. Each test counts the jobs the ledger holds and the effects in the inbox, and
 * fails on any loss or duplicate.
 */
class FaultsIT {
  /** The same two processes as {@link EndToEndIT}, started and stopped the same way. */
  @BeforeAll
  static void start() throws Exception {
    EndToEndIT.start();
  }

  /** A test that killed the API leaves it to the next one to start it again. */
  @BeforeEach
  void apiRuns() throws Exception {
    if (!EndToEndIT.api.isAlive()) {
      EndToEndIT.api = launch("api", API_PORT);
      awaitReady(API_MANAGEMENT_PORT);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    EndToEndIT.stop();
  }

  @Test
  void theApiKilledBetweenInsertAndPublishLosesNothing() throws Exception {
    Burst burst = Burst.send("apikill", 300, 97_000L, () -> EndToEndIT.api.destroyForcibly());
    assertTrue(EndToEndIT.api.waitFor(10, TimeUnit.SECONDS));
    // The crash point itself, made certain: a committed row that its API never published.
    UUID orphan = UUID.randomUUID();
    exec(
        "insert into jobs (id, type, status, payload, created_at, updated_at) values ('"
            + orphan
            + "', 'notification.dispatch', 'queued', '{\"type\":\"community.post\","
            + "\"recipientIds\":[97999],\"title\":\""
            + burst.title()
            + "\"}', now(), now())");

    // With the API still down, the workers' sweeper must publish every unpublished row.
    long ledger = burst.awaitAllSucceeded(Duration.ofSeconds(90));
    assertEquals("succeeded", one("select status from jobs where id = '" + orphan + "'"));
    long inbox = burst.inbox();
    System.out.printf(
        "api killed: %d requests, %d accepted, %d without an answer, %d ledger rows (1 planted),"
            + " %d inbox rows, %d duplicates%n",
        burst.sent(), burst.accepted(), burst.refused(), ledger, inbox, burst.duplicates());
    assertTrue(
        ledger >= burst.accepted() + 1, "every accepted job and the orphan are in the ledger");
    assertEquals(ledger, inbox, "one inbox row per ledger row: nothing lost");
    assertEquals(0, burst.duplicates(), "nothing twice");
  }

  @Test
  void restartingPostgresWhileJobsRunLosesAndDuplicatesNothing() throws Exception {
    long[] restartedAt = new long[1];
    Burst burst =
        Burst.send(
            "pgrestart",
            300,
            98_000L,
            () -> {
              restartPostgres();
              restartedAt[0] = System.nanoTime();
            });
    long ledger = burst.awaitAllSucceeded(Duration.ofSeconds(120));
    double recovered = (System.nanoTime() - restartedAt[0]) / 1e9;
    long inbox = burst.inbox();
    System.out.printf(
        "postgres restarted: %d requests, %d accepted, %d refused, %d ledger rows, %d inbox rows,"
            + " %d duplicates, %d dead, all done %.1f s after the restart%n",
        burst.sent(),
        burst.accepted(),
        burst.refused(),
        ledger,
        inbox,
        burst.duplicates(),
        count(burst.rows() + " and status = 'dead'"),
        recovered);
    assertTrue(ledger >= burst.accepted(), "every accepted job is in the ledger");
    assertEquals(ledger, inbox, "one inbox row per ledger row: nothing lost");
    assertEquals(0, burst.duplicates(), "nothing twice");
    // And the platform serves again.
    call()
        .body("{\"type\":\"community.post\",\"recipientIds\":[98999],\"title\":\"after\"}")
        .post("/api/v1/notifications")
        .then()
        .statusCode(202);
  }

  private static String one(String sql) throws Exception {
    try (var c = java.sql.DriverManager.getConnection(EndToEndIT.DB_URL, "pulse", "pulse");
        var rs = c.createStatement().executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /**
   * Restarts the local PostgreSQL cluster on port 5432 (fast shutdown: open sessions are cut), the
   * way deploy/services.sh starts it: through systemd when it runs, else pg_ctlcluster.
   */
  static void restartPostgres() {
    String script =
        """
        v=$(pg_lsclusters -h | awk '$3 == 5432 {print $1; exit}')
        if [ -d /run/systemd/system ]; then systemctl restart "postgresql@$v-main"
        else pg_ctlcluster --skip-systemctl-redirect "$v" main restart; fi
        """;
    try {
      Process restart = new ProcessBuilder("bash", "-c", script).inheritIO().start();
      if (!restart.waitFor(60, TimeUnit.SECONDS) || restart.exitValue() != 0) {
        throw new IllegalStateException("restarting PostgreSQL failed");
      }
    } catch (Exception e) {
      throw new IllegalStateException("could not restart PostgreSQL", e);
    }
  }
}
