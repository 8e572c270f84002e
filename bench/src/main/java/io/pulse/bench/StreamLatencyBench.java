package io.pulse.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Live-stream latency: {@code streams} users each hold an open stream; notifications go out at a
 * fixed rate, each to one of them, and the latency of one is from just before its POST until its
 * {@code notification.created} event is read off that user's stream (the API accepts, the broker
 * confirms, a worker writes the inbox row and publishes the event after commit, the API's queue
 * hands it to the stream, which reads the item back from the table and writes it).
 */
final class StreamLatencyBench {
  record Result(
      int streams,
      int connected,
      int rate,
      long sent,
      long refused,
      long received,
      Percentiles latency,
      Percentiles accepted,
      int tailSeconds,
      int measuredSeconds,
      AppProcesses.Cpu cpu,
      SoakSample.Gc apiGc,
      SoakSample.Gc workersGc) {}

  static final long FIRST_USER = 80_000_000L;
  private static final Pattern TITLE = Pattern.compile("\"title\":\"lat-(\\d+)\"");

  private final BenchSettings settings;
  private final Ledger ledger;

  StreamLatencyBench(BenchSettings settings, Ledger ledger) {
    this.settings = settings;
    this.ledger = ledger;
  }

  /**
   * Opens the streams, sends at {@code perSecond} for {@code rehearsal} without measuring (the API
   * starts cold: its JIT compiles the path during the first seconds, which is not what the figure
   * is about), analyzes the tables the rehearsal filled, then sends for {@code duration} measuring.
   */
  Result run(int streams, int perSecond, Duration rehearsal, Duration duration) throws Exception {
    Map<Long, Long> sentAt = new ConcurrentHashMap<>();
    // {sent at, latency} in nanoseconds: where in time the slow ones fall tells a stall (a few
    // seconds) from queueing (spread over the run).
    ConcurrentLinkedQueue<long[]> latencies = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Double> accepts = new ConcurrentLinkedQueue<>();
    AtomicBoolean measuring = new AtomicBoolean();
    try (StreamConnections connections =
        new StreamConnections(
            settings.apiPort(),
            settings.apiKey(),
            data -> {
              long now = System.nanoTime();
              Matcher title = TITLE.matcher(data);
              if (title.find()) {
                Long at = sentAt.remove(Long.parseLong(title.group(1)));
                if (at != null && measuring.get()) {
                  latencies.add(new long[] {at, now - at});
                }
              }
            })) {
      for (int i = 0; i < streams; i++) {
        connections.open(FIRST_USER + i);
      }
      BenchCalls.until(
          Duration.ofSeconds(60), Duration.ofMillis(50), () -> connections.answered() >= streams);
      Sender rehearse = new Sender(streams, perSecond, sentAt, 0, null);
      rehearse.run(rehearsal);
      // The run began with emptied tables: statements planned against them scan the inbox whole
      // for every notification until the tables are analyzed, as autovacuum would in production.
      ledger.analyze();
      measuring.set(true);
      AppProcesses.Cpu before = AppProcesses.cpu(settings);
      Instant from = Instant.now();
      Sender measured = new Sender(streams, perSecond, sentAt, rehearse.sent.get(), accepts);
      measured.run(duration);
      AppProcesses.Cpu cpu = AppProcesses.cpu(settings).minus(before);
      Instant to = Instant.now();
      double[] sample = latencies.stream().mapToDouble(l -> l[1] / 1e6).toArray();
      Percentiles latency = Percentiles.of(sample);
      long start = latencies.stream().mapToLong(l -> l[0]).min().orElse(0);
      long tailSeconds =
          latencies.stream()
              .filter(l -> l[1] / 1e6 > latency.p99())
              .mapToLong(l -> (l[0] - start) / 1_000_000_000L)
              .distinct()
              .count();
      writeTimeline(latencies);
      return new Result(
          streams,
          connections.connected.get(),
          perSecond,
          measured.sent.get(),
          measured.refused.get(),
          sample.length,
          latency,
          Percentiles.of(accepts.stream().mapToDouble(Double::doubleValue).toArray()),
          (int) tailSeconds,
          (int) duration.toSeconds(),
          cpu,
          SoakSample.gc(settings.apiPid(), from, to),
          SoakSample.gc(settings.workersPid(), from, to));
    }
  }

  /**
   * Each measured notification's send time (wall clock) and latency, to bench/target, for lining
   * the slow ones up with the apps' GC logs and the database's and broker's logs.
   */
  private static void writeTimeline(Collection<long[]> latencies) throws IOException {
    long wallMinusNano = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
    StringBuilder csv = new StringBuilder("sent_at,latency_ms\n");
    latencies.stream()
        .sorted(Comparator.comparingLong(l -> l[0]))
        .forEach(
            l ->
                csv.append(Instant.ofEpochMilli((l[0] + wallMinusNano) / 1_000_000L))
                    .append(',')
                    .append(String.format("%.1f", l[1] / 1e6))
                    .append('\n'));
    Path file = Path.of("bench", "target", "stream-latency.csv");
    Files.createDirectories(file.getParent());
    Files.writeString(file, csv);
  }

  /** Sends at a fixed rate, open loop, each notification to one of the streams' users. */
  private final class Sender {
    final AtomicLong sent = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    private final int streams;
    private final int perSecond;
    private final Map<Long, Long> sentAt;
    private final long firstSequence;
    private final ConcurrentLinkedQueue<Double> accepts;
    private final HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final URI notifications =
        URI.create(
            "http://" + BenchSettings.HOST + ":" + settings.apiPort() + "/api/v1/notifications");

    /** {@code accepts}, when given, collects each POST's time to its answer in milliseconds. */
    Sender(
        int streams,
        int perSecond,
        Map<Long, Long> sentAt,
        long firstSequence,
        ConcurrentLinkedQueue<Double> accepts) {
      this.accepts = accepts;
      this.streams = streams;
      this.perSecond = perSecond;
      this.sentAt = sentAt;
      this.firstSequence = firstSequence;
    }

    /** Sends for {@code duration}, then waits (30 s at most) until every event arrived. */
    void run(Duration duration) {
      long total = duration.toSeconds() * perSecond;
      ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
      pacer.scheduleAtFixedRate(
          () -> {
            if (sent.get() < total) {
              send(firstSequence + sent.getAndIncrement());
            }
          },
          0,
          1_000_000 / perSecond,
          TimeUnit.MICROSECONDS);
      BenchCalls.until(
          duration.plusSeconds(30),
          Duration.ofMillis(100),
          () -> sent.get() >= total && sentAt.isEmpty());
      pacer.shutdownNow();
    }

    private void send(long sequence) {
      long user = FIRST_USER + (sequence * 7919) % streams;
      String body =
          "{\"type\":\"community.post\",\"recipientIds\":["
              + user
              + "],\"title\":\"lat-"
              + sequence
              + "\"}";
      long at = System.nanoTime();
      sentAt.put(sequence, at);
      http.sendAsync(
              HttpRequest.newBuilder(notifications)
                  .timeout(Duration.ofSeconds(30))
                  .header("Authorization", "Bearer " + settings.apiKey())
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .thenAccept(
              response -> {
                if (accepts != null) {
                  accepts.add((System.nanoTime() - at) / 1e6);
                }
                if (response.statusCode() != 202) {
                  refused.incrementAndGet();
                  sentAt.remove(sequence);
                }
              });
    }
  }
}
