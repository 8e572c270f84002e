package io.pulse.api.jobs;

import io.pulse.api.problem.ProblemException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** The two request headers an enqueue honours: Idempotency-Key and W3C traceparent. */
public final class EnqueueRequestHeaders {
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7E]{1,200}");
  private static final Pattern TRACEPARENT =
      Pattern.compile("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private EnqueueRequestHeaders() {}

  /** Null when absent; 400 when present but not 1-200 visible ASCII characters. */
  public static String idempotencyKey(String header) {
    if (header == null) {
      return null;
    }
    if (!IDEMPOTENCY_KEY.matcher(header).matches()) {
      throw ProblemException.badField(
          "Idempotency-Key", "must be 1 to 200 visible ASCII characters without spaces");
    }
    return header;
  }

  /** The caller's trace context when it sent a valid one, else a new trace. */
  public static String traceparent(String header) {
    if (header != null && TRACEPARENT.matcher(header).matches()) {
      return header;
    }
    byte[] trace = new byte[16];
    byte[] span = new byte[8];
    RANDOM.nextBytes(trace);
    RANDOM.nextBytes(span);
    return "00-" + HexFormat.of().formatHex(trace) + "-" + HexFormat.of().formatHex(span) + "-01";
  }
}
