package io.pulse.workers.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** When a catch-up mail is due: the next digest hour on the user's own clock. */
class CatchUpMailsTest {
  static final ZoneId SEOUL = ZoneId.of("Asia/Seoul");
  static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

  @Test
  void beforeTheHourItIsThisMorningAfterItTomorrowMorning() {
    // 07:00 and 09:00 in Seoul on Dec 2.
    assertEquals(
        Instant.parse("2026-12-01T23:00:00Z"),
        CatchUpMails.nextSendHour(Instant.parse("2026-12-01T22:00:00Z"), SEOUL, 8));
    assertEquals(
        Instant.parse("2026-12-02T23:00:00Z"),
        CatchUpMails.nextSendHour(Instant.parse("2026-12-02T00:00:00Z"), SEOUL, 8));
    assertEquals(
        Instant.parse("2026-12-02T23:00:00Z"),
        CatchUpMails.nextSendHour(Instant.parse("2026-12-01T23:00:00Z"), SEOUL, 8),
        "at the hour exactly, the next one");
  }

  @Test
  void anHourTheClockSkipsMovesPastTheGap() {
    // New York springs forward at 02:00 on 8 March 2026: 02:00 does not exist, 03:00 EDT does.
    assertEquals(
        Instant.parse("2026-03-08T07:00:00Z"),
        CatchUpMails.nextSendHour(Instant.parse("2026-03-08T05:00:00Z"), NEW_YORK, 2));
  }
}
