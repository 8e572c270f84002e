package io.pulse.api.jobs;

import io.pulse.api.auth.Scope;
import io.pulse.api.openapi.ApiDocs;
import io.pulse.api.problem.Problem;
import io.pulse.api.problem.ProblemException;
import io.pulse.common.jobs.Job;
import io.pulse.common.jobs.JobLedger;
import io.pulse.common.jobs.JobStatus;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
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
  private final JobLedger ledger;

  public JobResource(JobLedger ledger) {
    this.ledger = ledger;
  }

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

  @DELETE
  @Path("/{id}")
  @RolesAllowed(Scope.JOBS_WRITE)
  @Operation(
      summary = "Cancel a scheduled job",
      description =
          "A job accepted with `sendAt` (or a post with `publishAt`) is `scheduled` until it is due. Cancelling it answers `200` with the job, now `cancelled`: it is never published. Cancelling again answers the same. A job that is not scheduled (already published, running or finished) is `409`: no cancel can take that back. The cancel and the poller that publishes due jobs lock the same row, so exactly one of them wins.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.JOBS_WRITE)
  @APIResponse(
      responseCode = "200",
      description = "The job, cancelled",
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = JobView.class),
              examples =
                  @ExampleObject(
                      name = "200",
                      value =
                          "{\"id\":\"0192f0c4-6c1e-7d3a-9a51-3c2b8e4f1a20\",\"type\":\"notification.dispatch\",\"status\":\"cancelled\",\"attempts\":0,\"lastError\":null,\"nextAttemptAt\":null,\"createdAt\":\"2026-11-30T09:00:00Z\",\"updatedAt\":\"2026-11-30T09:05:00Z\",\"finishedAt\":\"2026-11-30T09:05:00Z\",\"sendAt\":\"2026-12-01T08:00:00Z\"}")))
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
  @APIResponse(responseCode = "409", ref = ApiDocs.NOT_CANCELLABLE)
  public JobView cancel(@PathParam("id") UUID jobId) {
    String id = jobId.toString();
    JobStatus status = ledger.cancel(jobId);
    if (status == null) {
      throw ProblemException.notFound("job " + id);
    }
    if (status != JobStatus.CANCELLED) {
      throw new ProblemException(
          Problem.of(
              409,
              "Conflict",
              "job-not-cancellable",
              "job "
                  + id
                  + " is "
                  + status.wire()
                  + ": only a scheduled job can be cancelled, before it is due"));
    }
    return JobView.of(Job.findById(jobId));
  }
}
