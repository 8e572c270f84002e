package io.pulse.api.admin;

import io.pulse.api.audit.AuditTrail;
import io.pulse.api.auth.Scope;
import io.pulse.api.jobs.EnqueueRequestHeaders;
import io.pulse.api.jobs.JobAccepted;
import io.pulse.api.openapi.ApiDocs;
import io.pulse.common.feed.FeedPayloads;
import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobType;
import io.pulse.common.tracing.Traceparent;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * An operator rebuilds one user's home feed from scratch ({@code feed.rebuild}). Any positive id
 * will do: a member need not be a user row, and a user in no community ends with an empty feed.
 */
@Tag(name = ApiDocs.ADMIN)
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
  @Operation(
      summary = "Rebuild a user's feed",
      description =
          "Enqueues `feed.rebuild`: the user's feed entries are deleted, then refilled with the recent live posts of all their communities. `202` once the job's ledger row is committed and the broker has confirmed the message; `Location` points at the job. A `503` (broker or database away) is safe to retry: a row already written is published by the sweeper, and a retry with the same `Idempotency-Key` returns that job rather than a second one. With an `Idempotency-Key` (1-200 visible ASCII) a repeat with the same body answers `200` with the first job and enqueues nothing; the same key with another body is `422`.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.ADMIN)
  @APIResponse(responseCode = "202", ref = ApiDocs.JOB_ACCEPTED)
  @APIResponse(responseCode = "200", ref = ApiDocs.JOB_REPEATED)
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "422", ref = ApiDocs.KEY_REUSED)
  @APIResponse(responseCode = "503", ref = ApiDocs.UNAVAILABLE)
  public Response rebuild(@PathParam("userId") long userId, @Context HttpHeaders headers) {
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
                    Traceparent.ofCurrentSpan()),
            done -> Map.of("jobId", done.jobId().toString(), "created", done.created())));
  }
}
