package io.pulse.bench;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToDoubleFunction;

/**
 * The soak (opt-in, {@code -Dbench.scenarios=soak}; not in CI): a steady {@code bench.soak.rate}
 * jobs/s of mixed traffic ({@link SoakLoad}) for {@code bench.soak.minutes}, on a ledger that
 * starts with {@code bench.soak.prefill} finished rows ({@link SoakLedger}) while retention removes
 * the old ones. Once a minute it samples the machine ({@link SoakSample}); afterwards it reads each
 * minute's latency and throughput from the ledger, checks that every accepted job ran, judges the
 * run against the pass criteria of issue 16, and writes a results file with a plot.
 */
final class SoakBench {
  record Result(Path report, boolean passed, String summary, boolean complete) {}

  private static final DateTimeFormatter FILE = DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmm");

  private final BenchSettings settings;
  private final int minutes = Integer.getInteger("bench.soak.minutes", 30);
  private final int rate = Integer.getInteger("bench.soak.rate", 500);
  private final long prefill = Long.getLong("bench.soak.prefill", 10_000_000L);
  private final int prefillDays = Integer.getInteger("bench.soak.prefill-days", 10);
  private final long inboxBacklog = Long.getLong("bench.soak.inbox-backlog", 500_000L);
  private final long inboxInside = Long.getLong("bench.soak.inbox-inside", 500_000L);
  private final long deliveryBacklog = Long.getLong("bench.soak.delivery-backlog", 100_000L);
  private final long deliveryInside = Long.getLong("bench.soak.delivery-inside", 100_000L);

  /**
   * Rows the mix adds per job it sends (SoakLoad: at 500 jobs/s, 430 dispatches, each one inbox row
   * and one delivery row, the email decision; 500 ledger rows with the follow-ups).
   */
  private static final double INBOX_ROWS_PER_JOB = 430 / 500.0;

  private static final double DELIVERY_ROWS_PER_JOB = 430 / 500.0;

  /** The band starts after the prefill and the warm-up, and lasts past the soak's end. */
  private SoakLedger.Band band(double rowsPerJob) {
    return SoakLedger.Band.of(
        rate * rowsPerJob, Duration.ofMinutes(5), Duration.ofMinutes(minutes + 10L));
  }

  private final int warmupSeconds = Integer.getInteger("bench.soak.warmup-seconds", 180);
  private final int smtpPort = Integer.getInteger("bench.soak.smtp-port", 3125);

  SoakBench(BenchSettings settings) {
    this.settings = settings;
  }

  Result run() throws Exception {
    LocalDateTime startedAt = LocalDateTime.now();
    try (Connection db = DriverManager.getConnection(settings.jdbcUrl(), "pulse", "pulse")) {
      prepare(db);
      Duration filled = SoakLedger.prefill(db, prefill, prefillDays, band(1));
      BenchMain.log("soak: prefilled %,d rows in %.0f s", prefill, filled.toSeconds() * 1.0);
      filled =
          filled.plus(
              SoakLedger.prefillHistory(
                  db,
                  inboxBacklog,
                  band(INBOX_ROWS_PER_JOB),
                  inboxInside,
                  deliveryBacklog,
                  band(DELIVERY_ROWS_PER_JOB),
                  deliveryInside));
      GreenMail smtp =
          new GreenMail(new ServerSetup(smtpPort, BenchSettings.HOST, ServerSetup.PROTOCOL_SMTP));
      smtp.start();
      ScheduledExecutorService vacuum = Executors.newSingleThreadScheduledExecutor();
      try {
        warmUp(db);
        vacuum.scheduleWithFixedDelay(() -> vacuumQuietly(), 0, 60, TimeUnit.SECONDS);
        return measure(db, smtp, startedAt, filled);
      } finally {
        vacuum.shutdownNow();
        smtp.stop();
      }
    }
  }

  private void warmUp(Connection db) throws Exception {
    if (warmupSeconds <= 0) {
      return;
    }
    BenchMain.log("soak: warm-up at %,d jobs/s for %d s, not measured", rate, warmupSeconds);
    SoakLoad warm = new SoakLoad(settings, rate);
    warm.start();
    pause(Duration.ofSeconds(warmupSeconds));
    warm.stop();
    drain(db, Instant.now().minusSeconds(warmupSeconds + 5L), Duration.ofMinutes(2));
  }

  private Result measure(Connection db, GreenMail smtp, LocalDateTime startedAt, Duration filled)
      throws Exception {
    SoakLoad load = new SoakLoad(settings, rate);
    Instant start = Instant.now();
    List<SoakSample> samples = new ArrayList<>();
    long mails = 0;
    long deletedBefore = deletedRows(db);
    BenchMain.log("soak: %,d jobs/s for %d minute(s)", rate, minutes);
    load.start();
    for (int m = 1; m <= minutes; m++) {
      Instant minuteStart = start.plus(Duration.ofMinutes(m - 1));
      Instant minuteEnd = start.plus(Duration.ofMinutes(m));
      pauseUntil(minuteEnd);
      SoakSample sample = SoakSample.take(settings, db, minuteStart, minuteEnd);
      samples.add(sample);
      mails += smtp.getReceivedMessages().length;
      smtp.purgeEmailFromAllMailboxes();
      BenchMain.log(
          "soak minute %d: RSS api %d / workers %d MiB, tables %,d MiB + indexes %,d MiB, %,d dead"
              + " tuples, queued %,d, %,d accepted, %,d failed, %,d skipped",
          m,
          sample.apiRssMib(),
          sample.workersRssMib(),
          sample.tableMib(),
          sample.indexMib(),
          sample.deadTuples(),
          sample.workQueued(),
          load.acceptedJobs(),
          load.failed.get(),
          load.skipped.get());
    }
    load.stop();
    boolean drained = drain(db, start, Duration.ofMinutes(3));
    mails += smtp.getReceivedMessages().length;
    List<SoakSample.LedgerMinute> ledger = SoakSample.ledgerMinutes(db, start, minutes);
    Map<String, Long> statuses = statusesSince(db, start);
    long dispatches = count(db, "notification.dispatch", start);
    long expectedDispatches = load.singles.get() + load.batchJobs.get() + load.emailSingles.get();
    long fanouts = count(db, "feed.fanout", start);
    long sent =
        scalar(
            db,
            "select count(*) from deliveries where status = 'sent' and notification_job_id >= '"
                + SoakLedger.floor(start)
                + "'");

    Verdict verdict = judge(ledger, samples);
    long notDone =
        statuses.entrySet().stream()
            .filter(e -> !e.getKey().equals("succeeded"))
            .mapToLong(Map.Entry::getValue)
            .sum();
    boolean nothingLost =
        drained
            && notDone == 0
            && load.failed.get() == 0
            && dispatches == expectedDispatches
            && fanouts == load.posts.get()
            && sent == load.emailSingles.get();
    boolean passed = verdict.latency && verdict.rss && verdict.tables && nothingLost;

    String stamp = startedAt.format(FILE) + "-soak";
    Path dir = settings.resultsDir();
    Files.createDirectories(dir);
    Path png = dir.resolve(stamp + ".png");
    SoakPlot.write(
        String.format(
            "Pulse soak %s: %,d jobs/s mixed for %d min on a ledger of %,d rows",
            startedAt.toLocalDate(), rate, minutes, prefill),
        charts(ledger, samples, deletedBefore),
        png);
    StringBuilder md = new StringBuilder();
    md.append("# Soak ").append(startedAt.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")));
    md.append("\n\n");
    md.append(
        String.format(
            "`BENCH_OPTS='-Dbench.scenarios=soak -Dbench.soak.minutes=%d' deploy/bench.sh`: %,d"
                + " jobs/s for %d minutes (after %d s of unmeasured warm-up at the same rate), mixed"
                + " per second at 500 jobs/s as 170 single in-app notifications, 20 batches of 10,"
                + " 60 single notifications with email to a local GreenMail (a dispatch and an"
                + " email job each) and 5 posts fanned out to 50 members (a fan-out and a chunk"
                + " job each). The ledger started with %,d finished jobs spread over %d days"
                + " (written with the rest in %.0f s), so retention (7 days, at most 5,000 rows/s)"
                + " had the oldest 30%% to remove; the inboxes of the soak's recipients started"
                + " with %,d read notifications past their 90 days and %,d inside them, the email"
                + " deliveries with %,d past their 30 days and %,d inside. Each of the three also"
                + " started with a band of rows at the rate the mix adds them (%,.0f ledger, %,.0f"
                + " inbox and %,.0f delivery rows a second) that crosses its retention edge"
                + " from 5 minutes after the prefill until after the soak: a campus that has run"
                + " at this rate for longer than each window, where retention removes about what"
                + " arrives. Autovacuum is off on this machine; the bench ran"
                + " `VACUUM (ANALYZE)` on the four tables below once a minute in its place."
                + " RabbitMQ, PostgreSQL, both apps, GreenMail and the load generator share 2"
                + " cores, on a machine shared with other work (load average before: %s).\n\n",
            minutes,
            rate,
            minutes,
            warmupSeconds,
            prefill,
            prefillDays,
            filled.toSeconds() * 1.0,
            inboxBacklog,
            inboxInside,
            deliveryBacklog,
            deliveryInside,
            rate * 1.0,
            rate * INBOX_ROWS_PER_JOB,
            rate * DELIVERY_ROWS_PER_JOB,
            MachineInfo.loadAverage()));
    md.append("![soak](").append(png.getFileName()).append(")\n\n");
    md.append("## Verdict: ").append(passed ? "PASS" : "FAIL").append("\n\n");
    md.append(verdict.text);
    md.append(
        String.format(
            "- nothing lost: %s. Accepted %,d jobs (%,d single, %,d in batches, %,d with email,"
                + " %,d posts), %,d refused or failed, %,d not sent because all %d client threads"
                + " were busy; in the ledger since the start: %s; dispatch jobs %,d of %,d,"
                + " fan-outs %,d of %,d, emails marked sent %,d of %,d (GreenMail received %,d)%s\n",
            nothingLost ? "yes" : "NO",
            load.acceptedJobs(),
            load.singles.get(),
            load.batchJobs.get(),
            load.emailSingles.get(),
            load.posts.get(),
            load.failed.get(),
            load.skipped.get(),
            SoakLoad.SENDERS,
            statuses,
            dispatches,
            expectedDispatches,
            fanouts,
            load.posts.get(),
            sent,
            load.emailSingles.get(),
            mails,
            load.firstFailure == null ? "" : "; first failure: " + load.firstFailure));
    md.append("\n## Per minute\n\n");
    md.append(
        "| min | jobs/s | p50 ms | p99 ms | RSS api MiB | RSS workers MiB | GC api: pauses,"
            + " total, max ms | GC workers | tables MiB | indexes MiB | jobs table+indexes MiB |"
            + " dead tuples | rows deleted | queued | retrying | DLQ |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    long deleted = deletedBefore;
    for (int m = 0; m < samples.size(); m++) {
      SoakSample s = samples.get(m);
      SoakSample.LedgerMinute l = ledger.get(m);
      md.append(
          String.format(
              "| %d | %,.0f | %.1f | %.1f | %d | %d | %s | %s | %,d | %,d | %,d | %,d | %,d | %,d |"
                  + " %,d | %,d |\n",
              m + 1,
              (l.succeeded() + l.notSucceeded()) / 60.0,
              l.p50Millis(),
              l.p99Millis(),
              s.apiRssMib(),
              s.workersRssMib(),
              gc(s.apiGc()),
              gc(s.workersGc()),
              s.tableMib(),
              s.indexMib(),
              s.jobsMib(),
              s.deadTuples(),
              s.deletedRows() - deleted,
              s.workQueued(),
              s.retrying(),
              s.deadLetters()));
      deleted = s.deletedRows();
    }
    md.append(
        "\nLatency is the ledger's `finished_at - created_at` of the jobs created in that minute"
            + " (follow-up jobs included: an email job's latency starts when its dispatch made it);"
            + " jobs/s counts the jobs created in that minute. GC pauses come from the apps'"
            + " `-Xlog:gc` files. Sizes are `pg_table_size` and `pg_indexes_size` of jobs,"
            + " notifications, deliveries and feed_entries; dead tuples and deletes from"
            + " `pg_stat_user_tables`; queue depths (ready + unacked) from the management API.\n");
    Path report = dir.resolve(stamp + ".md");
    Files.writeString(report, md.toString());
    String summary =
        String.format(
            "%s: p99 first 5 min %.1f ms, last 5 %.1f ms; RSS api %d → %d MiB, workers %d → %d"
                + " MiB; tables+indexes %,d → %,d MiB; %,d jobs, nothing lost: %s (%s)",
            passed ? "PASS" : "FAIL",
            verdict.p99First,
            verdict.p99Last,
            samples.get(0).apiRssMib(),
            samples.get(samples.size() - 1).apiRssMib(),
            samples.get(0).workersRssMib(),
            samples.get(samples.size() - 1).workersRssMib(),
            samples.get(0).tableMib() + samples.get(0).indexMib(),
            samples.get(samples.size() - 1).tableMib() + samples.get(samples.size() - 1).indexMib(),
            load.acceptedJobs(),
            nothingLost ? "yes" : "NO",
            report);
    return new Result(report, passed, summary, drained);
  }

  /** The pass criteria of issue 16, each with the figures it compared. */
  private record Verdict(
      boolean latency, boolean rss, boolean tables, double p99First, double p99Last, String text) {}

  private Verdict judge(List<SoakSample.LedgerMinute> ledger, List<SoakSample> samples) {
    int window = Math.min(5, Math.max(1, samples.size() / 2));
    double p99First = mean(ledger.subList(0, window), SoakSample.LedgerMinute::p99Millis);
    double p99Last =
        mean(
            ledger.subList(ledger.size() - window, ledger.size()),
            SoakSample.LedgerMinute::p99Millis);
    List<SoakSample> first = samples.subList(0, window);
    List<SoakSample> last = samples.subList(samples.size() - window, samples.size());
    double apiFirst = mean(first, SoakSample::apiRssMib);
    double apiLast = mean(last, SoakSample::apiRssMib);
    double workersFirst = mean(first, SoakSample::workersRssMib);
    double workersLast = mean(last, SoakSample::workersRssMib);
    // Steady: over the last window the four tables grew by less than 1%; retention's deletes and
    // vacuum make room that new rows reuse. (5% let a linear growth of 3% in 5 minutes pass.)
    double sizeThen = last.get(0).tableMib() + last.get(0).indexMib();
    double sizeEnd = last.get(last.size() - 1).tableMib() + last.get(last.size() - 1).indexMib();
    boolean latency = p99Last <= 1.2 * p99First;
    boolean rss = apiLast <= 1.2 * apiFirst && workersLast <= 1.2 * workersFirst;
    boolean tables = sizeEnd <= 1.01 * sizeThen;
    String text =
        String.format(
            "- latency p99, mean of the first %d minutes %.1f ms, of the last %d %.1f ms (%+.0f%%,"
                + " within 20%%: %s)\n"
                + "- RSS api %.0f → %.0f MiB (%+.0f%%), workers %.0f → %.0f MiB (%+.0f%%), within"
                + " 20%%: %s\n"
                + "- table and index sizes %,.0f → %,.0f MiB over the last %d minutes (%+.1f%%,"
                + " steady below +1%%: %s)\n",
            window,
            p99First,
            window,
            p99Last,
            100 * (p99Last / p99First - 1),
            latency ? "yes" : "NO",
            apiFirst,
            apiLast,
            100 * (apiLast / apiFirst - 1),
            workersFirst,
            workersLast,
            100 * (workersLast / workersFirst - 1),
            rss ? "yes" : "NO",
            sizeThen,
            sizeEnd,
            window,
            100 * (sizeEnd / sizeThen - 1),
            tables ? "yes" : "NO");
    return new Verdict(latency, rss, tables, p99First, p99Last, text);
  }

  private List<SoakPlot.Chart> charts(
      List<SoakSample.LedgerMinute> ledger, List<SoakSample> samples, long deletedBefore) {
    double[] deleted = new double[samples.size()];
    long previous = deletedBefore;
    for (int m = 0; m < samples.size(); m++) {
      deleted[m] = (samples.get(m).deletedRows() - previous) / 1000.0;
      previous = samples.get(m).deletedRows();
    }
    return List.of(
        new SoakPlot.Chart(
            "Latency, accept to commit",
            "ms",
            List.of(
                series("p50", ledger, SoakSample.LedgerMinute::p50Millis),
                series("p99", ledger, SoakSample.LedgerMinute::p99Millis))),
        new SoakPlot.Chart(
            "Throughput",
            "jobs/s",
            List.of(series("jobs/s", ledger, l -> (l.succeeded() + l.notSucceeded()) / 60.0))),
        new SoakPlot.Chart(
            "Resident memory",
            "MiB",
            List.of(
                series("api", samples, SoakSample::apiRssMib),
                series("workers", samples, SoakSample::workersRssMib))),
        new SoakPlot.Chart(
            "Longest GC pause",
            "ms",
            List.of(
                series(
                    "api",
                    samples,
                    s -> s.apiGc().count() < 0 ? Double.NaN : s.apiGc().maxMillis()),
                series(
                    "workers",
                    samples,
                    s -> s.workersGc().count() < 0 ? Double.NaN : s.workersGc().maxMillis()))),
        new SoakPlot.Chart(
            "PostgreSQL sizes",
            "MiB",
            List.of(
                series("tables", samples, SoakSample::tableMib),
                series("indexes", samples, SoakSample::indexMib),
                series("jobs + its indexes", samples, SoakSample::jobsMib))),
        new SoakPlot.Chart(
            "Dead tuples and retention deletes",
            "thousands",
            List.of(
                series("dead tuples", samples, s -> s.deadTuples() / 1000.0),
                new SoakPlot.Series("rows deleted per minute", deleted))),
        new SoakPlot.Chart(
            "Queue depths",
            "messages",
            List.of(
                series("work queues", samples, SoakSample::workQueued),
                series("retry tiers", samples, SoakSample::retrying),
                series("DLQs", samples, SoakSample::deadLetters))));
  }

  private static <T> SoakPlot.Series series(String name, List<T> items, ToDoubleFunction<T> value) {
    return new SoakPlot.Series(name, items.stream().mapToDouble(value).toArray());
  }

  private static <T> double mean(List<T> items, ToDoubleFunction<T> value) {
    return items.stream().mapToDouble(value).average().orElse(Double.NaN);
  }

  private static String gc(SoakSample.Gc gc) {
    return gc.count() < 0
        ? "n/a"
        : String.format("%d, %.0f, %.1f", gc.count(), gc.totalMillis(), gc.maxMillis());
  }

  /** The users, preferences-free email recipients and the community the traffic needs. */
  private static void prepare(Connection db) throws SQLException {
    try (Statement sql = db.createStatement()) {
      sql.executeUpdate(
          "insert into users (id, handle, email) select g, 's' || g, 's' || g || '@soak.example'"
              + " from generate_series("
              + SoakLoad.FIRST_EMAIL_USER
              + ", "
              + (SoakLoad.FIRST_EMAIL_USER + SoakLoad.EMAIL_USERS - 1)
              + ") g on conflict do nothing");
      sql.executeUpdate(
          "insert into communities (id, name) values ("
              + SoakLoad.COMMUNITY
              + ", 'soak') on conflict do nothing");
      sql.executeUpdate(
          "insert into users (id, handle, last_active_at) select g, 'm' || g, now()"
              + " from generate_series("
              + SoakLoad.FIRST_MEMBER
              + ", "
              + (SoakLoad.FIRST_MEMBER + SoakLoad.MEMBERS - 1)
              + ") g on conflict (id) do update set last_active_at = now()");
      sql.executeUpdate(
          "insert into community_members (community_id, user_id) select "
              + SoakLoad.COMMUNITY
              + ", g from generate_series("
              + SoakLoad.FIRST_MEMBER
              + ", "
              + (SoakLoad.FIRST_MEMBER + SoakLoad.MEMBERS - 1)
              + ") g on conflict do nothing");
    }
  }

  private void vacuumQuietly() {
    try (Connection db = DriverManager.getConnection(settings.jdbcUrl(), "pulse", "pulse")) {
      SoakLedger.vacuum(db);
    } catch (SQLException e) {
      BenchMain.log("soak: vacuum failed: %s", e.getMessage());
    }
  }

  /** Waits until every job created since {@code since} finished (succeeded or dead). */
  private static boolean drain(Connection db, Instant since, Duration within) {
    return BenchCalls.until(
        within,
        Duration.ofSeconds(1),
        () ->
            scalar(
                    db,
                    "select count(*) from jobs where id >= '"
                        + SoakLedger.floor(since)
                        + "' and status not in ('succeeded', 'dead')")
                == 0);
  }

  private static Map<String, Long> statusesSince(Connection db, Instant since) throws SQLException {
    Map<String, Long> statuses = new TreeMap<>();
    try (Statement sql = db.createStatement();
        ResultSet rows =
            sql.executeQuery(
                "select status, count(*) from jobs where id >= '"
                    + SoakLedger.floor(since)
                    + "' group by status")) {
      while (rows.next()) {
        statuses.put(rows.getString(1), rows.getLong(2));
      }
    }
    return statuses;
  }

  private static long count(Connection db, String type, Instant since) throws SQLException {
    return scalar(
        db,
        "select count(*) from jobs where type = '"
            + type
            + "' and id >= '"
            + SoakLedger.floor(since)
            + "'");
  }

  private static long deletedRows(Connection db) throws SQLException {
    return scalar(
        db,
        "select sum(n_tup_del) from pg_stat_user_tables where relname in ("
            + SoakSample.TABLES
            + ")");
  }

  private static long scalar(Connection db, String query) throws SQLException {
    try (Statement sql = db.createStatement()) {
      return BenchCalls.count(sql, query);
    }
  }

  private static void pause(Duration duration) {
    pauseUntil(Instant.now().plus(duration));
  }

  /** Parks until {@code at}: the bench's pacing, not a wait for something to happen. */
  private static void pauseUntil(Instant at) {
    for (long left; (left = Duration.between(Instant.now(), at).toNanos()) > 0; ) {
      LockSupport.parkNanos(left);
    }
  }
}
