package io.pulse.workers.notification;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pulse.common.testing.CapturedLog;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A webhook secret mid-rotation: every delivery carries one {@code v1=} per active secret, the
 * current one first, so receivers that know only the new secret, or still only an old one, all
 * verify it with the README's rule (any {@code v1=} that matches). None of the secrets is logged.
 */
@QuarkusTest
@TestProfile(WebhookSecretRotationTest.Rotating.class)
class WebhookSecretRotationTest {
  static final String CURRENT = "whsec-rotation-new";
  static final String PREVIOUS = "whsec-rotation-old";
  static final String OLDEST = "whsec-rotation-oldest";

  /** The new secret, with two retired ones still signing. */
  public static class Rotating implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "pulse.notifications.webhook.secret",
          CURRENT,
          "pulse.notifications.webhook.previous-secrets",
          PREVIOUS + "," + OLDEST);
    }
  }

  @Inject NotificationFixtures fixtures;

  @Test
  void eachDeliveryIsSignedWithEveryActiveSecretAndVerifiesWithAnyOfThem() throws Exception {
    try (WebhookReceiver receiver =
            new WebhookReceiver(18765, CURRENT, PREVIOUS, OLDEST, "whsec-never-configured");
        CapturedLog log = new CapturedLog("io.pulse")) {
      long user = fixtures.user(null, "comment.reply", "webhook");
      // A failed first attempt, so the retry path logs too.
      receiver.script(user, "500", "200");
      UUID job = fixtures.dispatch("comment.reply", user);
      await().atMost(Duration.ofSeconds(15)).until(() -> fixtures.sent(job) == 1);
      // Secrets are never logged, not even at DEBUG and on a failure (the log saw the failure).
      assertTrue(log.text().contains("answered 500"), log.text());
      assertEquals(List.of(), log.leaked(List.of(CURRENT, PREVIOUS, OLDEST)));

      List<WebhookReceiver.Received> calls = receiver.forUser(user);
      assertEquals(2, calls.size());
      WebhookReceiver.Received call = calls.get(1);
      assertEquals(3, call.signatures().size(), "one v1= per active secret: " + call.signatures());
      assertEquals(Set.of(CURRENT, PREVIOUS, OLDEST), call.verifiedWith());
      // The current secret's signature comes first, so a receiver may stop at the first match.
      assertEquals(
          call.signatures().get(0),
          WebhookSignature.sign(CURRENT, Long.parseLong(call.timestamp()), call.body()));
    }
  }
}
