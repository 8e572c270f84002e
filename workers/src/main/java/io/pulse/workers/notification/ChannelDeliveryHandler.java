package io.pulse.workers.notification;

import io.pulse.common.notification.ChannelDelivery;
import io.pulse.workers.jobs.JobContext;
import io.pulse.workers.jobs.JobHandler;

/**
 * Sends one notification to one recipient on one external channel, at most once per recorded send:
 * the delivery row is locked, left alone when already sent or skipped (recalled), and marked sent
 * in the same transaction as the job. A crash between the send and that commit sends again, with
 * the same id (Message-ID, Idempotency-Key), which is what lets the receiver drop the repeat.
 */
public abstract class ChannelDeliveryHandler implements JobHandler<ChannelDelivery> {
  protected final DeliveryLedger deliveries;
  private final InAppReadState inApp;

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
    if (deliveries.alreadyFinal(context.jobId())) {
      return;
    }
    // Escalation: the in-app row stays locked until this commits, so a read either lands before
    // the check (skipped) or waits for the send to be recorded: never both outcomes.
    if (delivery.onlyIfUnread()
        && !inApp.lockAndCheckUnread(delivery.userId(), delivery.notificationJobId())) {
      deliveries.skipped(context.jobId(), "read", context.attempt());
      return;
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
