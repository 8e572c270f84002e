package io.pulse.common.health;

import io.pulse.common.messaging.ConfirmingPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while the broker is reachable (blocked by an alarm or not); the database check comes with
 * the datasource.
 */
@Readiness
@ApplicationScoped
public class BrokerReadinessCheck implements HealthCheck {
  private final ConfirmingPublisher publisher;

  public BrokerReadinessCheck(ConfirmingPublisher publisher) {
    this.publisher = publisher;
  }

  @Override
  public HealthCheckResponse call() {
    try {
      publisher.ensureConnected();
      // A resource alarm blocks every publishing connection of the cluster at once: taking all
      // instances out of the load balancer would turn the API's 503 + Retry-After into refused
      // connections, so a blocked broker is reported, not counted as down.
      return publisher
          .blockedBy()
          .map(reason -> HealthCheckResponse.named("rabbitmq").up().withData("blocked", reason))
          .orElseGet(() -> HealthCheckResponse.named("rabbitmq").up())
          .build();
    } catch (Exception e) {
      return HealthCheckResponse.named("rabbitmq")
          .down()
          .withData("error", String.valueOf(e.getMessage()))
          .build();
    }
  }
}
