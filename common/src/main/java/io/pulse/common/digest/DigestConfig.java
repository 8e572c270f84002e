package io.pulse.common.digest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.DayOfWeek;
import java.time.Duration;
import java.util.Optional;

/**
 * Digest schedule and unsubscribe links; both apps read it (workers send, the API unsubscribes).
 */
@ConfigMapping(prefix = "pulse.digests")
public interface DigestConfig {
  /**
   * When the scheduler ticks (Quarkus cron, seconds first; {@code off} disables it). Every few
   * minutes is enough: a tick enqueues every digest whose local send time has passed.
   */
  @WithDefault("0 0/5 * * * ?")
  String cron();

  /** The local hour (0-23, in each user's own time zone) at which a digest is due. */
  @WithDefault("8")
  int sendHour();

  /** The local weekday of weekly digests. */
  @WithDefault("MONDAY")
  DayOfWeek weeklyDay();

  /**
   * How late a digest may still go out: a period whose send time passed while no tick ran (workers
   * down) is caught up by the next tick within this window, and skipped after it.
   */
  @WithDefault("6h")
  Duration catchUp();

  /** Users read per page (and per enqueue transaction) by a tick. */
  @WithDefault("500")
  int pageSize();

  /** Unread notifications listed in one digest; the rest are counted. */
  @WithDefault("20")
  int maxNotifications();

  /** New posts listed in one digest. */
  @WithDefault("10")
  int maxPosts();

  /** HMAC-SHA256 key of unsubscribe links. Both apps must share it. */
  String unsubscribeSecret();

  /**
   * The key a rotation replaced: links signed with it are still accepted until they expire; no new
   * link is signed with it. Remove it once {@link #unsubscribeTtl()} has passed since the rotation.
   */
  Optional<String> unsubscribePreviousSecret();

  /** How long an unsubscribe link works. */
  @WithDefault("30d")
  Duration unsubscribeTtl();

  /** Where the API is reached from a mail client: the unsubscribe link points there. */
  @WithDefault("http://127.0.0.1:8080")
  String publicUrl();
}
