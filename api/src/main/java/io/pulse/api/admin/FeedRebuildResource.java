package io.pulse.api.admin;

import io.pulse.api.audit.AuditTrail;
import io.pulse.api.auth.Scope;
import io.pulse.api.jobs.EnqueueRequestHeaders;
import io.pulse.api.jobs.Ids;
import io.pulse.api.jobs.JobAccepted;
import io.pulse.common.feed.FeedPayloads;
import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobType;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/**
 * An operator rebuilds one user's home feed from scratch ({@code feed.rebuild}). Any positive id
 * will do: a member need not be a user row, and a user in no community ends with an empty feed.
 */
@Path("/api/v1/admin/feeds/{userId}/rebuild")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Scope.ADMIN)
public class FeedRebuildResource {
  private final JobEnqueuer enqueuer;
  private final AuditTrail audit;

  public FeedRebuildResource(JobEnqueuer enqueuer, AuditTrail audit) {
    this.enqueuer = enqueuer;
    this.audit = audit;
  }

  @POST
  @Parameter(in = ParameterIn.HEADER, name = "Idempotency-Key", description = "1-200 visible ASCII")
  public Response rebuild(
      @PathParam("userId") String user,
      @Context HttpHeaders headers,
      @HeaderParam("traceparent") String traceparent) {
    long userId = Ids.positive("userId", user);
    String key = EnqueueRequestHeaders.idempotencyKey(headers, "admin/feeds/rebuild");
    return JobAccepted.response(
        audit.around(
            "feed.rebuild",
            "user " + userId,
            () ->
                enqueuer.enqueue(
                    JobType.FEED_REBUILD,
                    new FeedPayloads.Rebuild(userId),
                    key,
                    EnqueueRequestHeaders.traceparent(traceparent)),
            done -> Map.of("jobId", done.jobId().toString(), "created", done.created())));
  }
}
