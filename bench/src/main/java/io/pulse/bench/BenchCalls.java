package io.pulse.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.pollinterval.PollInterval;

/** The one-off API calls and counts of the feed and notification scenarios. */
final class BenchCalls {
  /** The bounds of {@link #untilTapering}'s checks. */
  private static final long MIN_CHECK_NANOS = Duration.ofMillis(5).toNanos();

  private static final long MAX_CHECK_NANOS = Duration.ofMillis(250).toNanos();

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private BenchCalls() {}

  /** POSTs JSON to the API as the bench's admin key; anything but 202 fails the scenario. */
  static String accepted(BenchSettings settings, String path, String body)
      throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://" + BenchSettings.HOST + ":" + settings.apiPort() + path))
                .header("Authorization", "Bearer " + settings.apiKey())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 202) {
      throw new IllegalStateException(
          "POST " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  /** The job id of a 202 answer. */
  static String jobId(String accepted) {
    java.util.regex.Matcher id =
        java.util.regex.Pattern.compile("\"jobId\"\\s*:\\s*\"([0-9a-fA-F-]{36})\"")
            .matcher(accepted);
    if (!id.find()) {
      throw new IllegalStateException("202 without a jobId: " + accepted);
    }
    return id.group(1);
  }

  static long count(Statement sql, String query) throws SQLException {
    try (ResultSet rs = sql.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Waits, checking every {@code every}, until {@code done} holds; false when {@code within} passed
   * first (a scenario then reports how far it got instead of failing the run).
   */
  static boolean until(Duration within, Duration every, Callable<Boolean> done) {
    return until(within, (count, previous) -> every, done);
  }

  /**
   * As {@link #until}, checking every 1% of the time waited so far (between 5 and 250 ms): the end
   * of a long scenario is still known to about 1%, but its check, a count over the rows the
   * scenario writes, no longer takes PostgreSQL's CPU from what it measures (a count every 5 ms
   * through the email scenario cost PostgreSQL about half of what it spent per email).
   */
  static boolean untilTapering(Duration within, Callable<Boolean> done) {
    long started = System.nanoTime();
    return until(
        within,
        (count, previous) ->
            Duration.ofNanos(
                Math.max(
                    MIN_CHECK_NANOS,
                    Math.min(MAX_CHECK_NANOS, (System.nanoTime() - started) / 100))),
        done);
  }

  private static boolean until(Duration within, PollInterval every, Callable<Boolean> done) {
    try {
      Awaitility.await().atMost(within).pollDelay(Duration.ZERO).pollInterval(every).until(done);
      return true;
    } catch (ConditionTimeoutException e) {
      return false;
    }
  }
}
