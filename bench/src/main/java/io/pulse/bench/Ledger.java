package io.pulse.bench;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The job ledger of the bench database, read directly: the apps write it, the benchmarks only look
 * (and empty it before a run). "Done" means what the README promises: the worker's handler and the
 * {@code succeeded} mark committed together.
 */
final class Ledger implements AutoCloseable {
  private final Connection db;

  Ledger(String jdbcUrl) throws SQLException {
    this.db = DriverManager.getConnection(jdbcUrl, "pulse", "pulse");
    db.setAutoCommit(true);
  }

  /**
   * Every run starts from empty tables, so inserts meet indexes of the same size each time and runs
   * stay comparable. Only the bench database is ever touched.
   */
  void reset() throws SQLException {
    try (Statement st = db.createStatement()) {
      st.execute("truncate jobs, notifications");
    }
  }

  /**
   * Statistics for the tables {@link #reset} emptied. Planned against an empty ledger, the apps'
   * prepared statements scan it whole (a sequential scan is cheapest on an empty table) and keep
   * doing so as it fills, until autovacuum analyzes it; a production ledger is never empty.
   */
  void analyze() throws SQLException {
    try (Statement st = db.createStatement()) {
      st.execute("analyze jobs, notifications");
    }
  }

  String serverVersion() throws SQLException {
    try (Statement st = db.createStatement();
        ResultSet rs = st.executeQuery("show server_version")) {
      rs.next();
      return rs.getString(1);
    }
  }

  long succeeded(Collection<UUID> ids) throws SQLException {
    return succeededAmong(ids).size();
  }

  /**
   * Polls until every job succeeded. Returns the {@link System#nanoTime()} at which the ledger
   * showed them all, or -1 when the deadline passed first (the caller then reports how many did).
   */
  long awaitSucceeded(Collection<UUID> ids, Duration within)
      throws SQLException, InterruptedException {
    // A poll asks about the oldest 500 jobs not yet seen done, by primary key, and moves on to the
    // next 500 at once when those are. Asking about thousands at once makes PostgreSQL scan the
    // whole ledger every 50 ms, which took a good part of the cores from the apps being measured.
    Set<UUID> pending = new LinkedHashSet<>(ids);
    boolean all =
        BenchCalls.until(
            within,
            Duration.ofMillis(50),
            () -> {
              while (!pending.isEmpty()) {
                List<UUID> oldest = pending.stream().limit(500).toList();
                List<UUID> done = succeededAmong(oldest);
                done.forEach(pending::remove); // not removeAll: O(n·m) on a List
                if (done.size() < oldest.size()) {
                  return false;
                }
              }
              return true;
            });
    return all ? System.nanoTime() : -1;
  }

  private List<UUID> succeededAmong(Collection<UUID> ids) throws SQLException {
    List<UUID> done = new ArrayList<>();
    try (PreparedStatement st =
        db.prepareStatement("select id from jobs where status = 'succeeded' and id = any(?)")) {
      st.setArray(1, uuids(ids));
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          done.add(rs.getObject(1, UUID.class));
        }
      }
    }
    return done;
  }

  /**
   * Accept-to-commit latency of each succeeded job by the ledger's own timestamps, in ms: {@code
   * created_at} is set by the API when it accepts the request, {@code finished_at} by the worker in
   * the job's transaction.
   */
  double[] latenciesMillis(Collection<UUID> ids) throws SQLException {
    try (PreparedStatement st =
        db.prepareStatement(
            """
            select extract(epoch from (finished_at - created_at)) * 1000
            from jobs where status = 'succeeded' and id = any(?)
            """)) {
      st.setArray(1, uuids(ids));
      double[] out = new double[ids.size()];
      int n = 0;
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          out[n++] = rs.getDouble(1);
        }
      }
      return Arrays.copyOf(out, n);
    }
  }

  private Array uuids(Collection<UUID> ids) throws SQLException {
    return db.createArrayOf("uuid", ids.toArray());
  }

  @Override
  public void close() throws SQLException {
    db.close();
  }
}
