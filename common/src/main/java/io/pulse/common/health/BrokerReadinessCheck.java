package io.pulse.common.health;

import io.pulse.common.messaging.ConfirmingPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the broker takes publishes; the database check comes with the datasource. */
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
      return HealthCheckResponse.up("rabbitmq");
    } catch (Exception e) {
      return HealthCheckResponse.named("rabbitmq")
          .down()
          .withData("error", String.valueOf(e.getMessage()))
          .build();
    }
  }
}
