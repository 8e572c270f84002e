package io.pulse.api.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Turns a presented API key into an identity whose roles are its scopes: the bootstrap key ({@code
 * pulse.api.bootstrap-key}, no database row) is an admin; any other key is looked up by its hash in
 * {@link ApiKeyIdentities}. An unknown or revoked key fails authentication (401).
 */
@ApplicationScoped
public class ApiKeyIdentityProvider implements IdentityProvider<ApiKeyAuthenticationRequest> {
  static final String UNKNOWN_KEY = "unknown or revoked API key";

  private static final SecurityIdentity BOOTSTRAP =
      QuarkusSecurityIdentity.builder()
          .setPrincipal(new QuarkusPrincipal("bootstrap"))
          .addRoles(Scope.ALL)
          .build();

  private final ApiConfig config;
  private final ApiKeyIdentities stored;

  public ApiKeyIdentityProvider(ApiConfig config, ApiKeyIdentities stored) {
    this.config = config;
    this.stored = stored;
  }

  @Override
  public Class<ApiKeyAuthenticationRequest> getRequestType() {
    return ApiKeyAuthenticationRequest.class;
  }

  @Override
  public Uni<SecurityIdentity> authenticate(
      ApiKeyAuthenticationRequest request, AuthenticationRequestContext context) {
    if (isBootstrap(request.key())) {
      return Uni.createFrom().item(BOOTSTRAP);
    }
    return stored
        .identityOf(ApiKey.hash(request.key()), context)
        .onItem()
        .ifNull()
        .failWith(() -> new AuthenticationFailedException(UNKNOWN_KEY));
  }

  private boolean isBootstrap(String presented) {
    return config
        .bootstrapKey()
        .filter(key -> !key.isBlank())
        // Compared in constant time, so response timing does not reveal a prefix of the key.
        .map(
            key ->
                MessageDigest.isEqual(
                    key.getBytes(StandardCharsets.UTF_8),
                    presented.getBytes(StandardCharsets.UTF_8)))
        .orElse(false);
  }
}
