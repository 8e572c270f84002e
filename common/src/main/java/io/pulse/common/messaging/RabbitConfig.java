package io.pulse.common.messaging;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

@ConfigMapping(prefix = "pulse.rabbitmq")
public interface RabbitConfig {
  @WithDefault("127.0.0.1")
  String host();

  @WithDefault("5672")
  int port();

  /**
   * Nodes of a cluster as {@code host:port}, comma separated; the apps connect to the first that
   * answers and, when their node goes away, reconnect to the first that answers then. Unset: the
   * single {@code host} and {@code port}.
   */
  Optional<List<String>> addresses();

  @WithDefault("guest")
  String username();

  @WithDefault("guest")
  String password();

  @WithDefault("/")
  String virtualHost();

  /** How long a publish waits for the broker's confirm before it counts as failed. */
  @WithDefault("5s")
  Duration confirmTimeout();

  /** Channels the publisher spreads its confirms over. */
  @WithDefault("4")
  int publisherChannels();

  /** Delay tiers of the retry exchange; a retry picks the longest tier not above its backoff. */
  @WithDefault("1s,5s,30s,2m,10m,1h")
  List<Duration> retryTiers();

  /** Prefix of the connection names the management console lists; the app's name unless set. */
  @WithDefault("${quarkus.application.name}")
  String connectionName();

  /** Deliveries after which a quorum queue dead-letters a message that keeps crashing workers. */
  @WithDefault("10")
  int deliveryLimit();

  /** AMQPS towards the broker; plain AMQP unless {@code pulse.rabbitmq.tls.enabled}. */
  Tls tls();

  interface Tls {
    /** Speak TLS to the broker. Its AMQPS port is usually 5671: set {@code port} as well. */
    @WithDefault("false")
    boolean enabled();

    /** PEM file of the CA(s) that signed the broker's certificate. */
    Optional<Path> caFile();

    /**
     * Instead of {@code ca-file}: a PKCS12 (or JKS) trust store; the JVM's default without both.
     */
    Optional<Path> trustStore();

    Optional<String> trustStorePassword();

    /** A PKCS12 file with the client certificate and its key, for a broker that asks for one. */
    Optional<Path> keyStore();

    Optional<String> keyStorePassword();

    /**
     * Check that the broker's certificate names the host connected to. Off, any certificate the
     * trusted CAs signed is accepted, whoever holds it.
     */
    @WithDefault("true")
    boolean verifyHostname();
  }

  /**
   * How long a dead letter stays in its dead-letter queue: the {@code message-ttl} of the {@code
   * pulse-dead-letters} policy the workers set at start. Keep it equal to {@code
   * pulse.retention.dead-jobs} (how long the ledger keeps a dead job), so the DLQ's depth follows
   * the ledger's dead count; replays publish from the ledger, not from here.
   */
  @WithDefault("30d")
  Duration deadLetterTtl();

  /** The management plugin's HTTP API: the only place the broker reports unacked counts. */
  Management management();

  interface Management {
    /**
     * Base URL of the management API, or several (one per cluster node, comma-separated), tried in
     * turn when one does not answer; follows {@code pulse.rabbitmq.host} unless set.
     */
    @WithDefault("http://${pulse.rabbitmq.host:127.0.0.1}:15672")
    List<URI> url();

    /** A management user; the AMQP user unless set (guest can only log in from localhost). */
    @WithDefault("${pulse.rabbitmq.username:guest}")
    String username();

    @WithDefault("${pulse.rabbitmq.password:guest}")
    String password();

    /** Connect and answer timeout of one call; past it the overview answers 503. */
    @WithDefault("5s")
    Duration timeout();
  }
}
