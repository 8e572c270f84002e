package io.pulse.api.jobs;

import io.pulse.api.auth.Scope;
import io.pulse.api.openapi.ApiDocs;
import io.pulse.api.problem.ProblemException;
import io.pulse.common.jobs.Job;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Tag(name = ApiDocs.JOBS)
@Path("/api/v1/jobs")
@Produces(MediaType.APPLICATION_JSON)
public class JobResource {

  @GET
  @Path("/{id}")
  @RolesAllowed(Scope.READ)
  @Operation(
      summary = "Follow a job",
      description =
          "The job's ledger row: its status (`queued`, `running`, `retrying`, `succeeded`, `dead`), attempts, last error and next attempt. Every `202` names its job in `Location`. Reads only.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.READ)
  @APIResponse(
      responseCode = "200",
      description = "The job",
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = JobView.class),
              examples =
                  @ExampleObject(
                      name = "200",
                      value =
                          "{\"id\":\"0192f0c4-6c1e-7d3a-9a51-3c2b8e4f1a20\",\"type\":\"notification.dispatch\",\"status\":\"succeeded\",\"attempts\":1,\"lastError\":null,\"nextAttemptAt\":null,\"createdAt\":\"2026-11-30T09:00:00Z\",\"updatedAt\":\"2026-11-30T09:00:00.120Z\",\"finishedAt\":\"2026-11-30T09:00:00.120Z\"}")))
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
  public JobView get(@PathParam("id") UUID id) {
    Job job = Job.findById(id);
    if (job == null) {
      throw ProblemException.notFound("job " + id);
    }
    return JobView.of(job);
  }
}
