package io.pulse.api.auth;

import io.pulse.api.problem.Problem;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * {@code Authorization: Bearer <key>} on every endpoint that declares a {@link RequireScope}: no or
 * an unknown or revoked key is 401, a key without the scope is 403.
 */
public class ApiKeyAuthFilter {
  private final ApiConfig config;

  public ApiKeyAuthFilter(ApiConfig config) {
    this.config = config;
  }

  @ServerRequestFilter
  public Response authenticate(ContainerRequestContext request, ResourceInfo resource) {
    RequireScope required = required(resource);
    if (required == null) {
      return null;
    }
    String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() < 8) {
      return unauthorized("missing Authorization: Bearer <api key>");
    }
    String presented = header.substring(7).trim();
    Set<String> scopes = scopesOf(presented);
    if (scopes == null) {
      return unauthorized("unknown or revoked API key");
    }
    if (!scopes.contains(Scope.ADMIN) && !scopes.contains(required.value())) {
      return Problem.of(
              Response.Status.FORBIDDEN,
              "forbidden",
              "this API key lacks the scope '" + required.value() + "'")
          .toResponse();
    }
    return null;
  }

  private Set<String> scopesOf(String presented) {
    if (config
        .bootstrapKey()
        .filter(k -> !k.isBlank())
        .map(k -> constantTimeEquals(k, presented))
        .orElse(false)) {
      return Scope.ALL;
    }
    return ApiKey.findActive(presented).map(k -> Set.of(k.scopes)).orElse(null);
  }

  private static RequireScope required(ResourceInfo resource) {
    if (resource == null || resource.getResourceMethod() == null) {
      return null;
    }
    RequireScope onMethod = resource.getResourceMethod().getAnnotation(RequireScope.class);
    return onMethod != null
        ? onMethod
        : resource.getResourceClass().getAnnotation(RequireScope.class);
  }

  private static Response unauthorized(String detail) {
    return Response.fromResponse(
            Problem.of(Response.Status.UNAUTHORIZED, "unauthorized", detail).toResponse())
        .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
        .build();
  }

  private static boolean constantTimeEquals(String expected, String presented) {
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
  }
}
