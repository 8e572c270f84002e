package io.pulse.common.jobs;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;

/** Timestamps read by native queries, whatever type Hibernate hands out for a timestamptz. */
public final class SqlTimes {
  private SqlTimes() {}

  /** The instant of a timestamptz column (Instant, OffsetDateTime or Timestamp), or null. */
  public static Instant instant(Object value) {
    if (value == null || value instanceof Instant) {
      return (Instant) value;
    }
    if (value instanceof OffsetDateTime odt) {
      return odt.toInstant();
    }
    if (value instanceof Timestamp ts) {
      return ts.toInstant();
    }
    throw new IllegalArgumentException("not a timestamp: " + value.getClass().getName());
  }
}
