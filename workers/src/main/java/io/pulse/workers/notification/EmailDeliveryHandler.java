package io.pulse.workers.notification;

import io.pulse.common.jobs.JobType;
import io.pulse.common.notification.ChannelDelivery;
import io.pulse.workers.jobs.JobContext;
import jakarta.inject.Singleton;
import java.time.Instant;

/**
 * {@code notification.email}: renders the notification in the recipient's language ({@link
 * NotificationEmails}: Qute, HTML and text parts, a one-click unsubscribe link) and sends it over
 * SMTP. The Message-ID is the delivery's job id, stable across attempts. A mail server that is
 * down, times out or answers 4xx is retried; a 5xx (address rejected) is permanent.
 */
@Singleton
public class EmailDeliveryHandler extends ChannelDeliveryHandler {
  private final JobMailer mailer;
  private final NotificationEmails emails;

  public EmailDeliveryHandler(
      DeliveryLedger deliveries,
      InAppReadState inApp,
      JobMailer mailer,
      NotificationEmails emails) {
    super(deliveries, inApp);
    this.mailer = mailer;
    this.emails = emails;
  }

  @Override
  public String type() {
    return JobType.NOTIFICATION_EMAIL;
  }

  @Override
  protected Outcome send(ChannelDelivery delivery, JobContext context) {
    return Outcome.sent(mailer.send(emails.compose(delivery, Instant.now()), context));
  }
}
