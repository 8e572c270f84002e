package io.pulse.bench;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * The soak's starting ledger: {@code rows} finished jobs written by one generate_series INSERT per
 * million, with time-ordered ids (as the apps make them, so retention's id-bounded scans work as in
 * production) and finish times spread evenly over the last {@code days} days, up to an hour ago.
 * With 10 days and a 7-day retention, 30% of them are due for removal when the soak starts.
 */
final class SoakLedger {
  static final int CHUNK = 1_000_000;

  private SoakLedger() {}

  /** The smallest time-ordered job id at {@code instant} (common's JobIds.floorAt). */
  static UUID floor(Instant instant) {
    return new UUID((instant.toEpochMilli() << 16) | 0x7000L, 0x8000_0000_0000_0000L);
  }

  static Duration prefill(Connection db, long rows, int days) throws SQLException {
    long started = System.nanoTime();
    long end = Instant.now().minus(Duration.ofHours(1)).toEpochMilli();
    long span = Duration.ofDays(days).toMillis();
    long first = end - span;
    try (Statement sql = db.createStatement()) {
      for (long from = 0; from < rows; from += CHUNK) {
        long to = Math.min(rows, from + CHUNK) - 1;
        // id: 48 bits of milliseconds, version 7, 12 bits of the row number, variant, row number.
        sql.executeUpdate(
            """
            insert into jobs (id, type, status, payload, attempts, created_at, updated_at,
                              published_at, finished_at)
            select cast(lpad(to_hex(ms), 12, '0') || '7' || lpad(to_hex(g %% 4096), 3, '0') || '8'
                        || lpad(to_hex(g), 15, '0') as uuid),
                   'notification.dispatch', 'succeeded',
                   '{"type":"community.post","recipientIds":[1],"title":"t"}', 1,
                   to_timestamp(ms / 1000.0), to_timestamp(ms / 1000.0) + interval '5 ms',
                   to_timestamp(ms / 1000.0), to_timestamp(ms / 1000.0) + interval '5 ms'
            from (select g, %d + g * %d / %d as ms from generate_series(cast(%d as bigint), cast(%d as bigint)) g) t
            """
                .formatted(first, span, rows, from, to));
        BenchMain.log("soak: prefilled %,d of %,d ledger rows", to + 1, rows);
      }
      // Autovacuum is off on this machine: what it would have done by now, done once.
      sql.execute("vacuum (analyze) jobs");
    }
    return Duration.ofNanos(System.nanoTime() - started);
  }

  /**
   * Stands in for autovacuum (off on this machine) on the tables the soak writes and retention
   * thins.
   */
  static void vacuum(Connection db) throws SQLException {
    try (Statement sql = db.createStatement()) {
      sql.execute("vacuum (analyze) jobs, notifications, deliveries, feed_entries");
    }
  }
}
