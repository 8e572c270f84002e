package io.pulse.common.notification;

import java.util.List;

/** The channels a notification can go out on. */
public final class Channel {
  public static final String IN_APP = "in_app";
  public static final String EMAIL = "email";
  public static final String WEBHOOK = "webhook";

  /** Web Push (RFC 8030/8291/8292) to each of the user's browser push subscriptions. */
  public static final String PUSH = "push";

  public static final List<String> ALL = List.of(IN_APP, EMAIL, WEBHOOK, PUSH);

  private Channel() {}
}
