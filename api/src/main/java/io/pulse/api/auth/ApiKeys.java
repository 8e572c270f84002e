package io.pulse.api.auth;

import io.pulse.api.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;
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

  private final Event<ApiKeyRevoked> revoked;

  public ApiKeys(Event<ApiKeyRevoked> revoked) {
    this.revoked = revoked;
  }

  public Issued create(String name, Collection<String> scopes) {
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
    revoked.fire(new ApiKeyRevoked(key.keyHash));
    return Optional.of(key);
  }
}
