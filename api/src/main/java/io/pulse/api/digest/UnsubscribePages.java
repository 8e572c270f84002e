package io.pulse.api.digest;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * The unsubscribe page, type-checked: the build fails when {@code templates/unsubscribe.html} is
 * missing or names something these parameters do not have. {@code state} is one of {@code confirm},
 * {@code done} or {@code refused}; {@code message} and {@code token} may be null.
 */
@CheckedTemplate(basePath = "", defaultName = CheckedTemplate.HYPHENATED_ELEMENT_NAME)
final class UnsubscribePages {
  private UnsubscribePages() {}

  static native TemplateInstance unsubscribe(
      String state, String title, String message, String token);
}
