package io.pulse.bench;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * The soak's starting data. The ledger: {@code rows} finished jobs written by one generate_series
 * INSERT per million, with time-ordered ids (as the apps make them, so retention's id-bounded scans
 * work as in production) and finish times spread evenly over the last {@code days} days, up to an
 * hour ago; with 10 days and a 7-day retention, 30% of them are due for removal when the soak
 * starts. The inboxes and the email deliveries of the soak's own recipients get a past as well
 * ({@link #prefillHistory}), older than their retention in part, so that every table the soak
 * watches starts as a long-running campus's would: with rows to remove, and room that new rows
 * reuse once they are gone.
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
        sql.executeUpdate(
            """
            insert into jobs (id, type, status, payload, attempts, created_at, updated_at,
                              published_at, finished_at)
            select %s,
                   'notification.dispatch', 'succeeded',
                   '{"type":"community.post","recipientIds":[1],"title":"t"}', 1,
                   to_timestamp(ms / 1000.0), to_timestamp(ms / 1000.0) + interval '5 ms',
                   to_timestamp(ms / 1000.0), to_timestamp(ms / 1000.0) + interval '5 ms'
            from (select g, %d + g * %d / %d as ms from generate_series(cast(%d as bigint), cast(%d as bigint)) g) t
            """
                .formatted(timeOrderedId("ms", "g"), first, span, rows, from, to));
        BenchMain.log("soak: prefilled %,d of %,d ledger rows", to + 1, rows);
      }
      // Autovacuum is off on this machine: what it would have done by now, done once.
      sql.execute("vacuum (analyze) jobs");
    }
    return Duration.ofNanos(System.nanoTime() - started);
  }

  /**
   * {@code perRecipient} in-app notifications for each of the soak's in-app recipients, created
   * evenly over the last {@code inboxDays} days (up to an hour ago, oldest first, read), and {@code
   * perEmailUser} sent email deliveries for each of its email users over the last {@code
   * deliveryDays} days. With 180 and 60 days against the default 90 and 30 days of retention, half
   * of each is due for removal when the soak starts.
   */
  static Duration prefillHistory(
      Connection db, int perRecipient, int inboxDays, int perEmailUser, int deliveryDays)
      throws SQLException {
    long started = System.nanoTime();
    long end = Instant.now().minus(Duration.ofHours(1)).toEpochMilli();
    long inboxes = (long) perRecipient * SoakLoad.RECIPIENTS;
    long deliveries = (long) perEmailUser * SoakLoad.EMAIL_USERS;
    try (Statement sql = db.createStatement()) {
      for (long from = 0; from < inboxes; from += CHUNK) {
        long to = Math.min(inboxes, from + CHUNK) - 1;
        // In id order by time, as the apps write them: retention scans notifications by id.
        sql.executeUpdate(
            """
            insert into notifications (user_id, job_id, type, title, body, created_at, read_at)
            select %d + g %% %d, %s, 'community.post', 'soak history', 'from before the soak',
                   to_timestamp(ms / 1000.0), to_timestamp(ms / 1000.0) + interval '1 hour'
            from (select g, %d + g * %d / %d as ms from generate_series(cast(%d as bigint), cast(%d as bigint)) g) t
            order by g
            """
                .formatted(
                    SoakLoad.FIRST_RECIPIENT,
                    SoakLoad.RECIPIENTS,
                    timeOrderedId("ms", "g"),
                    end - Duration.ofDays(inboxDays).toMillis(),
                    Duration.ofDays(inboxDays).toMillis(),
                    inboxes,
                    from,
                    to));
        BenchMain.log("soak: prefilled %,d of %,d inbox rows", to + 1, inboxes);
      }
      sql.executeUpdate(
          """
          insert into deliveries (id, notification_job_id, user_id, channel, status, attempts,
                                  provider_id, sent_at, created_at, updated_at)
          select gen_random_uuid(), %s, %d + g %% %d, 'email', 'sent', 1, 'soak-history',
                 to_timestamp(ms / 1000.0), to_timestamp(ms / 1000.0), to_timestamp(ms / 1000.0)
          from (select g, %d + g * %d / %d as ms from generate_series(cast(0 as bigint), cast(%d as bigint)) g) t
          """
              .formatted(
                  timeOrderedId("ms", "g"),
                  SoakLoad.FIRST_EMAIL_USER,
                  SoakLoad.EMAIL_USERS,
                  end - Duration.ofDays(deliveryDays).toMillis(),
                  Duration.ofDays(deliveryDays).toMillis(),
                  deliveries,
                  deliveries - 1));
      BenchMain.log("soak: prefilled %,d email deliveries", deliveries);
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
