package io.pulse.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
      AppProcesses.Cpu cpu) {}

  static final long FIRST_USER = 80_000_000L;
  private static final Pattern TITLE = Pattern.compile("\"title\":\"lat-(\\d+)\"");

  private final BenchSettings settings;

  StreamLatencyBench(BenchSettings settings) {
    this.settings = settings;
  }

  Result run(int streams, int perSecond, Duration duration) throws Exception {
    Map<Long, Long> sentAt = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
    AtomicLong sent = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    URI notifications =
        URI.create(
            "http://" + BenchSettings.HOST + ":" + settings.apiPort() + "/api/v1/notifications");
    try (StreamConnections connections =
        new StreamConnections(
            settings.apiPort(),
            settings.apiKey(),
            data -> {
              long now = System.nanoTime();
              Matcher title = TITLE.matcher(data);
              if (title.find()) {
                Long at = sentAt.remove(Long.parseLong(title.group(1)));
                if (at != null) {
                  latencies.add((now - at) / 1e6);
                }
              }
            })) {
      for (int i = 0; i < streams; i++) {
        connections.open(FIRST_USER + i);
      }
      BenchCalls.until(
          Duration.ofSeconds(60), Duration.ofMillis(50), () -> connections.answered() >= streams);
      AppProcesses.Cpu before = AppProcesses.cpu(settings);
      ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
      long total = duration.toSeconds() * perSecond;
      pacer.scheduleAtFixedRate(
          () -> {
            long sequence = sent.get();
            if (sequence >= total) {
              return;
            }
            sent.incrementAndGet();
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
          },
          0,
          1_000_000 / perSecond,
          TimeUnit.MICROSECONDS);
      BenchCalls.until(
          duration.plusSeconds(30),
          Duration.ofMillis(100),
          () -> sent.get() >= total && sentAt.isEmpty());
      pacer.shutdownNow();
      AppProcesses.Cpu cpu = AppProcesses.cpu(settings).minus(before);
      double[] sample = latencies.stream().mapToDouble(Double::doubleValue).toArray();
      return new Result(
          streams,
          connections.connected.get(),
          perSecond,
          sent.get(),
          refused.get(),
          sample.length,
          Percentiles.of(sample),
          cpu);
    }
  }
}
