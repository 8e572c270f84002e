package io.pulse.api.notification;

import io.pulse.api.jobs.OpaqueCursor;

/**
 * The opaque keyset cursor of the inbox: the id of the last row served. Ids only grow, so a page
 * never repeats or skips a row, however many arrive in between.
 */
final class InboxCursor {
  private static final String PREFIX = "n1:";

  private InboxCursor() {}

  static String encode(long lastId) {
    return OpaqueCursor.wrap(PREFIX, Long.toString(lastId));
  }

  static Long decode(String cursor) {
    String position = OpaqueCursor.unwrap(PREFIX, cursor);
    if (position == null) {
      return null;
    }
    try {
      long id = Long.parseLong(position);
      if (id > 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw OpaqueCursor.invalid();
  }
}
