package io.pulse.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the soak reads of the machine once a minute: RSS of both apps, their GC pauses since the
 * last sample (from the {@code -Xlog:gc} files deploy/bench.sh asks them to write), PostgreSQL
 * table and index sizes with dead tuples and deletes, and the broker's queue depths.
 */
record SoakSample(
    Instant at,
    long apiRssMib,
    long workersRssMib,
    Gc apiGc,
    Gc workersGc,
    long tableMib,
    long indexMib,
    long jobsMib,
    long deadTuples,
    long deletedRows,
    long workQueued,
    long retrying,
    long deadLetters) {

  /** GC pauses of one app within one minute; count -1 when the app writes no GC log. */
  record Gc(int count, double totalMillis, double maxMillis) {}

  static final String TABLES = "'jobs', 'notifications', 'deliveries', 'feed_entries'";

  private static final Pattern PAUSE = Pattern.compile("^\\[(\\d+)ms\\].*Pause.* ([0-9.]+)ms\\s*$");
  private static final Pattern QUEUE = Pattern.compile("\\{[^{}]*\\}");
  private static final Pattern NAME = Pattern.compile("\"name\":\"([^\"]+)\"");
  private static final Pattern MESSAGES = Pattern.compile("\"messages\":(\\d+)");

  static SoakSample take(BenchSettings settings, Connection db, Instant from, Instant to)
      throws SQLException, IOException, InterruptedException {
    long tables = 0;
    long indexes = 0;
    long jobs = 0;
    long dead = 0;
    long deleted = 0;
    try (Statement sql = db.createStatement();
        ResultSet rows =
            sql.executeQuery(
                "select relname, pg_table_size(relid), pg_indexes_size(relid), n_dead_tup,"
                    + " n_tup_del from pg_stat_user_tables where relname in ("
                    + TABLES
                    + ")")) {
      while (rows.next()) {
        tables += rows.getLong(2);
        indexes += rows.getLong(3);
        dead += rows.getLong(4);
        deleted += rows.getLong(5);
        if (rows.getString(1).equals("jobs")) {
          jobs = rows.getLong(2) + rows.getLong(3);
        }
      }
    }
    long[] depths = queueDepths(settings);
    return new SoakSample(
        to,
        AppProcesses.mib(settings.apiPid(), "VmRSS"),
        AppProcesses.mib(settings.workersPid(), "VmRSS"),
        gc(settings.apiPid(), from, to),
        gc(settings.workersPid(), from, to),
        tables >> 20,
        indexes >> 20,
        jobs >> 20,
        dead,
        deleted,
        depths[0],
        depths[1],
        depths[2]);
  }

  /** Pauses logged between {@code from} and {@code to} in {@code bench/target/gc-<pid>.log}. */
  static Gc gc(long pid, Instant from, Instant to) {
    Path log = Path.of("bench/target/gc-" + pid + ".log");
    if (pid <= 0 || !Files.exists(log)) {
      return new Gc(-1, 0, 0);
    }
    Instant started =
        ProcessHandle.of(pid).flatMap(p -> p.info().startInstant()).orElse(Instant.EPOCH);
    int count = 0;
    double total = 0;
    double max = 0;
    try {
      for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
        Matcher pause = PAUSE.matcher(line);
        if (!pause.find()) {
          continue;
        }
        Instant at = started.plusMillis(Long.parseLong(pause.group(1)));
        if (at.isBefore(from) || !at.isBefore(to)) {
          continue;
        }
        double millis = Double.parseDouble(pause.group(2));
        count++;
        total += millis;
        max = Math.max(max, millis);
      }
    } catch (IOException e) {
      return new Gc(-1, 0, 0);
    }
    return new Gc(count, total, max);
  }

  /** Messages (ready and unacked) in the work queues, the retry tiers and the DLQs. */
  private static long[] queueDepths(BenchSettings settings)
      throws IOException, InterruptedException {
    int port = Integer.getInteger("bench.management.port", 15672);
    String vhost = settings.virtualHost().equals("/") ? "%2F" : settings.virtualHost();
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://"
                                + BenchSettings.HOST
                                + ":"
                                + port
                                + "/api/queues/"
                                + vhost
                                + "?columns=messages,name"))
                    .timeout(Duration.ofSeconds(10))
                    .header(
                        "Authorization",
                        "Basic " + Base64.getEncoder().encodeToString("guest:guest".getBytes()))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    long[] depths = new long[3];
    Matcher queue = QUEUE.matcher(response.body());
    while (queue.find()) {
      Matcher name = NAME.matcher(queue.group());
      Matcher messages = MESSAGES.matcher(queue.group());
      if (!name.find() || !messages.find()) {
        continue;
      }
      depth(depths, name.group(1), Long.parseLong(messages.group(1)));
    }
    return depths;
  }

  private static void depth(long[] depths, String name, long messages) {
    if (name.endsWith(".dlq")) {
      depths[2] += messages;
    } else if (name.startsWith("pulse.retry.")) {
      depths[1] += messages;
    } else if (name.startsWith("pulse.") && !name.startsWith("pulse.events")) {
      depths[0] += messages;
    }
  }

  /** Per-minute latency and throughput, read from the ledger after the run. */
  record LedgerMinute(long succeeded, long notSucceeded, double p50Millis, double p99Millis) {}

  static List<LedgerMinute> ledgerMinutes(Connection db, Instant start, int minutes)
      throws SQLException {
    List<LedgerMinute> out = new ArrayList<>();
    for (int m = 0; m < minutes; m++) {
      Instant from = start.plus(Duration.ofMinutes(m));
      Instant to = from.plus(Duration.ofMinutes(1));
      try (Statement sql = db.createStatement();
          ResultSet rows =
              sql.executeQuery(
                  "select count(*) filter (where status = 'succeeded'),"
                      + " count(*) filter (where status <> 'succeeded'),"
                      + " coalesce(percentile_cont(0.5) within group (order by latency), 0),"
                      + " coalesce(percentile_cont(0.99) within group (order by latency), 0)"
                      + " from (select status, extract(epoch from finished_at - created_at) * 1000"
                      + " as latency from jobs where id >= '"
                      + SoakLedger.floor(from)
                      + "' and id < '"
                      + SoakLedger.floor(to)
                      + "') m")) {
        rows.next();
        out.add(
            new LedgerMinute(
                rows.getLong(1), rows.getLong(2), rows.getDouble(3), rows.getDouble(4)));
      }
    }
    return out;
  }
}
