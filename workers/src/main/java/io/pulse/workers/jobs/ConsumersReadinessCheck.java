package io.pulse.workers.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** A worker is ready when every configured consumer is attached to its queue. */
@Readiness
@ApplicationScoped
public class ConsumersReadinessCheck implements HealthCheck {
  private final JobRuntime runtime;
  private final JobsConfig config;

  public ConsumersReadinessCheck(JobRuntime runtime, JobsConfig config) {
    this.runtime = runtime;
    this.config = config;
  }

  @Override
  public HealthCheckResponse call() {
    boolean up = !config.consume() || runtime.isConsuming();
    return HealthCheckResponse.named("consumers").status(up).build();
  }
}
