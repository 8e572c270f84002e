package io.pulse.api.live;

import io.pulse.common.messaging.BrokerAddresses;
import io.pulse.common.messaging.RabbitConfig;
import io.smallrye.common.annotation.Identifier;
import io.vertx.core.net.KeyStoreOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.rabbitmq.RabbitMQOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.nio.file.Path;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * The broker connection of the inbox-events channel (SmallRye's RabbitMQ connector), built from the
 * same {@code pulse.rabbitmq.*} settings as the job runtime's: every node of {@code addresses} in
 * turn, the virtual host and user, and TLS with the same CA file or trust store and client
 * certificate. Without it the connector would know one host only, and lose the stream's events for
 * good when that node died.
 */
@ApplicationScoped
public class InboxEventsBroker {
  static final String OPTIONS = "pulse-inbox-events";
  private static final Logger LOG = Logger.getLogger(InboxEventsBroker.class);

  /** Between reconnect attempts; the connector keeps trying for as long as the API runs. */
  private static final long RECONNECT_INTERVAL_MILLIS = 2_000;

  @Produces
  @Identifier(OPTIONS)
  RabbitMQOptions options(RabbitConfig config) {
    RabbitMQOptions options =
        new RabbitMQOptions()
            .setAddresses(new BrokerAddresses(config).getAddresses())
            .setUser(config.username())
            .setPassword(config.password())
            .setVirtualHost(config.virtualHost())
            .setConnectionName(config.connectionName() + " inbox-events")
            .setAutomaticRecoveryEnabled(false)
            .setReconnectAttempts(-1)
            .setReconnectInterval(RECONNECT_INTERVAL_MILLIS);
    RabbitConfig.Tls tls = config.tls();
    if (!tls.enabled()) {
      return options;
    }
    options.setSsl(true);
    tls.caFile()
        .ifPresent(ca -> options.setTrustOptions(new PemTrustOptions().addCertPath(path(ca))));
    tls.trustStore()
        .ifPresent(
            store -> options.setTrustOptions(store(store, tls.trustStorePassword().orElse(""))));
    tls.keyStore()
        .ifPresent(
            store -> options.setKeyCertOptions(store(store, tls.keyStorePassword().orElse(""))));
    if (tls.verifyHostname()) {
      // Vert.x's RabbitMQ client hands amqp-client an SSLContext and no socket configurator, so
      // the chain is checked against the CA but the certificate's host name is not. Events are
      // hints (the inbox table is the record), and the job runtime's connections check it.
      LOG.info(
          "inbox-events over TLS: the broker's certificate is checked against the trusted CAs;"
              + " its host name is checked by the job runtime's connections only");
    }
    return options;
  }

  private static KeyStoreOptions store(Path file, String password) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return new KeyStoreOptions()
        .setType(name.endsWith(".jks") ? "JKS" : "PKCS12")
        .setPath(path(file))
        .setPassword(password);
  }

  private static String path(Path file) {
    return file.toAbsolutePath().toString();
  }
}
