package io.pulse.bench;

import com.rabbitmq.client.ConnectionFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every knob of a run. deploy/bench.sh passes them as system properties ({@code -Dbench.*}); the
 * defaults are the figures the benchmark is meant to be compared at, so change them only to try
 * something and say so in the results.
 */
record BenchSettings(
    int amqpPort,
    String virtualHost,
    String database,
    int apiPort,
    int workersPort,
    String apiKey,
    long apiPid,
    long workersPid,
    String appOptions,
    Path resultsDir,
    List<String> scenarios,
    int rawMessages,
    Duration rawMax,
    int rawWindow,
    int rawConsumers,
    int rawPrefetch,
    int rawBodyBytes,
    int warmupJobs,
    Duration warmupMax,
    int e2eJobs,
    int batchJobs,
    Duration e2eMax,
    int e2eClients,
    int latencyRate,
    Duration latencyDuration,
    Duration latencyRehearsal,
    int latencySenders,
    Duration drainMax,
    String vapidPublicKey,
    int pushUsers,
    int streams,
    int streamRate,
    Duration streamRehearsal,
    Duration streamDuration,
    int idleStreams,
    Duration idleWindow,
    int latencyRepeats,
    int bullmqRedisPort) {

  /**
   * Load is only ever sent to this machine: the host is not a setting, only ports and names are.
   */
  static final String HOST = "127.0.0.1";

  static final int POSTGRES_PORT = 5432;

  static BenchSettings fromSystemProperties() {
    return new BenchSettings(
        intProp("bench.amqp.port", 5672),
        prop("bench.vhost", "pulse-bench"),
        prop("bench.db", "pulse_bench"),
        intProp("bench.api.port", 18180),
        intProp("bench.workers.port", 18181),
        prop("bench.api.key", "bench-key"),
        longProp("bench.api.pid", 0),
        longProp("bench.workers.pid", 0),
        prop("bench.app-options", "(not given)"),
        Path.of(prop("bench.results-dir", "bench/results")),
        List.of(
            prop("bench.scenarios", "raw,e2e,peers,batch,latency,fanout,notify,digest").split(",")),
        intProp("bench.raw.messages", 50_000),
        Duration.ofSeconds(intProp("bench.raw.seconds", 20)),
        intProp("bench.raw.window", 256),
        intProp("bench.raw.consumers", 4),
        intProp("bench.raw.prefetch", 64),
        intProp("bench.raw.body-bytes", 1024),
        intProp("bench.warmup.jobs", 40_000),
        Duration.ofSeconds(intProp("bench.warmup.seconds", 60)),
        intProp("bench.e2e.jobs", 30_000),
        intProp("bench.batch.jobs", 60_000),
        Duration.ofSeconds(intProp("bench.e2e.seconds", 60)),
        intProp("bench.e2e.clients", 16),
        intProp("bench.latency.rate", 1_000),
        Duration.ofSeconds(intProp("bench.latency.seconds", 15)),
        Duration.ofSeconds(intProp("bench.latency.rehearsal-seconds", 10)),
        intProp("bench.latency.senders", 64),
        Duration.ofSeconds(intProp("bench.drain.seconds", 30)),
        prop("bench.push.vapid-public-key", ""),
        intProp("bench.push.users", 2_500),
        intProp("bench.streams.count", 1_000),
        intProp("bench.streams.rate", 100),
        Duration.ofSeconds(intProp("bench.streams.rehearsal-seconds", 60)),
        Duration.ofSeconds(intProp("bench.streams.seconds", 30)),
        intProp("bench.idle-streams.count", 10_000),
        Duration.ofSeconds(intProp("bench.idle-streams.window-seconds", 45)),
        intProp("bench.latency.repeats", 1),
        intProp("bench.peers.redis-port", 16390));
  }

  boolean runs(String scenario) {
    return scenarios.contains(scenario);
  }

  String jdbcUrl() {
    return "jdbc:postgresql://" + HOST + ":" + POSTGRES_PORT + "/" + database;
  }

  ConnectionFactory amqp() {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost(HOST);
    factory.setPort(amqpPort);
    factory.setUsername("guest");
    factory.setPassword("guest");
    factory.setVirtualHost(virtualHost);
    // A dropped connection must fail the run, not be papered over by a reconnect mid-measurement.
    factory.setAutomaticRecoveryEnabled(false);
    factory.setConnectionTimeout(5_000);
    return factory;
  }

  /** The settings as they go into the results file, so a later run can repeat them. */
  Map<String, String> describe() {
    Map<String, String> out = new LinkedHashMap<>();
    out.put(
        "services",
        String.format(
            "RabbitMQ %s:%d vhost %s, PostgreSQL %s:%d db %s",
            HOST, amqpPort, virtualHost, HOST, POSTGRES_PORT, database));
    out.put(
        "apps",
        String.format(
            "packaged api (:%d) and workers as separate JVMs: %s; every other setting at its"
                + " default (application.properties)",
            apiPort, appOptions));
    out.put(
        "1. raw broker",
        String.format(
            "%,d messages or %d s, %,d B bodies, 1 publisher channel with a confirm window of %d,"
                + " %d consumer channels, prefetch %d, ack per message",
            rawMessages, rawMax.toSeconds(), rawBodyBytes, rawWindow, rawConsumers, rawPrefetch));
    out.put(
        "warm-up",
        String.format(
            "%,d jobs one per request, then %,d in batches of 100, each or %d s, through the API"
                + " before scenarios 2, 2b and 3, not measured",
            warmupJobs, warmupJobs, warmupMax.toSeconds()));
    out.put(
        "2. end to end",
        String.format(
            "%,d jobs (2b: %,d) or %d s of sending, %d HTTP client threads",
            e2eJobs, batchJobs, e2eMax.toSeconds(), e2eClients));
    out.put(
        "2p. peers",
        String.format(
            "Celery (bench/peers/celery_peer.py, /usr/bin/python3, prefork worker with one process"
                + " per core, prefetch multiplier 4) and BullMQ (bench/peers/bullmq-peer.mjs, its"
                + " own redis-server on 127.0.0.1:%d with appendonly yes, appendfsync everysec;"
                + " worker concurrency %d): %,d jobs or %d s each, %d clients, one job per call,"
                + " after %,d unmeasured",
            bullmqRedisPort, e2eClients, e2eJobs, e2eMax.toSeconds(), e2eClients, 5_000));
    out.put(
        "3. latency",
        String.format(
                "%,d jobs/s for %d s, open loop, at most %d requests in flight (a tick that finds"
                    + " them all busy is skipped and counted); each row is rehearsed first for %d s at"
                    + " its own rate and request form, not measured",
                latencyRate,
                latencyDuration.toSeconds(),
                latencySenders,
                latencyRehearsal.toSeconds())
            + (latencyRepeats > 1
                ? String.format(
                    "; the single-request row at the target rate is measured %d times in a row",
                    latencyRepeats)
                : ""));
    out.put(
        "drain limit", drainMax.toSeconds() + " s for queued work to finish after sending stops");
    if (runs("push")) {
      out.put(
          "11. push",
          String.format(
              "%,d users × %d push subscriptions on a local push service, one notification",
              pushUsers, PushBench.SUBSCRIPTIONS_PER_USER));
    }
    if (runs("streams")) {
      out.put(
          "12. stream latency",
          String.format(
              "%,d open streams, %,d notifications/s for %d s, each to one of them, after %d s"
                  + " of the same not measured (the API starts cold)",
              streams, streamRate, streamDuration.toSeconds(), streamRehearsal.toSeconds()));
    }
    if (runs("idle-streams")) {
      out.put(
          "13. idle streams",
          String.format(
              "%,d idle streams on the one API instance, CPU over %d s windows",
              idleStreams, idleWindow.toSeconds()));
    }
    return out;
  }

  private static String prop(String name, String fallback) {
    String value = System.getProperty(name);
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  private static int intProp(String name, int fallback) {
    return Integer.parseInt(prop(name, Integer.toString(fallback)));
  }

  private static long longProp(String name, long fallback) {
    return Long.parseLong(prop(name, Long.toString(fallback)));
  }
}
