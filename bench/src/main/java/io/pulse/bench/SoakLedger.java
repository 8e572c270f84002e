package io.pulse.bench;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The soak's starting data, written by generate_series INSERTs with time-ordered ids (as the apps
 * make them, so retention's id-bounded scans work as in production): the ledger, the inboxes and
 * the email deliveries of the soak's own recipients each start with a backlog past their retention
 * (a first pass on an old database) and with a band of rows, at the rate the soak's traffic adds
 * them, that crosses the retention edge while the soak runs: the state of a campus that has run at
 * that rate for longer than each window, where retention removes each minute about what arrives.
 */
final class SoakLedger {
  static final int CHUNK = 1_000_000;

  private SoakLedger() {}

  /** The smallest time-ordered job id at {@code instant} (common's JobIds.floorAt). */
  static UUID floor(Instant instant) {
    return new UUID((instant.toEpochMilli() << 16) | 0x7000L, 0x8000_0000_0000_0000L);
  }

  /**
   * Row times for one table's past, in time order and numbered in that order (so ids given in
   * insertion order follow time, as the apps' do): {@code rows} spread evenly from {@code fromMs}
   * to {@code toMs}, numbered from {@code first}.
   */
  record Span(long first, long rows, long fromMs, long toMs) {
    String select() {
      return ("select g, %d + (g - %d) * %d / %d as ms"
              + " from generate_series(cast(%d as bigint), cast(%d as bigint)) g")
          .formatted(fromMs, first, toMs - fromMs, Math.max(1, rows), first, first + rows - 1);
    }

    /** Consecutive spans: before the window's edge, the band crossing it, inside the window. */
    static List<Span> around(long backlog, Band band, long inside, Duration window, long nowMs) {
      long edge = nowMs - window.toMillis() + band.leadMs();
      long bandEnd = edge + band.lengthMs();
      long oldest = nowMs - 2 * window.toMillis();
      List<Span> spans = new ArrayList<>();
      spans.add(new Span(0, backlog, oldest, nowMs - window.toMillis()));
      spans.add(new Span(backlog, band.rows(), edge, bandEnd));
      spans.add(new Span(backlog + band.rows(), inside, bandEnd, nowMs - HOUR));
      spans.removeIf(span -> span.rows() <= 0);
      return spans;
    }
  }

  /**
   * The rows that leave a table's window while the soak runs, at the rate its traffic adds rows:
   * what retention removes each minute on a campus that has run at that rate for longer than the
   * window. {@code leadMs} after the window's edge at the prefill (the warm-up runs first), for
   * {@code lengthMs}.
   */
  record Band(long rows, long leadMs, long lengthMs) {
    static Band of(double perSecond, Duration lead, Duration length) {
      return new Band(
          Math.round(perSecond * length.toSeconds()), lead.toMillis(), length.toMillis());
    }
  }

  private static final long HOUR = Duration.ofHours(1).toMillis();

  /**
   * The ledger: {@code rows} finished jobs spread over the last {@code days} days (with 10 days and
   * a 7-day window, 30% of them are due for removal at the start), plus the {@code band} of jobs
   * that finished 7 days before the soak's minutes.
   */
  static Duration prefill(Connection db, long rows, int days, Band band) throws SQLException {
    long started = System.nanoTime();
    long now = Instant.now().toEpochMilli();
    long end = now - HOUR;
    long span = Duration.ofDays(days).toMillis();
    long edge = now - Duration.ofDays(7).toMillis() + band.leadMs();
    List<Span> spans = new ArrayList<>();
    for (long from = 0; from < rows; from += CHUNK) {
      long to = Math.min(rows, from + CHUNK);
      // Chunks of one even spread: each starts where the spread is at its first row.
      spans.add(
          new Span(
              from, to - from, end - span + from * span / rows, end - span + to * span / rows));
    }
    spans.add(new Span(rows, band.rows(), edge, edge + band.lengthMs()));
    try (Statement sql = db.createStatement()) {
      long written = 0;
      for (Span part : spans) {
        sql.executeUpdate(
            """
            insert into jobs (id, type, status, payload, attempts, created_at, updated_at,
                              published_at, finished_at)
            select %s,
                   'notification.dispatch', 'succeeded',
                   '{"type":"community.post","recipientIds":[1],"title":"t"}', 1,
                   to_timestamp(ms / 1000.0), to_timestamp(ms / 1000.0) + interval '5 ms',
                   to_timestamp(ms / 1000.0), to_timestamp(ms / 1000.0) + interval '5 ms'
            from (%s) t
            """
                .formatted(timeOrderedId("ms", "g"), part.select()));
        written += part.rows();
        BenchMain.log("soak: prefilled %,d of %,d ledger rows", written, rows + band.rows());
      }
      // Autovacuum is off on this machine: what it would have done by now, done once.
      sql.execute("vacuum (analyze) jobs");
    }
    return Duration.ofNanos(System.nanoTime() - started);
  }

  /**
   * The past of the soak's inboxes and email deliveries, each as {@link Span#around}: {@code
   * backlog} rows older than the window (spread over a second window's length before it), the
   * {@code band} crossing its edge during the soak, and {@code inside} rows after it, up to an hour
   * ago; inbox rows read (the band's unread), deliveries sent.
   */
  static Duration prefillHistory(
      Connection db,
      long inboxBacklog,
      Band inboxBand,
      long inboxInside,
      long deliveryBacklog,
      Band deliveryBand,
      long deliveryInside)
      throws SQLException {
    long started = System.nanoTime();
    long now = Instant.now().toEpochMilli();
    try (Statement sql = db.createStatement()) {
      for (Span part :
          Span.around(inboxBacklog, inboxBand, inboxInside, Duration.ofDays(90), now)) {
        // In id order by time, as the apps write them: retention scans notifications by id.
        sql.executeUpdate(
            """
            insert into notifications (user_id, job_id, type, title, body, created_at, read_at)
            select %d + g %% %d, %s, 'community.post', 'soak history', 'from before the soak',
                   to_timestamp(ms / 1000.0), %s
            from (%s) t
            order by g
            """
                .formatted(
                    SoakLoad.FIRST_RECIPIENT,
                    SoakLoad.RECIPIENTS,
                    timeOrderedId("ms", "g"),
                    // The band's rows stay unread, as the soak's own do (it reads none): their
                    // removal makes room in the unread index as well as in the table.
                    part.first() == inboxBacklog && inboxBand.rows() > 0
                        ? "null"
                        : "to_timestamp(ms / 1000.0) + interval '1 hour'",
                    part.select()));
        BenchMain.log("soak: prefilled %,d inbox rows", part.first() + part.rows());
      }
      for (Span part :
          Span.around(deliveryBacklog, deliveryBand, deliveryInside, Duration.ofDays(30), now)) {
        sql.executeUpdate(
            """
            insert into deliveries (id, notification_job_id, user_id, channel, status, attempts,
                                    provider_id, sent_at, created_at, updated_at)
            select gen_random_uuid(), %s, %d + g %% %d, 'email', 'sent', 1, 'soak-history',
                   to_timestamp(ms / 1000.0), to_timestamp(ms / 1000.0), to_timestamp(ms / 1000.0)
            from (%s) t
            """
                .formatted(
                    timeOrderedId("ms", "g"),
                    SoakLoad.FIRST_EMAIL_USER,
                    SoakLoad.EMAIL_USERS,
                    part.select()));
        BenchMain.log("soak: prefilled %,d email deliveries", part.first() + part.rows());
      }
      sql.execute("vacuum (analyze) notifications, deliveries");
    }
    return Duration.ofNanos(System.nanoTime() - started);
  }

  /** A time-ordered (version 7) uuid from a column of milliseconds and one of row numbers. */
  private static String timeOrderedId(String millis, String row) {
    // 48 bits of milliseconds, version 7, 12 bits of the row number, variant, row number.
    return ("cast(lpad(to_hex(%1$s), 12, '0') || '7' || lpad(to_hex(%2$s %% 4096), 3, '0') || '8'"
            + " || lpad(to_hex(%2$s), 15, '0') as uuid)")
        .formatted(millis, row);
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
