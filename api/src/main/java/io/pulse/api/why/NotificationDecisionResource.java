package io.pulse.api.why;

import io.pulse.api.auth.Scope;
import io.pulse.api.openapi.ApiDocs;
import jakarta.annotation.security.RolesAllowed;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * "Why didn't I get this?": for support and operators, every channel's decision for one
 * notification (its dispatch job) and one recipient.
 */
@Tag(name = ApiDocs.ADMIN)
@Path("/api/v1/admin/users/{id}/notifications/{jobId}")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Scope.ADMIN)
public class NotificationDecisionResource {
  private final DecisionReader reader;

  public NotificationDecisionResource(DecisionReader reader) {
    this.reader = reader;
  }

  @GET
  @Transactional(Transactional.TxType.SUPPORTS)
  @Operation(
      summary = "Why a user got a notification, or did not",
      description =
          "For one `notification.dispatch` job (the `jobId` that `POST /notifications` answered) and one of its recipients: each channel the dispatch decided on, with the decision and when. `sent` (`providerId`: the email's Message-ID, the webhook receiver's request id; `itemId` for the inbox), `skipped` with a `reason`: `preference` (the user's channels, or the type's defaults, leave it out), `no_address` (no email), `no_subscription` (no push subscription), `quiet_hours` (waits until `deferredUntil`), `budget` (over the user's daily budget; listed in the next digest), `read` (read in the app before an escalation was due), `recalled`, `grouped` (folded into the inbox item `groupedInto`, whose email already went out); `retrying` (`error`, `nextAttemptAt`), `dead` (`error`), or `pending` (not run yet). Read from the jobs ledger and the deliveries only: one row per recipient and channel. `channels` is empty until the dispatch has run (`dispatch` shows its ledger status). `404` when the job is not a notification dispatch or the user was not one of its recipients. Reads only.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.ADMIN)
  @APIResponse(
      responseCode = "200",
      description = "Each channel's decision",
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = NotificationDecisions.class),
              examples = {
                @ExampleObject(
                    name = "sent",
                    value =
                        "{\"userId\":42,\"jobId\":\"0192f0c4-6c1e-7d3a-9a51-3c2b8e4f1a20\",\"type\":\"comment.reply\",\"dispatch\":\"succeeded\",\"channels\":[{\"channel\":\"in_app\",\"decision\":\"sent\",\"at\":\"2026-11-30T09:00:00Z\",\"itemId\":\"981\"},{\"channel\":\"email\",\"decision\":\"sent\",\"at\":\"2026-11-30T09:00:01Z\",\"providerId\":\"<5f0c2a4e-8d1b-3f6a-9c2e-7b4d1a0e9f31@pulse.jobs>\",\"attempts\":1}]}"),
                @ExampleObject(
                    name = "skipped",
                    value =
                        "{\"userId\":42,\"jobId\":\"0192f0c4-6c1e-7d3a-9a51-3c2b8e4f1a20\",\"type\":\"comment.reply\",\"dispatch\":\"succeeded\",\"channels\":[{\"channel\":\"in_app\",\"decision\":\"skipped\",\"reason\":\"grouped\",\"at\":\"2026-11-30T09:00:00Z\",\"groupedInto\":{\"itemId\":\"990\",\"jobId\":\"0192f0c1-0a2b-7c3d-8e4f-5a6b7c8d9e0f\"}},{\"channel\":\"email\",\"decision\":\"skipped\",\"reason\":\"budget\",\"at\":\"2026-11-30T09:00:01Z\"},{\"channel\":\"webhook\",\"decision\":\"retrying\",\"at\":\"2026-11-30T09:00:02Z\",\"error\":\"HTTP 503 from receiver\",\"nextAttemptAt\":\"2026-11-30T09:00:07Z\",\"attempts\":1}]}"),
                @ExampleObject(
                    name = "quiet hours",
                    value =
                        "{\"userId\":42,\"jobId\":\"0192f0c4-6c1e-7d3a-9a51-3c2b8e4f1a20\",\"type\":\"comment.reply\",\"dispatch\":\"succeeded\",\"channels\":[{\"channel\":\"in_app\",\"decision\":\"sent\",\"at\":\"2026-11-30T13:30:00Z\",\"itemId\":\"981\"},{\"channel\":\"email\",\"decision\":\"skipped\",\"reason\":\"quiet_hours\",\"at\":\"2026-11-30T13:30:00Z\",\"deferredUntil\":\"2026-11-30T22:00:00Z\"}]}")
              }))
  @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "404", ref = ApiDocs.NOT_FOUND)
  public NotificationDecisions why(@PathParam("id") long userId, @PathParam("jobId") UUID jobId) {
    return reader.read(userId, jobId);
  }
}
