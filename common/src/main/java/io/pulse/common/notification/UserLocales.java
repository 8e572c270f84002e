package io.pulse.common.notification;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.IllformedLocaleException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The one rule for a user's language. A user's {@code locale} is a well-formed BCP 47 tag with a
 * language ({@code ko}, {@code ko-KR}, {@code en-GB}); none means {@code
 * pulse.notifications.default-locale}. Texts come in the languages templates are shipped in: the
 * user's language if there is one, else the default's, else {@code en}. Dates and times use the
 * whole tag, so {@code en-GB} gets British dates from the English templates.
 */
@ApplicationScoped
public class UserLocales {
  /** Every built-in template is shipped in this language, so it is the last fallback. */
  public static final String BASE_LANGUAGE = "en";

  private final Locale fallback;

  public UserLocales(NotificationConfig config) {
    // A typo in the configuration fails the start, not the first mail.
    this.fallback =
        parse(config.defaultLocale())
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "pulse.notifications.default-locale '"
                            + config.defaultLocale()
                            + "' is not a BCP 47 language tag (en, ko, ko-KR)"));
  }

  /**
   * The tag as a locale, or empty when it is not well-formed BCP 47 or names no language ({@code
   * und}, a private-use {@code x-...}). {@link Locale#forLanguageTag} would turn garbage into the
   * empty locale without a word; the builder refuses it.
   */
  public static Optional<Locale> parse(String tag) {
    if (tag == null || tag.isBlank() || tag.length() > 35) {
      return Optional.empty();
    }
    try {
      Locale locale = new Locale.Builder().setLanguageTag(tag).build();
      return locale.getLanguage().isEmpty() || "und".equals(locale.getLanguage())
          ? Optional.empty()
          : Optional.of(locale);
    } catch (IllformedLocaleException e) {
      return Optional.empty();
    }
  }

  /**
   * The user's locale: the stored tag, or the default when there is none (or it no longer parses).
   */
  public Locale of(String stored) {
    return parse(stored).orElse(fallback);
  }

  public Locale fallback() {
    return fallback;
  }

  /** Which of the shipped languages a reader of this locale gets. */
  public String language(Locale locale, Set<String> shipped) {
    if (shipped.contains(locale.getLanguage())) {
      return locale.getLanguage();
    }
    if (shipped.contains(fallback.getLanguage())) {
      return fallback.getLanguage();
    }
    return BASE_LANGUAGE;
  }
}
