package io.pulse.api.problem;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.IOException;
import java.io.PushbackInputStream;

/**
 * JSON bodies are UTF-8 (RFC 8259), whatever the bytes look like. Jackson guesses the encoding from
 * the first four bytes and would read UTF-16 or UTF-32 (with a byte-order mark or without) as if it
 * had been asked to, so a body that starts like one of them is refused here, naming why. Its
 * priority puts it after the body's size check (default priority), on a body already bounded.
 */
@Provider
@Priority(Priorities.USER + 100)
public class Utf8Body implements ReaderInterceptor {
  private static final int SNIFFED = 4;

  @Override
  public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
    PushbackInputStream body = new PushbackInputStream(context.getInputStream(), SNIFFED);
    byte[] start = body.readNBytes(SNIFFED);
    if (!isUtf8Start(start)) {
      throw ProblemException.badField(
          "body",
          "must be JSON in UTF-8; it starts like UTF-16 or UTF-32 (a byte-order mark or NUL"
              + " bytes)");
    }
    body.unread(start);
    context.setInputStream(body);
    return context.proceed();
  }

  /**
   * A UTF-16/32 byte-order mark starts with FE FF or FF FE (neither byte occurs in UTF-8), and
   * UTF-16/32 JSON without one has a NUL among its first four bytes, where JSON in UTF-8 has none.
   */
  static boolean isUtf8Start(byte[] start) {
    if (start.length >= 2
        && ((start[0] == (byte) 0xFE && start[1] == (byte) 0xFF)
            || (start[0] == (byte) 0xFF && start[1] == (byte) 0xFE))) {
      return false;
    }
    for (byte b : start) {
      if (b == 0) {
        return false;
      }
    }
    return true;
  }
}
