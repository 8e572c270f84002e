package io.pulse.workers.notification;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
  private static final Instant NOW = Instant.parse("2026-12-07T09:00:00Z");

  @Test
  void secondsOrAnHttpDateAreRead() {
    assertEquals(Optional.of(Duration.ofSeconds(120)), RetryAfter.parse(Optional.of("120"), NOW));
    assertEquals(
        Optional.of(Duration.ofSeconds(90)),
        RetryAfter.parse(Optional.of("Mon, 07 Dec 2026 09:01:30 GMT"), NOW));
    assertEquals(
        Optional.of(Duration.ZERO),
        RetryAfter.parse(Optional.of("Mon, 07 Dec 2026 08:00:00 GMT"), NOW),
        "a date already past");
  }

  @Test
  void absentOrUnreadableIsNoWaitAndAHugeOneIsCapped() {
    assertEquals(Optional.empty(), RetryAfter.parse(Optional.empty(), NOW));
    assertEquals(Optional.empty(), RetryAfter.parse(Optional.of("soon"), NOW));
    assertEquals(Optional.empty(), RetryAfter.parse(Optional.of("-5"), NOW));
    assertEquals(
        Optional.of(RetryAfter.LONGEST),
        RetryAfter.parse(Optional.of("99999999999999999999999"), NOW));
  }
}
