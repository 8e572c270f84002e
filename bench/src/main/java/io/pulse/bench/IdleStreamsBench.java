package io.pulse.bench;

import java.time.Duration;

/**
 * Idle streams on one API instance: its resident memory before and after {@code count} streams are
 * open (the difference per stream), and the CPU it spends over a window while they only get
 * heartbeats, next to the same window with none open.
 */
final class IdleStreamsBench {
  record Result(
      int wanted,
      int connected,
      int refused,
      long rssBeforeMib,
      long rssAfterMib,
      long idleCpuMillis,
      long streamsCpuMillis,
      long heartbeats,
      Duration window,
      int closedByServer) {
    double kibPerStream() {
      return connected == 0 ? Double.NaN : (rssAfterMib - rssBeforeMib) * 1024.0 / connected;
    }
  }

  static final long FIRST_USER = 90_000_000L;
  private final BenchSettings settings;

  IdleStreamsBench(BenchSettings settings) {
    this.settings = settings;
  }

  Result run(int count, Duration window) throws Exception {
    long rssBefore = AppProcesses.mib(settings.apiPid(), "VmRSS");
    long idleCpu = apiCpuOver(window);
    try (StreamConnections connections =
        new StreamConnections(settings.apiPort(), settings.apiKey(), data -> {})) {
      // In waves, so the API's accept queue is never the limit being measured.
      for (int i = 0; i < count; i++) {
        connections.open(FIRST_USER + i);
        if (i % 500 == 499) {
          int waveEnd = i + 1;
          BenchCalls.until(
              Duration.ofSeconds(30),
              Duration.ofMillis(20),
              () -> connections.answered() >= waveEnd);
        }
      }
      BenchCalls.until(
          Duration.ofSeconds(60), Duration.ofMillis(50), () -> connections.answered() >= count);
      long beats = connections.heartbeats.get();
      long streamsCpu = apiCpuOver(window);
      beats = connections.heartbeats.get() - beats;
      long rssAfter = AppProcesses.mib(settings.apiPid(), "VmRSS");
      return new Result(
          count,
          connections.connected.get(),
          connections.refused.get(),
          rssBefore,
          rssAfter,
          idleCpu,
          streamsCpu,
          beats,
          window,
          connections.closed.get());
    }
  }

  /** The API's CPU over {@code window}, waited out with Awaitility like every wait here. */
  private long apiCpuOver(Duration window) {
    AppProcesses.Cpu before = AppProcesses.cpu(settings);
    long until = System.nanoTime() + window.toNanos();
    BenchCalls.until(
        window.plusSeconds(5), Duration.ofMillis(200), () -> System.nanoTime() >= until);
    return AppProcesses.cpu(settings).minus(before).apiMillis();
  }
}
