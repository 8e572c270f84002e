package io.pulse.workers.digest;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * The digest email's two parts, type-checked against {@link DigestBuildHandler.Digest}. Files:
 * {@code templates/digest-email.html} and {@code templates/digest-email-text.txt}.
 */
@CheckedTemplate(basePath = "", defaultName = CheckedTemplate.HYPHENATED_ELEMENT_NAME)
final class DigestEmailTemplates {
  private DigestEmailTemplates() {}

  static native TemplateInstance digestEmail(DigestBuildHandler.Digest d);

  static native TemplateInstance digestEmailText(DigestBuildHandler.Digest d);
}
