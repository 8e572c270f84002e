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
import java.util.List;

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
  private final SecurityIdentity identity;

  public ConsoleDeadLetters(
      DeadLetterPages pages,
      DeadLetterResource admin,
      AdminConfig config,
      SecurityIdentity identity) {
    this.pages = pages;
    this.admin = admin;
    this.config = config;
    this.identity = identity;
  }

  @GET
  @RolesAllowed(Scope.READ)
  public String list(@QueryParam("type") String type, @QueryParam("cursor") String cursor) {
    String only = type == null || type.isBlank() ? null : type;
    DeadLetterPage page = null;
    String error = null;
    try {
      page = pages.page(only, "50", cursor);
    } catch (ProblemException e) {
      error = e.getMessage();
    }
    String next =
        page == null || page.nextCursor() == null
            ? null
            : "/console/dead-letters?"
                + (only == null ? "" : "type=" + encode(only) + "&")
                + "cursor="
                + encode(page.nextCursor());
    return ConsolePages.deadLetters(
            Nav.of(identity),
            new DeadLettersView(
                only == null ? "" : only,
                List.copyOf(JobType.ALL),
                page == null ? List.of() : page.items(),
                next,
                error))
        .render();
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
