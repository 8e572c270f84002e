package io.pulse.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Memory and CPU of the app processes from Linux's own accounting. On a shared two-core machine CPU
 * time per job is steadier than jobs per second: it does not change when another process takes the
 * cores, so it is what to compare between runs and commits.
 */
final class AppProcesses {
  /** Linux reports CPU in USER_HZ ticks, which is 100 per second on every mainstream platform. */
  private static final long MILLIS_PER_TICK = 10;

  private AppProcesses() {}

  /**
   * CPU used so far by the api, the workers, this load generator, PostgreSQL (every postgres
   * process, and the backends that exited, through the postmaster's children time), RabbitMQ (the
   * Erlang VM) and the whole machine.
   */
  record Cpu(
      long apiMillis,
      long workersMillis,
      long benchMillis,
      long postgresMillis,
      long rabbitMillis,
      long busyMillis,
      long allMillis) {
    Cpu minus(Cpu earlier) {
      return new Cpu(
          apiMillis - earlier.apiMillis,
          workersMillis - earlier.workersMillis,
          benchMillis - earlier.benchMillis,
          postgresMillis - earlier.postgresMillis,
          rabbitMillis - earlier.rabbitMillis,
          busyMillis - earlier.busyMillis,
          allMillis - earlier.allMillis);
    }

    /** "api 0.13 ms, workers ..., RabbitMQ ... " per unit of work. */
    String perUnit(double units) {
      return String.format(
          "api %.2f ms, workers %.2f ms, PostgreSQL %.2f ms, RabbitMQ %.2f ms, load generator %.2f"
              + " ms",
          apiMillis / units,
          workersMillis / units,
          postgresMillis / units,
          rabbitMillis / units,
          benchMillis / units);
    }

    /** Share of all cores that were busy, with anything. */
    double machineBusy() {
      return allMillis <= 0 ? Double.NaN : (double) busyMillis / allMillis;
    }

    /** Share of all cores the api and workers used. */
    double appsShare() {
      return allMillis <= 0 ? Double.NaN : (double) (apiMillis + workersMillis) / allMillis;
    }
  }

  static Cpu cpu(BenchSettings settings) {
    long[] machine = machineMillis();
    return new Cpu(
        processMillis(settings.apiPid()),
        processMillis(settings.workersPid()),
        processMillis(ProcessHandle.current().pid()),
        serviceMillis("postgres"),
        serviceMillis("beam.smp"),
        machine[0],
        machine[1]);
  }

  /**
   * A field of /proc/PID/status in MiB, or -1 when it cannot be read. VmHWM is the peak resident
   * set the kernel recorded over the process's life, so one reading at the end misses nothing.
   */
  static long mib(long pid, String field) {
    if (pid <= 0) {
      return -1;
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith(field + ":")) {
          String kib = line.substring(field.length() + 1).replace("kB", "").trim();
          return Long.parseLong(kib) / 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // the process is gone or not ours to read: reported as unknown
    }
    return -1;
  }

  /** CPU of every process whose command is {@code name}, children that exited included. */
  private static long serviceMillis(String name) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().command().map(c -> c.endsWith("/" + name)).orElse(false))
        .mapToLong(p -> processMillis(p.pid(), true))
        .sum();
  }

  private static long processMillis(long pid) {
    return processMillis(pid, false);
  }

  /**
   * utime + stime of a process (fields 14 and 15 of /proc/PID/stat), with cutime + cstime (16, 17)
   * when asked, or 0 when unknown.
   */
  private static long processMillis(long pid, boolean withChildren) {
    if (pid <= 0) {
      return 0;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name (field 2) may hold spaces; everything after its closing ")" splits
      // cleanly.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      if (withChildren) {
        ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]);
      }
      return ticks * MILLIS_PER_TICK;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** {busy, all} CPU time of every core since boot, from the first line of /proc/stat. */
  private static long[] machineMillis() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long all = 0;
      for (int i = 1; i < f.length && i <= 8; i++) { // user .. steal; guest is inside user
        all += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]); // idle + iowait
      return new long[] {(all - idle) * MILLIS_PER_TICK, all * MILLIS_PER_TICK};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }
}
