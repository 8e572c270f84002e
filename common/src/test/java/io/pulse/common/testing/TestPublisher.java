package io.pulse.common.testing;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.pulse.common.jobs.JobIds;
import io.pulse.common.messaging.BrokerUnavailableException;
import io.pulse.common.messaging.ConfirmingPublisher;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.messaging.RabbitConfig;
import io.pulse.common.messaging.RabbitConnections;
import io.pulse.common.messaging.Topology;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A publisher as the apps build it, for one job type of its own on the test virtual host, with a
 * plain connection beside it for the test to look into (and break) the broker; closing it deletes
 * the type's queues.
 */
public final class TestPublisher implements BeforeEachCallback, AfterEachCallback {
  private final String typePrefix;
  private final RabbitConfig config;
  public String type;
  public ConfirmingPublisher publisher;
  public Connection admin;

  /** Registered with {@code @RegisterExtension}: opens before each test, closes after it. */
  public TestPublisher(String typePrefix) {
    this(typePrefix, TestRabbitConfig.testVirtualHost());
  }

  /** The same, connecting as {@code config} says (its {@code addresses}, say). */
  public TestPublisher(String typePrefix, RabbitConfig config) {
    this.typePrefix = typePrefix;
    this.config = config;
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    type = typePrefix + UUID.randomUUID();
    RabbitConnections connections = new RabbitConnections(config);
    publisher =
        new ConfirmingPublisher(
            connections,
            config,
            new Topology(config.retryTiers(), config.deliveryLimit(), config.deadLetterTtl()));
    publisher.declareOnConnect(List.of(type));
    admin = connections.open("test admin");
  }

  /** A message of the type, or of another routing key, with an empty body. */
  public JobMessage job(String idempotencyKey, String routedAs) {
    // A time-ordered id as in production: a random one may sort before real old rows, and the
    // ledger's "oldest row" reads the first id.
    return new JobMessage(
        JobIds.next(),
        routedAs,
        1,
        idempotencyKey,
        null,
        Instant.now(),
        "{}".getBytes(StandardCharsets.UTF_8));
  }

  public JobMessage job() {
    return job(null, type);
  }

  public long ready() throws Exception {
    try (Channel channel = admin.createChannel()) {
      return channel.messageCount(Topology.workQueue(type));
    }
  }

  /**
   * A queue that holds nothing and refuses more, bound to the jobs exchange by its own name: the
   * broker nacks every job routed there. Returns its name, to use as a job type.
   */
  public String fullQueue() throws Exception {
    String full = typePrefix + "full." + UUID.randomUUID();
    try (Channel channel = admin.createChannel()) {
      channel.queueDeclare(
          full, false, false, true, Map.of("x-max-length", 0, "x-overflow", "reject-publish"));
      channel.queueBind(full, Topology.JOBS_EXCHANGE, full);
    }
    return full;
  }

  /**
   * Publishes to an exchange that does not exist, which makes the broker close the publisher's
   * channel; returns the publisher's failure.
   */
  public BrokerUnavailableException breakChannel() {
    return org.junit.jupiter.api.Assertions.assertThrows(
        BrokerUnavailableException.class,
        () ->
            publisher.publish(
                "no-such-exchange-" + UUID.randomUUID(),
                "x",
                new AMQP.BasicProperties.Builder().build(),
                "{}".getBytes(StandardCharsets.UTF_8)));
  }

  public void deleteWorkQueue() throws Exception {
    publisher.ensureConnected();
    try (Channel channel = admin.createChannel()) {
      channel.queueDelete(Topology.workQueue(type));
    }
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    try (Channel channel = admin.createChannel()) {
      channel.queueDelete(Topology.workQueue(type));
      channel.queueDelete(Topology.deadLetterQueue(type));
    }
    admin.close();
    publisher.onStop(null);
  }
}
