package io.pulse.workers.notification;

import io.pulse.common.notification.ChannelDelivery;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * The notification email's two parts, type-checked: the build fails when a template names something
 * its parameters do not have. Files: {@code templates/notification-email.html} and {@code
 * templates/notification-email-text.txt}.
 */
@CheckedTemplate(basePath = "", defaultName = CheckedTemplate.HYPHENATED_ELEMENT_NAME)
final class NotificationEmailTemplates {
  private NotificationEmailTemplates() {}

  static native TemplateInstance notificationEmail(String name, ChannelDelivery n, String link);

  static native TemplateInstance notificationEmailText(String name, ChannelDelivery n, String link);
}
