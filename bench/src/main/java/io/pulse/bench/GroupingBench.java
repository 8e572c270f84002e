package io.pulse.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The grouping path (issue 19): 10,000 notifications to 100 users, each user's 100 with one {@code
 * groupKey} (100 groups), next to the same 10,000 without a key (10,000 plain inbox rows), both of
 * type {@code bench.grouped} (in-app only, a group window of an hour, set by deploy/bench.sh). Sent
 * through {@code POST /notifications/batch}, 100 per request, each request one notification for
 * each of the 100 users, so every batch a consumer takes touches many groups at once; timed from
 * the first request until the ledger shows every job succeeded.
 */
final class GroupingBench {
  record Result(
      Duration grouped,
      Duration plain,
      int jobs,
      long groupedItems,
      long groupedCount,
      long plainItems,
      boolean complete) {
    double groupedPerSecond() {
      return jobs / (grouped.toNanos() / 1e9);
    }

    double plainPerSecond() {
      return jobs / (plain.toNanos() / 1e9);
    }
  }

  static final long FIRST_USER = 70_000_000L;
  static final int USERS = 100;
  static final int PER_USER = 100;

  private final BenchSettings settings;
  private final Duration limit;

  GroupingBench(BenchSettings settings, Duration limit) {
    this.settings = settings;
    this.limit = limit;
  }

  Result run() throws Exception {
    PulseApi api = new PulseApi(settings.apiPort(), settings.apiKey());
    try (Connection db = DriverManager.getConnection(settings.jdbcUrl(), "pulse", "pulse");
        Statement sql = db.createStatement()) {
      // Plain first, then grouped, each into users with an empty inbox.
      Duration plain = send(api, sql, FIRST_USER + USERS, false);
      Duration grouped = send(api, sql, FIRST_USER, true);
      long groupedItems =
          BenchCalls.count(sql, "select count(*) from notifications where " + users(FIRST_USER));
      long groupedCount =
          BenchCalls.count(
              sql,
              "select coalesce(sum(group_count), 0) from notifications where " + users(FIRST_USER));
      long plainItems =
          BenchCalls.count(
              sql, "select count(*) from notifications where " + users(FIRST_USER + USERS));
      int jobs = USERS * PER_USER;
      return new Result(
          grouped,
          plain,
          jobs,
          groupedItems,
          groupedCount,
          plainItems,
          groupedItems == USERS && groupedCount == jobs && plainItems == jobs);
    }
  }

  private Duration send(PulseApi api, Statement sql, long firstUser, boolean grouped)
      throws Exception {
    sql.executeUpdate("delete from notifications where " + users(firstUser));
    List<UUID> ids = new ArrayList<>(USERS * PER_USER);
    long started = System.nanoTime();
    for (int round = 0; round < PER_USER; round++) {
      StringBuilder body = new StringBuilder("[");
      for (int u = 0; u < USERS; u++) {
        long user = firstUser + u;
        body.append(u == 0 ? "" : ",")
            .append("{\"type\":\"bench.grouped\",\"recipientIds\":[")
            .append(user)
            .append("],\"title\":\"Reply ")
            .append(round)
            .append("\",\"actorId\":")
            .append(round + 1)
            .append(grouped ? ",\"groupKey\":\"post:" + user + ":replies\"" : "")
            .append("}");
      }
      ids.addAll(api.postBatch(body.append("]").toString(), USERS));
    }
    // Done when the effects are: each job's inbox change commits with its "succeeded" mark. Counted
    // on the users' inbox index, not by asking the ledger about 10,000 ids every few milliseconds.
    String effects =
        grouped
            ? "select coalesce(sum(group_count), 0) from notifications where " + users(firstUser)
            : "select count(*) from notifications where " + users(firstUser);
    BenchCalls.untilTapering(limit, () -> BenchCalls.count(sql, effects) >= ids.size());
    return Duration.ofNanos(System.nanoTime() - started);
  }

  private static String users(long first) {
    return "user_id between " + first + " and " + (first + USERS - 1);
  }
}
