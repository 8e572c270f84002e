package io.pulse.api.auth;

import io.pulse.api.live.StreamConfig;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Short-lived stream tokens, {@code s1.<userId>.<expiresAt>.<base64url hmac>}: a browser's
 * EventSource cannot send an Authorization header, so the platform backend mints one with its API
 * key and hands it to the browser. The token opens that one user's stream until it expires; the
 * signature is checked before anything in it is believed.
 */
@ApplicationScoped
public class StreamTokens {
  /** The role of an identity that came from a stream token (never a key's scope). */
  public static final String ROLE = "stream";

  /** The identity attribute holding the user a stream token is bound to. */
  public static final String USER = "pulse.stream-user";

  private static final String VERSION = "s1";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final StreamConfig config;

  public StreamTokens(StreamConfig config) {
    this.config = config;
  }

  public record Minted(String token, Instant expiresAt) {}

  /** Empty when no secret is configured. */
  public Optional<Minted> mint(long userId, Instant now) {
    Instant expires = now.plus(config.tokenTtl());
    return config
        .tokenSecret()
        .map(
            secret -> {
              String claims = VERSION + "." + userId + "." + expires.getEpochSecond();
              return new Minted(claims + "." + sign(secret, claims), expires);
            });
  }

  /** The user the token is bound to; throws {@link IllegalArgumentException} saying why not. */
  public long verify(String token, Instant now) {
    String secret =
        config
            .tokenSecret()
            .orElseThrow(() -> new IllegalArgumentException("stream tokens are not configured"));
    int lastDot = token == null || token.length() > 200 ? -1 : token.lastIndexOf('.');
    if (lastDot < 0) {
      throw new IllegalArgumentException("not a stream token");
    }
    String claims = token.substring(0, lastDot);
    byte[] expected = sign(secret, claims).getBytes(StandardCharsets.US_ASCII);
    byte[] given = token.substring(lastDot + 1).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, given)) {
      throw new IllegalArgumentException("stream token signature does not match");
    }
    String[] parts = claims.split("\\.");
    if (parts.length != 3 || !parts[0].equals(VERSION)) {
      throw new IllegalArgumentException("not a stream token");
    }
    if (now.getEpochSecond() >= Long.parseLong(parts[2])) {
      throw new IllegalArgumentException("stream token expired");
    }
    return Long.parseLong(parts[1]);
  }

  /**
   * A stream token opens only its own user's stream; a key with scope {@code read} opens any. The
   * refusal is a 401 (the token is not valid here), never a hint about the other user.
   */
  public static void requireBoundTo(SecurityIdentity identity, long userId) {
    if (identity.hasRole(Scope.READ)) {
      return;
    }
    Long bound = identity.getAttribute(USER);
    if (bound == null || bound != userId) {
      String reason = "this stream token is for another user";
      throw new AuthenticationFailedException(
          reason, Map.of(ApiKeyIdentityProvider.REASON, reason));
    }
  }

  private static String sign(String secret, String claims) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return B64.encodeToString(mac.doFinal(claims.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
