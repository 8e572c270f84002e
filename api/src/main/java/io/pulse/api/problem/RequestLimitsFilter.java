package io.pulse.api.problem;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
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
              "Content-Type must be application/json, not " + (sent == null ? "missing" : sent))
          .at(request.getUriInfo().getPath())
          .toResponse();
    }
    return null;
  }

  private static boolean isJson(ContainerRequestContext request) {
    try {
      MediaType type = request.getMediaType();
      return type != null && type.isCompatible(MediaType.APPLICATION_JSON_TYPE);
    } catch (IllegalArgumentException e) {
      // A Content-Type that does not even parse ("garbage", "application/") is not JSON either.
      return false;
    }
  }
}
