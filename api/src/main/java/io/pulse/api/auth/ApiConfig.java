package io.pulse.api.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

@ConfigMapping(prefix = "pulse.api")
public interface ApiConfig {
  /** An admin key that needs no database row (environment PULSE_API_BOOTSTRAP_KEY). */
  Optional<String> bootstrapKey();

  /** Largest request body accepted, in bytes; larger ones get 413. */
  @WithDefault("1048576")
  long maxBodyBytes();

  /** Most recipients of one notification. */
  @WithDefault("10000")
  int maxRecipients();
}
