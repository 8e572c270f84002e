package io.pulse.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Replaying dead jobs out of a deep dead-letter queue: {@code depth} dead ledger rows of one type
 * with their dead letters in the DLQ (oldest at the head), then replays of 1, 100 and 10,000 of the
 * newest (the deepest messages, the old scan's worst case) through {@code POST
 * /api/v1/admin/dead-letters/replay}, in requests of at most 1,000 jobs (the API's limit). Before
 * them, what the replay of one deep job cost when replays read the DLQ: a basic.get walk through
 * every message, held and handed back (also what one pass of the workers' reconciler reads). After
 * them, how long until the reconciler dropped the replayed jobs' stale copies, that is until the
 * DLQ's depth equals the ledger's dead count again.
 */
final class DlqReplayBench {
  static final String TYPE = "digest.build";
  static final String DLQ = "pulse." + TYPE + ".dlq";

  record Round(int jobs, Duration elapsed, long fromDlq, long fromLedger) {}

  record Result(List<Round> rounds, Duration fullScan, Duration staleCopiesGone, boolean matched) {}

  private final BenchSettings settings;
  private final int depth;
  private final HttpClient http = HttpClient.newHttpClient();

  DlqReplayBench(BenchSettings settings, int depth) {
    this.settings = settings;
    this.depth = depth;
  }

  Result run() throws Exception {
    List<UUID> ids = fill();
    // -Dbench.dlq.full-scan=false leaves out the old way's figure (minutes on a loaded machine).
    Duration scan =
        Boolean.parseBoolean(System.getProperty("bench.dlq.full-scan", "true")) ? fullScan() : null;
    List<Round> rounds = new ArrayList<>();
    int next = ids.size();
    for (int jobs : new int[] {1, 100, 10_000}) {
      List<UUID> chosen = ids.subList(next - jobs, next);
      next -= jobs;
      long start = System.nanoTime();
      long dlq = 0;
      long ledger = 0;
      for (int from = 0; from < chosen.size(); from += 1000) {
        String answer = replay(chosen.subList(from, Math.min(chosen.size(), from + 1000)));
        dlq += count(answer, "\"source\":\"dlq\"");
        ledger += count(answer, "\"source\":\"ledger\"");
      }
      rounds.add(new Round(jobs, Duration.ofNanos(System.nanoTime() - start), dlq, ledger));
    }
    long replayed = System.nanoTime();
    boolean matched =
        BenchCalls.until(
            Duration.ofMinutes(5), Duration.ofSeconds(1), () -> depth() == deadInLedger());
    return new Result(rounds, scan, Duration.ofNanos(System.nanoTime() - replayed), matched);
  }

  /** Every dead letter taken with basic.get and held, then all handed back: the old worst case. */
  private Duration fullScan() throws Exception {
    try (Connection connection = settings.amqp().newConnection("bench dlq scan");
        Channel channel = connection.createChannel()) {
      long start = System.nanoTime();
      long taken = 0;
      while (channel.basicGet(DLQ, false) != null) {
        taken++;
      }
      channel.basicNack(0, true, true);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      if (taken < depth) {
        throw new IllegalStateException("the scan saw " + taken + " of " + depth + " messages");
      }
      return took;
    }
  }

  private long depth() throws Exception {
    try (Connection connection = settings.amqp().newConnection("bench dlq depth");
        Channel channel = connection.createChannel()) {
      return channel.messageCount(DLQ);
    }
  }

  private long deadInLedger() throws Exception {
    try (java.sql.Connection db =
            DriverManager.getConnection(settings.jdbcUrl(), "pulse", "pulse");
        Statement sql = db.createStatement()) {
      return BenchCalls.count(
          sql, "select count(*) from jobs where type = '" + TYPE + "' and status = 'dead'");
    }
  }

  /** Dead rows in the ledger and their dead letters in the DLQ, oldest first; their ids. */
  private List<UUID> fill() throws Exception {
    List<UUID> ids = new ArrayList<>(depth);
    long base = System.currentTimeMillis() - 3_600_000;
    for (int i = 0; i < depth; i++) {
      long millis = base + i;
      ids.add(new UUID((millis << 16) | 0x7000L, 0x8000_0000_0000_0000L | i));
    }
    try (java.sql.Connection db =
        DriverManager.getConnection(settings.jdbcUrl(), "pulse", "pulse")) {
      try (Statement st = db.createStatement()) {
        st.execute("delete from jobs where type = '" + TYPE + "'");
      }
      try (PreparedStatement insert =
          db.prepareStatement(
              "insert into jobs (id, type, status, payload, attempts, last_error, created_at,"
                  + " updated_at, published_at, finished_at)"
                  + " select id, ?, 'dead', '{\"userId\":0}', 8, 'bench', now(), now(), now(),"
                  + " now() from unnest(?::uuid[]) as t(id)")) {
        insert.setString(1, TYPE);
        insert.setArray(2, db.createArrayOf("uuid", ids.toArray()));
        insert.executeUpdate();
      }
    }
    try (Connection connection = settings.amqp().newConnection("bench dlq fill");
        Channel channel = connection.createChannel()) {
      channel.queuePurge(DLQ);
      channel.confirmSelect();
      byte[] body = "{\"userId\":0}".getBytes(StandardCharsets.UTF_8);
      for (UUID id : ids) {
        AMQP.BasicProperties props =
            new AMQP.BasicProperties.Builder()
                .messageId(id.toString())
                .type(TYPE)
                .deliveryMode(2)
                .headers(Map.of("pulse-error-job-id", id.toString(), "pulse-attempt", 8))
                .build();
        channel.basicPublish("pulse.dead", TYPE, props, body);
      }
      channel.waitForConfirmsOrDie(120_000);
    }
    return ids;
  }

  private String replay(List<UUID> jobs) throws Exception {
    String body =
        jobs.stream()
            .map(id -> "\"" + id + "\"")
            .collect(Collectors.joining(",", "{\"jobIds\":[", "]}"));
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    "http://"
                        + BenchSettings.HOST
                        + ":"
                        + settings.apiPort()
                        + "/api/v1/admin/dead-letters/replay"))
            .timeout(Duration.ofMinutes(3))
            .header("Authorization", "Bearer " + settings.apiKey())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("replay answered HTTP " + response.statusCode());
    }
    return response.body();
  }

  private static long count(String text, String needle) {
    long n = 0;
    for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
      n++;
    }
    return n;
  }
}
