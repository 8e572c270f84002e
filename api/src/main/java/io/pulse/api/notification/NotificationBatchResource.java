package io.pulse.api.notification;

import io.pulse.api.auth.Scope;
import io.pulse.api.jobs.EnqueueRequestHeaders;
import io.pulse.api.limits.JobQuota;
import io.pulse.api.openapi.ApiDocs;
import io.pulse.common.jobs.BatchEnqueuer;
import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobType;
import io.pulse.common.notification.NotificationDispatch;
import io.pulse.common.tracing.Traceparent;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code POST /notifications/batch}: up to 1,000 notifications in one request, one job each,
 * accepted all together or not at all. An {@code Idempotency-Key} covers the batch as sent (see
 * {@link BatchEnqueuer}): retrying the same batch creates nothing twice, and the same key with
 * another batch is refused whole.
 */
@Tag(name = ApiDocs.NOTIFICATIONS)
@Path("/api/v1/notifications/batch")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class NotificationBatchResource {
  static final int MAX_ITEMS = 1_000;

  private final BatchEnqueuer batches;
  private final JobQuota quota;
  private final DispatchRequests dispatches;

  public NotificationBatchResource(
      BatchEnqueuer batches, DispatchRequests dispatches, JobQuota quota) {
    this.quota = quota;
    this.batches = batches;
    this.dispatches = dispatches;
  }

  @POST
  @RolesAllowed(Scope.JOBS_WRITE)
  @Parameter(in = ParameterIn.HEADER, name = "Idempotency-Key", description = "1-200 visible ASCII")
  @Operation(
      summary = "Notify in a batch",
      description =
          "A JSON array of 1-1,000 notification bodies: one `notification.dispatch` job each, all written in one transaction and published in one confirmed batch, so all are accepted or none (a bad item is `400` naming `[i].field`). `202` once every job is recorded and confirmed; jobs are listed in request order. An `Idempotency-Key` covers the batch as sent: a repeat answers `200` with the same jobs, and the key with an item added, removed or changed is `422` with nothing written.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.JOBS_WRITE)
  @RequestBody(
      content =
          @Content(
              mediaType = "application/json",
              examples =
                  @ExampleObject(
                      name = "request",
                      value =
                          "[{\"type\":\"comment.reply\",\"recipientIds\":[42],\"title\":\"New reply\",\"body\":\"Nice post\",\"link\":\"/posts/9\",\"actorId\":5}]")))
  @APIResponse(
      responseCode = "202",
      description = "Accepted: every job recorded and confirmed",
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = BatchAccepted.class),
              examples =
                  @ExampleObject(
                      name = "202",
                      value =
                          "{\"jobs\":[{\"jobId\":\"0192f0c4-6c1e-7d3a-9a51-3c2b8e4f1a20\",\"created\":true}]}")))
  @APIResponse(
      responseCode = "200",
      description = "A repeat of the Idempotency-Key: the first jobs, nothing enqueued",
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = BatchAccepted.class),
              examples =
                  @ExampleObject(
                      name = "200",
                      value =
                          "{\"jobs\":[{\"jobId\":\"0192f0c4-6c1e-7d3a-9a51-3c2b8e4f1a20\",\"created\":false}]}")))
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
  @APIResponse(responseCode = "415", ref = ApiDocs.NOT_JSON)
  @APIResponse(responseCode = "422", ref = ApiDocs.KEY_REUSED)
  @APIResponse(responseCode = "503", ref = ApiDocs.UNAVAILABLE)
  public Response notifyAll(
      @Valid @NotNull @NotEmpty @Size(max = MAX_ITEMS)
          List<@Valid @NotNull NotificationRequest> body,
      @Context HttpHeaders headers) {
    String key = EnqueueRequestHeaders.idempotencyKey(headers, "notifications/batch");
    List<NotificationDispatch> dispatched = new ArrayList<>(body.size());
    for (int i = 0; i < body.size(); i++) {
      dispatched.add(dispatches.dispatch(body.get(i), "[" + i + "]."));
    }
    // Each item is a job: a batch takes its size from the daily quota.
    quota.take(dispatched.size());
    List<JobEnqueuer.Enqueued> enqueued =
        batches.enqueue(
            JobType.NOTIFICATION_DISPATCH,
            dispatched,
            body.stream().map(NotificationRequest::sendInstant).toList(),
            key,
            Traceparent.ofCurrentSpan());
    boolean anyNew = enqueued.stream().anyMatch(JobEnqueuer.Enqueued::created);
    return Response.status(anyNew ? Response.Status.ACCEPTED : Response.Status.OK)
        .entity(
            new BatchAccepted(
                enqueued.stream().map(e -> new BatchJob(e.jobId(), e.created())).toList()))
        .build();
  }
}
