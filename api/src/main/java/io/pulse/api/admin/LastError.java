package io.pulse.api.admin;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A ledger {@code last_error} split into the failure's class and message. The workers write it as
 * {@code "com.example.SomeException: message <- caused by ..."}; text in another form (a reason
 * without an exception) has no class and is all message.
 */
record LastError(String errorClass, String message) {
  private static final Pattern CLASS_AND_MESSAGE =
      Pattern.compile(
          "^((?:[\\p{L}_$][\\p{L}\\p{N}_$]*\\.)+[\\p{L}_$][\\p{L}\\p{N}_$]*)(?:: (.*))?$",
          Pattern.DOTALL);

  static LastError parse(String text) {
    if (text == null) {
      return new LastError(null, null);
    }
    Matcher m = CLASS_AND_MESSAGE.matcher(text);
    if (m.matches()) {
      return new LastError(m.group(1), m.group(2));
    }
    return new LastError(null, text);
  }
}
