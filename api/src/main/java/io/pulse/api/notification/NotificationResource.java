package io.pulse.api.notification;

import io.pulse.api.auth.Scope;
import io.pulse.api.jobs.EnqueueRequestHeaders;
import io.pulse.api.jobs.JobAccepted;
import io.pulse.api.jobs.KeysetPage;
import io.pulse.api.jobs.QueryParams;
import io.pulse.api.limits.JobQuota;
import io.pulse.api.openapi.ApiDocs;
import io.pulse.api.problem.ProblemException;
import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobType;
import io.pulse.common.notification.NotificationDispatch;
import io.pulse.common.tracing.Traceparent;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
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

@Tag(name = ApiDocs.NOTIFICATIONS)
@Path("/api/v1")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class NotificationResource {

  private final JobEnqueuer enqueuer;
  private final JobQuota quota;
  private final DispatchRequests dispatches;
  private final InboxReads reads;

  public NotificationResource(
      JobEnqueuer enqueuer, DispatchRequests dispatches, JobQuota quota, InboxReads reads) {
    this.reads = reads;
    this.quota = quota;
    this.enqueuer = enqueuer;
    this.dispatches = dispatches;
  }

  @POST
  @Path("/notifications")
  @RolesAllowed(Scope.JOBS_WRITE)
  @Parameter(in = ParameterIn.HEADER, name = "Idempotency-Key", description = "1-200 visible ASCII")
  @Operation(
      summary = "Notify users",
      description =
          "Enqueues one `notification.dispatch` job for up to 10,000 recipients; each gets it on the channels their preferences choose for the type (in-app, email, webhook). `202` once the job's ledger row is committed and the broker has confirmed the message; `Location` points at the job. A `503` (broker or database away) is safe to retry: a row already written is published by the sweeper, and a retry with the same `Idempotency-Key` returns that job rather than a second one. With an `Idempotency-Key` (1-200 visible ASCII) a repeat with the same body answers `200` with the first job and enqueues nothing; the same key with another body is `422`.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.JOBS_WRITE)
  @RequestBody(
      content =
          @Content(
              mediaType = "application/json",
              examples =
                  @ExampleObject(
                      name = "request",
                      value =
                          "{\"type\":\"comment.reply\",\"recipientIds\":[42],\"title\":\"New reply\",\"body\":\"Nice post\",\"link\":\"/posts/9\",\"actorId\":5,\"source\":\"post:9\"}")))
  @APIResponse(responseCode = "202", ref = ApiDocs.JOB_ACCEPTED)
  @APIResponse(responseCode = "200", ref = ApiDocs.JOB_REPEATED)
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
  @APIResponse(responseCode = "415", ref = ApiDocs.NOT_JSON)
  @APIResponse(responseCode = "422", ref = ApiDocs.KEY_REUSED)
  @APIResponse(responseCode = "503", ref = ApiDocs.UNAVAILABLE)
  public Response notify(
      @Valid @NotNull NotificationRequest request, @Context HttpHeaders headers) {
    NotificationDispatch dispatch = dispatches.dispatch(request, "");
    quota.take(1);
    JobEnqueuer.Enqueued enqueued =
        enqueuer.enqueue(
            JobType.NOTIFICATION_DISPATCH,
            dispatch,
            EnqueueRequestHeaders.idempotencyKey(headers, "notifications"),
            Traceparent.ofCurrentSpan(),
            request.sendInstant());
    return JobAccepted.response(enqueued);
  }

  @GET
  @Path("/users/{id}/notifications")
  @RolesAllowed(Scope.READ)
  @Operation(
      summary = "Read a user's inbox",
      description =
          "Newest first, keyset-paged; a recalled notification the user had read stays, with `recalled: true` (unread ones are removed by the recall); (`limit` 1-100, default 20): pass `nextCursor` back as `cursor`; notifications arriving meanwhile never make a page skip or repeat one. Reads only.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.READ)
  @APIResponse(
      responseCode = "200",
      description = "One page of the inbox",
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = Inbox.class),
              examples =
                  @ExampleObject(
                      name = "200",
                      value =
                          "{\"items\":[{\"id\":\"981\",\"type\":\"comment.reply\",\"title\":\"New reply\",\"body\":\"Nice post\",\"link\":\"/posts/9\",\"actorId\":5,\"createdAt\":\"2026-11-30T09:00:00Z\",\"read\":false,\"source\":\"post:9\",\"recalled\":false}],\"nextCursor\":null}")))
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  public Inbox inbox(
      @PathParam("id") long userId,
      @Parameter(description = "`true` for unread ones only") @QueryParam("unreadOnly")
          String unreadOnly,
      @Parameter(description = ApiDocs.LIMIT) @QueryParam("limit") String limit,
      @Parameter(description = ApiDocs.CURSOR) @QueryParam("cursor") String cursor) {
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
  @Operation(
      summary = "Mark notifications read",
      description =
          "Either the ids given or `\"all\": true`. Idempotent: marking read ones again changes nothing, and `marked` counts the ones this call changed. Enqueues nothing; the user's live streams get a `notification.read` event with the new unread count.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.JOBS_WRITE)
  @RequestBody(
      content =
          @Content(
              mediaType = "application/json",
              examples = @ExampleObject(name = "request", value = "{\"ids\":[981,982]}")))
  @APIResponse(
      responseCode = "200",
      description = "How many were marked",
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = ReadResult.class),
              examples = @ExampleObject(name = "200", value = "{\"marked\":2}")))
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
  @APIResponse(responseCode = "415", ref = ApiDocs.NOT_JSON)
  public ReadResult markRead(@PathParam("id") long userId, @Valid @NotNull ReadRequest request) {
    boolean all = Boolean.TRUE.equals(request.all());
    if (all == (request.ids() != null)) {
      throw ProblemException.badField("ids", "give either ids or \"all\": true");
    }
    return new ReadResult(reads.markRead(userId, all ? null : request.ids()));
  }
}
