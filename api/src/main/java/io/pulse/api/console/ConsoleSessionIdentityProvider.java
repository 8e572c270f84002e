package io.pulse.api.console;

import io.pulse.api.auth.ApiKeyIdentityProvider;
import io.pulse.api.auth.ConsoleSessionRequest;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A console session is the identity of the API key that signed in, checked as that key would be on
 * an API request (revoked, expired, past its rotation grace: refused), plus the session's CSRF
 * token for the forms.
 */
@ApplicationScoped
public class ConsoleSessionIdentityProvider implements IdentityProvider<ConsoleSessionRequest> {
  static final String CSRF = "pulse.console-csrf";

  private final ConsoleSessions sessions;
  private final ApiKeyIdentityProvider keys;

  public ConsoleSessionIdentityProvider(ConsoleSessions sessions, ApiKeyIdentityProvider keys) {
    this.sessions = sessions;
    this.keys = keys;
  }

  @Override
  public Class<ConsoleSessionRequest> getRequestType() {
    return ConsoleSessionRequest.class;
  }

  @Override
  public Uni<SecurityIdentity> authenticate(
      ConsoleSessionRequest request, AuthenticationRequestContext context) {
    String address = request.address();
    // The session row is read on a worker thread, as the API key lookup is.
    return Uni.createFrom()
        .item(() -> sessions.find(request.token()).orElse(null))
        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
        .onItem()
        .ifNull()
        .failWith(() -> new AuthenticationFailedException("no console session"))
        .onItem()
        .transformToUni(
            session ->
                keys.byHash(session.keyHash(), address, context)
                    .map(
                        identity ->
                            QuarkusSecurityIdentity.builder(identity)
                                .addAttribute(CSRF, session.csrfToken())
                                .build()));
  }
}
