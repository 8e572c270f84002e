package io.pulse.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;

/**
 * Fan-out of one post to a 100,000-member community: Pulse (POST /posts, then feed.fanout and its
 * chunks through the broker) next to the same {@code INSERT ... SELECT ... ON CONFLICT DO NOTHING}
 * run directly in PostgreSQL, in the same run and database.
 */
final class FanoutBench {
  record Result(
      int members,
      double directRowsPerSecond,
      double pulseRowsPerSecond,
      Duration pulse,
      boolean complete) {
    double ratio() {
      return pulseRowsPerSecond / directRowsPerSecond;
    }
  }

  private static final long COMMUNITY = 900_000_001L;
  private static final long FIRST_MEMBER = 50_000_000L;
  private final BenchSettings settings;
  private final int members;
  private final Duration limit;

  FanoutBench(BenchSettings settings, int members, Duration limit) {
    this.settings = settings;
    this.members = members;
    this.limit = limit;
  }

  /** Direct and Pulse in turns, this many times each; the medians are reported. */
  static final int ROUNDS = 3;

  Result run() throws Exception {
    try (Connection db = DriverManager.getConnection(settings.jdbcUrl(), "pulse", "pulse");
        Statement sql = db.createStatement()) {
      prepare(sql);
      warmUp(sql, COMMUNITY * 10);
      // On a shared two-core machine one measurement of each can land in a slow and a fast
      // moment; taking turns and the median of each evens that out.
      double[] direct = new double[ROUNDS];
      double[] pulse = new double[ROUNDS];
      double[] pulseSeconds = new double[ROUNDS];
      boolean complete = true;
      for (int round = 0; round < ROUNDS; round++) {
        direct[round] = direct(sql, COMMUNITY * 10 + 1 + 2 * round);
        long pulsePost = COMMUNITY * 10 + 2 + 2 * round;
        long started = System.nanoTime();
        long inserted = throughPulse(sql, pulsePost);
        pulseSeconds[round] = (System.nanoTime() - started) / 1e9;
        pulse[round] = inserted / pulseSeconds[round];
        complete &= inserted >= members;
      }
      return new Result(
          members,
          median(direct),
          median(pulse),
          Duration.ofNanos((long) (median(pulseSeconds) * 1e9)),
          complete);
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /**
   * The very statement a chunk runs (active filter, membership lock), over every member at once.
   */
  private double direct(Statement sql, long post) throws SQLException {
    insertPost(sql, post);
    long started = System.nanoTime();
    int rows =
        sql.executeUpdate(
            "insert into feed_entries (user_id, post_id, community_id, created_at)"
                + " select m.user_id, p.id, p.community_id, p.created_at"
                + " from community_members m join posts p on p.id = "
                + post
                + " left join users u on u.id = m.user_id"
                + " where m.community_id = "
                + COMMUNITY
                + " and (u.last_active_at is null or u.last_active_at > now() - interval '30 days')"
                + " for key share of m on conflict do nothing");
    return rows / ((System.nanoTime() - started) / 1e9);
  }

  /** POST /posts, then waits for every member's entry; returns the entries found. */
  private long throughPulse(Statement sql, long post) throws Exception {
    post(post);
    // Counting 100,000 rows every few milliseconds would take a core from the fan-out it
    // measures. A chunk commits all its rows at once, so the poll probes every 500th member's
    // entry by primary key, and the full count confirms at the end.
    String probes =
        "select count(*) from feed_entries where post_id = "
            + post
            + " and user_id in (select g from generate_series("
            + FIRST_MEMBER
            + ", "
            + (FIRST_MEMBER + members - 1)
            + ", 500) g)";
    long probed = (members + 499) / 500;
    String entries = "select count(*) from feed_entries where post_id = " + post;
    BenchCalls.until(
        limit,
        Duration.ofMillis(5),
        () -> BenchCalls.count(sql, probes) >= probed && BenchCalls.count(sql, entries) >= members);
    return BenchCalls.count(sql, entries);
  }

  /**
   * One fan-out through Pulse before the clock runs, so the workers' fan-out path is compiled (as
   * in a running system) and both measured inserts meet the same table and caches.
   */
  private void warmUp(Statement sql, long post) throws Exception {
    post(post);
    String entries = "select count(*) from feed_entries where post_id = " + post;
    BenchCalls.until(
        limit, Duration.ofMillis(200), () -> BenchCalls.count(sql, entries) >= members);
  }

  private void prepare(Statement sql) throws SQLException {
    sql.executeUpdate("delete from feed_entries where community_id = " + COMMUNITY);
    sql.executeUpdate("delete from posts where community_id = " + COMMUNITY);
    sql.executeUpdate("delete from community_members where community_id = " + COMMUNITY);
    sql.executeUpdate(
        "insert into communities (id, name) values ("
            + COMMUNITY
            + ", 'bench') on conflict do nothing");
    sql.executeUpdate(
        "insert into users (id, handle, last_active_at) select g, 'b' || g, now() from generate_series("
            + FIRST_MEMBER
            + ", "
            + (FIRST_MEMBER + members - 1)
            + ") g on conflict do nothing");
    sql.executeUpdate(
        "insert into community_members (community_id, user_id) select "
            + COMMUNITY
            + ", g"
            + " from generate_series("
            + FIRST_MEMBER
            + ", "
            + (FIRST_MEMBER + members - 1)
            + ") g");
    // Autovacuum may be off (it is on the machines this was written on): the rows the last run
    // deleted would otherwise stay in the indexes every insert walks.
    sql.execute("vacuum analyze feed_entries, posts, community_members, users");
  }

  private static void insertPost(Statement sql, long post) throws SQLException {
    sql.executeUpdate(
        "insert into posts (id, community_id, author_id, title, created_at) values ("
            + post
            + ", "
            + COMMUNITY
            + ", 1, 'bench', now())");
  }

  private void post(long post) throws Exception {
    String body =
        "{\"postId\":"
            + post
            + ",\"communityId\":"
            + COMMUNITY
            + ",\"authorId\":1,\"title\":\"bench\","
            + "\"createdAt\":\""
            + Instant.now()
            + "\"}";
    BenchCalls.accepted(settings, "/api/v1/posts", body);
  }
}
