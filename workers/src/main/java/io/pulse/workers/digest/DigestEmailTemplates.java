package io.pulse.workers.digest;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import java.util.Map;
import java.util.function.Function;

/**
 * The digest email in each shipped language (HTML, text, subject), type-checked against {@link
 * DigestEmail}: the build fails when a file is missing or names something the digest does not have.
 * Files: {@code templates/digest-email/<language>.html} (each fills in the texts of {@code
 * layout.html}), {@code <language>-text.txt} and {@code <language>-subject.txt}.
 */
@CheckedTemplate(basePath = "digest-email", defaultName = CheckedTemplate.HYPHENATED_ELEMENT_NAME)
final class DigestEmailTemplates {
  private DigestEmailTemplates() {}

  static final Map<String, Function<DigestEmail, TemplateInstance>> HTML =
      Map.of("en", DigestEmailTemplates::en, "ko", DigestEmailTemplates::ko);

  static final Map<String, Function<DigestEmail, TemplateInstance>> TEXT =
      Map.of("en", DigestEmailTemplates::enText, "ko", DigestEmailTemplates::koText);

  static final Map<String, Function<DigestEmail, TemplateInstance>> SUBJECT =
      Map.of("en", DigestEmailTemplates::enSubject, "ko", DigestEmailTemplates::koSubject);

  static native TemplateInstance en(DigestEmail d);

  static native TemplateInstance ko(DigestEmail d);

  static native TemplateInstance enText(DigestEmail d);

  static native TemplateInstance koText(DigestEmail d);

  static native TemplateInstance enSubject(DigestEmail d);

  static native TemplateInstance koSubject(DigestEmail d);
}
