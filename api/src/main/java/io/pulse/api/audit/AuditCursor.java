package io.pulse.api.audit;

import io.pulse.api.jobs.OpaqueCursor;

/** Where an audit page ended: the id of its last event; the next page holds older ones. */
record AuditCursor(long id) {
  private static final String PREFIX = "a1:";

  String encode() {
    return OpaqueCursor.wrap(PREFIX, Long.toString(id));
  }

  static AuditCursor decode(String cursor) {
    String position = OpaqueCursor.unwrap(PREFIX, cursor);
    if (position == null) {
      return null;
    }
    if (position.matches("[0-9]{1,18}")) {
      return new AuditCursor(Long.parseLong(position));
    }
    throw OpaqueCursor.invalid();
  }
}
