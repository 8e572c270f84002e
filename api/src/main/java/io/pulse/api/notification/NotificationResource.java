package io.pulse.api.notification;

import io.pulse.api.auth.Scope;
import io.pulse.api.jobs.EnqueueRequestHeaders;
import io.pulse.api.jobs.Ids;
import io.pulse.api.jobs.JobAccepted;
import io.pulse.api.jobs.KeysetPage;
import io.pulse.api.jobs.QueryParams;
import io.pulse.api.limits.JobQuota;
import io.pulse.api.problem.ProblemException;
import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobType;
import io.pulse.common.notification.NotificationDispatch;
import jakarta.annotation.security.RolesAllowed;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.OffsetDateTime;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

@Path("/api/v1")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class NotificationResource {

  private final JobEnqueuer enqueuer;
  private final JobQuota quota;
  private final DispatchRequests dispatches;

  public NotificationResource(JobEnqueuer enqueuer, DispatchRequests dispatches, JobQuota quota) {
    this.quota = quota;
    this.enqueuer = enqueuer;
    this.dispatches = dispatches;
  }

  public record NotificationView(
      String id,
      String type,
      String title,
      String body,
      String link,
      Long actorId,
      OffsetDateTime createdAt,
      boolean read) {
    static NotificationView of(Notification n) {
      return new NotificationView(
          Long.toString(n.id),
          n.type,
          n.title,
          n.body,
          n.link,
          n.actorId,
          n.createdAt,
          n.readAt != null);
    }
  }

  public record Inbox(List<NotificationView> items, String nextCursor) {}

  /** Either the ids to mark read, or {@code "all": true}. */
  public record ReadRequest(@Size(max = 1_000) List<@NotNull @Positive Long> ids, Boolean all) {}

  public record ReadResult(int marked) {}

  @POST
  @Path("/notifications")
  @RolesAllowed(Scope.JOBS_WRITE)
  @Parameter(in = ParameterIn.HEADER, name = "Idempotency-Key", description = "1-200 visible ASCII")
  public Response notify(
      @Valid @NotNull NotificationRequest request,
      @Context HttpHeaders headers,
      @HeaderParam("traceparent") String traceparent) {
    NotificationDispatch dispatch = dispatches.dispatch(request, "");
    quota.take(1);
    JobEnqueuer.Enqueued enqueued =
        enqueuer.enqueue(
            JobType.NOTIFICATION_DISPATCH,
            dispatch,
            EnqueueRequestHeaders.idempotencyKey(headers, "notifications"),
            EnqueueRequestHeaders.traceparent(traceparent));
    return JobAccepted.response(enqueued);
  }

  @GET
  @Path("/users/{id}/notifications")
  @RolesAllowed(Scope.READ)
  public Inbox inbox(
      @PathParam("id") String id,
      @QueryParam("unreadOnly") String unreadOnly,
      @QueryParam("limit") String limit,
      @QueryParam("cursor") String cursor) {
    long userId = Ids.positive("id", id);
    int size = QueryParams.limit(limit);
    KeysetPage<Notification> page =
        KeysetPage.of(
            Notification.page(
                userId,
                InboxCursor.decode(cursor),
                QueryParams.bool("unreadOnly", unreadOnly),
                KeysetPage.fetch(size)),
            size);
    return new Inbox(page.map(NotificationView::of), page.next(n -> InboxCursor.encode(n.id)));
  }

  @POST
  @Path("/users/{id}/notifications/read")
  @RolesAllowed(Scope.JOBS_WRITE)
  @Transactional
  public ReadResult markRead(@PathParam("id") String id, @Valid @NotNull ReadRequest request) {
    long userId = Ids.positive("id", id);
    boolean all = Boolean.TRUE.equals(request.all());
    if (all == (request.ids() != null)) {
      throw ProblemException.badField("ids", "give either ids or \"all\": true");
    }
    return new ReadResult(Notification.markRead(userId, all ? null : request.ids()));
  }
}
