package io.pulse.api.admin;

import io.pulse.api.admin.BrokerManagement.QueueFigures;
import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.Topology;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Every job type's work and dead-letter queue and the retry tiers, as the management API samples
 * them: what the admin API's queue overview and the console's overview both show.
 */
@ApplicationScoped
public class QueueOverviews {
  private final BrokerManagement management;
  private final Topology topology;

  public QueueOverviews(BrokerManagement management, Topology topology) {
    this.management = management;
    this.topology = topology;
  }

  /**
   * The figures now; a figure is null for a queue the broker does not have.
   *
   * @throws io.pulse.api.problem.ProblemException 503 when no management URL answers
   */
  public QueueOverview now() {
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
