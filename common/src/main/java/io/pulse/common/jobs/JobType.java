package io.pulse.common.jobs;

import java.util.List;

/** The job types of the platform. Each one has its own work queue {@code pulse.<type>}. */
public final class JobType {
  public static final String NOTIFICATION_DISPATCH = "notification.dispatch";
  public static final String NOTIFICATION_EMAIL = "notification.email";
  public static final String NOTIFICATION_WEBHOOK = "notification.webhook";
  public static final String FEED_FANOUT = "feed.fanout";
  public static final String FEED_FANOUT_CHUNK = "feed.fanout.chunk";
  public static final String FEED_RETRACT = "feed.retract";
  public static final String FEED_BACKFILL = "feed.backfill";
  public static final String DIGEST_BUILD = "digest.build";

  public static final List<String> ALL =
      List.of(
          NOTIFICATION_DISPATCH,
          NOTIFICATION_EMAIL,
          NOTIFICATION_WEBHOOK,
          FEED_FANOUT,
          FEED_FANOUT_CHUNK,
          FEED_RETRACT,
          FEED_BACKFILL,
          DIGEST_BUILD);

  private JobType() {}
}
