package io.pulse.common.messaging;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeoutException;

/**
 * Opens broker connections. Automatic recovery is off on purpose: the publisher and the consumer
 * runtime each notice a dead connection themselves and reopen it, which also covers a broker that
 * was down when the app started (a case automatic recovery does not handle).
 */
@ApplicationScoped
public class RabbitConnections {
  private static final int RPC_TIMEOUT_MILLIS = 10_000;

  private final RabbitConfig config;
  private final RabbitTls tls;
  private final BrokerAddresses addresses;

  public RabbitConnections(RabbitConfig config) {
    this.config = config;
    this.tls = new RabbitTls(config.tls());
    this.addresses = new BrokerAddresses(config);
  }

  @Produces
  @Singleton
  Topology topology() {
    return new Topology(config.retryTiers(), config.deliveryLimit(), config.deadLetterTtl());
  }

  public Connection open(String purpose) throws IOException {
    return open(purpose, null);
  }

  public Connection open(String purpose, ExecutorService consumerExecutor) throws IOException {
    ConnectionFactory factory = new ConnectionFactory();
    tls.configure(factory);
    factory.setUsername(config.username());
    factory.setPassword(config.password());
    factory.setVirtualHost(config.virtualHost());
    factory.setAutomaticRecoveryEnabled(false);
    factory.setConnectionTimeout(5_000);
    factory.setRequestedHeartbeat(15);
    // Every channel RPC (opening a channel, a declare, a basic.get) gives up after this instead of
    // the client's 10 minutes. A channel opened in the instant the broker closes its connection may
    // never get its answer, and a thread waiting for one inside the publisher's lock holds up every
    // publish of the app, the sweeper's included. Suspected in one EndToEndIT run where, after the
    // connections were force-closed, the workers' publisher never reconnected and 39 jobs stayed
    // unpublished (their rows locked by a waiting sweep) for 100 s; not reproduced since.
    factory.setChannelRpcTimeout(RPC_TIMEOUT_MILLIS);
    try {
      // The name shows in the management console's connection list. A null executor is the
      // client's own.
      return factory.newConnection(
          consumerExecutor, addresses, config.connectionName() + " " + purpose);
    } catch (TimeoutException e) {
      throw new IOException("timed out connecting to RabbitMQ at " + address(), e);
    } catch (IOException e) {
      IOException explained = tls.explain(e, address());
      throw explained != e
          ? explained
          : new IOException(
              "cannot connect to RabbitMQ at " + address() + ": " + e.getMessage(), e);
    }
  }

  /** Every configured node and the virtual host, for messages about reaching none of them. */
  public String address() {
    return addresses + " (vhost " + config.virtualHost() + ")";
  }

  /** The node and virtual host a connection reached. */
  public String address(Connection connection) {
    return BrokerAddresses.of(connection) + " (vhost " + config.virtualHost() + ")";
  }
}
