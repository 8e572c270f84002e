package io.pulse.api.notification;

import io.pulse.common.notification.Recalls;

/**
 * What a recall withdrew: {@code target} is {@code source:<source>} or {@code job:<id>}; {@code
 * firstRecall} false means it was recalled before (the counts are then what this call still found,
 * normally none).
 */
public record RecallResult(
    String target,
    boolean firstRecall,
    int inAppRemoved,
    int inAppMarkedRecalled,
    int deliveriesSkipped,
    int scheduledCancelled) {
  static RecallResult of(Recalls.Outcome outcome) {
    return new RecallResult(
        outcome.target(),
        outcome.first(),
        outcome.inAppRemoved(),
        outcome.inAppMarkedRecalled(),
        outcome.deliveriesSkipped(),
        outcome.scheduledCancelled());
  }
}
