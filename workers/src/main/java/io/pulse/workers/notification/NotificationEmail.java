package io.pulse.workers.notification;

import io.quarkus.qute.TemplateData;

/**
 * What a notification email's templates render. {@code title} and {@code body} are the caller's,
 * untranslated; {@code actor} and {@code community} are names, null when unknown; {@code sentAt} is
 * already written in the reader's locale and time zone. {@code unsubscribeUrl} is null for a
 * critical type, which cannot be switched off.
 */
@TemplateData
public record NotificationEmail(
    String name,
    String type,
    String title,
    String body,
    String url,
    String actor,
    String community,
    String sentAt,
    String unsubscribeUrl,
    String settingsUrl) {

  public boolean critical() {
    return unsubscribeUrl == null;
  }
}
