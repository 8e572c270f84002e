package io.pulse.common.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Connection;
import io.pulse.common.testing.TestPublisher;
import io.pulse.common.testing.TestRabbitConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Which node the apps reach when {@code pulse.rabbitmq.addresses} lists several, against the real
 * broker and a port where nothing listens. (A node that dies under a running app is the cluster
 * fault suite's, workers' ClusterFaultsIT.)
 */
class BrokerAddressesTest {
  private static final String BROKER = "127.0.0.1:5672";

  /** A publisher (and its admin connection) told to try a dead node first. */
  @RegisterExtension
  final TestPublisher secondNode =
      new TestPublisher(
          "test.addresses.", TestRabbitConfig.withAddresses("127.0.0.1:" + closedPort(), BROKER));

  @Test
  void aNodeThatDoesNotAnswerIsSkippedForTheNextOne() throws Exception {
    String dead = "127.0.0.1:" + closedPort();
    RabbitConnections connections =
        new RabbitConnections(TestRabbitConfig.withAddresses(dead, BROKER));
    try (Connection connection = connections.open("test")) {
      assertEquals(5672, connection.getPort());
      assertEquals("127.0.0.1:5672 (vhost pulse-test)", connections.address(connection));
    }
  }

  @Test
  void thePublisherConfirmsThroughTheFirstNodeThatAnswers() throws Exception {
    assertNull(secondNode.publisher.publishJobs(List.of(secondNode.job())).get(0));
    assertEquals(5672, secondNode.admin.getPort());
  }

  @Test
  void whenNoNodeAnswersTheErrorNamesThemAll() throws Exception {
    String first = "127.0.0.1:" + closedPort();
    String second = "127.0.0.1:" + closedPort();
    RabbitConnections connections =
        new RabbitConnections(TestRabbitConfig.withAddresses(first, second));
    IOException failed = assertThrows(IOException.class, () -> connections.open("test"));
    assertTrue(failed.getMessage().contains(first + "," + second), failed.getMessage());
  }

  @Test
  void anAddressWithoutAPortNumberIsRefusedAtStart() {
    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class,
            () -> new RabbitConnections(TestRabbitConfig.withAddresses(BROKER, "node2:amqp")));
    assertTrue(bad.getMessage().contains("'node2:amqp'"), bad.getMessage());
  }

  /** A port that was free a moment ago: connecting to it is refused. */
  private static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
