package io.pulse.bench;

import com.icegreen.greenmail.util.GreenMail;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Daily digests for 10,000 users, each with unread notifications and new posts in a community: from
 * the operator's {@code POST /admin/digests/runs} until the last digest is recorded as sent to a
 * local GreenMail server. Next to it, the same number of mails of the same shape sent by plain
 * Jakarta Mail over one SMTP connection to the same server: what SMTP allows here.
 */
final class DigestsBench {
  record Result(int users, Duration took, long sent, boolean complete) {
    double perSecond() {
      return sent / (took.toNanos() / 1e9);
    }
  }

  static final long FIRST_USER = 70_000_000L;
  static final long COMMUNITY = 70_000_000L;

  /** The warm-up's own users and community, so the measured run's digests are the same as ever. */
  private static final long WARM_UP = 500_000L;

  private final BenchSettings settings;
  private final int users;
  private final Duration limit;
  private final long firstUser;
  private final long community;

  DigestsBench(BenchSettings settings, int users, Duration limit) {
    this(settings, users, limit, FIRST_USER, COMMUNITY);
  }

  private DigestsBench(
      BenchSettings settings, int users, Duration limit, long firstUser, long community) {
    this.settings = settings;
    this.users = users;
    this.limit = limit;
    this.firstUser = firstUser;
    this.community = community;
  }

  /**
   * Digests for {@code users} other users, not measured, so the workers' digest path (its reads,
   * Qute, the mail encoder) is compiled before the measured run, as in a worker that has run for a
   * while; then those users turn digests off, so the measured run plans only its own.
   */
  Result warmUp(int smtpPort, int users) throws Exception {
    DigestsBench warm =
        new DigestsBench(settings, users, limit, FIRST_USER + WARM_UP, COMMUNITY + WARM_UP);
    Result result = warm.throughPulse(smtpPort);
    try (Connection db = DriverManager.getConnection(settings.jdbcUrl(), "pulse", "pulse");
        Statement sql = db.createStatement()) {
      sql.executeUpdate("update users set digest = 'off' where id" + warm.range());
    }
    return result;
  }

  private String range() {
    return " between " + firstUser + " and " + (firstUser + users - 1);
  }

  Result throughPulse(int smtpPort) throws Exception {
    GreenMail smtp = PlainSmtp.server(smtpPort);
    try (Connection db = DriverManager.getConnection(settings.jdbcUrl(), "pulse", "pulse");
        Statement sql = db.createStatement()) {
      prepare(sql);
      long started = System.nanoTime();
      BenchCalls.accepted(settings, "/api/v1/admin/digests/runs", "{\"period\":\"daily\"}");
      String sentQuery = "select count(*) from digests where status = 'sent' and user_id" + range();
      BenchCalls.untilTapering(limit, () -> BenchCalls.count(sql, sentQuery) >= users);
      long sent = BenchCalls.count(sql, sentQuery);
      return new Result(users, since(started), sent, sent >= users);
    } finally {
      smtp.stop();
    }
  }

  /** The same count of two-part mails, one connection, no rendering, no database, no broker. */
  Result rawSmtp(int smtpPort) throws Exception {
    PlainSmtp.Result r =
        PlainSmtp.send(
            smtpPort,
            users,
            "raw-digest",
            new PlainSmtp.Shape(
                "Your daily Pulse digest: 3 unread notifications",
                "Hi,\n\n"
                    + "- Reply to your post: Nice post\n  https://campus.example/posts/1\n"
                        .repeat(5),
                "<html><body><ul>"
                    + "<li><a href=\"https://campus.example/posts/1\">Reply to your post</a>: Nice</li>"
                        .repeat(5)
                    + "</ul></body></html>"));
    return new Result(users, r.took(), r.sent(), r.sent() == users);
  }

  /**
   * Users who want a daily digest, members of one community with 5 new posts, 3 unread
   * notifications each; earlier runs' digests, and their jobs, are forgotten so the period is due
   * again: a digest job's id follows from its user and period, so a run on the same day as an
   * earlier one would otherwise find every job in the ledger and enqueue none.
   */
  private void prepare(Statement sql) throws SQLException {
    long last = firstUser + users - 1;
    String range = range();
    sql.executeUpdate("delete from digests where user_id" + range);
    sql.executeUpdate("delete from jobs where type = 'digest.build'");
    sql.executeUpdate(
        "insert into users (id, handle, email, digest) select g, 'd' || g, 'd' || g ||"
            + " '@bench.example', 'daily' from generate_series("
            + firstUser
            + ", "
            + last
            + ") g on conflict (id) do update set digest = 'daily', last_digest_at = null,"
            + " digest_planned_through = null");
    sql.executeUpdate(
        "insert into communities (id, name) values ("
            + community
            + ", 'Bench club')"
            + " on conflict do nothing");
    sql.executeUpdate(
        "insert into community_members (community_id, user_id) select "
            + community
            + ", g from generate_series("
            + firstUser
            + ", "
            + last
            + ") g on conflict do nothing");
    sql.executeUpdate(
        "insert into posts (id, community_id, author_id, title, excerpt, created_at)"
            + " select "
            + community
            + " + g, "
            + community
            + ", 1, 'Post ' || g, 'An excerpt', now() - interval '1 hour'"
            + " from generate_series(1, 5) g on conflict (id) do update set created_at ="
            + " excluded.created_at");
    sql.executeUpdate(
        "insert into notifications (user_id, job_id, type, title, body, link, created_at)"
            + " select u, gen_random_uuid(), 'comment.reply', 'Reply ' || n, 'Nice post',"
            + " '/posts/1', now() - interval '1 hour' from generate_series("
            + firstUser
            + ", "
            + last
            + ") u, generate_series(1, 3) n");
  }

  private static Duration since(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }
}
