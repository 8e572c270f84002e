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
import java.util.UUID;

@Path("/api/v1/jobs")
@Produces(MediaType.APPLICATION_JSON)
public class JobResource {

  @GET
  @Path("/{id}")
  @RolesAllowed(Scope.READ)
  public JobView get(@PathParam("id") UUID id) {
    Job job = Job.findById(id);
    if (job == null) {
      throw ProblemException.notFound("job " + id);
    }
    return JobView.of(job);
  }
}
