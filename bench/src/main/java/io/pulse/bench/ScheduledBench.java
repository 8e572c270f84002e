package io.pulse.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Lateness of scheduled sends (issue 17): {@code jobs} notifications scheduled through {@code POST
 * /notifications/batch} for one and the same second, then the lateness of each, {@code published_at
 * - send_at} in the ledger (the poller stamps {@code published_at} with the clock when it marks the
 * confirmed job queued). All due at once is the hardest case of "due in the same minute": the last
 * of them waits for every batch before it.
 */
final class ScheduledBench {
  record Result(
      int jobs, long published, Percentiles lateness, Duration enqueue, boolean complete) {}

  private final BenchSettings settings;
  private final int jobs;

  ScheduledBench(BenchSettings settings, int jobs) {
    this.settings = settings;
    this.jobs = jobs;
  }

  Result run() throws Exception {
    PulseApi api = new PulseApi(settings.apiPort(), settings.apiKey());
    // Far enough ahead for the enqueue to finish first on a slow machine.
    Instant due = Instant.now().plusSeconds(45).truncatedTo(ChronoUnit.SECONDS);
    long start = System.nanoTime();
    List<java.util.UUID> ids = new ArrayList<>(jobs);
    for (int sent = 0; sent < jobs; sent += 100) {
      ids.addAll(api.notifyBatch(sent, Math.min(100, jobs - sent), due));
    }
    Duration enqueue = Duration.ofNanos(System.nanoTime() - start);
    if (Instant.now().isAfter(due)) {
      throw new IllegalStateException("the enqueue took past the due time: " + enqueue);
    }
    try (Connection db = DriverManager.getConnection(settings.jdbcUrl(), "pulse", "pulse")) {
      Duration within = Duration.between(Instant.now(), due.plus(Duration.ofSeconds(120)));
      BenchCalls.until(within, Duration.ofMillis(500), () -> published(db, due) >= ids.size());
      long published = published(db, due);
      return new Result(
          ids.size(),
          published,
          Percentiles.of(latenessMillis(db, due)),
          enqueue,
          published == ids.size());
    }
  }

  private static long published(Connection db, Instant due) throws Exception {
    try (PreparedStatement st =
        db.prepareStatement(
            "select count(*) from jobs where send_at = ? and published_at is not null")) {
      st.setObject(1, OffsetDateTime.ofInstant(due, ZoneOffset.UTC));
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static double[] latenessMillis(Connection db, Instant due) throws Exception {
    try (PreparedStatement st =
        db.prepareStatement(
            "select extract(epoch from (published_at - send_at)) * 1000 from jobs"
                + " where send_at = ? and published_at is not null")) {
      st.setObject(1, OffsetDateTime.ofInstant(due, ZoneOffset.UTC));
      List<Double> out = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getDouble(1));
        }
      }
      return out.stream().mapToDouble(Double::doubleValue).toArray();
    }
  }
}
