package io.pulse.bench;

import com.icegreen.greenmail.util.GreenMail;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * One notification to 10,000 recipients, from the API call until the last effect: in-app only (the
 * dispatch job's one set-based insert), and in-app plus email (10,000 notification.email jobs sent
 * over SMTP to a local GreenMail server that this process runs).
 */
final class NotificationsBench {
  record Result(String channels, int recipients, Duration took, long done, boolean complete) {
    double perSecond() {
      return done / (took.toNanos() / 1e9);
    }
  }

  static final long FIRST_USER = 60_000_000L;

  /** The warm-up's own recipients. */
  private static final long WARM_UP_USER = 61_000_000L;

  private static final Pattern JOB_ID = Pattern.compile("\"jobId\"\\s*:\\s*\"([0-9a-fA-F-]{36})\"");
  private final BenchSettings settings;
  private final int recipients;
  private final Duration limit;
  private final long firstUser;

  NotificationsBench(BenchSettings settings, int recipients, Duration limit) {
    this(settings, recipients, limit, FIRST_USER);
  }

  private NotificationsBench(
      BenchSettings settings, int recipients, Duration limit, long firstUser) {
    this.settings = settings;
    this.recipients = recipients;
    this.limit = limit;
    this.firstUser = firstUser;
  }

  /**
   * A notification with email to {@code recipients} other users, not measured, so the workers'
   * email path (Qute, the mail encoder, the SMTP pool) is compiled before the measured one, as in a
   * worker that has run for a while.
   */
  Result warmUpEmail(int smtpPort, int recipients) throws Exception {
    return new NotificationsBench(settings, recipients, limit, WARM_UP_USER).withEmail(smtpPort);
  }

  Result inAppOnly() throws Exception {
    try (Connection db = connect();
        Statement sql = db.createStatement()) {
      prepareUsers(sql);
      long started = System.nanoTime();
      String job = notify("community.post");
      long done =
          await(
              sql,
              "select count(*) from jobs where id = '" + job + "' and status = 'succeeded'",
              1);
      long notifications =
          BenchCalls.count(sql, "select count(*) from notifications where job_id = '" + job + "'");
      return new Result(
          "in_app", recipients, since(started), done == 1 ? notifications : 0, done == 1);
    }
  }

  Result withEmail(int smtpPort) throws Exception {
    GreenMail smtp = PlainSmtp.server(smtpPort);
    try (Connection db = connect();
        Statement sql = db.createStatement()) {
      prepareUsers(sql);
      long started = System.nanoTime();
      String job = notify("comment.reply");
      long sent =
          await(
              sql,
              "select count(*) from deliveries where notification_job_id = '"
                  + job
                  + "' and status = 'sent'",
              recipients);
      return new Result("in_app + email", recipients, since(started), sent, sent >= recipients);
    } finally {
      smtp.stop();
    }
  }

  /**
   * The same number of two-part mails of a notification's size, over one connection with plain
   * Jakarta Mail: what SMTP alone allows for scenario 7.
   */
  PlainSmtp.Result rawSmtp(int smtpPort) throws Exception {
    return PlainSmtp.send(
        smtpPort,
        recipients,
        "raw-email",
        new PlainSmtp.Shape(
            "Bench",
            "Hi n1,\n\nBench\nhello\n\nOpen in Pulse: https://campus.example/\n\n--\nYou get this"
                + " email because of your notification settings for \"comment.reply\".",
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Bench</title>"
                + "</head><body><p>Hi n1,</p><h2>Bench</h2><p>hello</p><p><a"
                + " href=\"https://campus.example/\">Open in Pulse</a></p><hr><p>You get this email"
                + " because of your notification settings for \"comment.reply\".</p></body></html>"));
  }

  private void prepareUsers(Statement sql) throws SQLException {
    sql.executeUpdate(
        "insert into users (id, handle, email) select g, 'n' || g, 'n' || g || '@bench.example'"
            + " from generate_series("
            + firstUser
            + ", "
            + (firstUser + recipients - 1)
            + ") g"
            + " on conflict do nothing");
  }

  private String notify(String type) throws Exception {
    String ids =
        LongStream.range(firstUser, firstUser + recipients)
            .mapToObj(Long::toString)
            .collect(Collectors.joining(","));
    String body =
        "{\"type\":\""
            + type
            + "\",\"recipientIds\":["
            + ids
            + "],\"title\":\"Bench\",\"body\":\"hello\"}";
    Matcher id = JOB_ID.matcher(BenchCalls.accepted(settings, "/api/v1/notifications", body));
    if (!id.find()) {
      throw new IllegalStateException("202 without a jobId");
    }
    return id.group(1);
  }

  /** Checks until the count reaches {@code target} or the limit passes. */
  private long await(Statement sql, String query, long target) throws SQLException {
    BenchCalls.untilTapering(limit, () -> BenchCalls.count(sql, query) >= target);
    return BenchCalls.count(sql, query);
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(settings.jdbcUrl(), "pulse", "pulse");
  }

  private static Duration since(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }
}
