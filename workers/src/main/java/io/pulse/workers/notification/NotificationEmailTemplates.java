package io.pulse.workers.notification;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import java.util.Map;
import java.util.function.Function;

/**
 * The notification email in each shipped language, HTML and text, type-checked: the build fails
 * when a file is missing or names something {@link NotificationEmail} does not have. Files: {@code
 * templates/notification-email/<language>.html} (each fills in the texts of {@code layout.html})
 * and {@code <language>-text.txt}. A new language is two files and one line in each table below.
 *
 * <p>Push texts, when the push channel comes, follow the same pattern: a checked class beside its
 * handler over {@code templates/push/<language>.txt}, its language picked by {@link MailReader}.
 */
@CheckedTemplate(
    basePath = "notification-email",
    defaultName = CheckedTemplate.HYPHENATED_ELEMENT_NAME)
final class NotificationEmailTemplates {
  private NotificationEmailTemplates() {}

  static final Map<String, Function<NotificationEmail, TemplateInstance>> HTML =
      Map.of("en", NotificationEmailTemplates::en, "ko", NotificationEmailTemplates::ko);

  static final Map<String, Function<NotificationEmail, TemplateInstance>> TEXT =
      Map.of("en", NotificationEmailTemplates::enText, "ko", NotificationEmailTemplates::koText);

  static native TemplateInstance en(NotificationEmail m);

  static native TemplateInstance ko(NotificationEmail m);

  static native TemplateInstance enText(NotificationEmail m);

  static native TemplateInstance koText(NotificationEmail m);
}
