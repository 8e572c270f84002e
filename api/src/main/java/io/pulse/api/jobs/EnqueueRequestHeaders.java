package io.pulse.api.jobs;

import io.pulse.api.problem.ProblemException;
import jakarta.ws.rs.core.HttpHeaders;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The Idempotency-Key request header of an enqueue. (The other header an enqueue honours, W3C
 * {@code traceparent}, is OpenTelemetry's: the request's server span continues it, and the job
 * carries that span's context, see {@link io.pulse.common.tracing.Traceparent}.)
 */
public final class EnqueueRequestHeaders {
  public static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7E]{1,200}");

  private EnqueueRequestHeaders() {}

  /**
   * The ledger key of a request to {@code endpoint}: {@code "<endpoint> <key>"}, or null without
   * the header. A key cannot hold a space, so keys of different endpoints (and a batch's item keys,
   * {@code "<endpoint> <key> <i>"}) can never meet, whatever a caller puts in them. 400 when the
   * header is there but empty, repeated, or not 1-200 visible ASCII characters. Read from the
   * request's header list because JAX-RS hands an empty header to a {@code @HeaderParam} as null,
   * as if there were none: that made an empty key a second job.
   */
  public static String idempotencyKey(HttpHeaders headers, String endpoint) {
    List<String> values = headers.getRequestHeader(IDEMPOTENCY_KEY_HEADER);
    if (values == null || values.isEmpty()) {
      return null;
    }
    if (values.size() > 1 || !IDEMPOTENCY_KEY.matcher(values.get(0)).matches()) {
      throw ProblemException.badField(
          IDEMPOTENCY_KEY_HEADER,
          "must be one header of 1 to 200 visible ASCII characters without spaces");
    }
    return endpoint + " " + values.get(0);
  }
}
