package io.pulse.api.console;

import io.pulse.api.admin.AdminConfig;
import io.pulse.api.admin.DeadLetterPage;
import io.pulse.api.admin.DeadLetterPages;
import io.pulse.api.admin.DeadLetterResource;
import io.pulse.api.admin.ReplayRequest;
import io.pulse.api.auth.Scope;
import io.pulse.api.jobs.Ids;
import io.pulse.api.problem.ProblemException;
import io.pulse.common.jobs.Job;
import io.pulse.common.jobs.JobLedger;
import io.pulse.common.jobs.JobType;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Dead jobs, a dry run of a replay, and the replay itself, which goes through the admin API's own
 * replay (same validation, same guarantees, same audit event).
 */
@Path("/console/dead-letters")
@Produces(MediaType.TEXT_HTML)
public class ConsoleDeadLetters {
  private final DeadLetterPages pages;
  private final DeadLetterResource admin;
  private final AdminConfig config;
  private final JobLedger ledger;
  private final SecurityIdentity identity;

  public ConsoleDeadLetters(
      DeadLetterPages pages,
      DeadLetterResource admin,
      AdminConfig config,
      JobLedger ledger,
      SecurityIdentity identity) {
    this.pages = pages;
    this.admin = admin;
    this.config = config;
    this.ledger = ledger;
    this.identity = identity;
  }

  /** A Java class name, as the workers write it at the head of a last error. */
  private static final Pattern CLASS_NAME =
      Pattern.compile("(?:[\\p{L}_$][\\p{L}\\p{N}_$]*\\.)+[\\p{L}_$][\\p{L}\\p{N}_$]*");

  @GET
  @RolesAllowed(Scope.READ)
  public String list(
      @QueryParam("type") String type,
      @QueryParam("errorClass") String errorClass,
      @QueryParam("since") String since,
      @QueryParam("cursor") String cursor) {
    String only = blankToNull(type);
    String onlyClass = blankToNull(errorClass);
    if (onlyClass != null
        && (onlyClass.length() > 300 || !CLASS_NAME.matcher(onlyClass).matches())) {
      throw ProblemException.badField("errorClass", "must be a Java class name");
    }
    Instant failedSince = null;
    if (blankToNull(since) != null) {
      try {
        failedSince = Instant.parse(since.trim());
      } catch (DateTimeParseException e) {
        throw ProblemException.badField(
            "since", "must be an ISO-8601 instant such as 2026-12-01T00:00:00Z");
      }
    }
    DeadLetterPage page = null;
    String error = null;
    try {
      page = pages.page(only, onlyClass, failedSince, "50", cursor);
    } catch (ProblemException e) {
      error = e.getMessage();
    }
    Map<String, String> filters = new LinkedHashMap<>();
    filters.put("type", only);
    filters.put("errorClass", onlyClass);
    filters.put("since", failedSince == null ? null : failedSince.toString());
    String next =
        page == null || page.nextCursor() == null
            ? null
            : "/console/dead-letters?" + query(filters) + "cursor=" + encode(page.nextCursor());
    return ConsolePages.deadLetters(
            Nav.of(identity),
            new DeadLettersView(
                only == null ? "" : only,
                List.copyOf(JobType.ALL),
                onlyClass == null ? "" : onlyClass,
                only == null || error != null ? List.of() : ledger.deadErrorClasses(only, 20),
                failedSince == null ? "" : failedSince.toString(),
                page == null ? List.of() : page.items(),
                next,
                error))
        .render();
  }

  /** The filters that are set, as {@code name=value&} each. */
  private static String query(Map<String, String> filters) {
    StringBuilder query = new StringBuilder();
    filters.forEach(
        (name, value) -> {
          if (value != null) {
            query.append(name).append('=').append(encode(value)).append('&');
          }
        });
    return query.toString();
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  /** The dry run: what a replay would take, and the form that confirms it. */
  @GET
  @Path("/replay")
  @RolesAllowed(Scope.READ)
  public String preview(
      @QueryParam("jobId") String jobId,
      @QueryParam("type") String type,
      @QueryParam("limit") Integer limit) {
    if (jobId != null) {
      Job job = Job.findById(Ids.uuid("jobId", jobId));
      DeadLetterPages.DryRun run = pages.dryRun(job);
      return preview(new ReplayPreview(jobId, null, null, run.count(), false, run.sample()));
    }
    if (type == null) {
      throw ProblemException.badField("type", "give a jobId or a type");
    }
    int max = config.replay().maxJobs();
    int chosen = limit == null ? max : limit;
    if (chosen < 1 || chosen > max) {
      throw ProblemException.badField("limit", "must be an integer from 1 to " + max);
    }
    DeadLetterPages.DryRun run = pages.dryRun(type, chosen);
    return preview(new ReplayPreview(null, type, chosen, run.count(), run.more(), run.sample()));
  }

  @POST
  @Path("/replay")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @RolesAllowed(Scope.ADMIN)
  public String replay(
      @FormParam("csrf") String csrf,
      @FormParam("jobId") String jobId,
      @FormParam("type") String type,
      @FormParam("limit") Integer limit) {
    ConsoleCsrf.require(identity, csrf);
    ReplayRequest request =
        jobId != null
            ? new ReplayRequest(List.of(jobId), null, null)
            : new ReplayRequest(null, type, limit);
    return ConsolePages.replayResult(Nav.of(identity), admin.replay(request)).render();
  }

  private String preview(ReplayPreview view) {
    return ConsolePages.replayPreview(Nav.of(identity), view).render();
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
