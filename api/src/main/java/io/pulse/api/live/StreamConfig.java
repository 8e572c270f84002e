package io.pulse.api.live;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** The live notification stream ({@code GET /api/v1/users/{id}/notifications/stream}). */
@ConfigMapping(prefix = "pulse.api.stream")
public interface StreamConfig {
  /**
   * Signs stream tokens (HMAC-SHA256). Unset, {@code POST .../stream-tokens} answers 503 and a
   * stream opens with a {@code read} API key only; deploy/run.sh generates one.
   */
  Optional<String> tokenSecret();

  /** How long a stream token may be used to connect; a stream it opened outlives it. */
  @WithDefault("5m")
  Duration tokenTtl();

  /** A comment line this often keeps proxies from closing an idle stream. */
  @WithDefault("15s")
  Duration heartbeat();

  /**
   * Open streams one instance holds; one more is answered 503. Each open stream keeps about 19 KiB
   * of heap: the API's shipped heap (96 MiB, deploy/jvm/api.conf) holds the app and 1,000 with room
   * to spare; 10,000 on a 64 MiB heap ran it out of memory. More streams per instance need a larger
   * heap with it (README, Live stream).
   */
  @WithDefault("1000")
  int maxConnections();

  /**
   * Events one stream may have waiting for a slow client; past it the stream is closed and the
   * client resumes with {@code Last-Event-ID}.
   */
  @WithDefault("256")
  int clientBuffer();

  /** Items a reconnect replays at most; a client further behind reads the inbox instead. */
  @WithDefault("1000")
  int replayLimit();
}
