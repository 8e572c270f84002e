package io.pulse.common.notification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which tags are locales, and which shipped language a reader gets. */
class UserLocalesTest {
  static final Set<String> SHIPPED = Set.of("en", "ko");

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"ko,ko", "ko-kr,ko-KR", "EN-gb,en-GB", "zh-Hant-TW,zh-Hant-TW", "fr,fr"})
  void wellFormedTagsAreNormalized(String tag, String normalized) {
    assertEquals(normalized, UserLocales.parse(tag).orElseThrow().toLanguageTag());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"", " ", "en_US", "und", "x-private", "ko-", "123", "koreanlanguage", "a b"})
  void garbageIsNoLocale(String tag) {
    assertTrue(UserLocales.parse(tag).isEmpty(), tag);
  }

  @ParameterizedTest(name = "{0} with default {1} reads {2}")
  @CsvSource({
    "ko-KR,en,ko",
    "en-GB,ko,en",
    "fr-FR,en,en",
    "fr-FR,ko,ko",
    // A default without templates falls back once more, to the base language.
    "fr-FR,ja,en",
  })
  void aReaderGetsTheirLanguageElseTheDefaultsElseEnglish(
      String tag, String defaultLocale, String language) {
    UserLocales locales = new UserLocales(config(defaultLocale));
    assertEquals(language, locales.language(locales.of(tag), SHIPPED));
  }

  @Test
  void noChoiceOrAStaleOneFollowsTheDefault() {
    UserLocales locales = new UserLocales(config("ko-KR"));
    assertEquals(Locale.forLanguageTag("ko-KR"), locales.of(null));
    assertEquals(Locale.forLanguageTag("ko-KR"), locales.of("not a tag"));
  }

  @Test
  void aMalformedDefaultFailsTheStart() {
    assertThrows(IllegalStateException.class, () -> new UserLocales(config("en_US")));
  }

  /** The configuration with only the default locale set. */
  static NotificationConfig config(String defaultLocale) {
    return (NotificationConfig)
        Proxy.newProxyInstance(
            NotificationConfig.class.getClassLoader(),
            new Class<?>[] {NotificationConfig.class},
            (proxy, method, args) -> {
              if (method.getName().equals("defaultLocale")) {
                return defaultLocale;
              }
              throw new UnsupportedOperationException(method.getName());
            });
  }
}
