package io.pulse.api.notification;

import io.pulse.api.audit.AuditTrail;
import io.pulse.common.notification.Recalls;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/** Recalls a notification's source or dispatch job and records the recall in the audit trail. */
@ApplicationScoped
public class NotificationRecaller {
  static final String ACTION = "notification.recall";

  private final Recalls recalls;
  private final AuditTrail audit;

  public NotificationRecaller(Recalls recalls, AuditTrail audit) {
    this.recalls = recalls;
    this.audit = audit;
  }

  public RecallResult recall(Recalls.Target target) {
    return audit.around(
        ACTION,
        target.key(),
        () -> RecallResult.of(recalls.recall(target)),
        result ->
            Map.of(
                "firstRecall", result.firstRecall(),
                "inAppRemoved", result.inAppRemoved(),
                "inAppMarkedRecalled", result.inAppMarkedRecalled(),
                "deliveriesSkipped", result.deliveriesSkipped(),
                "scheduledCancelled", result.scheduledCancelled()));
  }
}
