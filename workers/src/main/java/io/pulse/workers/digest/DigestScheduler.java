package io.pulse.workers.digest;

import io.pulse.common.digest.DigestPeriod;
import io.pulse.common.digest.DigestPlanner;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The digest tick. It runs on every worker node: the planner's (user, period start) keys make two
 * nodes ticking at once enqueue each digest once, so no leader election is needed. A tick that is
 * still paging when the next one is due makes that one skip.
 */
@ApplicationScoped
public class DigestScheduler {
  private static final Logger LOG = Logger.getLogger(DigestScheduler.class);

  private final DigestPlanner planner;

  public DigestScheduler(DigestPlanner planner) {
    this.planner = planner;
  }

  @Scheduled(
      identity = "digest-tick",
      cron = "${pulse.digests.cron}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void scheduledTick() {
    tick(Instant.now());
  }

  /** Plans every cadence as of {@code now}; a failing cadence does not stop the other. */
  public List<DigestPlanner.Plan> tick(Instant now) {
    List<DigestPlanner.Plan> plans = new ArrayList<>();
    for (DigestPeriod period : DigestPeriod.values()) {
      try {
        plans.add(planner.tick(period, now));
      } catch (RuntimeException e) {
        // The next tick retries: a period stays due for the whole catch-up window.
        LOG.warnf(e, "digest tick for %s digests failed, the next tick retries", period.key());
      }
    }
    return plans;
  }
}
