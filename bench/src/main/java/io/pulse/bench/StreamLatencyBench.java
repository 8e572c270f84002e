package io.pulse.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
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
      AppProcesses.Cpu cpu,
      SoakSample.Gc apiGc,
      SoakSample.Gc workersGc) {}

  static final long FIRST_USER = 80_000_000L;
  private static final Pattern TITLE = Pattern.compile("\"title\":\"lat-(\\d+)\"");

  private final BenchSettings settings;

  StreamLatencyBench(BenchSettings settings) {
    this.settings = settings;
  }

  /**
   * Opens the streams, sends at {@code perSecond} for {@code rehearsal} without measuring (the API
   * starts cold: its JIT compiles the path during the first seconds, which is not what the figure
   * is about), then for {@code duration} measuring.
   */
  Result run(int streams, int perSecond, Duration rehearsal, Duration duration) throws Exception {
    Map<Long, Long> sentAt = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
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
                  latencies.add((now - at) / 1e6);
                }
              }
            })) {
      for (int i = 0; i < streams; i++) {
        connections.open(FIRST_USER + i);
      }
      BenchCalls.until(
          Duration.ofSeconds(60), Duration.ofMillis(50), () -> connections.answered() >= streams);
      Sender rehearse = new Sender(streams, perSecond, sentAt, 0);
      rehearse.run(rehearsal);
      measuring.set(true);
      AppProcesses.Cpu before = AppProcesses.cpu(settings);
      Instant from = Instant.now();
      Sender measured = new Sender(streams, perSecond, sentAt, rehearse.sent.get());
      measured.run(duration);
      AppProcesses.Cpu cpu = AppProcesses.cpu(settings).minus(before);
      Instant to = Instant.now();
      double[] sample = latencies.stream().mapToDouble(Double::doubleValue).toArray();
      return new Result(
          streams,
          connections.connected.get(),
          perSecond,
          measured.sent.get(),
          measured.refused.get(),
          sample.length,
          Percentiles.of(sample),
          cpu,
          SoakSample.gc(settings.apiPid(), from, to),
          SoakSample.gc(settings.workersPid(), from, to));
    }
  }

  /** Sends at a fixed rate, open loop, each notification to one of the streams' users. */
  private final class Sender {
    final AtomicLong sent = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    private final int streams;
    private final int perSecond;
    private final Map<Long, Long> sentAt;
    private final long firstSequence;
    private final HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final URI notifications =
        URI.create(
            "http://" + BenchSettings.HOST + ":" + settings.apiPort() + "/api/v1/notifications");

    Sender(int streams, int perSecond, Map<Long, Long> sentAt, long firstSequence) {
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
      sentAt.put(sequence, System.nanoTime());
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
                if (response.statusCode() != 202) {
                  refused.incrementAndGet();
                  sentAt.remove(sequence);
                }
              });
    }
  }
}
