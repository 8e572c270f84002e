package io.pulse.api.jobs;

import io.pulse.api.problem.ProblemException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The wrapping of a keyset cursor: a versioned position (a prefix like {@code "d1:"} and the text
 * of the position) made opaque, so callers pass it back rather than build one.
 */
public final class OpaqueCursor {
  private OpaqueCursor() {}

  public static String wrap(String prefix, String position) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((prefix + position).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The position inside a cursor, or null when there is no cursor (first page).
   *
   * @throws ProblemException 400 on {@code cursor} when it is not one of ours
   */
  public static String unwrap(String prefix, String cursor) {
    if (cursor == null || cursor.isEmpty()) {
      return null;
    }
    try {
      String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      if (text.startsWith(prefix)) {
        return text.substring(prefix.length());
      }
    } catch (IllegalArgumentException e) {
      // answered below
    }
    throw invalid();
  }

  public static ProblemException invalid() {
    return ProblemException.badField("cursor", "is not a cursor this API returned");
  }
}
