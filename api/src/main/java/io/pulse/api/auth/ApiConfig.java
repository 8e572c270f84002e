package io.pulse.api.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "pulse.api")
public interface ApiConfig {
  /** An admin key that needs no database row (environment PULSE_API_BOOTSTRAP_KEY). */
  Optional<String> bootstrapKey();

  /**
   * How long an API key lookup is cached. A key revoked through another instance (or in the
   * database by hand) keeps working at most this long; one revoked through this instance stops at
   * once. Also the cache's expire-after-write (application.properties).
   */
  Duration keyCacheTtl();

  /**
   * How long a rotated-out API key secret keeps working when the rotation names no grace period:
   * the time callers have to deploy the new one.
   */
  @WithDefault("24h")
  Duration rotationGrace();

  /** Largest request body accepted, in bytes; larger ones get 413. */
  @WithDefault("1048576")
  long maxBodyBytes();

  /**
   * Largest body of a request outside {@code /api/} (the digest unsubscribe form, a token of a few
   * hundred bytes), in bytes; larger ones get 413.
   */
  @WithDefault("4096")
  long maxFormBytes();

  /**
   * How long a client may take to send a request's whole body. Bodies are received before a worker
   * thread is taken, so a slow one costs a socket, not a thread; past this it gets 408 and the
   * connection is closed.
   */
  @WithDefault("10s")
  Duration bodyReadTimeout();

  /** Most recipients of one notification. */
  @WithDefault("10000")
  int maxRecipients();
}
