package io.pulse.api.admin;

import io.pulse.api.admin.BrokerManagement.QueueFigures;
import io.pulse.api.auth.Scope;
import io.pulse.api.openapi.ApiDocs;
import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.Topology;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

  private final BrokerManagement management;
  private final Topology topology;

  public QueueResource(BrokerManagement management, Topology topology) {
    this.management = management;
    this.topology = topology;
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
    Map<String, QueueFigures> figures = management.queues();
    List<WorkQueue> queues = JobType.ALL.stream().map(type -> workQueue(type, figures)).toList();
    List<RetryTier> tiers =
        topology.retryTiers().stream().map(tier -> retryTier(tier, figures)).toList();
    return new QueueOverview(queues, tiers);
  }

  private static WorkQueue workQueue(String type, Map<String, QueueFigures> figures) {
    String work = Topology.workQueue(type);
    String dead = Topology.deadLetterQueue(type);
    QueueFigures w = figures.get(work);
    QueueFigures d = figures.get(dead);
    return new WorkQueue(
        type,
        work,
        w == null ? null : w.ready(),
        w == null ? null : w.unacked(),
        w == null ? null : w.consumers(),
        dead,
        d == null ? null : d.messages());
  }

  private static RetryTier retryTier(Duration tier, Map<String, QueueFigures> figures) {
    String queue = Topology.retryQueue(tier);
    QueueFigures f = figures.get(queue);
    return new RetryTier(queue, Topology.tierName(tier), f == null ? null : f.messages());
  }
}
