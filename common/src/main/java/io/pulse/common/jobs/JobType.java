package io.pulse.common.jobs;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;

/**
 * The registry of job types: one constant per type, and nothing else declares one. Each type has
 * its own work queue {@code pulse.<type>} and dead-letter queue; the API, both apps' topology, the
 * broker definitions files, the KEDA trigger, the README's table and the per-type configuration
 * keys come from {@link #ALL} or are checked against it (workers/.../deploy/JobTypeDriftTest). In
 * the workers, every type has exactly one {@code JobHandler} (JobHandlersTest). Every static String
 * field of this class is a type: keep anything else out of it.
 */
public final class JobType {
  public static final String NOTIFICATION_DISPATCH = "notification.dispatch";
  public static final String NOTIFICATION_EMAIL = "notification.email";
  public static final String NOTIFICATION_WEBHOOK = "notification.webhook";
  public static final String NOTIFICATION_PUSH = "notification.push";
  public static final String FEED_FANOUT = "feed.fanout";
  public static final String FEED_FANOUT_CHUNK = "feed.fanout.chunk";
  public static final String FEED_RETRACT = "feed.retract";
  public static final String FEED_BACKFILL = "feed.backfill";
  public static final String FEED_REBUILD = "feed.rebuild";
  public static final String DIGEST_BUILD = "digest.build";

  /**
   * Every constant above, sorted: read from the class, so a new constant is registered by being
   * written and no second list can forget it.
   */
  public static final List<String> ALL =
      Arrays.stream(JobType.class.getDeclaredFields())
          .filter(f -> f.getType() == String.class && Modifier.isStatic(f.getModifiers()))
          .map(JobType::value)
          .sorted()
          .toList();

  private JobType() {}

  private static String value(Field constant) {
    try {
      return (String) constant.get(null);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }
}
