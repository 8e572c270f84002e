package io.pulse.api.digest;

import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.one;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pulse.common.digest.DigestConfig;
import io.pulse.common.digest.UnsubscribeTokens;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import io.smallrye.config.SmallRyeConfigBuilder;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The unsubscribe secret mid-rotation: the API holds a new secret and the previous one. Links
 * mailed before the rotation still work until they expire; links made now are signed with the new
 * secret only; a link signed with any other secret is a forgery.
 */
@QuarkusTest
@TestProfile(UnsubscribeSecretRotationTest.Rotated.class)
class UnsubscribeSecretRotationTest {
  static final String PREVIOUS = "unsubscribe-secret-before-rotation";
  static final String CURRENT = "unsubscribe-secret-after-rotation";
  static long nextId = 710_000_000L + (System.currentTimeMillis() % 100_000) * 100;

  /** The API after a rotation: the new secret, and the one it replaced. */
  public static class Rotated implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "pulse.digests.unsubscribe-secret", CURRENT,
          "pulse.digests.unsubscribe-previous-secret", PREVIOUS);
    }
  }

  @Inject UnsubscribeTokens tokens;
  @Inject EntityManager em;

  @Test
  void aLinkMailedBeforeTheRotationStillUnsubscribes() {
    long user = user();
    String beforeRotation = signedWith(PREVIOUS).issue(user, Instant.now());
    unsubscribe(beforeRotation).statusCode(200).body(containsString("You are unsubscribed"));
    assertEquals("off", digestOf(user));
  }

  @Test
  void aLinkMailedBeforeTheRotationStopsWhenItExpires() {
    long user = user();
    Instant monthsAgo = Instant.now().minus(Duration.ofDays(31));
    String expired = signedWith(PREVIOUS).issue(user, monthsAgo);
    unsubscribe(expired).statusCode(410).body(containsString("expired"));
    assertEquals("daily", digestOf(user));
  }

  @Test
  void newLinksAreSignedWithTheNewSecretOnly() throws Exception {
    long user = user();
    String link = tokens.issue(user, Instant.now());
    assertEquals(user, signedWith(CURRENT).verify(link, Instant.now()).userId());
    UnsubscribeTokens.RefusedException refused =
        assertThrows(
            UnsubscribeTokens.RefusedException.class,
            () -> signedWith(PREVIOUS).verify(link, Instant.now()));
    assertEquals(UnsubscribeTokens.Refusal.FORGED, refused.refusal());
    unsubscribe(link).statusCode(200);
    assertEquals("off", digestOf(user));
  }

  @Test
  void aLinkSignedWithAnyOtherSecretIsForged() {
    long user = user();
    unsubscribe(signedWith("never-ours").issue(user, Instant.now()))
        .statusCode(400)
        .body(containsString("signature"));
    assertEquals("daily", digestOf(user));
  }

  /** Once the previous secret is removed (its links have all expired), its links are refused. */
  @Test
  void withoutThePreviousSecretItsLinksAreForged() {
    String beforeRotation = signedWith(PREVIOUS).issue(1, Instant.now());
    UnsubscribeTokens.RefusedException refused =
        assertThrows(
            UnsubscribeTokens.RefusedException.class,
            () -> signedWith(CURRENT).verify(beforeRotation, Instant.now()));
    assertEquals(UnsubscribeTokens.Refusal.FORGED, refused.refusal());
  }

  /** Tokens as another configuration makes and checks them: the mailer before the rotation. */
  static UnsubscribeTokens signedWith(String secret) {
    DigestConfig config =
        new SmallRyeConfigBuilder()
            .withConverter(Duration.class, 100, new DurationConverter())
            .withMapping(DigestConfig.class)
            .withDefaultValue("pulse.digests.unsubscribe-secret", secret)
            .build()
            .getConfigMapping(DigestConfig.class);
    return new UnsubscribeTokens(config);
  }

  static ValidatableResponse unsubscribe(String token) {
    return given().formParam("token", token).post("/digests/unsubscribe").then();
  }

  long user() {
    long id = nextId++;
    admin()
        .body(
            "{\"handle\":\"u"
                + id
                + "\",\"email\":\"u"
                + id
                + "@uni.example\",\"timeZone\":\"UTC\",\"digest\":\"daily\"}")
        .put("/api/v1/users/" + id)
        .then()
        .statusCode(200);
    return id;
  }

  String digestOf(long user) {
    return one(em, "select digest from users where id = " + user);
  }
}
