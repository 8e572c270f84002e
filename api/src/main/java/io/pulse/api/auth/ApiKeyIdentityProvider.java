package io.pulse.api.auth;

import io.pulse.api.limits.Caller;
import io.pulse.api.limits.KeyLimits;
import io.pulse.api.limits.LimitsConfig;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.BaseAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Map;

/**
 * Turns a presented API key into an identity whose roles are its scopes: the bootstrap key ({@code
 * pulse.api.bootstrap-key}, no database row) is an admin; any other key is looked up by its hash in
 * {@link ApiKeyIdentities}. An unknown or revoked key fails authentication (401).
 */
@ApplicationScoped
public class ApiKeyIdentityProvider implements IdentityProvider<ApiKeyAuthenticationRequest> {
  static final String UNKNOWN_KEY = "unknown or revoked API key";

  /** The attribute of a refusal that says why the key is refused (the 401's detail). */
  static final String REASON = "pulse.reason";

  static final String BOOTSTRAP_ID = "bootstrap";

  private final SecurityIdentity bootstrap;
  private final ApiConfig config;
  private final ApiKeyIdentities stored;
  private final FailedKeyThrottle throttle;
  private final byte[] bootstrapHash;

  public ApiKeyIdentityProvider(
      ApiConfig config, ApiKeyIdentities stored, FailedKeyThrottle throttle, LimitsConfig limits) {
    this.config = config;
    this.stored = stored;
    this.throttle = throttle;
    this.bootstrapHash =
        config
            .bootstrapKey()
            .filter(key -> !key.isBlank())
            .map(key -> bytes(ApiKey.hash(key)))
            .orElse(null);
    this.bootstrap =
        QuarkusSecurityIdentity.builder()
            .setPrincipal(new QuarkusPrincipal(BOOTSTRAP_ID))
            .addRoles(Scope.ALL)
            .addAttribute(
                Caller.ATTRIBUTE,
                new Caller(BOOTSTRAP_ID, "bootstrap key", KeyLimits.defaults(limits)))
            .build();
  }

  @Override
  public Class<ApiKeyAuthenticationRequest> getRequestType() {
    return ApiKeyAuthenticationRequest.class;
  }

  @Override
  public Uni<SecurityIdentity> authenticate(
      ApiKeyAuthenticationRequest request, AuthenticationRequestContext context) {
    if (isBootstrap(request.key())) {
      return Uni.createFrom().item(bootstrap);
    }
    return byHash(ApiKey.hash(request.key()), clientAddress(request), context);
  }

  /**
   * The identity of the key with this SHA-256, as if it had been presented now from {@code address}
   * (a console session keeps the hash of the key that signed in, never the key).
   */
  public Uni<SecurityIdentity> byHash(
      String hash, String address, AuthenticationRequestContext context) {
    if (bootstrapHash != null && MessageDigest.isEqual(bootstrapHash, bytes(hash))) {
      return Uni.createFrom().item(bootstrap);
    }
    long refused = throttle.secondsRefused(address);
    if (refused > 0 && !stored.seenAsValid(hash)) {
      return Uni.createFrom().failure(FailedKeyThrottle.refusal(refused));
    }
    return stored
        .identityOf(hash, context)
        .onItem()
        .ifNull()
        .failWith(
            () -> {
              throttle.recordFailure(address);
              return new AuthenticationFailedException(UNKNOWN_KEY);
            })
        .onItem()
        .transform(ApiKeyIdentityProvider::unlessOver);
  }

  /** The identity, unless the presented secret has expired or its rotation grace has ended. */
  private static SecurityIdentity unlessOver(SecurityIdentity identity) {
    KeyValidity validity = identity.getAttribute(KeyValidity.ATTRIBUTE);
    if (validity != null && validity.over(Instant.now())) {
      throw new AuthenticationFailedException(
          validity.refusal(), Map.of(REASON, validity.refusal()));
    }
    return identity;
  }

  /** The peer's IP (not a forwarded header, which the client could make up). */
  static String clientAddress(BaseAuthenticationRequest request) {
    RoutingContext context = HttpSecurityUtils.getRoutingContextAttribute(request);
    SocketAddress peer = context == null ? null : context.request().remoteAddress();
    return peer == null ? "unknown" : peer.hostAddress();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
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
