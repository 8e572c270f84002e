package io.pulse.common.messaging;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Opens broker connections. Automatic recovery is off on purpose: the publisher and the consumer
 * runtime each notice a dead connection themselves and reopen it, which also covers a broker that
 * was down when the app started (a case automatic recovery does not handle).
 */
@ApplicationScoped
public class RabbitConnections {
  private final RabbitConfig config;
  private final String appName;

  public RabbitConnections(
      RabbitConfig config, @ConfigProperty(name = "quarkus.application.name") String appName) {
    this.config = config;
    this.appName = appName;
  }

  @Produces
  @Singleton
  Topology topology() {
    return new Topology(config.retryTiers(), config.deliveryLimit());
  }

  public Connection open(String purpose) throws IOException {
    return open(purpose, null);
  }

  public Connection open(String purpose, ExecutorService consumerExecutor) throws IOException {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost(config.host());
    factory.setPort(config.port());
    factory.setUsername(config.username());
    factory.setPassword(config.password());
    factory.setVirtualHost(config.virtualHost());
    factory.setAutomaticRecoveryEnabled(false);
    factory.setConnectionTimeout(5_000);
    factory.setRequestedHeartbeat(15);
    if (consumerExecutor != null) {
      factory.setSharedExecutor(consumerExecutor);
    }
    try {
      // The name shows in the management console's connection list.
      return factory.newConnection(appName + " " + purpose);
    } catch (TimeoutException e) {
      throw new IOException("timed out connecting to RabbitMQ at " + address(), e);
    }
  }

  public String address() {
    return config.host() + ":" + config.port() + config.virtualHost();
  }
}
