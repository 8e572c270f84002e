package io.pulse.workers.notification;

import io.pulse.common.notification.NotificationConfig;
import jakarta.enterprise.context.ApplicationScoped;

/** Links in mails point into the campus platform: relative links are made absolute there. */
@ApplicationScoped
public class PlatformLinks {
  private final String platformUrl;
  private final String settingsPath;

  public PlatformLinks(NotificationConfig config) {
    this.platformUrl = config.platformUrl();
    this.settingsPath = config.settingsPath();
  }

  public String home() {
    return platformUrl;
  }

  /** The user's notification settings, where an unsubscribe is undone. */
  public String settings() {
    return absolute(settingsPath);
  }

  public String absolute(String link) {
    if (link == null || link.isBlank()) {
      return platformUrl;
    }
    return link.startsWith("http://") || link.startsWith("https://") ? link : platformUrl + link;
  }
}
