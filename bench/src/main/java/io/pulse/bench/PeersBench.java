package io.pulse.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scenario 2p: the job queues a user of Pulse would compare it with, measured in the same run as
 * scenario 2 and the same way (one job per call from the same number of clients, the clock from the
 * first call until the last job ran): Celery (Debian's python3-celery on this RabbitMQ, late acks,
 * a task that does nothing) as it comes and with Pulse's guarantees (quorum queue, publisher
 * confirms), and BullMQ (npm, on a Redis of its own with AOF fsync every second). Each runs as a
 * script in bench/peers and prints one JSON line; a peer whose software is missing is skipped with
 * a message, not failed.
 */
final class PeersBench {
  /** Debian's interpreter: python3-celery installs into its dist-packages, not a pyenv's. */
  private static final String PYTHON = "/usr/bin/python3";

  private static final Path PEERS = Path.of("bench", "peers");

  /** What one peer did, or why it did not run. */
  record Result(
      String name,
      String skipped,
      long jobs,
      long completed,
      double seconds,
      double perSecond,
      String details) {
    static Result skipped(String name, String why) {
      return new Result(name, why, 0, 0, 0, 0, null);
    }

    boolean ran() {
      return skipped == null;
    }

    boolean complete() {
      return !ran() || (completed >= jobs && jobs > 0);
    }
  }

  private final BenchSettings settings;

  PeersBench(BenchSettings settings) {
    this.settings = settings;
  }

  List<Result> run() throws Exception {
    List<Result> results = new ArrayList<>();
    Optional<String> celeryMissing = celeryMissing();
    for (String guarantees : List.of("default", "pulse")) {
      String name =
          guarantees.equals("default")
              ? "Celery as it comes (classic durable queue, no publisher confirms)"
              : "Celery with Pulse's guarantees (quorum queue, publisher confirms)";
      results.add(
          celeryMissing.isPresent()
              ? Result.skipped(name, celeryMissing.get())
              : measure(
                  name,
                  List.of(
                      PYTHON,
                      PEERS.resolve("celery_peer.py").toString(),
                      "--amqp-port",
                      Integer.toString(settings.amqpPort()),
                      "--vhost",
                      settings.virtualHost(),
                      "--tasks",
                      Integer.toString(settings.e2eJobs()),
                      "--seconds",
                      Long.toString(settings.e2eMax().toSeconds()),
                      "--clients",
                      Integer.toString(settings.e2eClients()),
                      "--guarantees",
                      guarantees)));
    }
    String bullmqName = "BullMQ (Redis with AOF, fsync every second)";
    Optional<String> bullmqMissing = bullmqMissing();
    results.add(
        bullmqMissing.isPresent()
            ? Result.skipped(bullmqName, bullmqMissing.get())
            : measure(
                bullmqName,
                List.of(
                    "node",
                    PEERS.resolve("bullmq-peer.mjs").toString(),
                    "--port",
                    Integer.toString(settings.bullmqRedisPort()),
                    "--jobs",
                    Integer.toString(settings.e2eJobs()),
                    "--seconds",
                    Long.toString(settings.e2eMax().toSeconds()),
                    "--clients",
                    Integer.toString(settings.e2eClients()),
                    "--concurrency",
                    Integer.toString(settings.e2eClients()))));
    return results;
  }

  private Result measure(String name, List<String> command) throws Exception {
    BenchMain.log("2p. %s", name);
    Path out = Files.createTempFile("pulse-bench-peer", ".json");
    Path err = Files.createTempFile("pulse-bench-peer", ".err");
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      // The script bounds itself (warm-up, sending and draining each have a limit); this only
      // ends one that hangs elsewhere.
      long limit = settings.e2eMax().toSeconds() + 180;
      if (!process.waitFor(limit, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        process.waitFor(30, TimeUnit.SECONDS);
        return Result.skipped(name, "did not finish within " + limit + " s");
      }
      String json = lastLine(Files.readString(out, StandardCharsets.UTF_8));
      if (process.exitValue() != 0 || json == null) {
        return Result.skipped(
            name, "failed (exit " + process.exitValue() + "): " + tail(Files.readString(err), 300));
      }
      return parse(name, json);
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static Result parse(String name, String json) {
    long jobs = (long) number(json, "jobs");
    long completed = (long) number(json, "completed");
    double seconds = number(json, "seconds");
    double perSecond = number(json, "perSecond");
    String version = text(json, "version");
    StringBuilder cpu = new StringBuilder();
    Matcher m =
        Pattern.compile("\"(producer|worker|redis)\"\\s*:\\s*([0-9.]+)")
            .matcher(json.substring(json.indexOf("cpuMillis")));
    while (m.find()) {
      cpu.append(cpu.isEmpty() ? "" : ", ")
          .append(m.group(1))
          .append(String.format(" %.2f ms", Double.parseDouble(m.group(2)) / Math.max(1, jobs)));
    }
    String details =
        String.format(
            "version %s; %,d of %,d completed in %.1f s; %d clients, one job per call;"
                + " worker concurrency %d; CPU per job: %s",
            version,
            completed,
            jobs,
            seconds,
            (long) number(json, "clients"),
            (long) number(json, "concurrency"),
            cpu);
    return new Result(name, null, jobs, completed, seconds, perSecond, details);
  }

  private static double number(String json, String field) {
    Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*(-?[0-9.eE+-]+)").matcher(json);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  private static String text(String json, String field) {
    Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
    return m.find() ? m.group(1) : "?";
  }

  private static String lastLine(String output) {
    String[] lines = output.strip().split("\n");
    String last = lines[lines.length - 1].strip();
    return last.startsWith("{") ? last : null;
  }

  private static String tail(String text, int chars) {
    String t = text.strip();
    return t.length() <= chars ? t : "..." + t.substring(t.length() - chars);
  }

  private static Optional<String> celeryMissing() throws IOException, InterruptedException {
    if (!Files.isExecutable(Path.of(PYTHON))) {
      return Optional.of("skipped: " + PYTHON + " is missing");
    }
    Process probe =
        new ProcessBuilder(PYTHON, "-c", "import celery")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!probe.waitFor(30, TimeUnit.SECONDS) || probe.exitValue() != 0) {
      probe.destroy();
      return Optional.of(
          "skipped: python3-celery is not installed (apt-get install python3-celery)");
    }
    return Optional.empty();
  }

  private static Optional<String> bullmqMissing() {
    if (!onPath("node")) {
      return Optional.of("skipped: node is not installed");
    }
    if (!onPath("redis-server")) {
      return Optional.of("skipped: redis-server is not installed (apt-get install redis-server)");
    }
    if (!Files.isDirectory(PEERS.resolve("node_modules/bullmq"))) {
      return Optional.of(
          "skipped: BullMQ is not installed (cd bench/peers && npm install; deploy/bench.sh does)");
    }
    return Optional.empty();
  }

  private static boolean onPath(String command) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(":")) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }
}
