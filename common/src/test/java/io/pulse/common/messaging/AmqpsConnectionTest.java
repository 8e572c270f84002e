package io.pulse.common.messaging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.pulse.common.testing.TestRabbitConfig;
import io.pulse.common.testing.TlsBrokerNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AMQPS against a real broker: a second node started by deploy/rabbitmq-tls.sh that listens only
 * with TLS (port 5691), asks every client for a certificate, and whose certificate names
 * "localhost" only. The script makes the CA and the certificates; the test uses its files.
 */
class AmqpsConnectionTest {
  private static final Path DIR = TlsBrokerNode.DIR;
  private static final int AMQPS_PORT = TlsBrokerNode.AMQPS_PORT;
  private static TlsBrokerNode node;

  @BeforeAll
  static void startTlsNode() throws Exception {
    node = TlsBrokerNode.start();
  }

  @AfterAll
  static void stopTlsNode() throws Exception {
    node.close();
  }

  @Test
  void aJobIsPublishedWithConfirmAndConsumedOverAmqps() throws Exception {
    String type = "test.tls." + UUID.randomUUID();
    RabbitConfig config = TestRabbitConfig.of(tls("localhost", "ca.pem"));
    RabbitConnections connections = new RabbitConnections(config);
    ConfirmingPublisher publisher =
        new ConfirmingPublisher(
            connections,
            config,
            new Topology(List.of(Duration.ofSeconds(1)), 3, Duration.ofDays(30)));
    publisher.declareOnConnect(List.of(type));
    JobMessage job =
        new JobMessage(
            UUID.randomUUID(),
            type,
            1,
            null,
            null,
            Instant.now(),
            "{\"over\":\"tls\"}".getBytes(StandardCharsets.UTF_8));
    try (Connection consumer = connections.open("tls consumer")) {
      assertNull(publisher.publishJobs(List.of(job)).get(0), "confirmed by the TLS-only node");

      Channel channel = consumer.createChannel();
      GetResponse[] got = new GetResponse[1];
      await()
          .atMost(10, TimeUnit.SECONDS)
          .until(() -> (got[0] = channel.basicGet(Topology.workQueue(type), true)) != null);
      JobMessage received =
          JobMessage.from(
              got[0].getEnvelope().getRoutingKey(), got[0].getProps(), got[0].getBody());
      assertEquals(job.jobId(), received.jobId());
      assertEquals("{\"over\":\"tls\"}", new String(received.body(), StandardCharsets.UTF_8));
      channel.queueDelete(Topology.workQueue(type));
      channel.queueDelete(Topology.deadLetterQueue(type));
    } finally {
      publisher.onStop(null);
    }
  }

  @Test
  void aTrustStoreServesAsWellAsACaFile(@TempDir Path dir) throws Exception {
    Path trustStore = dir.resolve("trust.p12");
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    try (InputStream ca = Files.newInputStream(DIR.resolve("ca.pem"))) {
      store.setCertificateEntry(
          "pulse-test-ca", CertificateFactory.getInstance("X.509").generateCertificate(ca));
    }
    try (OutputStream out = Files.newOutputStream(trustStore)) {
      store.store(out, "secret".toCharArray());
    }
    Map<String, String> properties = tls("localhost", "ca.pem");
    properties.remove("pulse.rabbitmq.tls.ca-file");
    properties.put("pulse.rabbitmq.tls.trust-store", trustStore.toString());
    properties.put("pulse.rabbitmq.tls.trust-store-password", "secret");

    try (Connection connection = open(properties)) {
      assertTrue(connection.isOpen());
    }
  }

  @Test
  void aBrokerCertificateFromAnotherCaIsRefused() {
    IOException failure =
        assertThrows(IOException.class, () -> open(tls("localhost", "other-ca.pem")));
    assertHandshakeFailure(failure, "certification path");
  }

  @Test
  void aHostNameTheCertificateDoesNotNameIsRefusedUnlessVerificationIsOff() throws Exception {
    Map<String, String> byAddress = tls("127.0.0.1", "ca.pem");
    IOException failure = assertThrows(IOException.class, () -> open(byAddress));
    assertHandshakeFailure(failure, "127.0.0.1");

    byAddress.put("pulse.rabbitmq.tls.verify-hostname", "false");
    try (Connection connection = open(byAddress)) {
      assertTrue(connection.isOpen(), "the same broker, the same CA: only the name check differs");
    }
  }

  @Test
  void withoutAClientCertificateTheBrokerRefusesTheHandshake() {
    Map<String, String> noClientCertificate = tls("localhost", "ca.pem");
    noClientCertificate.remove("pulse.rabbitmq.tls.key-store");
    IOException failure = assertThrows(IOException.class, () -> open(noClientCertificate));
    assertTrue(
        failure.getMessage().startsWith("TLS handshake with RabbitMQ at localhost:5691 (vhost"),
        failure.getMessage());
    assertTrue(failure.getMessage().contains("pulse.rabbitmq.tls.key-store"), failure.getMessage());
  }

  @Test
  void aPlainClientAtTheTlsPortFailsFastNamingTheSetting() {
    Map<String, String> plain =
        new HashMap<>(
            Map.of("pulse.rabbitmq.host", "localhost", "pulse.rabbitmq.port", "" + AMQPS_PORT));
    IOException failure =
        assertTimeoutPreemptively(
            Duration.ofSeconds(15), () -> assertThrows(IOException.class, () -> open(plain)));
    assertTrue(
        failure.getMessage().contains("set pulse.rabbitmq.tls.enabled=true"), failure.getMessage());
  }

  @Test
  void aTlsClientAtAPlainPortFailsFastAsAHandshakeFailure() {
    Map<String, String> plainPort = tls("localhost", "ca.pem");
    plainPort.put("pulse.rabbitmq.port", "5672");
    IOException failure =
        assertTimeoutPreemptively(
            Duration.ofSeconds(15), () -> assertThrows(IOException.class, () -> open(plainPort)));
    assertHandshakeFailure(failure, "");
  }

  @Test
  void aCaFileThatCannotBeReadIsNamedBeforeAnyConnectAttempt() {
    Map<String, String> missing = tls("localhost", "no-such-ca.pem");
    IllegalStateException failure = assertThrows(IllegalStateException.class, () -> open(missing));
    assertTrue(
        failure
            .getMessage()
            .contains("pulse.rabbitmq.tls.ca-file " + DIR.resolve("no-such-ca.pem")),
        failure.getMessage());
  }

  private static void assertHandshakeFailure(IOException failure, String causeNames) {
    assertTrue(
        failure.getMessage().startsWith("TLS handshake with RabbitMQ"), failure.getMessage());
    assertTrue(failure.getMessage().contains(causeNames), failure.getMessage());
    Throwable cause = failure.getCause();
    while (cause != null && !(cause instanceof SSLException)) {
      cause = cause.getCause();
    }
    assertTrue(cause instanceof SSLException, "caused by an SSLException: " + failure);
  }

  private static Map<String, String> tls(String host, String caFile) {
    return TlsBrokerNode.settings(host, caFile);
  }

  private static Connection open(Map<String, String> properties) throws IOException {
    return new RabbitConnections(TestRabbitConfig.of(properties)).open("tls test");
  }
}
