package io.pulse.api.console;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The operator console's sessions. */
@ConfigMapping(prefix = "pulse.api.console")
public interface ConsoleConfig {
  /** How long a sign-in lasts; the key's own revocation or expiry ends it sooner. */
  @WithDefault("8h")
  Duration sessionTtl();
}
