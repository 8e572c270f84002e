package io.pulse.api.admin;

import io.pulse.api.jobs.OpaqueCursor;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.UUID;

/**
 * Where a dead-letter page ended: the failed-at time and job id of its last row. The next page
 * starts strictly after it in (failed-at, id) order, so jobs dying in between never make a page
 * skip or repeat one.
 */
record DeadLetterCursor(Instant failedAt, UUID jobId) {
  private static final String PREFIX = "d1:";

  String encode() {
    return OpaqueCursor.wrap(PREFIX, failedAt + "|" + jobId);
  }

  static DeadLetterCursor decode(String cursor) {
    String position = OpaqueCursor.unwrap(PREFIX, cursor);
    if (position == null) {
      return null;
    }
    String[] parts = position.split("\\|", -1);
    if (parts.length == 2) {
      try {
        return new DeadLetterCursor(Instant.parse(parts[0]), UUID.fromString(parts[1]));
      } catch (DateTimeException | IllegalArgumentException e) {
        // answered below
      }
    }
    throw OpaqueCursor.invalid();
  }
}
