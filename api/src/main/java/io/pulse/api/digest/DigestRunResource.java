package io.pulse.api.digest;

import io.pulse.api.audit.AuditTrail;
import io.pulse.api.auth.Scope;
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

/**
 * An operator runs a digest period now: every user of that cadence gets a {@code digest.build} for
 * their current period, however long ago its send time was. Periods already enqueued (by the
 * scheduler or an earlier run) are not enqueued again, so running twice sends once.
 */
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

  public record RunRequest(@NotNull String period) {}

  @POST
  @RolesAllowed(Scope.ADMIN)
  public Response run(@Valid @NotNull RunRequest request) {
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
