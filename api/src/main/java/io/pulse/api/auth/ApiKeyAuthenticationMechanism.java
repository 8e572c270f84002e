package io.pulse.api.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code Authorization: Bearer <api key>}; a request with two such headers is refused (401).
 * Without one, it reads a {@code ?token=} on the notification stream alone (see {@link
 * StreamTokens}) or the console's session cookie under {@code /console} alone. A request with none
 * of them is anonymous: an endpoint that needs a scope then answers 401 (see {@link
 * AuthProblemMappers}); a public one (the unsubscribe page, health, metrics) does not care.
 * Authentication is lazy ({@code quarkus.http.auth.proactive=false}), so a key is only looked up
 * for an endpoint that needs one.
 */
@ApplicationScoped
public class ApiKeyAuthenticationMechanism implements HttpAuthenticationMechanism {
  static final String SCHEME = "Bearer";
  private static final String PREFIX = SCHEME + " ";
  static final String MORE_THAN_ONE = "more than one Authorization header: send exactly one";

  @Override
  public Uni<SecurityIdentity> authenticate(
      RoutingContext context, IdentityProviderManager identities) {
    List<String> authorizations = context.request().headers().getAll(HttpHeaders.AUTHORIZATION);
    if (authorizations.size() > 1) {
      // Which one would count is up to each hop (a proxy may pass the first, we might read the
      // last), and a second header is how a request smuggles a key past one that checked the
      // other: refuse the request rather than choose.
      return Uni.createFrom()
          .failure(
              new AuthenticationFailedException(
                  MORE_THAN_ONE, Map.of(ApiKeyIdentityProvider.REASON, MORE_THAN_ONE)));
    }
    String key = presentedKey(authorizations.isEmpty() ? null : authorizations.get(0));
    if (key == null) {
      String token = context.request().getParam(StreamTokenRequest.PARAMETER);
      if (token != null && StreamTokenRequest.covers(context.normalizedPath())) {
        return identities.authenticate(
            HttpSecurityUtils.setRoutingContextAttribute(new StreamTokenRequest(token), context));
      }
      return consoleSession(context, identities);
    }
    return identities.authenticate(
        HttpSecurityUtils.setRoutingContextAttribute(
            new ApiKeyAuthenticationRequest(key), context));
  }

  /**
   * A console page's session cookie, only under {@value ConsoleSessionRequest#PATH}: the JSON API
   * takes keys alone, so a cookie can never make a cross-site request there count as a caller's.
   */
  private static Uni<SecurityIdentity> consoleSession(
      RoutingContext context, IdentityProviderManager identities) {
    Cookie cookie = context.request().getCookie(ConsoleSessionRequest.COOKIE);
    if (cookie == null
        || cookie.getValue().isEmpty()
        || !ConsoleSessionRequest.covers(context.normalizedPath())) {
      return Uni.createFrom().nullItem();
    }
    return identities.authenticate(
        HttpSecurityUtils.setRoutingContextAttribute(
            new ConsoleSessionRequest(cookie.getValue()), context));
  }

  /** The key after "Bearer " (the scheme is case-insensitive, RFC 9110), or null if none. */
  static String presentedKey(String authorization) {
    if (authorization == null
        || !authorization.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      return null;
    }
    String key = authorization.substring(PREFIX.length()).trim();
    return key.isEmpty() ? null : key;
  }

  @Override
  public Uni<ChallengeData> getChallenge(RoutingContext context) {
    return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", SCHEME));
  }

  @Override
  public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
    return Set.of(
        ApiKeyAuthenticationRequest.class, ConsoleSessionRequest.class, StreamTokenRequest.class);
  }

  @Override
  public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
    return Uni.createFrom()
        .item(new HttpCredentialTransport(HttpCredentialTransport.Type.AUTHORIZATION, SCHEME));
  }
}
