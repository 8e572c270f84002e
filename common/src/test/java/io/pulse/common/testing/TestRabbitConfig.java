package io.pulse.common.testing;

import io.pulse.common.messaging.RabbitConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/** The test virtual host's broker, as the apps' config would give it (management included). */
public final class TestRabbitConfig implements RabbitConfig, RabbitConfig.Management {
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
  public Duration deadLetterTtl() {
    return Duration.ofDays(30);
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
