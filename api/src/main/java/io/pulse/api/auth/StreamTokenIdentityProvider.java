package io.pulse.api.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Map;

/**
 * A valid stream token is an identity with the one role {@value StreamTokens#ROLE} and the user it
 * is bound to; the stream checks that user against its path. An expired or forged one fails
 * authentication (401, saying which).
 */
@ApplicationScoped
public class StreamTokenIdentityProvider implements IdentityProvider<StreamTokenRequest> {
  private final StreamTokens tokens;

  public StreamTokenIdentityProvider(StreamTokens tokens) {
    this.tokens = tokens;
  }

  @Override
  public Class<StreamTokenRequest> getRequestType() {
    return StreamTokenRequest.class;
  }

  @Override
  public Uni<SecurityIdentity> authenticate(
      StreamTokenRequest request, AuthenticationRequestContext context) {
    long user;
    try {
      user = tokens.verify(request.token(), Instant.now());
    } catch (IllegalArgumentException e) {
      return Uni.createFrom()
          .failure(
              new AuthenticationFailedException(
                  e.getMessage(), Map.of(ApiKeyIdentityProvider.REASON, e.getMessage())));
    }
    return Uni.createFrom()
        .item(
            QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal("stream-token:" + user))
                .addRole(StreamTokens.ROLE)
                .addAttribute(StreamTokens.USER, user)
                .build());
  }
}
