package io.pulse.common.notification;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A user's quiet hours: from {@code start} (included) to {@code end} (excluded) on the wall clock
 * of the user's own time zone, every day; {@code start} after {@code end} crosses midnight. The API
 * stores it, the dispatch asks {@link #deferUntil} when an email may go out.
 *
 * <p>Wall-clock rules at the DST edges, chosen so that nobody is mailed in the hours they asked to
 * be left alone and nothing waits longer than the window: whether a moment is quiet is decided by
 * the time the user's clock shows then (so in a repeated fall-back hour the window can apply twice,
 * and a fall-back that sets the clock back to before the window ends it then); a window that ends
 * at a time the clock skips (spring forward) ends when the clock jumps over it; one that ends in a
 * repeated hour ends at the first time the clock shows it after now. So a deferral is never longer
 * than 25 hours.
 */
public record QuietHours(LocalTime start, LocalTime end) {
  /** {@code HH:mm}, 24-hour, two digits each: what the API takes and answers. */
  public static final Pattern TIME = Pattern.compile("([01][0-9]|2[0-3]):[0-5][0-9]");

  private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");

  public QuietHours {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    if (start.equals(end)) {
      // Empty or the whole day: either way not a window anyone means.
      throw new IllegalArgumentException("start and end must differ");
    }
    if (start.getSecond() != 0
        || start.getNano() != 0
        || end.getSecond() != 0
        || end.getNano() != 0) {
      throw new IllegalArgumentException("quiet hours are whole minutes");
    }
  }

  /** From {@code HH:mm} texts already checked against {@link #TIME}. */
  public static QuietHours of(String start, String end) {
    return new QuietHours(LocalTime.parse(start, HH_MM), LocalTime.parse(end, HH_MM));
  }

  public String startText() {
    return start.format(HH_MM);
  }

  public String endText() {
    return end.format(HH_MM);
  }

  /** Whether a clock showing {@code time} is inside the window. */
  public boolean contains(LocalTime time) {
    if (start.isBefore(end)) {
      return !time.isBefore(start) && time.isBefore(end);
    }
    return !time.isBefore(start) || time.isBefore(end);
  }

  /**
   * When the window that {@code now} falls in ends, as an instant after {@code now}; empty when
   * {@code now} is not quiet in {@code zone}.
   */
  public Optional<Instant> deferUntil(Instant now, ZoneId zone) {
    ZonedDateTime local = now.atZone(zone);
    LocalTime time = local.toLocalTime();
    if (!contains(time)) {
      return Optional.empty();
    }
    // Inside a window that crosses midnight and before midnight: it ends tomorrow.
    boolean endsTomorrow = !start.isBefore(end) && !time.isBefore(start);
    LocalDateTime end = local.toLocalDate().plusDays(endsTomorrow ? 1 : 0).atTime(this.end);
    Instant until = firstInstantShowing(end, zone, local.getOffset());
    // A clock change before then that lands outside the window ends it early (falling back from
    // 02:45 to 02:00 leaves a 02:30-04:00 window until 02:30 comes round again).
    ZoneRules rules = zone.getRules();
    for (ZoneOffsetTransition change = rules.nextTransition(now);
        change != null && change.getInstant().isBefore(until);
        change = rules.nextTransition(change.getInstant())) {
      if (!contains(change.getDateTimeAfter().toLocalTime())) {
        return Optional.of(change.getInstant());
      }
    }
    return Optional.of(until);
  }

  /**
   * The instant a clock in {@code zone} first shows {@code wallTime}, or jumps over it. In a
   * repeated hour the current offset is preferred, so the answer is never an instant already passed
   * (02:15 on the second pass of a fall-back hour ends at 02:30 of that same pass).
   */
  private static Instant firstInstantShowing(
      LocalDateTime wallTime, ZoneId zone, ZoneOffset current) {
    ZoneRules rules = zone.getRules();
    List<ZoneOffset> offsets = rules.getValidOffsets(wallTime);
    if (offsets.isEmpty()) {
      // Skipped by a spring-forward: the clock passes this time at the jump itself.
      ZoneOffsetTransition gap = rules.getTransition(wallTime);
      return gap.getInstant();
    }
    ZoneOffset offset = offsets.contains(current) ? current : offsets.get(0);
    return wallTime.toInstant(offset);
  }
}
