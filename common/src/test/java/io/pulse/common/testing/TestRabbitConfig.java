package io.pulse.common.testing;

import io.pulse.common.messaging.RabbitConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@link RabbitConfig} made the way the apps make it (the mapping with its defaults), for tests
 * that open connections without a Quarkus app: a new setting with a default needs no change here.
 */
public final class TestRabbitConfig {
  private TestRabbitConfig() {}

  /** The test virtual host, one 1 s retry tier, as the apps' test profile has them. */
  public static RabbitConfig testVirtualHost() {
    return of(testProfile());
  }

  /** {@link #testVirtualHost()} reached through {@code pulse.rabbitmq.addresses}, in this order. */
  public static RabbitConfig withAddresses(String... addresses) {
    Map<String, String> properties = testProfile();
    properties.put("pulse.rabbitmq.addresses", String.join(",", addresses));
    return of(properties);
  }

  private static Map<String, String> testProfile() {
    return new HashMap<>(
        Map.of(
            "pulse.rabbitmq.virtual-host", BrokerProbe.TEST_VHOST,
            "pulse.rabbitmq.retry-tiers", "1s",
            "pulse.rabbitmq.delivery-limit", "3",
            "pulse.rabbitmq.publisher-channels", "1"));
  }

  /** The mapping's defaults overridden by these {@code pulse.rabbitmq.*} properties. */
  public static RabbitConfig of(Map<String, String> properties) {
    Map<String, String> all = new HashMap<>(properties);
    all.putIfAbsent("quarkus.application.name", "common-test");
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .addDefaultInterceptors()
            // Quarkus's own converter reads "5s"; plain SmallRye only reads ISO-8601 ("PT5S").
            .withConverter(Duration.class, 100, new DurationConverter())
            .withMapping(RabbitConfig.class)
            .withSources(new PropertiesConfigSource(all, "test", 500))
            .build();
    return config.getConfigMapping(RabbitConfig.class);
  }
}
