package io.pulse.workers.notification;

import io.pulse.common.notification.ChannelDelivery;
import io.pulse.workers.digest.CatchUpMails;
import io.pulse.workers.jobs.JobContext;
import io.pulse.workers.jobs.JobHandler;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Optional;

/**
 * Sends one notification to one recipient on one external channel, at most once per recorded send:
 * the delivery row is locked, left alone when already sent or skipped (recalled), and marked sent
 * in the same transaction as the job. A crash between the send and that commit sends again, with
 * the same id (Message-ID, Idempotency-Key), which is what lets the receiver drop the repeat. A
 * channel that reaches a person counts towards the user's {@link DailyBudget}: past it the delivery
 * ends {@code skipped} with reason {@code budget}, and is listed in the user's next digest (or,
 * with digests off, a catch-up mail the next morning).
 */
public abstract class ChannelDeliveryHandler implements JobHandler<ChannelDelivery> {
  protected final DeliveryLedger deliveries;
  private final InAppReadState inApp;

  // Field-injected, so each channel's handler keeps its constructor.
  @Inject DailyBudget budget;
  @Inject CatchUpMails catchUps;

  protected ChannelDeliveryHandler(DeliveryLedger deliveries, InAppReadState inApp) {
    this.deliveries = deliveries;
    this.inApp = inApp;
  }

  /**
   * What became of a send: {@code sent} with the provider's id for it, or {@code skipped} with why
   * (nothing was delivered, and nothing is to be retried: a push subscription that is gone).
   */
  public record Outcome(String providerId, String skipReason) {
    public static Outcome sent(String providerId) {
      return new Outcome(providerId, null);
    }

    public static Outcome skipped(String reason) {
      return new Outcome(null, reason);
    }
  }

  /** Sends; throws to fail the attempt. */
  protected abstract Outcome send(ChannelDelivery delivery, JobContext context) throws Exception;

  @Override
  public Class<ChannelDelivery> payloadType() {
    return ChannelDelivery.class;
  }

  @Override
  public void handle(ChannelDelivery delivery, JobContext context) throws Exception {
    Optional<DeliveryLedger.Locked> row = deliveries.lock(context.jobId());
    if (row.map(DeliveryLedger.Locked::isFinal).orElse(false)) {
      return;
    }
    // Escalation: the in-app row stays locked until this commits, so a read either lands before
    // the check (skipped) or waits for the send to be recorded: never both outcomes.
    if (delivery.onlyIfUnread()
        && !inApp.lockAndCheckUnread(delivery.userId(), delivery.notificationJobId())) {
      deliveries.skipped(context.jobId(), "read", context.attempt());
      return;
    }
    // The budget is asked last, when the send is certain otherwise: a delivery skipped for being
    // read or recalled costs the user nothing. A failed send rolls its place back.
    String channel = row.map(DeliveryLedger.Locked::channel).orElse(null);
    if (channel != null && budget.applies(delivery.type(), channel)) {
      DailyBudget.Taken taken = budget.take(delivery.userId(), Instant.now());
      if (!taken.taken()) {
        deliveries.skipped(context.jobId(), "budget", context.attempt());
        if ("off".equals(taken.owner().digest())) {
          catchUps.schedule(delivery.userId(), taken.owner().zone(), Instant.now());
        }
        return;
      }
    }
    Outcome outcome = send(delivery, context);
    if (outcome.skipReason() != null) {
      deliveries.skipped(context.jobId(), outcome.skipReason(), context.attempt());
    } else {
      deliveries.sent(context.jobId(), outcome.providerId(), context.attempt());
    }
  }

  @Override
  public void failed(ChannelDelivery delivery, JobContext context, String error, boolean dead) {
    deliveries.failed(context.jobId(), context.attempt(), error, dead);
  }
}
