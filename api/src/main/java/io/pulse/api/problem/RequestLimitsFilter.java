package io.pulse.api.problem;

import io.pulse.api.auth.ApiConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses a body before anything reads it: larger than {@code pulse.api.max-body-bytes} is 413,
 * anything but JSON is 415. (The HTTP server's own limit, a little higher, stops bodies that lie
 * about their length.)
 */
public class RequestLimitsFilter {
  private static final Set<String> WITH_BODY = Set.of("POST", "PUT", "PATCH");
  private final ApiConfig config;

  public RequestLimitsFilter(ApiConfig config) {
    this.config = config;
  }

  @ServerRequestFilter(preMatching = true)
  public Response limit(ContainerRequestContext request) {
    if (!WITH_BODY.contains(request.getMethod())
        || !request.getUriInfo().getPath().startsWith("/api/")) {
      return null;
    }
    int length = request.getLength();
    if (length > config.maxBodyBytes()) {
      return Problem.of(
              413,
              "Content Too Large",
              "body-too-large",
              "body has " + length + " bytes; the limit is " + config.maxBodyBytes())
          .at(request.getUriInfo().getPath())
          .toResponse();
    }
    MediaType type = request.getMediaType();
    boolean hasBody = length > 0 || request.getHeaderString("Transfer-Encoding") != null;
    if (hasBody && (type == null || !type.isCompatible(MediaType.APPLICATION_JSON_TYPE))) {
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
}
