package io.pulse.api.console;

import io.pulse.api.auth.ConsoleSessionRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MultivaluedMap;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Security headers on every console answer: scripts, styles and requests only from the API's own
 * origin (no inline script, so an escaped value that slipped through still could not run), no
 * framing, no caching of pages that show jobs' payloads.
 */
public class ConsoleHeaders {
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
          + " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

  @ServerResponseFilter
  public void secure(ContainerRequestContext request, ContainerResponseContext response) {
    String path = request.getUriInfo().getPath();
    if (!path.equals(ConsoleSessionRequest.PATH)
        && !path.startsWith(ConsoleSessionRequest.PATH + "/")) {
      return;
    }
    MultivaluedMap<String, Object> headers = response.getHeaders();
    headers.putSingle("Content-Security-Policy", CSP);
    headers.putSingle("X-Content-Type-Options", "nosniff");
    headers.putSingle("X-Frame-Options", "DENY");
    headers.putSingle("Referrer-Policy", "no-referrer");
    headers.putSingle("Cache-Control", "no-store");
  }
}
