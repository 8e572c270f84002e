package io.pulse.workers.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  static final List<Duration> TIERS =
      List.of(
          Duration.ofSeconds(1),
          Duration.ofSeconds(5),
          Duration.ofSeconds(30),
          Duration.ofMinutes(2),
          Duration.ofMinutes(10),
          Duration.ofHours(1));

  final RetryPolicy policy = new RetryPolicy(8, Duration.ofSeconds(1), Duration.ofHours(1), 0.2);

  @Test
  void backoffDoublesPerAttemptUpToTheCap() {
    assertEquals(Duration.ofSeconds(1), policy.backoff(1, () -> 0.5));
    assertEquals(Duration.ofSeconds(2), policy.backoff(2, () -> 0.5));
    assertEquals(Duration.ofSeconds(64), policy.backoff(7, () -> 0.5));
    assertEquals(Duration.ofHours(1), policy.backoff(40, () -> 0.5));
  }

  @Test
  void jitterSpreadsWithinItsFractionAndNeverPassesTheCap() {
    assertEquals(Duration.ofMillis(800), policy.backoff(1, () -> 0.0));
    assertEquals(Duration.ofMillis(1200), policy.backoff(1, () -> 1.0));
    assertEquals(Duration.ofHours(1), policy.backoff(40, () -> 1.0));
  }

  @Test
  void tierIsTheLongestNotAboveTheBackoff() {
    assertEquals(Duration.ofSeconds(1), RetryPolicy.tierFor(Duration.ofMillis(300), TIERS));
    assertEquals(Duration.ofSeconds(1), RetryPolicy.tierFor(Duration.ofSeconds(4), TIERS));
    assertEquals(Duration.ofSeconds(5), RetryPolicy.tierFor(Duration.ofSeconds(5), TIERS));
    assertEquals(Duration.ofMinutes(2), RetryPolicy.tierFor(Duration.ofMinutes(9), TIERS));
    assertEquals(Duration.ofHours(1), RetryPolicy.tierFor(Duration.ofHours(5), TIERS));
  }

  @Test
  void exhaustedAfterMaxAttempts() {
    assertFalse(policy.exhausted(7));
    assertTrue(policy.exhausted(8));
  }

  @Test
  void permanentFailuresAreRecognisedThroughTheirCauses() {
    assertTrue(FailureClassifier.isPermanent(new PermanentJobException("no such user")));
    assertTrue(
        FailureClassifier.isPermanent(
            new RuntimeException(new com.fasterxml.jackson.core.JsonParseException(null, "bad"))));
    assertFalse(FailureClassifier.isPermanent(new java.io.IOException("timeout")));
    assertFalse(FailureClassifier.isPermanent(new RuntimeException("lock conflict")));
  }

  @Test
  void aRetryAfterIsAMinimumSoItRoundsUpToATier() {
    assertEquals(Duration.ofSeconds(1), RetryPolicy.tierAtLeast(Duration.ofSeconds(1), TIERS));
    assertEquals(Duration.ofSeconds(5), RetryPolicy.tierAtLeast(Duration.ofSeconds(2), TIERS));
    assertEquals(Duration.ofSeconds(30), RetryPolicy.tierAtLeast(Duration.ofSeconds(6), TIERS));
    assertEquals(Duration.ofHours(1), RetryPolicy.tierAtLeast(Duration.ofHours(3), TIERS));
    assertEquals(
        Optional.of(Duration.ofSeconds(7)),
        RetryLaterException.requestedWait(
            new IllegalStateException(new RetryLaterException("429", Duration.ofSeconds(7)))));
    assertEquals(
        Optional.empty(), RetryLaterException.requestedWait(new java.io.IOException("500")));
    assertFalse(
        FailureClassifier.isPermanent(new RetryLaterException("429", Duration.ofSeconds(1))));
  }
}
