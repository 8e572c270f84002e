package io.pulse.common.messaging;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;

/**
 * A {@link RabbitConfig} made the way the apps make it (the mapping with its defaults), from a few
 * {@code pulse.rabbitmq.*} properties, for tests that open connections without a Quarkus app.
 */
final class RabbitTestConfig {
  private RabbitTestConfig() {}

  static RabbitConfig of(Map<String, String> properties) {
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .addDefaultInterceptors()
            // Quarkus's own converter reads "5s"; plain SmallRye only reads ISO-8601 ("PT5S").
            .withConverter(Duration.class, 100, new DurationConverter())
            .withMapping(RabbitConfig.class)
            .withSources(new PropertiesConfigSource(properties, "test", 500))
            .build();
    return config.getConfigMapping(RabbitConfig.class);
  }
}
