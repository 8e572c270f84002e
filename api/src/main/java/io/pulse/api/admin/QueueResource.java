package io.pulse.api.admin;

import io.pulse.api.admin.BrokerManagement.QueueFigures;
import io.pulse.api.auth.Scope;
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

/**
 * The queue overview: per job type its work queue and dead-letter queue, and the shared retry
 * tiers. A figure is null when the broker has not got that queue (or has not sampled it yet).
 */
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
