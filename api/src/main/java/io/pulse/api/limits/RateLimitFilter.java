package io.pulse.api.limits;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Every keyed request under {@code /api/} takes a token from its key's bucket before the resource
 * runs (past the limit: 429, nothing written), and every answer to it carries the RateLimit
 * headers. Runs after matching, on the resource's worker thread, since the bucket is a database
 * row.
 */
public class RateLimitFilter {
  private final SecurityIdentity identity;
  private final RequestRateLimiter limiter;

  public RateLimitFilter(SecurityIdentity identity, RequestRateLimiter limiter) {
    this.identity = identity;
    this.limiter = limiter;
  }

  @ServerRequestFilter
  public void admit(ContainerRequestContext request) {
    if (!request.getUriInfo().getPath().startsWith("/api/")) {
      return;
    }
    // Resolves the (lazy) identity: an unknown key fails here with its 401.
    Caller caller = Caller.of(identity);
    if (caller != null) {
      request.setProperty(RateLimitStatus.REQUEST_PROPERTY, limiter.admit(caller));
    }
  }

  @ServerResponseFilter
  public void headers(ContainerRequestContext request, ContainerResponseContext response) {
    if (request.getProperty(RateLimitStatus.REQUEST_PROPERTY) instanceof RateLimitStatus status) {
      for (Map.Entry<String, String> header : status.headers().entrySet()) {
        response.getHeaders().putSingle(header.getKey(), header.getValue());
      }
    }
  }
}
