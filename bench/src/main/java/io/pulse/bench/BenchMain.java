package io.pulse.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the benchmark scenarios against an api and workers that deploy/bench.sh started, prints one
 * table and writes it to bench/results/. Every scenario is bounded in count and time, and every
 * address is 127.0.0.1.
 *
 * <p>Exit status: 0 when every scenario finished all its work, 2 when one did not (the results file
 * is still written and says which), 1 when the run itself failed.
 */
public final class BenchMain {
  /** The comparison point of the issue that asked for this benchmark. */
  static final double CELERY_TASKS_PER_SECOND = 1_900;

  static final double TARGET_P50_MS = 5;
  static final double TARGET_P99_MS = 25;

  private final BenchSettings settings;
  private final Ledger ledger;
  private final PulseApi api;
  private final ResultTable table = new ResultTable();
  private boolean complete = true;
  private String warmUpNote;

  private BenchMain(BenchSettings settings, Ledger ledger) {
    this.settings = settings;
    this.ledger = ledger;
    this.api = new PulseApi(settings.apiPort(), settings.apiKey());
  }

  public static void main(String[] args) {
    // Figures print as 1,234.5 whatever the machine's locale, so results files compare as text.
    Locale.setDefault(Locale.ROOT);
    int status;
    try {
      status = run(BenchSettings.fromSystemProperties());
    } catch (Exception e) {
      e.printStackTrace();
      status = 1;
    }
    System.exit(status);
  }

  static int run(BenchSettings settings) throws Exception {
    LocalDateTime startedAt = LocalDateTime.now();
    String loadBefore = MachineInfo.loadAverage();
    try (Ledger ledger = new Ledger(settings.jdbcUrl())) {
      Map<String, String> machine = MachineInfo.collect(settings, ledger);
      ledger.reset();
      BenchMain bench = new BenchMain(settings, ledger);

      RawBrokerBench.Result raw = settings.runs("raw") ? bench.rawBroker("1", "") : null;
      if (settings.runs("e2e") || settings.runs("batch") || settings.runs("latency")) {
        bench.warmUp();
        ledger.analyze();
      }
      EndToEndBench.Result e2e = settings.runs("e2e") ? bench.endToEnd(raw) : null;
      List<PeersBench.Result> peers = settings.runs("peers") ? bench.peers(e2e) : List.of();
      EndToEndBench.Result batched = null;
      if (settings.runs("batch")) {
        // The broker's rate drifts with whatever else shares the machine: measured again right
        // before the batch scenario, which is compared with this second figure.
        RawBrokerBench.Result rawAgain =
            settings.runs("raw") ? bench.rawBroker("1b", ", again just before 2b") : null;
        batched = bench.endToEnd(rawAgain, "2b", 100);
      }
      if (settings.runs("latency")) {
        List<Double> p99s = new java.util.ArrayList<>();
        p99s.add(bench.latency("3", settings.latencyRate(), 1, true));
        for (int run = 2; run <= settings.latencyRepeats(); run++) {
          // Right after the previous run at the same rate and form: nothing left to rehearse.
          p99s.add(bench.latency("3." + run, settings.latencyRate(), 1, false));
        }
        if (p99s.size() > 1) {
          bench.latencyVerdict(p99s);
        }
        bench.latency("3b", settings.latencyRate(), 10, true);
        // Where the pipeline stands when the cores are not the limit.
        bench.latency("3c", settings.latencyRate() / 5, 1, true);
      }
      if (settings.runs("fanout")) {
        bench.fanout();
      }
      if (settings.runs("notify")) {
        bench.notifications();
      }
      if (settings.runs("digest")) {
        bench.digests();
      }
      if (settings.runs("dlq")) {
        bench.deadLetterReplay();
      }
      if (settings.runs("scheduled")) {
        bench.scheduledLateness();
      }
      if (settings.runs("group")) {
        bench.grouping();
      }
      if (settings.runs("soak")) {
        bench.soak();
      }
      // Opt-in (-Dbench.scenarios=push,streams,idle-streams): each takes a minute or more.
      if (settings.runs("push")) {
        bench.push();
      }
      if (settings.runs("streams")) {
        bench.streamLatency();
      }
      if (settings.runs("idle-streams")) {
        bench.idleStreams();
      }
      bench.peakMemory();
      bench.notes(e2e, batched, peers, loadBefore);

      ResultTable table = bench.table;
      System.out.println();
      System.out.println(table.table());
      String partFile = System.getProperty("bench.part-file", "");
      if (!partFile.isBlank()) {
        // The first pass of a comparison (deploy/bench.sh, BENCH_JVM=compare): its table goes into
        // the results file of the second pass, which names both passes' settings.
        // Appended: a comparison may have several earlier passes (an earlier commit's apps too).
        Files.writeString(
            Path.of(partFile),
            String.format(
                "## Same run, earlier pass (%s): other apps or JVM settings%n%n" + "Apps: %s%n%n%s",
                DateTimeFormatter.ofPattern("HH:mm").format(startedAt),
                settings.appOptions(),
                table.table()),
            java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.APPEND);
        System.out.println("earlier pass written to " + partFile);
        return bench.complete ? 0 : 2;
      }
      String include = System.getProperty("bench.include", "");
      String earlierPass =
          !include.isBlank() && Files.exists(Path.of(include))
              ? Files.readString(Path.of(include))
              : "";
      Path file =
          table.write(
              settings.resultsDir(),
              startedAt,
              table.document(startedAt, machine, settings.describe(), earlierPass));
      System.out.println("results written to " + file);
      return bench.complete ? 0 : 2;
    }
  }

  private RawBrokerBench.Result rawBroker(String number, String when) throws Exception {
    log(
        "%s. raw broker: up to %,d messages or %d s",
        number, settings.rawMessages(), settings.rawMax().toSeconds());
    AppProcesses.Cpu before = AppProcesses.cpu(settings);
    RawBrokerBench.Result r = new RawBrokerBench(settings).run();
    AppProcesses.Cpu cpu = AppProcesses.cpu(settings).minus(before);
    complete &= r.complete();
    String details =
        String.format(
            "%,d messages published→acked in %.1f s; %,d B bodies, confirm window %d,"
                + " %d consumers × prefetch %d; CPU per message: RabbitMQ %.2f ms, client %.2f ms",
            r.acked(),
            seconds(r.elapsed()),
            settings.rawBodyBytes(),
            settings.rawWindow(),
            settings.rawConsumers(),
            settings.rawPrefetch(),
            r.acked() == 0 ? Double.NaN : (double) cpu.rabbitMillis() / r.acked(),
            r.acked() == 0 ? Double.NaN : (double) cpu.benchMillis() / r.acked());
    if (r.timeLimited()) {
      details +=
          String.format("; stopped publishing at the %d s limit", settings.rawMax().toSeconds());
    }
    if (!r.complete()) {
      details +=
          String.format(
              "; INCOMPLETE: %,d published, %,d acked, %,d nacked, %,d returned",
              r.published(), r.acked(), r.nacked(), r.returned());
    }
    table.row(
        number,
        "Raw broker: amqp-client, quorum queue, persistent, confirms, manual ack" + when,
        rate(r.perSecond(), "msg/s"),
        details);
    return r;
  }

  /**
   * A cold JVM on two cores is several times slower while its JIT compiles (the compiler threads
   * take the same cores), so the apps get traffic first; its rate goes into the notes.
   */
  private void warmUp() throws Exception {
    if (settings.warmupJobs() <= 0) {
      return;
    }
    EndToEndBench.Result single = warmUp(1);
    EndToEndBench.Result batches = warmUp(100);
    warmUpNote =
        String.format(
            "Warm-up before scenarios 2, 2b and 3, not measured: %,d jobs one per request at %,.0f"
                + " jobs/s right after start, while the JIT compiles on the same two cores, then"
                + " %,d in batches of 100 at %,.0f jobs/s",
            single.succeeded(), single.perSecond(), batches.succeeded(), batches.perSecond());
    for (EndToEndBench.Result warm : List.of(single, batches)) {
      complete &= warm.complete();
      warmUpNote +=
          incomplete(
              warm.complete(),
              warm.accepted(),
              warm.succeeded(),
              warm.failed(),
              warm.firstFailure());
    }
    warmUpNote += ".";
  }

  private EndToEndBench.Result warmUp(int batch) throws Exception {
    log(
        "warm-up: up to %,d jobs or %d s, %d per request",
        settings.warmupJobs(), settings.warmupMax().toSeconds(), batch);
    EndToEndBench.Result warm =
        new EndToEndBench(api, ledger, settings.drainMax())
            .run(settings.warmupJobs(), settings.warmupMax(), settings.e2eClients(), batch);
    log("warm-up: %,.0f jobs/s", warm.perSecond());
    return warm;
  }

  /**
   * Scenario 2p: Celery and BullMQ, one job per call from as many clients as scenario 2, right
   * after it; Pulse's rate from scenario 2 next to each.
   */
  private List<PeersBench.Result> peers(EndToEndBench.Result pulse) throws Exception {
    List<PeersBench.Result> results = new PeersBench(settings).run();
    for (PeersBench.Result r : results) {
      if (!r.ran()) {
        log("2p. %s: %s", r.name(), r.skipped());
        table.row("2p", r.name(), r.skipped(), "");
        continue;
      }
      complete &= r.complete();
      String ratio =
          pulse == null || r.perSecond() <= 0
              ? ""
              : String.format(" (Pulse, scenario 2: %.2f×)", pulse.perSecond() / r.perSecond());
      table.row(
          "2p",
          r.name() + ", end to end, one job per call",
          rate(r.perSecond(), "tasks/s") + ratio,
          r.details() + (r.complete() ? "" : "; INCOMPLETE"));
    }
    return results;
  }

  private EndToEndBench.Result endToEnd(RawBrokerBench.Result raw) throws Exception {
    return endToEnd(raw, "2", 1);
  }

  private EndToEndBench.Result endToEnd(RawBrokerBench.Result raw, String number, int batch)
      throws Exception {
    int jobs = batch == 1 ? settings.e2eJobs() : settings.batchJobs();
    log(
        "%s. end to end: up to %,d jobs or %d s from %d clients, %d per request",
        number, jobs, settings.e2eMax().toSeconds(), settings.e2eClients(), batch);
    AppProcesses.Cpu before = AppProcesses.cpu(settings);
    EndToEndBench.Result r =
        new EndToEndBench(api, ledger, settings.drainMax())
            .run(jobs, settings.e2eMax(), settings.e2eClients(), batch);
    AppProcesses.Cpu cpu = AppProcesses.cpu(settings).minus(before);
    complete &= r.complete();

    String details =
        String.format(
            "%,d jobs accepted→succeeded in %.1f s; %d client threads; HTTP 202 %sin %s",
            r.succeeded(),
            seconds(r.elapsed()),
            settings.e2eClients(),
            batch == 1 ? "" : "(per request of " + batch + " jobs) ",
            r.acceptMillis().describe());
    if (r.timeLimited()) {
      details +=
          String.format("; stopped sending at the %d s limit", settings.e2eMax().toSeconds());
    }
    if (r.succeeded() > 0) {
      // CPU per job moves much less than jobs/s when another process takes the cores.
      details +=
          String.format(
              "; CPU per job: %s; the machine was %.0f%% busy, %.0f%% of all cores went to api +"
                  + " workers",
              cpu.perUnit(r.succeeded()), 100 * cpu.machineBusy(), 100 * cpu.appsShare());
    }
    details += incomplete(r.complete(), r.accepted(), r.succeeded(), r.failed(), r.firstFailure());

    String result = rate(r.perSecond(), "jobs/s");
    if (raw != null && raw.perSecond() > 0) {
      result +=
          String.format(
              " (%.0f%% of the raw broker rate measured before it)",
              100 * r.perSecond() / raw.perSecond());
    }
    table.row(
        number,
        batch == 1
            ? "Pulse end to end: POST /notifications → ledger `succeeded`"
            : "Pulse end to end, batches of "
                + batch
                + ": POST /notifications/batch → ledger `succeeded`",
        result,
        details);
    return r;
  }

  /** Scenario 3 run several times ({@code bench.latency.repeats}): how many met the p99 target. */
  private void latencyVerdict(List<Double> p99s) {
    long met = p99s.stream().filter(p -> p < TARGET_P99_MS).count();
    table.row(
        "3×" + p99s.size(),
        String.format(
            "Latency at %,d jobs/s, one job per request, %d runs in a row",
            settings.latencyRate(), p99s.size()),
        String.format("**p99 < %.0f ms in %d of %d runs**", TARGET_P99_MS, met, p99s.size()),
        "p99 of each run (ms): "
            + p99s.stream()
                .map(p -> String.format("%.1f", p))
                .collect(java.util.stream.Collectors.joining(", "))
            + "; target: under 25 ms in at least 9 of 10");
  }

  /** Runs and reports one latency row; returns its ledger p99 in ms. */
  private double latency(String number, int rate, int perRequest, boolean rehearse)
      throws Exception {
    LatencyBench latency = new LatencyBench(api, ledger, settings);
    if (rehearse && !settings.latencyRehearsal().isZero()) {
      // The step from a saturated scenario to a fixed rate (or from single requests to batches)
      // sends the JIT back to work for seconds; rehearsed at the same rate and form, not measured.
      log(
          "%s. latency rehearsal: %,d jobs/s for %d s, not measured",
          number, rate, settings.latencyRehearsal().toSeconds());
      complete &= latency.run(rate, perRequest, settings.latencyRehearsal()).complete();
    }
    log(
        "%s. latency: %,d jobs/s for %d s, %d per request",
        number, rate, settings.latencyDuration().toSeconds(), perRequest);
    LatencyBench.Result r = latency.run(rate, perRequest, settings.latencyDuration());
    complete &= r.complete();
    Percentiles ledgerMillis = r.ledgerMillis();
    String details =
        String.format(
            "%stargets p50 < %.0f ms (%s), p99 < %.0f ms (%s); %,d jobs; mean %s ms by the"
                + " ledger, plus %s ms for the job's transaction (pulse_jobs_handler_seconds,"
                + " claim to commit); API accepted %,.0f/s",
            rate == settings.latencyRate()
                ? ""
                : String.format(
                    "a reference below the target rate (the targets are for %,d jobs/s): ",
                    settings.latencyRate()),
            TARGET_P50_MS,
            verdict(ledgerMillis.p50(), TARGET_P50_MS),
            TARGET_P99_MS,
            verdict(ledgerMillis.p99(), TARGET_P99_MS),
            ledgerMillis.count(),
            Percentiles.ms(r.ledgerMeanMillis()),
            Percentiles.ms(r.transactionMeanMillis()),
            r.achievedPerSecond());
    if (r.skipped() > 0) {
      details +=
          String.format(
              " (DID NOT KEEP UP: %,d of %,d scheduled requests skipped, all %d senders busy)",
              r.skipped(), r.scheduled(), settings.latencySenders());
    }
    details +=
        String.format(
            "; HTTP 202 %sin %s",
            perRequest == 1 ? "" : "(per request of " + perRequest + " jobs) ",
            r.responseMillis().describe());
    details += incomplete(r.complete(), r.accepted(), r.succeeded(), r.failed(), r.firstFailure());
    table.row(
        number,
        String.format(
            "Latency at %,d jobs/s%s: ledger finished_at − created_at",
            rate,
            perRequest == 1
                ? ", one job per request"
                : String.format(
                    " as %,d requests/s of %d (POST /notifications/batch)",
                    rate / perRequest, perRequest)),
        ledgerMillis.describe(),
        details);
    return ledgerMillis.p99();
  }

  /**
   * Opt-in ({@code -Dbench.scenarios=scheduled}): 10,000 notifications due in the same second;
   * lateness is each one's publish time minus its send time, target p99 under 2 s.
   */
  private void scheduledLateness() throws Exception {
    log("10. scheduled sends: 10,000 notifications due in the same second");
    String settled = settle();
    ScheduledBench.Result r = new ScheduledBench(settings, 10_000).run();
    complete &= r.complete();
    table.row(
        "10",
        "Scheduled sends: lateness of 10,000 notifications due in the same second",
        String.format("**%s**", r.lateness().describe()),
        String.format(
            "published_at − send_at in the ledger; the workers poll every 250 ms"
                + " (pulse.scheduled.poll-every), 500 per transaction, up to 3 at once; %,d of %,d"
                + " published; scheduled through POST /notifications/batch in %.1f s; target p99"
                + " under 2 s; %s%s",
            r.published(),
            r.jobs(),
            seconds(r.enqueue()),
            settled,
            r.complete() ? "" : "; INCOMPLETE"));
  }

  /**
   * Opt-in ({@code -Dbench.scenarios=group}): 10,000 notifications into 100 groups next to 10,000
   * plain ones, as a ratio.
   */
  private void grouping() throws Exception {
    log("11. grouping: 10,000 notifications into 100 groups, and 10,000 plain ones");
    String settled = settle();
    GroupingBench.Result r = new GroupingBench(settings, Duration.ofSeconds(180)).run();
    complete &= r.complete();
    table.row(
        "11",
        "Grouping: 10,000 notifications into 100 groups, next to 10,000 plain ones",
        String.format(
            "**%,.0f grouped notifications/s** (%.2f of plain: %,.0f/s)",
            r.groupedPerSecond(), r.groupedPerSecond() / r.plainPerSecond(), r.plainPerSecond()),
        String.format(
            "POST /notifications/batch, 100 per request (one per user), in-app only, from the first"
                + " request until every effect is in the inbox: grouped %.1f s (%,d items, counts"
                + " summing to %,d), plain %.1f s (%,d items); %s%s",
            seconds(r.grouped()),
            r.groupedItems(),
            r.groupedCount(),
            seconds(r.plain()),
            r.plainItems(),
            settled,
            r.complete() ? "" : "; INCOMPLETE"));
  }

  /**
   * Opt-in ({@code -Dbench.scenarios=soak}), minutes long; its own results file and plot, see
   * {@link SoakBench}.
   */
  private void soak() throws Exception {
    log("12. soak: steady mixed load on a pre-filled ledger, with retention running");
    SoakBench.Result r = new SoakBench(settings).run();
    complete &= r.complete();
    table.row("12", "Soak (per-minute figures and plot in its own file)", r.summary(), "");
  }

  /** Opt-in ({@code -Dbench.scenarios=dlq}): it fills a DLQ of 100,000 messages first. */
  private void deadLetterReplay() throws Exception {
    log("9. dead-letter replay: 1, 100 and 10,000 jobs out of a DLQ of 100,000");
    DlqReplayBench.Result r = new DlqReplayBench(settings, 100_000).run();
    table.row(
        "9",
        "Before: a replay reading the DLQ (a basic.get walk through all 100,000 dead letters)",
        r.fullScan() == null
            ? "not run (-Dbench.dlq.full-scan=false)"
            : String.format("%.2f s", seconds(r.fullScan())),
        "what replaying one job at the bottom of the queue cost when replays looked for its dead"
            + " letter, and what one pass of the workers' reconciler reads");
    for (DlqReplayBench.Round round : r.rounds()) {
      table.row(
          "9",
          String.format("Replay %,d dead job(s) out of a DLQ of 100,000", round.jobs()),
          String.format("**%.2f s**", seconds(round.elapsed())),
          String.format(
              "the newest (deepest) dead letters, requests of at most 1,000, published from the"
                  + " ledger (source ledger %,d, dlq %,d); the DLQ is not read",
              round.fromLedger(), round.fromDlq()));
    }
    complete &= r.matched();
    table.row(
        "9",
        "Stale copies dropped: DLQ depth = the ledger's dead count again after the replays",
        String.format(
            "%.0f s%s", seconds(r.staleCopiesGone()), r.matched() ? "" : " (NOT MATCHED)"),
        "the workers' DeadLetterReconciler, pulse.dead-letters.every = 1m: one tick's wait, then"
            + " one pass over the queue");
  }

  private void fanout() throws Exception {
    log("5. fan-out: one post to 100,000 members, and the same INSERT ... SELECT directly");
    String settled = settle();
    FanoutBench.Result r = new FanoutBench(settings, 100_000, Duration.ofSeconds(120)).run();
    complete &= r.complete();
    table.row(
        "5",
        "Fan-out to 100,000 members: feed rows/s, Pulse next to a direct INSERT ... SELECT",
        String.format(
            "**%,.0f rows/s** (%.2f of direct: %,.0f rows/s)",
            r.pulseRowsPerSecond(), r.ratio(), r.directRowsPerSecond()),
        String.format(
            "medians of %d turns each, after one unmeasured fan-out; POST /posts to the last"
                + " chunk job committed: %.1f s; direct: the chunk's INSERT ... SELECT ... ON"
                + " CONFLICT DO NOTHING run once over all members, same database; target 0.8 of"
                + " direct; %s%s",
            FanoutBench.ROUNDS, seconds(r.pulse()), settled, r.complete() ? "" : "; INCOMPLETE"));
  }

  /**
   * Waits, up to 30 s, for a second in which the machine is mostly idle, and says how long that
   * took. Turns of half a second must not share the cores with work the previous scenario left
   * behind (a broker or a database still writing out what it took in): fan-out measured right after
   * the latency scenario once came out 0.78 of direct, 0.95-1.01 with this wait (which found the
   * machine quiet within a second), 0.94-0.97 alone.
   */
  private String settle() throws Exception {
    long started = System.nanoTime();
    double busy = 1;
    while (System.nanoTime() - started < Duration.ofSeconds(30).toNanos()) {
      AppProcesses.Cpu before = AppProcesses.cpu(settings);
      long secondLater = System.nanoTime() + 1_000_000_000L;
      for (long left; (left = secondLater - System.nanoTime()) > 0; ) {
        java.util.concurrent.locks.LockSupport.parkNanos(left);
      }
      busy = AppProcesses.cpu(settings).minus(before).machineBusy();
      if (busy < 0.15) {
        break;
      }
    }
    double waited = (System.nanoTime() - started) / 1e9;
    log("settled after %.0f s (the machine %.0f%% busy in the last second)", waited, 100 * busy);
    return String.format(
        "started after %.0f s of waiting for a quiet second (machine %.0f%% busy)",
        waited, 100 * busy);
  }

  private void notifications() throws Exception {
    NotificationsBench bench = new NotificationsBench(settings, 10_000, Duration.ofSeconds(180));
    log("6. one notification to 10,000 recipients, in-app only");
    notificationRow(
        "6", bench.inAppOnly(), "in-app row (one dispatch job, one INSERT from unnest)");
    log("7. warm-up: one notification with email to 2,000 other recipients, not measured");
    bench.warmUpEmail(3125, 2_000);
    log("7. one notification to 10,000 recipients, in-app and email to a local SMTP server");
    AppProcesses.Cpu before = AppProcesses.cpu(settings);
    NotificationsBench.Result email = bench.withEmail(3125);
    AppProcesses.Cpu cpu = AppProcesses.cpu(settings).minus(before);
    notificationRow(
        "7",
        email,
        "email accepted by GreenMail and marked sent (10,000 email jobs); CPU per email: "
            + cpu.perUnit(Math.max(1, email.done()))
            + " (the load generator's figure is GreenMail's)");
    PlainSmtp.Result raw = bench.rawSmtp(3125);
    table.row(
        "7r",
        "The same 10,000 emails with plain Jakarta Mail over one SMTP connection",
        String.format(
            "**%,.0f mails/s** (Pulse, scenario 7: %.2f of it)",
            raw.perSecond(), email.perSecond() / raw.perSecond()),
        String.format(
            "%,d two-part mails of a notification's size to the same GreenMail in %.1f s, one"
                + " after another; no rendering, database or broker; target for Pulse: 0.8",
            raw.sent(), seconds(raw.took())));
  }

  private void digests() throws Exception {
    DigestsBench bench = new DigestsBench(settings, 10_000, Duration.ofSeconds(300));
    log("8. warm-up: daily digests for 2,000 other users, not measured");
    bench.warmUp(3125, 2_000);
    log("8. daily digests for 10,000 users to a local SMTP server, and raw SMTP for the same");
    AppProcesses.Cpu before = AppProcesses.cpu(settings);
    DigestsBench.Result pulse = bench.throughPulse(3125);
    AppProcesses.Cpu cpu = AppProcesses.cpu(settings).minus(before);
    DigestsBench.Result raw = bench.rawSmtp(3125);
    complete &= pulse.complete() && raw.complete();
    table.row(
        "8",
        "Daily digests for 10,000 users (3 unread notifications and 5 new posts each)",
        String.format(
            "**%,.0f digests/s** (%.2f of raw SMTP: %,.0f mails/s)",
            pulse.perSecond(), pulse.perSecond() / raw.perSecond(), raw.perSecond()),
        String.format(
            "%,d sent in %.1f s from POST /admin/digests/runs to the last digest recorded sent"
                + " (plan, read, render HTML and text, send, record); raw: the same number of"
                + " two-part mails over one SMTP connection with Jakarta Mail, %.1f s; target"
                + " 0.8; CPU per digest: %s (the load generator's figure is GreenMail's)%s",
            pulse.sent(),
            seconds(pulse.took()),
            seconds(raw.took()),
            cpu.perUnit(Math.max(1, pulse.sent())),
            pulse.complete() && raw.complete() ? "" : "; INCOMPLETE"));
  }

  private void push() throws Exception {
    log(
        "13. web push: one notification to %,d users with %d subscriptions each, and encryption"
            + " alone",
        settings.pushUsers(), PushBench.SUBSCRIPTIONS_PER_USER);
    PushBench.Result r =
        new PushBench(settings, settings.pushUsers(), Duration.ofSeconds(300)).run();
    complete &= r.complete();
    table.row(
        "13",
        "Web Push to a local push service (RFC 8291 encryption, VAPID, one delivery per"
            + " subscription)",
        String.format(
            "**%,.0f deliveries/s** (%.2f of encryption alone: %,.0f/s on one thread)",
            r.perSecond(), r.perSecond() / r.encryptionsPerSecond(), r.encryptionsPerSecond()),
        String.format(
            "%,d of %,d deliveries recorded sent in %.1f s from POST /notifications (one dispatch,"
                + " %,d notification.push jobs: encrypt, sign, POST, 201, ledger); the push service"
                + " got %,d requests; %d-byte message; CPU per delivery: %s%s",
            r.sent(),
            r.deliveries(),
            seconds(r.took()),
            r.deliveries(),
            r.received(),
            r.messageBytes(),
            r.cpu().perUnit(Math.max(1, r.sent())),
            r.complete()
                ? ""
                : String.format("; INCOMPLETE (%,d malformed requests)", r.malformed())));
  }

  private void streamLatency() throws Exception {
    log(
        "14. live stream latency: %,d open streams, %,d notifications/s for %d s",
        settings.streams(), settings.streamRate(), settings.streamDuration().toSeconds());
    StreamLatencyBench.Result r =
        new StreamLatencyBench(settings, ledger)
            .run(
                settings.streams(),
                settings.streamRate(),
                settings.streamRehearsal(),
                settings.streamDuration());
    boolean done = r.connected() == r.streams() && r.received() == r.sent() && r.refused() == 0;
    complete &= done;
    table.row(
        "14",
        String.format(
            "Live stream: POST /notifications → SSE event, %,d open streams, %,d notifications/s",
            r.streams(), r.rate()),
        String.format(
            "p50 **%s ms**, p99 **%s ms** (target p99 < 100 ms: %s)",
            Percentiles.ms(r.latency().p50()),
            Percentiles.ms(r.latency().p99()),
            verdict(r.latency().p99(), 100)),
        String.format(
            "%s; max %s ms; the POST's own answer p50 %s ms, p99 %s ms; the 1%% slowest sent in"
                + " %d of %d seconds; %,d sent, %,d events received, %,d refused; %,d of %,d"
                + " streams open; CPU per notification: %s; GC pauses while measured (count,"
                + " total, longest): api %s, workers %s%s",
            r.latency().describe(),
            Percentiles.ms(r.latency().max()),
            Percentiles.ms(r.accepted().p50()),
            Percentiles.ms(r.accepted().p99()),
            r.tailSeconds(),
            r.measuredSeconds(),
            r.sent(),
            r.received(),
            r.refused(),
            r.connected(),
            r.streams(),
            r.cpu().perUnit(Math.max(1, r.sent())),
            pauses(r.apiGc()),
            pauses(r.workersGc()),
            done ? "" : "; INCOMPLETE"));
  }

  private static String pauses(SoakSample.Gc gc) {
    return gc.count() < 0
        ? "no GC log"
        : String.format("%d, %.0f ms, %.0f ms", gc.count(), gc.totalMillis(), gc.maxMillis());
  }

  private void idleStreams() throws Exception {
    log(
        "15. %,d idle streams on one API instance: memory and heartbeat CPU",
        settings.idleStreams());
    IdleStreamsBench.Result r =
        new IdleStreamsBench(settings).run(settings.idleStreams(), settings.idleWindow());
    boolean done = r.connected() == r.wanted();
    complete &= done;
    double window = seconds(r.window());
    table.row(
        "15",
        String.format("%,d idle live streams on one API instance", r.wanted()),
        String.format(
            "**%.1f KiB RSS per stream**, heartbeats %.2f%% of a core",
            r.kibPerStream(), 100.0 * (r.streamsCpuMillis() - r.idleCpuMillis()) / (window * 1000)),
        String.format(
            "api VmRSS %,d MiB with none open, %,d MiB with %,d open (%,d refused, %,d closed by"
                + " the server); api CPU over %.0f s: %,d ms idle, %,d ms with the streams (%,d"
                + " heartbeats received, %.1f µs of API CPU each)%s",
            r.rssBeforeMib(),
            r.rssAfterMib(),
            r.connected(),
            r.refused(),
            r.closedByServer(),
            window,
            r.idleCpuMillis(),
            r.streamsCpuMillis(),
            r.heartbeats(),
            r.heartbeats() == 0
                ? Double.NaN
                : 1000.0 * (r.streamsCpuMillis() - r.idleCpuMillis()) / r.heartbeats(),
            done ? "" : "; INCOMPLETE"));
  }

  private void notificationRow(String number, NotificationsBench.Result r, String last) {
    complete &= r.complete();
    table.row(
        number,
        "Notification to 10,000 recipients: " + r.channels(),
        String.format("**%,.0f notifications/s**", r.perSecond()),
        String.format(
            "%,d delivered in %.2f s, from the API call to the last %s%s",
            r.done(), seconds(r.took()), last, r.complete() ? "" : "; INCOMPLETE"));
  }

  private void peakMemory() {
    table.row(
        "4",
        "Peak RSS (VmHWM) of the app processes",
        "api "
            + mib(AppProcesses.mib(settings.apiPid(), "VmHWM"))
            + " · workers "
            + mib(AppProcesses.mib(settings.workersPid(), "VmHWM")),
        String.format(
            "read at the end of the run; VmRSS then: api %s, workers %s",
            mib(AppProcesses.mib(settings.apiPid(), "VmRSS")),
            mib(AppProcesses.mib(settings.workersPid(), "VmRSS"))));
  }

  private void notes(
      EndToEndBench.Result e2e,
      EndToEndBench.Result batched,
      List<PeersBench.Result> peers,
      String loadBefore) {
    PeersBench.Result fastestCelery =
        peers.stream()
            .filter(p -> p.ran() && p.name().startsWith("Celery"))
            .max(java.util.Comparator.comparingDouble(PeersBench.Result::perSecond))
            .orElse(null);
    double celeryRate = fastestCelery == null ? CELERY_TASKS_PER_SECOND : fastestCelery.perSecond();
    String celery =
        fastestCelery == null
            ? String.format(
                "Comparison point from the issue (no Celery in this run): Celery, ~%,.0f tasks/s"
                    + " end to end with late acks on 2 cores.",
                CELERY_TASKS_PER_SECOND)
            : String.format(
                "Celery in this run (scenario 2p, the faster of its two configurations): %,.0f"
                    + " tasks/s; target for Pulse one per request: 1.5× that.",
                celeryRate);
    List<String> pulse = new java.util.ArrayList<>();
    if (e2e != null) {
      pulse.add(
          String.format(
              "%,.0f jobs/s one per request (%.2f× that)",
              e2e.perSecond(), e2e.perSecond() / celeryRate));
    }
    if (batched != null) {
      pulse.add(
          String.format(
              "%,.0f jobs/s in batches of 100 (%.2f×)",
              batched.perSecond(), batched.perSecond() / celeryRate));
    }
    if (!pulse.isEmpty()) {
      celery += " Pulse here: " + String.join(", ", pulse) + ".";
    }
    table.note(celery);
    table.note(
        String.format(
            "Latency targets: p50 < %.0f ms, p99 < %.0f ms. created_at is the API's clock when it"
                + " accepts the request (before its ledger insert and the broker confirm);"
                + " finished_at is PostgreSQL now() in the worker's transaction, i.e. when that"
                + " transaction began (the row lock), so the handler's statements and the commit"
                + " are not in the ledger figure; the row of scenario 3 gives their mean.",
            TARGET_P50_MS, TARGET_P99_MS));
    if (warmUpNote != null) {
      table.note(warmUpNote);
    }
    table.note(
        String.format(
            "Noisy by nature: RabbitMQ, PostgreSQL, both apps and this load generator share %d"
                + " cores, and anything else running (a test suite) competes; compare CPU per job"
                + " rather than jobs/s across runs. Load average (1/5/15 min) before: %s,"
                + " after: %s.",
            Runtime.getRuntime().availableProcessors(), loadBefore, MachineInfo.loadAverage()));
    if (!complete) {
      table.note(
          "INCOMPLETE: a scenario refused requests or did not finish its work within the drain"
              + " limit; see its details.");
    }
  }

  private static String incomplete(
      boolean complete, long accepted, long succeeded, long refused, String firstFailure) {
    if (complete) {
      return "";
    }
    return String.format(
        "; INCOMPLETE: %,d accepted, %,d succeeded within the drain limit, %,d refused%s",
        accepted, succeeded, refused, firstFailure == null ? "" : " (first: " + firstFailure + ")");
  }

  private static String verdict(double value, double target) {
    return Double.isNaN(value) ? "no data" : value < target ? "met" : "missed";
  }

  private static String rate(double perSecond, String unit) {
    return String.format("**%,.0f %s**", perSecond, unit);
  }

  private static String mib(long mib) {
    return mib < 0 ? "unknown" : String.format("%,d MiB", mib);
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  static void log(String format, Object... args) {
    System.err.println("[bench] " + String.format(format, args));
  }
}
