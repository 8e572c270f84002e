package io.pulse.api.notification;

import io.pulse.api.auth.Scope;
import io.pulse.api.openapi.ApiDocs;
import io.pulse.api.problem.ProblemException;
import io.pulse.common.jobs.Job;
import io.pulse.common.jobs.JobType;
import io.pulse.common.notification.Recalls;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Recall: withdraw notifications by their source, or one dispatch by its job id. The class path is
 * the same {@code /api/v1} as {@link NotificationResource}'s: JAX-RS picks the class by its path
 * first, and a longer one would take {@code POST /notifications} away from it.
 */
@Tag(name = ApiDocs.NOTIFICATIONS)
@Path("/api/v1")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class NotificationRecallResource {
  private static final String GUARANTEES =
      " Unread in-app items are removed (from the inbox and its unread count); read ones stay, marked `\"recalled\": true`. Email and webhook deliveries not yet sent end `skipped` with reason `recalled`; scheduled dispatches and deferred deliveries are cancelled; a digest not yet built leaves them out. A dispatch still running finishes first and is then withdrawn; one that runs later writes nothing. What was sent already stays sent. Recalling again answers `200` with `firstRecall: false`. Recorded in the audit trail.";
  private static final String EXAMPLE =
      "{\"target\":\"source:post:9\",\"firstRecall\":true,\"inAppRemoved\":41,\"inAppMarkedRecalled\":2,\"deliveriesSkipped\":12,\"scheduledCancelled\":0}";

  private final NotificationRecaller recaller;

  public NotificationRecallResource(NotificationRecaller recaller) {
    this.recaller = recaller;
  }

  @POST
  @Path("/notifications/recall")
  @RolesAllowed(Scope.JOBS_WRITE)
  @Operation(
      summary = "Recall notifications by source",
      description =
          "Withdraws every notification sent, being sent or to be sent with this `source` (1-200 visible ASCII, e.g. `post:9`), and every later one: the recall is kept, so a notification with a recalled source is accepted but writes nothing."
              + GUARANTEES)
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.JOBS_WRITE)
  @RequestBody(
      content =
          @Content(
              mediaType = "application/json",
              examples = @ExampleObject(name = "request", value = "{\"source\":\"post:9\"}")))
  @APIResponse(
      responseCode = "200",
      description = "What the recall withdrew",
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = RecallResult.class),
              examples = @ExampleObject(name = "200", value = EXAMPLE)))
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
  @APIResponse(responseCode = "415", ref = ApiDocs.NOT_JSON)
  @APIResponse(responseCode = "503", ref = ApiDocs.UNAVAILABLE)
  public RecallResult recallSource(@Valid @NotNull RecallRequest request) {
    return recaller.recall(Recalls.Target.source(request.source()));
  }

  @DELETE
  @Path("/notifications/{jobId}")
  @RolesAllowed(Scope.JOBS_WRITE)
  @Operation(
      summary = "Recall one notification",
      description =
          "Withdraws the notification of one `notification.dispatch` job (the `jobId` its `POST /notifications` answered), whatever its state: scheduled, queued, running or done."
              + GUARANTEES)
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.JOBS_WRITE)
  @APIResponse(
      responseCode = "200",
      description = "What the recall withdrew",
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = RecallResult.class),
              examples =
                  @ExampleObject(
                      name = "200",
                      value =
                          "{\"target\":\"job:0192f0c4-6c1e-7d3a-9a51-3c2b8e4f1a20\",\"firstRecall\":true,\"inAppRemoved\":1,\"inAppMarkedRecalled\":0,\"deliveriesSkipped\":1,\"scheduledCancelled\":0}")))
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
  @APIResponse(responseCode = "503", ref = ApiDocs.UNAVAILABLE)
  public RecallResult recallDispatch(@PathParam("jobId") UUID jobId) {
    Job job = Job.findById(jobId);
    if (job == null || !JobType.NOTIFICATION_DISPATCH.equals(job.type)) {
      throw ProblemException.notFound("notification job " + jobId);
    }
    return recaller.recall(Recalls.Target.dispatch(jobId));
  }
}
