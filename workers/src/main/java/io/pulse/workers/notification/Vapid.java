package io.pulse.workers.notification;

import io.pulse.common.jobs.JobCodec;
import io.pulse.common.push.P256;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * VAPID (RFC 8292): the {@code Authorization: vapid t=<JWT>, k=<public key>} header that tells a
 * push service which application server sends. The JWT is ES256 over {@code aud} (the endpoint's
 * origin), {@code exp} and {@code sub}. A token is reused for its push service until an hour before
 * it expires, so signing costs one ECDSA per push service and half-day, not one per message.
 */
final class Vapid {
  /** Tokens live 12 hours (RFC 8292 allows up to 24). */
  static final Duration TOKEN_LIFE = Duration.ofHours(12);

  private static final Duration RENEW_BEFORE = Duration.ofHours(1);
  private static final String HEADER =
      P256.base64Url("{\"typ\":\"JWT\",\"alg\":\"ES256\"}".getBytes(StandardCharsets.UTF_8));

  private final ECPrivateKey privateKey;
  private final String publicKey;
  private final String subject;
  private final ConcurrentMap<String, Token> byOrigin = new ConcurrentHashMap<>();

  private record Token(String header, Instant expires) {}

  /**
   * From the configured keys (base64url: the 65-byte point, the 32-byte scalar); fails when they
   * are malformed or do not belong together, so a wrong pair stops start-up rather than every push.
   */
  Vapid(String publicKeyText, String privateKeyText, String subject) {
    ECPublicKey publicKey;
    try {
      publicKey = P256.publicKey(P256.base64Url(publicKeyText.trim()));
      this.privateKey = P256.privateKey(P256.base64Url(privateKeyText.trim()));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "pulse.notifications.push.vapid-public-key/-private-key: " + e.getMessage(), e);
    }
    this.publicKey = P256.base64Url(P256.encode(publicKey));
    this.subject = subject;
    if (!pairMatches(publicKey)) {
      throw new IllegalStateException(
          "pulse.notifications.push.vapid-public-key is not the public key of vapid-private-key");
    }
  }

  String publicKey() {
    return publicKey;
  }

  /** The Authorization header for a request to {@code endpoint}. */
  String authorization(URI endpoint, Instant now) {
    String origin = origin(endpoint);
    Token token = byOrigin.get(origin);
    if (token == null || token.expires().minus(RENEW_BEFORE).isBefore(now)) {
      Instant expires = now.plus(TOKEN_LIFE);
      token = new Token("vapid t=" + jwt(origin, expires) + ", k=" + publicKey, expires);
      byOrigin.put(origin, token);
    }
    return token.header();
  }

  /** scheme://host[:port], the port only when it is not the scheme's default. */
  static String origin(URI endpoint) {
    return endpoint.getScheme().toLowerCase()
        + "://"
        + endpoint.getHost().toLowerCase()
        + (endpoint.getPort() == -1 ? "" : ":" + endpoint.getPort());
  }

  private String jwt(String audience, Instant expires) {
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("aud", audience);
    claims.put("exp", expires.getEpochSecond());
    claims.put("sub", subject);
    String signed = HEADER + "." + P256.base64Url(JobCodec.encode(claims));
    return signed + "." + P256.base64Url(sign(signed.getBytes(StandardCharsets.US_ASCII)));
  }

  /**
   * ES256 as JWS wants it: r and s, 32 bytes each. The JDK's P1363 form of ECDSA is exactly that,
   * so no DER has to be unpicked.
   */
  private byte[] sign(byte[] data) {
    try {
      Signature ecdsa = Signature.getInstance("SHA256withECDSAinP1363Format");
      ecdsa.initSign(privateKey);
      ecdsa.update(data);
      return ecdsa.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("VAPID signing failed: " + e.getMessage(), e);
    }
  }

  private boolean pairMatches(ECPublicKey publicKey) {
    byte[] probe = "pulse vapid key check".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature verify = Signature.getInstance("SHA256withECDSAinP1363Format");
      verify.initVerify(publicKey);
      verify.update(probe);
      return verify.verify(sign(probe));
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
