package io.pulse.api.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulse.api.auth.Scope;
import io.pulse.api.jobs.KeysetPage;
import io.pulse.api.problem.ProblemException;
import io.pulse.common.jobs.Job;
import io.pulse.common.jobs.JobLedger;
import io.pulse.common.jobs.JobLedger.JobSearch;
import io.pulse.common.jobs.JobLedger.JobSummary;
import io.pulse.common.jobs.JobStatus;
import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.Topology;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/** Finding jobs in the ledger, and one job's whole row. */
@Path("/console/jobs")
@Produces(MediaType.TEXT_HTML)
public class ConsoleJobs {
  static final int PAGE = 50;

  /** Payloads longer than this are folded, so one huge job does not bury the page. */
  static final int FOLD_AT = 2_000;

  private final JobLedger ledger;
  private final ObjectMapper json;
  private final RabbitConsoleLinks links;
  private final SecurityIdentity identity;

  public ConsoleJobs(
      JobLedger ledger, ObjectMapper json, RabbitConsoleLinks links, SecurityIdentity identity) {
    this.ledger = ledger;
    this.json = json;
    this.links = links;
    this.identity = identity;
  }

  @GET
  @RolesAllowed(Scope.READ)
  public String search(
      @QueryParam("id") String id,
      @QueryParam("key") String key,
      @QueryParam("type") String type,
      @QueryParam("status") String status,
      @QueryParam("from") String from,
      @QueryParam("to") String to,
      @QueryParam("parent") String parent,
      @QueryParam("before") String before) {
    List<String> errors = new ArrayList<>();
    JobSearch search =
        new JobSearch(
            uuid("id", id, errors),
            blankToNull(key),
            known("type", type, JobType.ALL, errors),
            status(status, errors),
            instant("from", from, errors),
            instant("to", to, errors),
            uuid("parent", parent, errors));
    UUID beforeId = uuid("before", before, errors);
    List<JobSummary> rows = List.of();
    String next = null;
    if (errors.isEmpty()) {
      KeysetPage<JobSummary> page =
          KeysetPage.of(ledger.search(search, beforeId, KeysetPage.fetch(PAGE)), PAGE);
      rows = page.items();
      Map<String, String> query = new LinkedHashMap<>();
      query.put("id", id);
      query.put("key", key);
      query.put("type", type);
      query.put("status", status);
      query.put("from", from);
      query.put("to", to);
      query.put("parent", parent);
      next = page.next(last -> href(query, last.id()));
    }
    return ConsolePages.jobs(
            Nav.of(identity),
            new JobsView(
                orEmpty(id),
                orEmpty(key),
                orEmpty(type),
                orEmpty(status),
                orEmpty(from),
                orEmpty(to),
                orEmpty(parent),
                errors,
                rows,
                next,
                PAGE,
                List.copyOf(JobType.ALL),
                Arrays.stream(JobStatus.values()).map(JobStatus::wire).toList()))
        .render();
  }

  @GET
  @Path("/{id}")
  @RolesAllowed(Scope.READ)
  public String job(@PathParam("id") UUID id) {
    Job job = Job.findById(id);
    if (job == null) {
      throw ProblemException.notFound("job " + id);
    }
    String payload = pretty(job.payload);
    JobStatus status = job.jobStatus();
    String queue = queueOf(job.type, status);
    List<JobLedger.JobSummary> followUps = ledger.children(id, PAGE + 1);
    return ConsolePages.job(
            Nav.of(identity),
            new JobPageView(
                job,
                payload,
                payload.length(),
                payload.length() > FOLD_AT,
                status == JobStatus.DEAD,
                where(status, queue),
                queue == null ? null : links.queue(queue),
                ledger.attempts(id, PAGE),
                followUps.size() > PAGE ? followUps.subList(0, PAGE) : followUps,
                followUps.size() > PAGE))
        .render();
  }

  /** The queue a job in this state waits in, if it waits in one the console can name. */
  private static String queueOf(String type, JobStatus status) {
    return switch (status) {
      case QUEUED, RUNNING -> Topology.workQueue(type);
      case DEAD -> Topology.deadLetterQueue(type);
      default -> null;
    };
  }

  private static String where(JobStatus status, String queue) {
    return switch (status) {
      case SCHEDULED -> "in PostgreSQL until it is due (scheduled jobs are not in the broker)";
      case RETRYING -> "in a retry tier (pulse.retry.*) until its next attempt";
      case SUCCEEDED, CANCELLED -> "nowhere: it is finished";
      case RUNNING -> "unacknowledged in " + queue + ", with a worker";
      default -> "in " + queue;
    };
  }

  private String pretty(String payload) {
    if (payload == null) {
      return "(none)";
    }
    try {
      return json.writerWithDefaultPrettyPrinter().writeValueAsString(json.readTree(payload));
    } catch (IOException e) {
      return payload;
    }
  }

  private static String href(Map<String, String> query, UUID before) {
    String kept =
        query.entrySet().stream()
            .filter(e -> e.getValue() != null && !e.getValue().isBlank())
            .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    return "/console/jobs?" + (kept.isEmpty() ? "" : kept + "&") + "before=" + before;
  }

  private static UUID uuid(String field, String value, List<String> errors) {
    if (blankToNull(value) == null) {
      return null;
    }
    try {
      return UUID.fromString(value.trim());
    } catch (IllegalArgumentException e) {
      errors.add(field + ": not a job id (a UUID)");
      return null;
    }
  }

  private static String known(
      String field, String value, Collection<String> known, List<String> errors) {
    if (blankToNull(value) == null) {
      return null;
    }
    if (!known.contains(value)) {
      errors.add(field + ": unknown '" + value + "'");
      return null;
    }
    return value;
  }

  private static JobStatus status(String value, List<String> errors) {
    List<String> statuses = Arrays.stream(JobStatus.values()).map(JobStatus::wire).toList();
    String known = known("status", value, statuses, errors);
    return known == null ? null : JobStatus.fromWire(known);
  }

  private static Instant instant(String field, String value, List<String> errors) {
    if (blankToNull(value) == null) {
      return null;
    }
    try {
      return Instant.parse(value.trim());
    } catch (DateTimeParseException e) {
      errors.add(field + ": not an ISO-8601 instant such as 2026-12-01T00:00:00Z");
      return null;
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  private static String orEmpty(String value) {
    return value == null ? "" : value;
  }
}
