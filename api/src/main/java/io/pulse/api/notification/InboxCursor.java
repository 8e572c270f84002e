package io.pulse.api.notification;

import io.pulse.api.problem.ProblemException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The opaque keyset cursor of the inbox: the id of the last row served. Ids only grow, so a page
 * never repeats or skips a row, however many arrive in between.
 */
final class InboxCursor {
  private static final String PREFIX = "n1:";

  private InboxCursor() {}

  static String encode(long lastId) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((PREFIX + lastId).getBytes(StandardCharsets.UTF_8));
  }

  static Long decode(String cursor) {
    if (cursor == null || cursor.isEmpty()) {
      return null;
    }
    try {
      String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      if (text.startsWith(PREFIX)) {
        long id = Long.parseLong(text.substring(PREFIX.length()));
        if (id > 0) {
          return id;
        }
      }
    } catch (IllegalArgumentException e) {
      // answered below; NumberFormatException is an IllegalArgumentException too
    }
    throw ProblemException.badField("cursor", "is not a cursor this API returned");
  }
}
