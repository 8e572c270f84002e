package io.pulse.api.digest;

import io.pulse.api.audit.AuditTrail;
import io.pulse.api.auth.Scope;
import io.pulse.api.openapi.ApiDocs;
import io.pulse.api.problem.ProblemException;
import io.pulse.common.digest.DigestPeriod;
import io.pulse.common.digest.DigestPlanner;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * An operator runs a digest period now: every user of that cadence gets a {@code digest.build} for
 * their current period, however long ago its send time was. Periods already enqueued (by the
 * scheduler or an earlier run) are not enqueued again, so running twice sends once.
 */
@Tag(name = ApiDocs.DIGESTS)
@Path("/api/v1/admin/digests/runs")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class DigestRunResource {
  private final DigestPlanner planner;
  private final AuditTrail audit;

  public DigestRunResource(DigestPlanner planner, AuditTrail audit) {
    this.planner = planner;
    this.audit = audit;
  }

  @POST
  @RolesAllowed(Scope.ADMIN)
  @Operation(
      summary = "Run a digest period now",
      description =
          "Plans every user of that cadence for their current period now, however long ago its send time was: one `digest.build` job per user. A period already enqueued (by the scheduler or an earlier run) is not enqueued again, so running twice sends once (`jobsEnqueued: 0`).")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.ADMIN)
  @RequestBody(
      content =
          @Content(
              mediaType = "application/json",
              examples = @ExampleObject(name = "request", value = "{\"period\":\"daily\"}")))
  @APIResponse(
      responseCode = "202",
      description = "Planned; the jobs are enqueued",
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = DigestPlanner.Plan.class),
              examples =
                  @ExampleObject(
                      name = "202",
                      value =
                          "{\"period\":\"daily\",\"at\":\"2026-11-30T09:00:00Z\",\"usersScanned\":1200,\"jobsEnqueued\":1180}")))
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
  @APIResponse(responseCode = "415", ref = ApiDocs.NOT_JSON)
  public Response run(@Valid @NotNull DigestRunRequest request) {
    DigestPeriod period;
    try {
      period = DigestPeriod.of(request.period());
    } catch (IllegalArgumentException e) {
      throw ProblemException.badField("period", "must be 'daily' or 'weekly'");
    }
    DigestPlanner.Plan plan =
        audit.around(
            "digest.run",
            request.period(),
            () -> planner.runNow(period, Instant.now()),
            done ->
                Map.of("usersScanned", done.usersScanned(), "jobsEnqueued", done.jobsEnqueued()));
    return Response.accepted(plan).build();
  }
}
