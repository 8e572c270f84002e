package io.pulse.api.console;

import io.pulse.api.admin.CreatedKey;
import io.pulse.api.admin.DeadLetterReplay;
import io.pulse.api.auth.ApiKey;
import io.pulse.api.why.NotificationDecisions;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import java.util.List;

/**
 * The console's pages, type-checked: the build fails when a template under {@code
 * templates/console/} is missing or names what these parameters do not have. Qute escapes every
 * value in these HTML templates.
 */
@CheckedTemplate(basePath = "console", defaultName = CheckedTemplate.HYPHENATED_ELEMENT_NAME)
final class ConsolePages {
  private ConsolePages() {}

  static native TemplateInstance signIn(String csrf, String error);

  static native TemplateInstance overview(Nav nav, OverviewFigures figures);

  static native TemplateInstance overviewFigures(OverviewFigures figures);

  static native TemplateInstance jobs(Nav nav, JobsView view);

  static native TemplateInstance job(Nav nav, JobPageView view);

  static native TemplateInstance deadLetters(Nav nav, DeadLettersView view);

  static native TemplateInstance replayPreview(Nav nav, ReplayPreview view);

  static native TemplateInstance replayResult(Nav nav, DeadLetterReplay.Result view);

  static native TemplateInstance user(Nav nav, UserPageView view);

  static native TemplateInstance why(Nav nav, NotificationDecisions view);

  static native TemplateInstance digests(Nav nav, DigestRunsView view);

  static native TemplateInstance apiKeys(Nav nav, List<ApiKey> keys, CreatedKey created);
}
