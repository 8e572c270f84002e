package io.pulse.api.admin;

import io.pulse.api.audit.AuditTrail;
import io.pulse.api.auth.Scope;
import io.pulse.api.jobs.Ids;
import io.pulse.api.openapi.ApiDocs;
import io.pulse.api.problem.ProblemException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Dead jobs: list them with their errors, and replay chosen ones (or a type's oldest). */
@Tag(name = ApiDocs.ADMIN)
@Path("/api/v1/admin/dead-letters")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class DeadLetterResource {

  private final DeadLetterPages pages;
  private final DeadLetterReplay replay;
  private final AdminConfig config;
  private final AuditTrail audit;

  public DeadLetterResource(
      DeadLetterPages pages, DeadLetterReplay replay, AdminConfig config, AuditTrail audit) {
    this.audit = audit;
    this.pages = pages;
    this.replay = replay;
    this.config = config;
  }

  @GET
  @RolesAllowed(Scope.ADMIN)
  @Operation(
      summary = "List dead jobs",
      description =
          "Dead jobs from the ledger with their errors, newest failure first, keyset-paged (`type`, `limit` 1-100, `cursor`). Reads only.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.ADMIN)
  @APIResponse(
      responseCode = "200",
      description = "One page of dead jobs",
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = DeadLetterPage.class),
              examples =
                  @ExampleObject(
                      name = "200",
                      value =
                          "{\"items\":[{\"jobId\":\"0192f0c4-6c1e-7d3a-9a51-3c2b8e4f1a20\",\"type\":\"feed.fanout\",\"errorClass\":\"java.net.SocketTimeoutException\",\"errorMessage\":\"Read timed out\",\"attempts\":8,\"failedAt\":\"2026-11-30T09:00:00Z\"}],\"nextCursor\":null}")))
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  public DeadLetterPage list(
      @Parameter(description = "only this job type, e.g. `feed.fanout`") @QueryParam("type")
          String type,
      @Parameter(description = ApiDocs.LIMIT) @QueryParam("limit") String limit,
      @Parameter(description = ApiDocs.CURSOR) @QueryParam("cursor") String cursor) {
    return pages.page(type, limit, cursor);
  }

  @POST
  @RolesAllowed(Scope.ADMIN)
  @Path("/replay")
  @Operation(
      summary = "Replay dead jobs",
      description =
          "Either `jobIds` (1-1,000) or a `type` with an optional `limit` (its oldest dead jobs). Each dead job is published again from its ledger row (`source: ledger`) with attempts reset and queued; the dead-letter queue is not read, so the cost follows the jobs chosen, and the workers drop the stale dead letters within a minute or two. A job that is not dead, or unknown, is skipped, so replaying twice runs a job once more at most.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.ADMIN)
  @RequestBody(
      content =
          @Content(
              mediaType = "application/json",
              examples =
                  @ExampleObject(
                      name = "request",
                      value = "{\"jobIds\":[\"0192f0c4-6c1e-7d3a-9a51-3c2b8e4f1a20\"]}")))
  @APIResponse(
      responseCode = "200",
      description = "What was replayed and what was skipped",
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = DeadLetterReplay.Result.class),
              examples =
                  @ExampleObject(
                      name = "200",
                      value =
                          "{\"replayed\":[{\"jobId\":\"0192f0c4-6c1e-7d3a-9a51-3c2b8e4f1a20\",\"type\":\"feed.fanout\",\"source\":\"ledger\"}],\"skipped\":[]}")))
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
  @APIResponse(responseCode = "415", ref = ApiDocs.NOT_JSON)
  @APIResponse(responseCode = "503", ref = ApiDocs.UNAVAILABLE)
  public DeadLetterReplay.Result replay(@NotNull ReplayRequest request) {
    DeadLetterReplay.Selection selection = selection(request);
    return audit.around(
        "dead-letters.replayed",
        selection.type() != null ? "type " + selection.type() : "jobs",
        () -> replay.replay(selection),
        result ->
            Map.of(
                "moved",
                result.replayed().stream().map(DeadLetterReplay.Replayed::jobId).toList(),
                "skipped",
                result.skipped()));
  }

  private DeadLetterReplay.Selection selection(ReplayRequest request) {
    int max = config.replay().maxJobs();
    if ((request.jobIds() == null) == (request.type() == null)) {
      throw ProblemException.badField(
          "jobIds", "give either jobIds or a type (with an optional limit)");
    }
    if (request.type() != null) {
      int limit = request.limit() == null ? max : request.limit();
      if (limit < 1 || limit > max) {
        throw ProblemException.badField("limit", "must be an integer from 1 to " + max);
      }
      return new DeadLetterReplay.Selection(null, DeadLetterPages.knownType(request.type()), limit);
    }
    if (request.limit() != null) {
      throw ProblemException.badField("limit", "goes with type, not with jobIds");
    }
    if (request.jobIds().isEmpty() || request.jobIds().size() > max) {
      throw ProblemException.badField("jobIds", "must hold 1 to " + max + " job ids");
    }
    Set<UUID> ids = new LinkedHashSet<>();
    for (int i = 0; i < request.jobIds().size(); i++) {
      String id = request.jobIds().get(i);
      ids.add(Ids.uuid("jobIds[" + i + "]", id == null ? "null" : id));
    }
    return new DeadLetterReplay.Selection(new ArrayList<>(ids), null, 0);
  }
}
