package io.pulse.workers.notification;

import io.pulse.common.notification.UserLocales;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.Locale;
import java.util.Set;

/**
 * Who reads a mail, as far as its words and dates go: the language of its templates (one of those
 * shipped), and the locale and time zone its dates and times are written in ({@code 2026년 12월 7일
 * 월요일} for {@code ko} in Seoul, {@code Monday, December 7, 2026} for {@code en}).
 */
public record MailReader(String language, Locale locale, ZoneId zone) {

  /** The reader of a user's stored locale and time zone; an unknown zone reads as UTC. */
  public static MailReader of(
      UserLocales locales, Set<String> shipped, String storedLocale, String timeZone) {
    Locale locale = locales.of(storedLocale);
    return new MailReader(locales.language(locale, shipped), locale, zone(timeZone));
  }

  private static ZoneId zone(String timeZone) {
    try {
      return timeZone == null ? ZoneOffset.UTC : ZoneId.of(timeZone);
    } catch (DateTimeException e) {
      return ZoneOffset.UTC;
    }
  }

  /** A day, in full: the digest's date. */
  public String date(Instant at) {
    return DateTimeFormatter.ofLocalizedDate(FormatStyle.FULL)
        .withLocale(locale)
        .withZone(zone)
        .format(at);
  }

  /** A moment, short: when a notification was sent. */
  public String dateTime(Instant at) {
    return DateTimeFormatter.ofLocalizedDateTime(FormatStyle.MEDIUM, FormatStyle.SHORT)
        .withLocale(locale)
        .withZone(zone)
        .format(at);
  }
}
