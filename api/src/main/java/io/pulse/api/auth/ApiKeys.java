package io.pulse.api.auth;

import io.pulse.api.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;

/** Creates keys (the secret is returned once, only its hash is stored) and revokes them. */
@ApplicationScoped
@Transactional
public class ApiKeys {
  /** A new key and its secret, which exists nowhere else. */
  public record Issued(ApiKey key, String secret) {}

  /** A key's own limits; a null one falls back to the configured default. */
  public record Limits(Integer requestsPerSecond, Integer burst, Long dailyJobQuota) {
    public static final Limits DEFAULTS = new Limits(null, null, null);
  }

  private final Event<ApiKeyChanged> changed;

  public ApiKeys(Event<ApiKeyChanged> changed) {
    this.changed = changed;
  }

  public Issued create(
      String name, Collection<String> scopes, Limits limits, OffsetDateTime expiresAt) {
    for (String scope : scopes) {
      if (!Scope.ALL.contains(scope)) {
        throw ProblemException.badField(
            "scopes", "unknown scope '" + scope + "'; known: " + new TreeSet<>(Scope.ALL));
      }
    }
    String secret = ApiKey.newSecret();
    ApiKey key = new ApiKey();
    key.id = UUID.randomUUID();
    key.name = name;
    key.keyHash = ApiKey.hash(secret);
    key.scopes = new TreeSet<>(scopes).toArray(String[]::new);
    key.createdAt = OffsetDateTime.now();
    set(key, limits);
    key.expiresAt = expiresAt;
    key.persist();
    return new Issued(key, secret);
  }

  /**
   * Revokes the key (a second revocation keeps the first time); empty if there is no such key. On
   * commit this instance stops accepting the key at once, others within pulse.api.key-cache-ttl.
   */
  public Optional<ApiKey> revoke(UUID id) {
    ApiKey key = ApiKey.findById(id);
    if (key == null) {
      return Optional.empty();
    }
    if (key.revokedAt == null) {
      key.revokedAt = OffsetDateTime.now();
    }
    changed.fire(new ApiKeyChanged(key.keyHash));
    return Optional.of(key);
  }

  /**
   * Replaces the key's limits; on commit this instance applies them at once, others within
   * pulse.api.key-cache-ttl. The key starts a new, full bucket for its new rate.
   */
  public Optional<ApiKey> changeLimits(UUID id, Limits limits) {
    ApiKey key = ApiKey.findById(id);
    if (key == null) {
      return Optional.empty();
    }
    set(key, limits);
    changed.fire(new ApiKeyChanged(key.keyHash));
    return Optional.of(key);
  }

  /** A rotated key: its new secret, and until when the previous one still works. */
  public record Rotated(ApiKey key, String secret) {}

  /**
   * Gives the key a new secret; the current one keeps working for {@code grace}, then is refused. A
   * secret from an earlier rotation stops at once (one previous secret at a time).
   */
  public Optional<Rotated> rotate(UUID id, Duration grace) {
    ApiKey key = ApiKey.findById(id);
    if (key == null || key.revokedAt != null) {
      return Optional.empty();
    }
    if (key.previousKeyHash != null) {
      changed.fire(new ApiKeyChanged(key.previousKeyHash));
    }
    String secret = ApiKey.newSecret();
    key.previousKeyHash = key.keyHash;
    key.previousKeyValidUntil = OffsetDateTime.now().plus(grace);
    key.keyHash = ApiKey.hash(secret);
    changed.fire(new ApiKeyChanged(key.previousKeyHash));
    return Optional.of(new Rotated(key, secret));
  }

  private static void set(ApiKey key, Limits limits) {
    key.requestsPerSecond = limits.requestsPerSecond();
    key.burst = limits.burst();
    key.dailyJobQuota = limits.dailyJobQuota();
  }
}
