package io.pulse.api.notification;

import io.pulse.api.auth.Scope;
import io.pulse.api.jobs.EnqueueRequestHeaders;
import io.pulse.api.limits.JobQuota;
import io.pulse.common.jobs.BatchEnqueuer;
import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobType;
import io.pulse.common.notification.NotificationDispatch;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/**
 * {@code POST /notifications/batch}: up to 1,000 notifications in one request, one job each,
 * accepted all together or not at all. An {@code Idempotency-Key} covers the batch as sent (see
 * {@link BatchEnqueuer}): retrying the same batch creates nothing twice, and the same key with
 * another batch is refused whole.
 */
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

  public record BatchJob(UUID jobId, boolean created) {}

  public record BatchAccepted(List<BatchJob> jobs) {}

  @POST
  @RolesAllowed(Scope.JOBS_WRITE)
  @Parameter(in = ParameterIn.HEADER, name = "Idempotency-Key", description = "1-200 visible ASCII")
  public Response notifyAll(
      @Valid @NotNull @NotEmpty @Size(max = MAX_ITEMS)
          List<@Valid @NotNull NotificationRequest> body,
      @Context HttpHeaders headers,
      @HeaderParam("traceparent") String traceparent) {
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
            key,
            EnqueueRequestHeaders.traceparent(traceparent));
    boolean anyNew = enqueued.stream().anyMatch(JobEnqueuer.Enqueued::created);
    return Response.status(anyNew ? Response.Status.ACCEPTED : Response.Status.OK)
        .entity(
            new BatchAccepted(
                enqueued.stream().map(e -> new BatchJob(e.jobId(), e.created())).toList()))
        .build();
  }
}
