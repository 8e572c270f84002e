package io.pulse.api.jobs;

import io.pulse.api.problem.ProblemException;
import java.util.UUID;
import java.util.regex.Pattern;

/** Path ids, checked: platform ids are positive 64-bit integers, job ids are UUIDs. */
public final class Ids {
  // UUID.fromString also takes "1-1-1-1-1"; only the canonical 36-character form is an id here.
  private static final Pattern UUID_TEXT =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,19}");

  private Ids() {}

  public static long positive(String name, String value) {
    // Long.parseLong also reads "+5" and other scripts' digits (U+0663 is 3): one id, one spelling.
    if (value != null && DIGITS.matcher(value).matches()) {
      try {
        long id = Long.parseLong(value);
        if (id > 0) {
          return id;
        }
      } catch (NumberFormatException e) {
        // past Long.MAX_VALUE: answered below
      }
    }
    throw ProblemException.badField(name, "must be a positive 64-bit integer, got '" + value + "'");
  }

  public static UUID uuid(String name, String value) {
    if (value == null || !UUID_TEXT.matcher(value).matches()) {
      throw ProblemException.badField(name, "must be a UUID, got '" + value + "'");
    }
    return UUID.fromString(value);
  }
}
