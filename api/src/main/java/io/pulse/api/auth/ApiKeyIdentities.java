package io.pulse.api.auth;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pulse.api.limits.Caller;
import io.pulse.api.limits.KeyLimits;
import io.pulse.api.limits.LimitsConfig;
import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.Startup;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import java.time.Duration;
import java.util.List;

/**
 * The identity a stored API key grants, by the key's SHA-256, from the {@code api-keys} cache: a
 * request does not query {@code api_keys}, only a miss does, on a worker thread. An entry lives
 * {@code pulse.api.key-cache-ttl}, which bounds how long a key revoked elsewhere (another instance,
 * SQL by hand) still works; a revocation through this instance drops its entry once committed.
 *
 * <p>An unknown or revoked key is cached too (as null), so a client retrying with a dead key does
 * not cost a query per request. That cannot delay a new key: its secret is random, so its hash was
 * never looked up before it was stored. The cache is keyed by hash, so it holds no secret.
 */
// Made at start-up, so its lookup counter is registered (at 0) before the first request.
@Startup
@ApplicationScoped
public class ApiKeyIdentities {
  static final String CACHE = "api-keys";

  private final Cache cache;
  private final Counter lookups;
  private final LimitsConfig limits;
  private final com.github.benmanes.caffeine.cache.Cache<String, Boolean> seen =
      Caffeine.newBuilder().expireAfterWrite(Duration.ofHours(1)).maximumSize(100_000).build();

  ApiKeyIdentities(@CacheName(CACHE) Cache cache, MeterRegistry registry, LimitsConfig limits) {
    this.cache = cache;
    this.limits = limits;
    this.lookups =
        Counter.builder("pulse.api.key.lookups")
            .description("API key lookups that queried the database (the others hit the cache)")
            .register(registry);
  }

  /** The identity of the active key with this hash, or null if there is none. */
  Uni<SecurityIdentity> identityOf(String keyHash, AuthenticationRequestContext context) {
    return cache.getAsync(keyHash, hash -> context.runBlocking(() -> stored(hash)));
  }

  /**
   * Whether this instance found a key with this hash in the last hour: an address refused for
   * presenting unknown keys may still look such a key up, so a flood from a shared address locks
   * out only keys never seen here. Hashes only, never secrets.
   */
  boolean seenAsValid(String keyHash) {
    return seen.getIfPresent(keyHash) != null;
  }

  private SecurityIdentity stored(String keyHash) {
    lookups.increment();
    return QuarkusTransaction.requiringNew()
        .call(
            () -> {
              SecurityIdentity found =
                  ApiKey.findActive(keyHash).map(key -> identity(key, keyHash)).orElse(null);
              if (found != null) {
                seen.put(keyHash, Boolean.TRUE);
              }
              return found;
            });
  }

  private SecurityIdentity identity(ApiKey key, String presentedHash) {
    QuarkusSecurityIdentity.Builder identity = QuarkusSecurityIdentity.builder();
    KeyValidity validity = KeyValidity.of(key, presentedHash);
    if (validity != null) {
      identity.addAttribute(KeyValidity.ATTRIBUTE, validity);
    }
    return identity
        .setPrincipal(new QuarkusPrincipal("api-key:" + key.id))
        .addRoles(Scope.rolesOf(List.of(key.scopes)))
        .addAttribute(
            Caller.ATTRIBUTE,
            new Caller(
                key.id.toString(),
                key.name,
                KeyLimits.of(key.requestsPerSecond, key.burst, key.dailyJobQuota, limits)))
        .build();
  }

  /**
   * Drops a revoked or changed key's entry after the change commits: dropped before, it could be
   * filled again by a request that does not yet see the change, and keep the old state a whole TTL.
   */
  void onChanged(@Observes(during = TransactionPhase.AFTER_SUCCESS) ApiKeyChanged changed) {
    cache.invalidate(changed.keyHash()).await().indefinitely();
  }
}
