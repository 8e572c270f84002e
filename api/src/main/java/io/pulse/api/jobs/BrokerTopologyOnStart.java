package io.pulse.api.jobs;

import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.ConfirmingPublisher;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Declares the topology as soon as the API starts, so a job accepted before any worker ever ran
 * still has a queue to land in. A broker that is down now is not fatal: the API answers 503 and
 * declares on its first successful connect.
 */
@ApplicationScoped
public class BrokerTopologyOnStart {
  private static final Logger LOG = Logger.getLogger(BrokerTopologyOnStart.class);

  void declare(@Observes StartupEvent event, ConfirmingPublisher publisher) {
    publisher.declareOnConnect(JobType.ALL);
    try {
      publisher.ensureConnected();
    } catch (Exception e) {
      LOG.warnf(
          "RabbitMQ not reachable at start-up (%s); enqueues answer 503 until it is",
          e.getMessage());
    }
  }
}
