package io.pulse.api.console;

import io.pulse.api.auth.ApiKey;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Console sign-ins in {@code console_sessions}: the cookie's token and the key that signed in are
 * stored as hashes only. Each session has its own CSRF token, which every form posts back.
 */
@ApplicationScoped
public class ConsoleSessions {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A live session: the hash of the key that signed in, and the token its forms must carry. */
  public record Session(String keyHash, String csrfToken) {}

  /** A new session: the cookie's token (shown to nobody but the browser) and until when. */
  public record Opened(String token, Instant expiresAt) {}

  private final EntityManager em;
  private final ConsoleConfig config;

  public ConsoleSessions(EntityManager em, ConsoleConfig config) {
    this.em = em;
    this.config = config;
  }

  /** Opens a session for the key with this hash; expired sessions are swept on the way. */
  public Opened open(String keyHash) {
    String token = randomToken();
    Instant expiresAt = Instant.now().plus(config.sessionTtl());
    QuarkusTransaction.requiringNew()
        .run(
            () -> {
              em.createNativeQuery("delete from console_sessions where expires_at < now()")
                  .executeUpdate();
              em.createNativeQuery(
                      "insert into console_sessions (token_hash, key_hash, csrf_token, expires_at)"
                          + " values (?1, ?2, ?3, ?4)")
                  .setParameter(1, ApiKey.hash(token))
                  .setParameter(2, keyHash)
                  .setParameter(3, randomToken())
                  .setParameter(4, OffsetDateTime.ofInstant(expiresAt, ZoneOffset.UTC))
                  .executeUpdate();
            });
    return new Opened(token, expiresAt);
  }

  /** The live session of this cookie token, if there is one. */
  public Optional<Session> find(String token) {
    return QuarkusTransaction.requiringNew()
        .call(
            () -> {
              @SuppressWarnings("unchecked")
              List<Object[]> rows =
                  em.createNativeQuery(
                          "select key_hash, csrf_token from console_sessions"
                              + " where token_hash = ?1 and expires_at > now()")
                      .setParameter(1, ApiKey.hash(token))
                      .getResultList();
              return rows.stream()
                  .findFirst()
                  .map(row -> new Session((String) row[0], (String) row[1]));
            });
  }

  /** Ends the session of this cookie token; ending one that is gone does nothing. */
  public void close(String token) {
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                em.createNativeQuery("delete from console_sessions where token_hash = ?1")
                    .setParameter(1, ApiKey.hash(token))
                    .executeUpdate());
  }

  static String randomToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
