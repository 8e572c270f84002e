package io.pulse.common.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Scopes signed into unsubscribe links, without a broker or a database. */
class UnsubscribeTokensTest {
  static final String SECRET = "unit-test-secret";
  static final UnsubscribeTokens TOKENS = new UnsubscribeTokens(config());
  static final Instant NOW = Instant.parse("2026-12-07T08:00:00Z");

  @Test
  void aLinkSaysWhoseItIsAndWhatItSwitchesOff() throws Exception {
    UnsubscribeScope replies = UnsubscribeScope.emailOf("comment.reply");
    UnsubscribeTokens.Verified link = TOKENS.verify(TOKENS.issue(42, NOW, replies), NOW);
    assertEquals(42, link.userId());
    assertEquals(replies, link.scope());
    assertEquals(UnsubscribeScope.DIGEST, TOKENS.verify(TOKENS.issue(42, NOW), NOW).scope());
    assertEquals(
        UnsubscribeScope.ALL_EMAIL,
        TOKENS.verify(TOKENS.issue(42, NOW, UnsubscribeScope.ALL_EMAIL), NOW).scope());
  }

  /** What an API from before scopes checks: the HMAC of the body alone. */
  @Test
  void aDigestLinkIsAsBeforeAndAScopedOneFailsTheOldCheck() throws Exception {
    assertTrue(oldApiAccepts(TOKENS.issue(42, NOW)));
    assertFalse(oldApiAccepts(TOKENS.issue(42, NOW, UnsubscribeScope.emailOf("comment.reply"))));
  }

  @Test
  void aChangedScopeIsAForgery() {
    String token = TOKENS.issue(42, NOW, UnsubscribeScope.emailOf("comment.reply"));
    String[] parts = token.split("\\.");
    String claims = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
    for (String changed :
        new String[] {
          claims.replace("comment.reply", "message.new"),
          claims.replace("email:comment.reply", "email:*"),
          claims.replace("email:comment.reply", "digest"),
          claims.substring(0, claims.indexOf(".email:"))
        }) {
      String forged =
          Base64.getUrlEncoder()
                  .withoutPadding()
                  .encodeToString(changed.getBytes(StandardCharsets.UTF_8))
              + "."
              + parts[1];
      UnsubscribeTokens.RefusedException refused =
          assertThrows(UnsubscribeTokens.RefusedException.class, () -> TOKENS.verify(forged, NOW));
      assertEquals(UnsubscribeTokens.Refusal.FORGED, refused.refusal(), changed);
    }
  }

  @Test
  void aLinkUsedForAllEmailHasAMarkOfItsOwn() throws Exception {
    UnsubscribeTokens.Verified link =
        TOKENS.verify(TOKENS.issue(42, NOW, UnsubscribeScope.emailOf("comment.reply")), NOW);
    String all = link.fingerprintFor(UnsubscribeScope.ALL_EMAIL);
    assertEquals(link.fingerprint(), link.fingerprintFor(link.scope()));
    assertNotEquals(link.fingerprint(), all);
    assertEquals(all, link.fingerprintFor(UnsubscribeScope.ALL_EMAIL), "the same every time");
  }

  @Test
  void anExpiredScopedLinkIsRefused() {
    String token =
        TOKENS.issue(42, NOW.minus(Duration.ofDays(31)), UnsubscribeScope.emailOf("mention"));
    UnsubscribeTokens.RefusedException refused =
        assertThrows(UnsubscribeTokens.RefusedException.class, () -> TOKENS.verify(token, NOW));
    assertEquals(UnsubscribeTokens.Refusal.EXPIRED, refused.refusal());
  }

  private static boolean oldApiAccepts(String token) throws Exception {
    String[] parts = token.split("\\.");
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    byte[] expected = mac.doFinal(Base64.getUrlDecoder().decode(parts[0]));
    return MessageDigest.isEqual(expected, Base64.getUrlDecoder().decode(parts[1]));
  }

  /** A 30-day link signed with {@link #SECRET}, no rotation. */
  private static DigestConfig config() {
    return (DigestConfig)
        Proxy.newProxyInstance(
            DigestConfig.class.getClassLoader(),
            new Class<?>[] {DigestConfig.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "unsubscribeSecret" -> SECRET;
                  case "unsubscribePreviousSecret" -> Optional.empty();
                  case "unsubscribeTtl" -> Duration.ofDays(30);
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }
}
