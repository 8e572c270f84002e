package io.pulse.common.messaging;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.List;

@ConfigMapping(prefix = "pulse.rabbitmq")
public interface RabbitConfig {
  @WithDefault("127.0.0.1")
  String host();

  @WithDefault("5672")
  int port();

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

  /** Deliveries after which a quorum queue dead-letters a message that keeps crashing workers. */
  @WithDefault("10")
  int deliveryLimit();

  /**
   * How long a dead letter stays in its dead-letter queue ({@code x-message-ttl}): the same as the
   * ledger keeps a dead job ({@code pulse.retention.dead-jobs}), so a DLQ never grows without
   * bound. Replays publish from the ledger, not from here. Fixed at declaration (README, Dead
   * letters).
   */
  @WithDefault("30d")
  Duration deadLetterTtl();

  /** The management plugin's HTTP API: the only place the broker reports unacked counts. */
  Management management();

  interface Management {
    /** Base URL of the management API; follows {@code pulse.rabbitmq.host} unless set. */
    @WithDefault("http://${pulse.rabbitmq.host:127.0.0.1}:15672")
    URI url();

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
