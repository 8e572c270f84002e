package io.pulse.api.console;

import io.pulse.api.admin.QueueOverview;
import io.pulse.api.admin.QueueOverviews;
import io.pulse.api.auth.Scope;
import io.pulse.api.problem.ProblemException;
import io.pulse.common.jobs.JobLedger;
import io.pulse.common.jobs.JobStatus;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The console's first page: the queues beside the ledger's counts, refreshed in place. */
@Path("/console")
@Produces(MediaType.TEXT_HTML)
public class ConsoleOverview {
  /** At most this many jobs are counted per window, so the page costs the same at any size. */
  static final int COUNT_BOUND = 100_000;

  private final QueueOverviews queues;
  private final JobLedger ledger;
  private final RabbitConsoleLinks links;
  private final SecurityIdentity identity;

  public ConsoleOverview(
      QueueOverviews queues,
      JobLedger ledger,
      RabbitConsoleLinks links,
      SecurityIdentity identity) {
    this.queues = queues;
    this.ledger = ledger;
    this.links = links;
    this.identity = identity;
  }

  @GET
  @RolesAllowed(Scope.READ)
  public String page() {
    return ConsolePages.overview(Nav.of(identity), figures()).render();
  }

  /** The figures alone, for the page to swap in without a reload. */
  @GET
  @Path("/overview/figures")
  @RolesAllowed(Scope.READ)
  public String figuresFragment() {
    return ConsolePages.overviewFigures(figures()).render();
  }

  private OverviewFigures figures() {
    Instant now = Instant.now();
    QueueOverview overview = null;
    String error = null;
    try {
      overview = queues.now();
    } catch (ProblemException e) {
      error = e.getMessage();
    }
    Map<String, Long> hour = ledger.statusCounts(now.minus(Duration.ofHours(1)), COUNT_BOUND);
    Map<String, Long> day = ledger.statusCounts(now.minus(Duration.ofDays(1)), COUNT_BOUND);
    long dayTotal = day.values().stream().mapToLong(Long::longValue).sum();
    long hourTotal = hour.values().stream().mapToLong(Long::longValue).sum();
    List<OverviewFigures.StatusRow> rows = new ArrayList<>();
    for (JobStatus status : JobStatus.values()) {
      String wire = status.wire();
      rows.add(
          new OverviewFigures.StatusRow(
              wire,
              figure(hour.getOrDefault(wire, 0L), hourTotal),
              figure(day.getOrDefault(wire, 0L), dayTotal)));
    }
    List<JobLedger.MinuteFigures> minutes =
        ledger.minuteFigures(now.minus(Duration.ofHours(1)), COUNT_BOUND);
    Map<String, Long> deadJobs = new TreeMap<>();
    ledger.deadCounts().forEach((type, count) -> deadJobs.put(type, count.dead()));
    return new OverviewFigures(
        overview,
        error,
        rows,
        minutes,
        ledger.oldestUnfinished(),
        deadJobs,
        COUNT_BOUND,
        links.queuePrefix(),
        now);
  }

  /** A count, marked as a lower bound when the window held more jobs than were counted. */
  private static String figure(long count, long total) {
    return total >= COUNT_BOUND ? count + "+" : Long.toString(count);
  }
}
