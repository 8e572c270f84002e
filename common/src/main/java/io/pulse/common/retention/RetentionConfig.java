package io.pulse.common.retention;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * How long each growing table keeps its rows (README, Retention). Feed entries are trimmed by
 * length instead ({@code pulse.feed.max-length}).
 */
@ConfigMapping(prefix = "pulse.retention")
public interface RetentionConfig {
  /**
   * How often a pass runs (the scheduler reads {@code pulse.retention.every}; {@code off} stops).
   */
  @WithDefault("1m")
  String every();

  /** Rows removed per statement (and transaction): keeps each batch's locks short. */
  @WithDefault("1000")
  int batchSize();

  /**
   * The most rows a pass removes per second, all tables together: it sleeps between batches to stay
   * under it, so a backlog (the first pass on an old database) drains without crowding the live
   * writes (README, Retention). Well above the rate rows arrive at, or retention falls behind.
   */
  @WithDefault("5000")
  int maxRowsPerSecond();

  /**
   * Succeeded jobs, counted from when they finished. Their idempotency keys go with them: this is
   * the idempotency window.
   */
  @WithDefault("7d")
  Duration succeededJobs();

  /** Dead jobs, counted from their failure; a replay takes a job out of this count. */
  @WithDefault("30d")
  Duration deadJobs();

  /** Email and webhook delivery records, counted from their notification job's creation. */
  @WithDefault("30d")
  Duration deliveries();

  /** In-app notifications (read or not). */
  @WithDefault("90d")
  Duration notifications();

  /** The newest in-app notifications kept per user; older ones go even inside the age limit. */
  @WithDefault("1000")
  int notificationsPerUser();

  /** Records of built digests. */
  @WithDefault("90d")
  Duration digests();

  /**
   * Used unsubscribe links. At least {@code pulse.digests.unsubscribe-ttl}, or a used link would
   * work again: start-up refuses a shorter one.
   */
  @WithDefault("31d")
  Duration usedUnsubscribeTokens();

  /** Revoked API keys, counted from their revocation. */
  @WithDefault("30d")
  Duration revokedApiKeys();
}
