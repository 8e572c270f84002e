package io.pulse.api.problem;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses a body that is not JSON (415) before anything reads it. Its size is checked earlier, by
 * {@link BodyReceiver}.
 */
public class RequestLimitsFilter {
  private static final Set<String> WITH_BODY = Set.of("POST", "PUT", "PATCH");

  @ServerRequestFilter(preMatching = true)
  public Response limit(ContainerRequestContext request) {
    if (!WITH_BODY.contains(request.getMethod())
        || !request.getUriInfo().getPath().startsWith("/api/")) {
      return null;
    }
    boolean hasBody =
        request.getLength() > 0 || request.getHeaderString("Transfer-Encoding") != null;
    if (hasBody && !isJson(request)) {
      String sent = request.getHeaderString(HttpHeaders.CONTENT_TYPE);
      return Problem.of(
              415,
              "Unsupported Media Type",
              "unsupported-media-type",
              "Content-Type must be application/json (in UTF-8), not "
                  + (sent == null ? "missing" : sent))
          .at(request.getUriInfo().getPath())
          .toResponse();
    }
    return null;
  }

  /**
   * application/json and nothing like it: a wildcard ({@code *}{@code /*}, {@code application/*})
   * names no format, and a lookalike ({@code application/json-seq}, {@code ...+json}) is another
   * format. JSON is UTF-8 (RFC 8259), so the only parameter taken is {@code charset=utf-8}; any
   * other charset would be decoded as something the caller did not send.
   */
  private static boolean isJson(ContainerRequestContext request) {
    MediaType type;
    try {
      type = request.getMediaType();
    } catch (IllegalArgumentException e) {
      // A Content-Type that does not even parse ("garbage", "application/") is not JSON either.
      return false;
    }
    if (type == null
        || !"application".equalsIgnoreCase(type.getType())
        || !"json".equalsIgnoreCase(type.getSubtype())) {
      return false;
    }
    for (Map.Entry<String, String> parameter : type.getParameters().entrySet()) {
      if (!MediaType.CHARSET_PARAMETER.equalsIgnoreCase(parameter.getKey())
          || !"utf-8".equalsIgnoreCase(parameter.getValue())) {
        return false;
      }
    }
    return true;
  }
}
