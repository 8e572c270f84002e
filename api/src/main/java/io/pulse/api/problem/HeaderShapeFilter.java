package io.pulse.api.problem;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.regex.Pattern;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses (400) a request whose headers could only come from a broken or hostile hop, before
 * anything reads them: a header that must be given once given twice (which one counts would be up
 * to each hop on the way; RFC 9112 requires this for Host), and a {@code traceparent} holding a
 * control character, a space (where a folded line was joined) or a non-ASCII byte, which no trace
 * context has and which is how text gets smuggled into logs. A {@code traceparent} that is merely
 * malformed (wrong length, not hex) is still ignored, as W3C Trace Context says: the request then
 * starts a new trace. {@code Authorization} twice is the authentication mechanism's 401, {@code
 * Idempotency-Key} twice the enqueue's 400.
 */
public class HeaderShapeFilter {
  static final String TRACEPARENT = "traceparent";
  private static final List<String> SINGLETONS =
      List.of(HttpHeaders.HOST, HttpHeaders.CONTENT_TYPE, TRACEPARENT);
  private static final Pattern VISIBLE_ASCII = Pattern.compile("[\\x21-\\x7E]*");

  @ServerRequestFilter(preMatching = true)
  @Priority(Priorities.HEADER_DECORATOR)
  public Response refuse(ContainerRequestContext request) {
    for (String name : SINGLETONS) {
      List<String> values = request.getHeaders().get(name);
      if (values != null && values.size() > 1) {
        return refusal(request, "more than one " + name + " header: send exactly one");
      }
    }
    String traceparent = request.getHeaderString(TRACEPARENT);
    if (traceparent != null && !VISIBLE_ASCII.matcher(traceparent).matches()) {
      return refusal(
          request,
          "the traceparent header holds a control character, a space or a non-ASCII byte,"
              + " which no W3C trace context has");
    }
    return null;
  }

  private static Response refusal(ContainerRequestContext request, String detail) {
    return Problem.of(400, "Bad Request", "bad-header", detail)
        .at(request.getUriInfo().getPath())
        .toResponse();
  }
}
