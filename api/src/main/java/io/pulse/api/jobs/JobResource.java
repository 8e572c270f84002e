package io.pulse.api.jobs;

import io.pulse.api.auth.Scope;
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
import java.time.OffsetDateTime;
import java.util.UUID;

@Path("/api/v1/jobs")
@Produces(MediaType.APPLICATION_JSON)
public class JobResource {
  private final JobLedger ledger;

  public JobResource(JobLedger ledger) {
    this.ledger = ledger;
  }

  public record JobView(
      UUID id,
      String type,
      String status,
      int attempts,
      String lastError,
      OffsetDateTime nextAttemptAt,
      OffsetDateTime createdAt,
      OffsetDateTime updatedAt,
      OffsetDateTime finishedAt,
      OffsetDateTime sendAt) {
    static JobView of(Job job) {
      return new JobView(
          job.id,
          job.type,
          job.status,
          job.attempts,
          job.lastError,
          job.nextAttemptAt,
          job.createdAt,
          job.updatedAt,
          job.finishedAt,
          job.sendAt);
    }
  }

  @GET
  @Path("/{id}")
  @RolesAllowed(Scope.READ)
  public JobView get(@PathParam("id") String id) {
    Job job = Job.findById(Ids.uuid("id", id));
    if (job == null) {
      throw ProblemException.notFound("job " + id);
    }
    return JobView.of(job);
  }

  /**
   * Cancels a scheduled job: 200 with the job, now {@code cancelled} (also when it was cancelled
   * before: a repeat is the same as the first). A job the poller already published, or one that
   * never was scheduled, is 409: it may be running or done, and no cancel can take that back.
   */
  @DELETE
  @Path("/{id}")
  @RolesAllowed(Scope.JOBS_WRITE)
  public JobView cancel(@PathParam("id") String id) {
    UUID jobId = Ids.uuid("id", id);
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
