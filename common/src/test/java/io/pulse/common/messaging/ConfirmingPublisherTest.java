package io.pulse.common.messaging;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.pulse.common.testing.BrokerProbe;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The publisher against the real broker, with each fault it must tell apart: a return, a nack, a
 * closed channel. (A confirm that never comes is {@link PublisherConfirmsTest}'s.)
 */
class ConfirmingPublisherTest {
  private final String type = "test.publisher." + UUID.randomUUID();
  private final Topology topology = new Topology(List.of(Duration.ofSeconds(1)), 3);
  private RabbitConnections connections;
  private ConfirmingPublisher publisher;
  private Connection admin;

  @BeforeEach
  void connect() throws Exception {
    RabbitConfig config = new TestRabbitConfig();
    connections = new RabbitConnections(config, "common-test");
    publisher = new ConfirmingPublisher(connections, config, topology);
    publisher.declareOnConnect(List.of(type));
    admin = connections.open("test admin");
  }

  @AfterEach
  void close() throws Exception {
    try (Channel channel = admin.createChannel()) {
      channel.queueDelete(Topology.workQueue(type));
      channel.queueDelete(Topology.deadLetterQueue(type));
    }
    admin.close();
    publisher.onStop(null);
  }

  @Test
  void aRoutedJobIsConfirmed() {
    List<PublishFailedException> outcomes = publisher.publishJobs(List.of(job(), job()));
    assertNull(outcomes.get(0));
    assertNull(outcomes.get(1));
  }

  @Test
  void aReturnedJobIsUnroutableAndTheTopologyComesBackForTheNextOne() throws Exception {
    publisher.ensureConnected();
    try (Channel channel = admin.createChannel()) {
      channel.queueDelete(Topology.workQueue(type));
    }

    PublishFailedException returned = publisher.publishJobs(List.of(job())).get(0);
    assertInstanceOf(UnroutableMessageException.class, returned);
    assertTrue(returned.getMessage().contains("NO_ROUTE"), returned.getMessage());

    assertNull(publisher.publishJobs(List.of(job())).get(0), "declared again after the return");
  }

  @Test
  void aNackedMessageIsBrokerUnavailable() throws Exception {
    String full = "test.publisher.full." + UUID.randomUUID();
    try (Channel channel = admin.createChannel()) {
      // A queue that holds nothing and refuses more: the broker nacks what is published to it.
      channel.queueDeclare(
          full, false, false, true, Map.of("x-max-length", 0, "x-overflow", "reject-publish"));
    }
    BrokerUnavailableException nacked =
        assertThrows(
            BrokerUnavailableException.class,
            () -> publisher.publish("", full, properties(), "{}".getBytes(StandardCharsets.UTF_8)));
    assertTrue(nacked.getMessage().contains("nacked"), nacked.getMessage());
  }

  @Test
  void aClosedChannelFailsItsPublishAndTheNextOneGetsANewChannel() {
    // Publishing to an exchange that does not exist makes the broker close the channel.
    BrokerUnavailableException closed =
        assertThrows(
            BrokerUnavailableException.class,
            () ->
                publisher.publish(
                    "no-such-exchange-" + UUID.randomUUID(),
                    "x",
                    properties(),
                    "{}".getBytes(StandardCharsets.UTF_8)));
    assertTrue(closed.getMessage().contains("channel closed"), closed.getMessage());

    List<PublishFailedException> after =
        publisher.publishJobs(List.of(job(), job(), job(), job(), job()));
    after.forEach(outcome -> assertNull(outcome, "published on a reopened channel"));
  }

  private JobMessage job() {
    return new JobMessage(
        UUID.randomUUID(),
        type,
        1,
        null,
        null,
        Instant.now(),
        "{}".getBytes(StandardCharsets.UTF_8));
  }

  private static AMQP.BasicProperties properties() {
    return new AMQP.BasicProperties.Builder().messageId(UUID.randomUUID().toString()).build();
  }

  /** The test virtual host's broker, as the apps' config would give it (management included). */
  private static final class TestRabbitConfig implements RabbitConfig, RabbitConfig.Management {
    @Override
    public String host() {
      return "127.0.0.1";
    }

    @Override
    public int port() {
      return 5672;
    }

    @Override
    public String username() {
      return "guest";
    }

    @Override
    public String password() {
      return "guest";
    }

    @Override
    public String virtualHost() {
      return BrokerProbe.TEST_VHOST;
    }

    @Override
    public Duration confirmTimeout() {
      return Duration.ofSeconds(5);
    }

    @Override
    public int publisherChannels() {
      return 1;
    }

    @Override
    public List<Duration> retryTiers() {
      return List.of(Duration.ofSeconds(1));
    }

    @Override
    public int deliveryLimit() {
      return 3;
    }

    @Override
    public Tls tls() {
      return RabbitTestConfig.of(Map.of()).tls();
    }

    @Override
    public Management management() {
      return this;
    }

    @Override
    public URI url() {
      return URI.create("http://127.0.0.1:15672");
    }

    @Override
    public Duration timeout() {
      return Duration.ofSeconds(5);
    }
  }
}
