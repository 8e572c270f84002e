package io.pulse.common.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A job's trace context as the W3C {@code traceparent} string it travels as: in the ledger's {@code
 * traceparent} column and the message's {@code traceparent} header. OpenTelemetry's own propagator
 * writes and reads it, so a malformed value is ignored the way W3C Trace Context says.
 */
public final class Traceparent {
  private static final String HEADER = "traceparent";
  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

  /** The carrier is the header's value itself: one string, one key. */
  private static final TextMapGetter<String> VALUE =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
          return List.of(HEADER);
        }

        @Override
        public String get(String carrier, String key) {
          return HEADER.equals(key) ? carrier : null;
        }
      };

  private Traceparent() {}

  /**
   * The span current on this thread (in the API, the server span of the request, which continues
   * the caller's {@code traceparent}), or null when there is none: tracing is off, or nothing is
   * being traced here.
   */
  public static String ofCurrentSpan() {
    return of(Context.current());
  }

  public static String of(Span span) {
    return of(Context.root().with(span));
  }

  /** The context whose parent span {@code traceparent} names; the root context when none. */
  public static Context parentFrom(String traceparent) {
    if (traceparent == null) {
      return Context.root();
    }
    return W3C.extract(Context.root(), traceparent, VALUE);
  }

  private static String of(Context context) {
    Map<String, String> carrier = new HashMap<>(2);
    W3C.inject(context, carrier, (headers, key, value) -> headers.put(key, value));
    return carrier.get(HEADER);
  }
}
