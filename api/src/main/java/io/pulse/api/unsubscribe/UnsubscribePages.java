package io.pulse.api.unsubscribe;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import java.util.Map;
import java.util.function.Function;

/**
 * The unsubscribe page in each shipped language, type-checked: the build fails when a file is
 * missing or names something {@link UnsubscribePage} does not have. Files: {@code
 * templates/unsubscribe/<language>.html}, each filling in the texts of {@code layout.html}.
 */
@CheckedTemplate(basePath = "unsubscribe", defaultName = CheckedTemplate.HYPHENATED_ELEMENT_NAME)
final class UnsubscribePages {
  private UnsubscribePages() {}

  static final Map<String, Function<UnsubscribePage, TemplateInstance>> BY_LANGUAGE =
      Map.of("en", UnsubscribePages::en, "ko", UnsubscribePages::ko);

  static native TemplateInstance en(UnsubscribePage p);

  static native TemplateInstance ko(UnsubscribePage p);
}
