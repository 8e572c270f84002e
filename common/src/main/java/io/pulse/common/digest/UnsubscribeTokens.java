package io.pulse.common.digest;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed unsubscribe links: {@code base64url(userId.expiresAt.nonce[.scope]).base64url(hmac)}.
 * Anyone holding the link may switch off what its scope names ({@link UnsubscribeScope}: the
 * digest, or a notification type's email), without a login; nobody can make one for another user or
 * another scope, or stretch its life, without the secret. The nonce makes every link distinct, so
 * "used once" is about one link, not one user.
 *
 * <p>A digest link carries no scope claim, as before scopes existed. A scoped link is signed over
 * {@code "scoped." + body}: an API from before scopes (during a rolling deploy) finds its signature
 * wrong and refuses it, instead of reading it as a digest link and switching the digest off.
 */
@ApplicationScoped
public class UnsubscribeTokens {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] SCOPED = "scoped.".getBytes(StandardCharsets.UTF_8);

  private final DigestConfig config;

  public UnsubscribeTokens(DigestConfig config) {
    this.config = config;
  }

  /** Why a token was refused. */
  public enum Refusal {
    MALFORMED,
    FORGED,
    EXPIRED
  }

  public static final class RefusedException extends Exception {
    private final Refusal refusal;

    RefusedException(Refusal refusal, String message) {
      super(message);
      this.refusal = refusal;
    }

    public Refusal refusal() {
      return refusal;
    }
  }

  /** A digest's link. */
  public String issue(long userId, Instant now) {
    return issue(userId, now, UnsubscribeScope.DIGEST);
  }

  public String issue(long userId, Instant now, UnsubscribeScope scope) {
    byte[] nonce = new byte[12];
    RANDOM.nextBytes(nonce);
    String claims =
        userId
            + "."
            + now.plus(config.unsubscribeTtl()).getEpochSecond()
            + "."
            + B64.encodeToString(nonce)
            + (scope.kind() == UnsubscribeScope.Kind.DIGEST ? "" : "." + scope.claim());
    byte[] body = claims.getBytes(StandardCharsets.UTF_8);
    return B64.encodeToString(body)
        + "."
        + B64.encodeToString(mac(config.unsubscribeSecret(), signed(body)));
  }

  /**
   * A token that passed every check: whose it is, and what marks its single use. The mark is taken
   * from the decoded, signed claims, so no other spelling of the token maps to another mark.
   */
  public record Verified(long userId, String fingerprint, UnsubscribeScope scope) {
    /**
     * The mark of this link used for another scope than its own (a notification email's link used
     * for "all non-critical email"): each use works once, independently of the other.
     */
    public String fingerprintFor(UnsubscribeScope action) {
      return action.equals(scope)
          ? fingerprint
          : io.pulse.common.jobs.JobCodec.sha256(
              (fingerprint + "/" + action.claim()).getBytes(StandardCharsets.UTF_8));
    }
  }

  /** The signature is checked before any claim is believed. */
  public Verified verify(String token, Instant now) throws RefusedException {
    if (token == null || token.length() > 512) {
      throw new RefusedException(Refusal.MALFORMED, "no unsubscribe token, or not one of ours");
    }
    int dot = token.indexOf('.');
    if (dot < 0) {
      throw new RefusedException(Refusal.MALFORMED, "the unsubscribe token is not well formed");
    }
    byte[] body = canonical(token.substring(0, dot));
    byte[] signature = canonical(token.substring(dot + 1));
    if (!signedByUs(signed(body), signature)) {
      throw new RefusedException(
          Refusal.FORGED, "the unsubscribe token's signature does not match");
    }
    String[] claims = new String(body, StandardCharsets.UTF_8).split("\\.", 4);
    long userId = Long.parseLong(claims[0]);
    if (Instant.ofEpochSecond(Long.parseLong(claims[1])).isBefore(now)) {
      throw new RefusedException(Refusal.EXPIRED, "the unsubscribe link has expired");
    }
    UnsubscribeScope scope =
        claims.length < 4 ? UnsubscribeScope.DIGEST : UnsubscribeScope.ofClaim(claims[3]);
    if (scope == null) {
      throw new RefusedException(Refusal.MALFORMED, "the unsubscribe token is not well formed");
    }
    return new Verified(userId, fingerprint(body, signature), scope);
  }

  /**
   * What the MAC covers: the body, and for a scoped link a prefix as well (see the class comment).
   * Which of the two applies is read from the body before the check, which is safe: a body whose
   * scope was added, removed or changed no longer matches its signature either way.
   */
  private static byte[] signed(byte[] body) {
    int dots = 0;
    for (byte b : body) {
      if (b == '.' && ++dots == 3) {
        byte[] prefixed = new byte[SCOPED.length + body.length];
        System.arraycopy(SCOPED, 0, prefixed, 0, SCOPED.length);
        System.arraycopy(body, 0, prefixed, SCOPED.length, body.length);
        return prefixed;
      }
    }
    return body;
  }

  /**
   * Base64url spells the same bytes several ways (padding, and the unused low bits of the last
   * character, which the JDK's decoder ignores): only the one spelling {@link #issue} writes is
   * taken, so a used link cannot come back as "another" link.
   */
  private static byte[] canonical(String part) throws RefusedException {
    try {
      byte[] bytes = B64D.decode(part);
      if (B64.encodeToString(bytes).equals(part)) {
        return bytes;
      }
    } catch (IllegalArgumentException e) {
      // falls through to the refusal
    }
    throw new RefusedException(Refusal.MALFORMED, "the unsubscribe token is not well formed");
  }

  /**
   * What is stored about a used token: a hash, so the table holds no working link. It is the hash
   * of the token's canonical spelling, as before (rows written by earlier versions still match),
   * but built from the decoded bytes rather than from whatever the caller sent.
   */
  private static String fingerprint(byte[] body, byte[] signature) {
    String spelled = B64.encodeToString(body) + "." + B64.encodeToString(signature);
    return io.pulse.common.jobs.JobCodec.sha256(spelled.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Signed with the current secret, or with the previous one while a rotation lasts: links already
   * mailed keep working until they expire (their expiry is in the signed claims), while every new
   * link is signed with the current secret.
   */
  private boolean signedByUs(byte[] body, byte[] signature) {
    if (MessageDigest.isEqual(mac(config.unsubscribeSecret(), body), signature)) {
      return true;
    }
    return config
        .unsubscribePreviousSecret()
        .map(previous -> MessageDigest.isEqual(mac(previous, body), signature))
        .orElse(false);
  }

  private static byte[] mac(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }
}
