package io.pulse.workers.notification;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Links in mails point into the campus platform: relative links are made absolute there. */
@ApplicationScoped
public class PlatformLinks {
  private final String platformUrl;

  public PlatformLinks(
      @ConfigProperty(
              name = "pulse.notifications.platform-url",
              defaultValue = "https://campus.example")
          String platformUrl) {
    this.platformUrl = platformUrl;
  }

  public String home() {
    return platformUrl;
  }

  public String absolute(String link) {
    if (link == null || link.isBlank()) {
      return platformUrl;
    }
    return link.startsWith("http://") || link.startsWith("https://") ? link : platformUrl + link;
  }
}
