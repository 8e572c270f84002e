package io.pulse.api.admin;

import io.pulse.api.auth.Scope;
import io.pulse.api.openapi.ApiDocs;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The queue overview: per job type its work queue and dead-letter queue, and the shared retry
 * tiers. A figure is null when the broker has not got that queue (or has not sampled it yet).
 */
@Tag(name = ApiDocs.ADMIN)
@Path("/api/v1/admin/queues")
@Produces(MediaType.APPLICATION_JSON)
public class QueueResource {

  private final QueueOverviews overviews;

  public QueueResource(QueueOverviews overviews) {
    this.overviews = overviews;
  }

  @GET
  @RolesAllowed(Scope.ADMIN)
  @Operation(
      summary = "See the queues",
      description =
          "Every job type's work queue and dead-letter depth, and the shared retry tiers, from the RabbitMQ management API (sampled every 5 s); a figure is `null` for a queue the broker does not have. Reads only.")
  @SecurityRequirement(name = ApiDocs.API_KEY, scopes = Scope.ADMIN)
  @APIResponse(
      responseCode = "200",
      description = "The queues",
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = QueueOverview.class),
              examples =
                  @ExampleObject(
                      name = "200",
                      value =
                          "{\"queues\":[{\"type\":\"notification.dispatch\",\"queue\":\"pulse.notification.dispatch\",\"ready\":0,\"unacked\":0,\"consumers\":4,\"deadLetterQueue\":\"pulse.notification.dispatch.dlq\",\"deadLetters\":0}],\"retryTiers\":[{\"queue\":\"pulse.retry.5s\",\"delay\":\"5s\",\"messages\":0}]}")))
  @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
  @APIResponse(responseCode = "403", ref = ApiDocs.FORBIDDEN)
  @APIResponse(responseCode = "503", ref = ApiDocs.UNAVAILABLE)
  public QueueOverview overview() {
    return overviews.now();
  }
}
