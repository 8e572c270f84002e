package io.pulse.api.console;

import io.pulse.api.admin.QueueOverview;
import io.pulse.common.jobs.JobLedger;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The overview's figures, each with where it came from: the queues from the management API (null
 * with {@code queuesError} when it did not answer), the job counts from the ledger, and the
 * ledger's dead jobs per type next to the broker's dead letters (the workers' reconciler keeps them
 * equal within a minute or two).
 */
public record OverviewFigures(
    QueueOverview queues,
    String queuesError,
    List<StatusRow> statuses,
    List<JobLedger.MinuteFigures> minutes,
    JobLedger.JobSummary oldestUnfinished,
    Map<String, Long> deadJobs,
    int bound,
    String queuePrefix,
    Instant at) {

  /** Jobs of one status created in the last hour and the last 24 hours ("n+" past the bound). */
  public record StatusRow(String status, String lastHour, String lastDay) {}

  /** How long the oldest unfinished job has waited, as "3 min 20 s". */
  public String oldestAge() {
    if (oldestUnfinished == null) {
      return "";
    }
    long seconds =
        Math.max(0, java.time.Duration.between(oldestUnfinished.createdAt(), at).toSeconds());
    return seconds < 60 ? seconds + " s" : seconds / 60 + " min " + seconds % 60 + " s";
  }

  /** Dead jobs of a type in the ledger. */
  public long deadJobsOf(String type) {
    return deadJobs.getOrDefault(type, 0L);
  }

  /** "12.3" for a latency in ms. */
  public String ms(double millis) {
    return String.format(java.util.Locale.ROOT, millis < 10 ? "%.1f" : "%.0f", millis);
  }

  /** The queue's page in the RabbitMQ management console. */
  public String queueLink(String queue) {
    return queuePrefix + RabbitConsoleLinks.encode(queue);
  }
}
