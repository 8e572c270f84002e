package io.pulse.common.notification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The quiet-hours window with the clock fixed by each case: Asia/Seoul (no DST) as the common case,
 * Europe/Berlin and America/New_York across spring-forward and fall-back (2026: Berlin 29 March and
 * 25 October at 01:00 UTC, New York 8 March at 07:00 UTC and 1 November at 06:00 UTC), and an
 * exhaustive sweep that checks every minute against a brute-force walk of the user's clock.
 */
class QuietHoursTest {
  static final ZoneId SEOUL = ZoneId.of("Asia/Seoul");
  static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  static final List<LocalTime> ENDS =
      Stream.concat(
              IntStream.range(0, 24).mapToObj(hour -> LocalTime.of(hour, 0)),
              Stream.of(LocalTime.of(1, 30), LocalTime.of(2, 30)))
          .toList();

  @ParameterizedTest(name = "{0} {1}-{2} at {3} UTC -> {4}")
  @CsvSource({
    // Seoul, no DST. 22:00 KST is 13:00 UTC; the window ends at 07:00 KST = 22:00 UTC.
    "Asia/Seoul, 22:00, 07:00, 2026-12-01T12:59:59Z, -",
    "Asia/Seoul, 22:00, 07:00, 2026-12-01T13:00:00Z, 2026-12-01T22:00:00Z",
    "Asia/Seoul, 22:00, 07:00, 2026-12-01T14:30:00Z, 2026-12-01T22:00:00Z",
    // Midnight KST (15:00 UTC): the window crossed midnight; it still ends at 07:00.
    "Asia/Seoul, 22:00, 07:00, 2026-12-01T15:00:00Z, 2026-12-01T22:00:00Z",
    "Asia/Seoul, 22:00, 07:00, 2026-12-01T21:59:59.999Z, 2026-12-01T22:00:00Z",
    "Asia/Seoul, 22:00, 07:00, 2026-12-01T22:00:00Z, -",
    "Asia/Seoul, 22:00, 07:00, 2026-12-02T03:00:00Z, -",
    // A window inside one day.
    "Asia/Seoul, 13:00, 14:00, 2026-12-01T03:59:00Z, -",
    "Asia/Seoul, 13:00, 14:00, 2026-12-01T04:00:00Z, 2026-12-01T05:00:00Z",
    "Asia/Seoul, 13:00, 14:00, 2026-12-01T04:59:59Z, 2026-12-01T05:00:00Z",
    "Asia/Seoul, 13:00, 14:00, 2026-12-01T05:00:00Z, -",
    "Asia/Seoul, 13:00, 14:00, 2026-12-01T16:00:00Z, -",
    // Berlin spring forward, 29 March 2026: 02:00 CET jumps to 03:00 CEST at 01:00 UTC.
    // The end 02:30 never shows: the window ends at the jump.
    "Europe/Berlin, 22:00, 02:30, 2026-03-28T22:00:00Z, 2026-03-29T01:00:00Z",
    "Europe/Berlin, 22:00, 02:30, 2026-03-29T00:59:00Z, 2026-03-29T01:00:00Z",
    // An end at the jump's far side is 03:00 CEST: the same instant.
    "Europe/Berlin, 22:00, 03:00, 2026-03-28T22:00:00Z, 2026-03-29T01:00:00Z",
    // 07:00 CEST is 05:00 UTC: the night is an hour shorter, as the user's clock says.
    "Europe/Berlin, 22:00, 07:00, 2026-03-28T21:00:00Z, 2026-03-29T05:00:00Z",
    // A start in the skipped hour: quiet from the jump on.
    "Europe/Berlin, 02:30, 06:00, 2026-03-29T00:59:00Z, -",
    "Europe/Berlin, 02:30, 06:00, 2026-03-29T01:00:00Z, 2026-03-29T04:00:00Z",
    // Only 02:00-03:00 is loud, and spring forward skips it: the window ends at the jump, not a
    // day later.
    "Europe/Berlin, 03:00, 02:00, 2026-03-28T12:00:00Z, 2026-03-29T01:00:00Z",
    // Berlin fall back, 25 October 2026: 03:00 CEST goes back to 02:00 CET at 01:00 UTC.
    // The end 02:30 shows twice: the window ends at the first.
    "Europe/Berlin, 22:00, 02:30, 2026-10-24T21:00:00Z, 2026-10-25T00:30:00Z",
    // 02:45 CEST (first pass) is after the end, not quiet ...
    "Europe/Berlin, 22:00, 02:30, 2026-10-25T00:45:00Z, -",
    // ... and 02:15 CET (second pass) is before it again: quiet until 02:30 CET of that pass.
    "Europe/Berlin, 22:00, 02:30, 2026-10-25T01:15:00Z, 2026-10-25T01:30:00Z",
    // 07:00 CET is 06:00 UTC: the night is an hour longer.
    "Europe/Berlin, 22:00, 07:00, 2026-10-24T20:00:00Z, 2026-10-25T06:00:00Z",
    // 02:45 CEST is quiet in 02:30-04:00, but at 01:00 UTC the clock goes back to 02:00 CET,
    // before the window: it ends there, and starts again at 02:30 CET.
    "Europe/Berlin, 02:30, 04:00, 2026-10-25T00:45:00Z, 2026-10-25T01:00:00Z",
    "Europe/Berlin, 02:30, 04:00, 2026-10-25T01:30:00Z, 2026-10-25T03:00:00Z",
    // New York spring forward, 8 March 2026: 02:00 EST jumps to 03:00 EDT at 07:00 UTC.
    "America/New_York, 23:00, 02:30, 2026-03-08T04:00:00Z, 2026-03-08T07:00:00Z",
    "America/New_York, 23:00, 07:00, 2026-03-08T04:00:00Z, 2026-03-08T11:00:00Z",
    // New York fall back, 1 November 2026: 02:00 EDT goes back to 01:00 EST at 06:00 UTC.
    "America/New_York, 00:00, 01:30, 2026-11-01T04:30:00Z, 2026-11-01T05:30:00Z",
    "America/New_York, 00:00, 01:30, 2026-11-01T05:45:00Z, -",
    "America/New_York, 00:00, 01:30, 2026-11-01T06:10:00Z, 2026-11-01T06:30:00Z",
    "America/New_York, 22:00, 07:00, 2026-11-01T03:00:00Z, 2026-11-01T12:00:00Z",
  })
  void deferUntil(ZoneId zone, String start, String end, Instant now, String expected) {
    Optional<Instant> until =
        expected.equals("-") ? Optional.empty() : Optional.of(Instant.parse(expected));
    assertEquals(until, QuietHours.of(start, end).deferUntil(now, zone));
  }

  /**
   * Every minute of two days around each transition (and two plain days in Seoul), for windows
   * starting on every hour and ending on every hour or in the middle of a skipped or repeated hour:
   * the deferral is present exactly when the user's clock shows a quiet time, and it ends at the
   * first minute after now whose clock time is not quiet, or at which a spring-forward jumped over
   * the window's end (found by walking the minutes backwards), never more than 25 hours on.
   */
  @Test
  void everyMinuteAgreesWithABruteForceWalkOfTheClock() {
    record Span(ZoneId zone, Instant from) {}
    Span[] spans = {
      new Span(SEOUL, Instant.parse("2026-12-01T00:00:00Z")),
      new Span(BERLIN, Instant.parse("2026-03-28T12:00:00Z")),
      new Span(BERLIN, Instant.parse("2026-10-24T12:00:00Z")),
      new Span(NEW_YORK, Instant.parse("2026-03-07T18:00:00Z")),
      new Span(NEW_YORK, Instant.parse("2026-10-31T18:00:00Z")),
    };
    int minutes = 48 * 60;
    // Walk on past the span, so the last minutes' windows can end.
    int walk = minutes + 26 * 60;
    long checked = 0;
    for (Span span : spans) {
      LocalTime[] clock = new LocalTime[walk];
      for (int m = 0; m < walk; m++) {
        clock[m] = span.from().plus(m, ChronoUnit.MINUTES).atZone(span.zone()).toLocalTime();
      }
      for (int startHour = 0; startHour < 24; startHour++) {
        for (LocalTime end : ENDS) {
          LocalTime start = LocalTime.of(startHour, 0);
          if (start.equals(end)) {
            continue;
          }
          QuietHours window = new QuietHours(start, end);
          int nextLoud = -1;
          int[] firstLoudAfter = new int[walk];
          for (int m = walk - 1; m >= 0; m--) {
            firstLoudAfter[m] = nextLoud;
            if (!window.contains(clock[m]) || (m > 0 && jumpsOver(clock[m - 1], clock[m], end))) {
              nextLoud = m;
            }
          }
          for (int m = 0; m < minutes; m++) {
            Instant now = span.from().plus(m, ChronoUnit.MINUTES);
            Optional<Instant> until = window.deferUntil(now, span.zone());
            String what = span.zone() + " " + start + "-" + end + " at " + now;
            if (!window.contains(clock[m])) {
              assertEquals(Optional.empty(), until, what);
            } else {
              Instant expected = span.from().plus(firstLoudAfter[m], ChronoUnit.MINUTES);
              assertEquals(Optional.of(expected), until, what);
              assertTrue(Duration.between(now, expected).compareTo(Duration.ofHours(25)) <= 0);
            }
            checked++;
          }
        }
      }
    }
    assertEquals(5L * (24 * ENDS.size() - 24) * 48 * 60, checked);
  }

  @Test
  void aWindowAnswersInSecondsAndMillisecondsToo() {
    QuietHours window = QuietHours.of("22:00", "07:00");
    Instant justBefore = Instant.parse("2026-12-01T12:59:59.999Z");
    assertFalse(window.deferUntil(justBefore, SEOUL).isPresent());
    assertEquals(
        Optional.of(Instant.parse("2026-12-01T22:00:00Z")),
        window.deferUntil(justBefore.plusMillis(1), SEOUL));
  }

  @Test
  void startAndEndMustDiffer() {
    assertThrows(IllegalArgumentException.class, () -> QuietHours.of("07:00", "07:00"));
    assertThrows(
        IllegalArgumentException.class,
        () -> new QuietHours(LocalTime.of(7, 0, 30), LocalTime.of(8, 0)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"00:00", "07:05", "19:59", "23:59"})
  void timesInTheApiFormat(String time) {
    assertTrue(QuietHours.TIME.matcher(time).matches());
    assertEquals(time, QuietHours.of(time, time.equals("00:00") ? "01:00" : "00:00").startText());
  }

  @ParameterizedTest
  @ValueSource(strings = {"24:00", "7:00", "07:60", "07:00:00", "0700", "", " 07:00", "07:00 "})
  void timesNotInTheApiFormat(String time) {
    assertFalse(QuietHours.TIME.matcher(time).matches());
  }

  /**
   * Whether the clock, moving from {@code before} to {@code after} in one minute, skipped {@code
   * end}.
   */
  private static boolean jumpsOver(LocalTime before, LocalTime after, LocalTime end) {
    long step = Math.floorMod(Duration.between(before, after).toMinutes(), 24 * 60);
    long toEnd = Math.floorMod(Duration.between(before, end).toMinutes(), 24 * 60);
    // A spring-forward step is an hour and a minute; a fall-back one goes backwards (a long way
    // round the dial) and skips nothing.
    return step > 1 && step <= 3 * 60 && toEnd > 0 && toEnd <= step;
  }
}
