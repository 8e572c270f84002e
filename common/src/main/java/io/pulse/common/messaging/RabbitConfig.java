package io.pulse.common.messaging;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
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

  /** Management HTTP port, for the queue overview and operations. */
  @WithDefault("15672")
  int managementPort();
}
