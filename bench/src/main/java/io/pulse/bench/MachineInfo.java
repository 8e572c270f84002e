package io.pulse.bench;

import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What the figures were measured on: without it a results file cannot be compared with another. */
final class MachineInfo {
  private MachineInfo() {}

  static Map<String, String> collect(BenchSettings settings, Ledger ledger) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("nproc", Integer.toString(Runtime.getRuntime().availableProcessors()));
    out.put("cpu", firstValue(Path.of("/proc/cpuinfo"), "model name", ':'));
    out.put("memory", memTotal());
    out.put("os", osRelease() + ", kernel " + System.getProperty("os.version"));
    out.put("java -version", javaVersion());
    out.put("RabbitMQ", rabbitVersion(settings));
    try {
      out.put("PostgreSQL", ledger.serverVersion());
    } catch (Exception e) {
      out.put("PostgreSQL", "unknown (" + e.getMessage() + ")");
    }
    return out;
  }

  /** The 1, 5 and 15 minute load averages: a busy machine explains a slow run. */
  static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " / " + parts[1] + " / " + parts[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String memTotal() {
    String kib = firstValue(Path.of("/proc/meminfo"), "MemTotal", ':').replace("kB", "").trim();
    try {
      return String.format("%.1f GiB", Long.parseLong(kib) / 1024.0 / 1024.0);
    } catch (NumberFormatException e) {
      return kib;
    }
  }

  private static String osRelease() {
    return firstValue(Path.of("/etc/os-release"), "PRETTY_NAME", '=').replace("\"", "");
  }

  /** The value after the separator on the first line that starts with key. */
  private static String firstValue(Path file, String key, char separator) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(key) && line.indexOf(separator) > 0) {
          return line.substring(line.indexOf(separator) + 1).trim();
        }
      }
    } catch (IOException e) {
      // reported below as unknown
    }
    return "unknown";
  }

  /** The JVM running this bench is the one deploy/bench.sh started the apps with. */
  private static String javaVersion() {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    try {
      Process p = new ProcessBuilder(java, "-version").redirectErrorStream(true).start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(10, TimeUnit.SECONDS);
      return String.join("; ", text.strip().lines().toList());
    } catch (IOException e) {
      return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return System.getProperty("java.runtime.version");
    }
  }

  private static String rabbitVersion(BenchSettings settings) {
    try (Connection c = settings.amqp().newConnection("pulse-bench version probe")) {
      Map<String, Object> server = c.getServerProperties();
      return List.of("product", "version").stream()
          .map(k -> String.valueOf(server.get(k)))
          .reduce((a, b) -> a + " " + b)
          .orElse("unknown");
    } catch (Exception e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }
}
