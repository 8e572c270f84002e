package io.pulse.common.digest;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;

/**
 * A digest cadence. A period starts at the user's local send time (the send hour, and for weekly
 * digests the weekday) in the user's own time zone, so its start is one instant per user and
 * period: the key that makes a digest happen once.
 */
public enum DigestPeriod {
  DAILY,
  WEEKLY;

  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static DigestPeriod of(String key) {
    for (DigestPeriod p : values()) {
      if (p.key().equals(key)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown digest period '" + key + "' (daily or weekly)");
  }

  /**
   * The start of the period {@code now} falls in: the latest local send time at or before {@code
   * now}. A send hour that a daylight-saving jump skips moves to the hour after the gap.
   */
  public Instant currentStart(Instant now, ZoneId zone, int sendHour, DayOfWeek weeklyDay) {
    LocalDate today = now.atZone(zone).toLocalDate();
    LocalDate day = this == DAILY ? today : today.with(TemporalAdjusters.previousOrSame(weeklyDay));
    Instant start = sendTime(day, zone, sendHour);
    if (start.isAfter(now)) {
      start = sendTime(this == DAILY ? day.minusDays(1) : day.minusWeeks(1), zone, sendHour);
    }
    return start;
  }

  /** The start of the period before the one starting at {@code start}. */
  public Instant previousStart(Instant start, ZoneId zone, int sendHour) {
    LocalDate day = start.atZone(zone).toLocalDate();
    return sendTime(this == DAILY ? day.minusDays(1) : day.minusWeeks(1), zone, sendHour);
  }

  private static Instant sendTime(LocalDate day, ZoneId zone, int sendHour) {
    return ZonedDateTime.of(day, LocalTime.of(sendHour, 0), zone).toInstant();
  }
}
