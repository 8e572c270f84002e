package io.pulse.api.auth;

import io.pulse.api.problem.Problem;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.lang.reflect.Method;
import java.net.URI;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Quarkus Security's refusals as problem bodies that say what is missing: no key (401), a key that
 * is not known or was revoked (401), a key without the endpoint's scope (403, naming the scope).
 * They reach these mappers because authentication is lazy (not proactive).
 */
public class AuthProblemMappers {

  @ServerExceptionMapper
  public Response noKey(UnauthorizedException e, UriInfo uri) {
    if (ConsoleSessionRequest.covers(uri.getPath())) {
      return signIn();
    }
    return unauthorized("missing Authorization: Bearer <api key>", uri);
  }

  /**
   * A key that is not known, revoked or expired (401, saying which when known), or an address
   * refused for presenting too many unknown keys (429, see {@link FailedKeyThrottle}).
   */
  @ServerExceptionMapper
  public Response unknownKey(AuthenticationFailedException e, UriInfo uri) {
    Long retryAfter = e.getAttribute(FailedKeyThrottle.RETRY_AFTER);
    if (retryAfter != null) {
      return Response.fromResponse(
              Problem.of(429, "Too Many Requests", "too-many-failed-keys", e.getMessage())
                  .at(uri.getPath())
                  .toResponse())
          .header("Retry-After", Long.toString(retryAfter))
          .build();
    }
    if (ConsoleSessionRequest.covers(uri.getPath())) {
      return signIn();
    }
    String reason = e.getAttribute(ApiKeyIdentityProvider.REASON);
    return unauthorized(reason != null ? reason : ApiKeyIdentityProvider.UNKNOWN_KEY, uri);
  }

  @ServerExceptionMapper
  public Response lacksScope(ForbiddenException e, ResourceInfo resource, UriInfo uri) {
    return Problem.of(
            Response.Status.FORBIDDEN,
            "forbidden",
            "this API key lacks the scope " + requiredScopes(resource))
        .at(uri.getPath())
        .toResponse();
  }

  /** A console page without a live session goes to the sign-in page, which says nothing more. */
  private static Response signIn() {
    return Response.seeOther(URI.create(ConsoleSessionRequest.PATH + "/sign-in")).build();
  }

  private static Response unauthorized(String detail, UriInfo uri) {
    return Response.fromResponse(
            Problem.of(Response.Status.UNAUTHORIZED, "unauthorized", detail)
                .at(uri.getPath())
                .toResponse())
        .header(HttpHeaders.WWW_AUTHENTICATE, ApiKeyAuthenticationMechanism.SCHEME)
        .build();
  }

  /** "'read'", or "'read' or 'admin'": what the matched endpoint's @RolesAllowed names. */
  private static String requiredScopes(ResourceInfo resource) {
    Method method = resource == null ? null : resource.getResourceMethod();
    RolesAllowed allowed = method == null ? null : method.getAnnotation(RolesAllowed.class);
    if (allowed == null && resource != null && resource.getResourceClass() != null) {
      allowed = resource.getResourceClass().getAnnotation(RolesAllowed.class);
    }
    if (allowed == null) {
      return "this endpoint needs";
    }
    return Arrays.stream(allowed.value())
        .map(scope -> "'" + scope + "'")
        .collect(Collectors.joining(" or "));
  }
}
