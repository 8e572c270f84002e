package io.pulse.api.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pulse.common.testing.TestRabbitConfig;
import io.pulse.common.testing.TlsBrokerNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQOptions;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The inbox-events connector's broker connection, made by Vert.x's RabbitMQ client (the one the
 * SmallRye connector uses) from {@link InboxEventsBroker}'s options: it walks the node list past a
 * dead node, and speaks TLS with the CA file and client certificate of {@code pulse.rabbitmq.tls}
 * to the TLS-only node of deploy/rabbitmq-tls.sh.
 */
class InboxEventsBrokerTest {
  private static Vertx vertx;
  private static TlsBrokerNode tlsNode;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    tlsNode = TlsBrokerNode.start();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      tlsNode.close();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aDeadFirstNodeIsPassedOverForTheNextAddress() throws Exception {
    // Port 1 refuses at once: the client goes on to the live node on the same connect.
    RabbitMQOptions options =
        options(Map.of("pulse.rabbitmq.addresses", "127.0.0.1:1,127.0.0.1:5672"));
    assertEquals(2, options.getAddresses().size());
    assertConnects(options);
  }

  @Test
  void tlsWithTheCaFileAndClientCertificateReachesTheTlsOnlyNode() throws Exception {
    RabbitMQOptions options = options(TlsBrokerNode.settings("localhost", "ca.pem"));
    assertTrue(options.isSsl());
    assertConnects(options);
  }

  @Test
  void aBrokerCertificateFromAnotherCaIsRefused() throws Exception {
    RabbitMQOptions options = options(TlsBrokerNode.settings("localhost", "other-ca.pem"));
    assertRefused(options);
  }

  @Test
  void withoutAClientCertificateTheTlsNodeRefusesTheConnection() throws Exception {
    Map<String, String> settings =
        new java.util.HashMap<>(TlsBrokerNode.settings("localhost", "ca.pem"));
    settings.remove("pulse.rabbitmq.tls.key-store");
    assertRefused(options(settings));
  }

  private static RabbitMQOptions options(Map<String, String> properties) {
    RabbitMQOptions options = new InboxEventsBroker().options(TestRabbitConfig.of(properties));
    // One try each here: the apps keep trying, a test wants the first answer.
    return options.setReconnectAttempts(0).setConnectionTimeout(5_000);
  }

  private static void assertConnects(RabbitMQOptions options) throws Exception {
    RabbitMQClient client = RabbitMQClient.create(vertx, options);
    try {
      client.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertTrue(client.isConnected());
      // A round trip on the connection: declaring the topic exchange the connector binds to.
      client
          .exchangeDeclare("pulse.events", "topic", true, false, new JsonObject())
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } finally {
      client.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static void assertRefused(RabbitMQOptions options) {
    RabbitMQClient client = RabbitMQClient.create(vertx, options);
    ExecutionException failure =
        assertThrows(
            ExecutionException.class,
            () ->
                client.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertTrue(!client.isConnected(), "not connected after " + failure.getCause());
  }
}
