package io.pulse.api.jobs;

import io.pulse.api.auth.Scope;
import io.pulse.api.problem.ProblemException;
import io.pulse.common.jobs.Job;
import jakarta.annotation.security.RolesAllowed;
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

  public record JobView(
      UUID id,
      String type,
      String status,
      int attempts,
      String lastError,
      OffsetDateTime nextAttemptAt,
      OffsetDateTime createdAt,
      OffsetDateTime updatedAt,
      OffsetDateTime finishedAt) {
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
          job.finishedAt);
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
}
