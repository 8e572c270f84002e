package io.pulse.workers.notification;

import io.pulse.common.jobs.JobType;
import io.pulse.common.notification.Channel;
import io.pulse.common.notification.ChannelDelivery;
import io.pulse.common.notification.NotificationConfig;
import io.pulse.common.notification.NotificationDispatch;
import io.pulse.workers.jobs.JobContext;
import io.pulse.workers.jobs.JobHandler;
import io.pulse.workers.jobs.PermanentJobException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Resolves each recipient's channels, writes every in-app notification in one statement, and leaves
 * one {@code notification.email} or {@code notification.webhook} job per recipient and external
 * channel, so a failing mail server retries only its own deliveries. Follow-up job ids are derived
 * from (this job, recipient, channel): a redelivered dispatch creates nothing twice.
 */
@ApplicationScoped
public class NotificationDispatchHandler implements JobHandler<NotificationDispatch> {
  private final InAppNotificationWriter inApp;
  private final RecipientChannels channels;
  private final DeliveryLedger deliveries;
  private final NotificationConfig config;

  public NotificationDispatchHandler(
      InAppNotificationWriter inApp,
      RecipientChannels channels,
      DeliveryLedger deliveries,
      NotificationConfig config) {
    this.inApp = inApp;
    this.channels = channels;
    this.deliveries = deliveries;
    this.config = config;
  }

  @Override
  public String type() {
    return JobType.NOTIFICATION_DISPATCH;
  }

  @Override
  public Class<NotificationDispatch> payloadType() {
    return NotificationDispatch.class;
  }

  @Override
  public void handle(NotificationDispatch payload, JobContext context) {
    if (!config.knows(payload.type())) {
      throw new PermanentJobException("unknown notification type '" + payload.type() + "'");
    }
    Map<Long, Set<String>> chosen = channels.resolve(payload.type(), payload.recipientIds());
    List<Long> inAppRecipients = recipientsOn(Channel.IN_APP, chosen);
    if (!inAppRecipients.isEmpty()) {
      inApp.write(context.jobId(), payload, inAppRecipients);
    }
    List<Long> emailRecipients = recipientsOn(Channel.EMAIL, chosen);
    Set<Long> withAddress = channels.emails(emailRecipients).keySet();
    List<Long> webhookRecipients =
        config.webhook().url().isPresent() ? recipientsOn(Channel.WEBHOOK, chosen) : List.of();

    List<DeliveryLedger.Pending> pending = new ArrayList<>();
    for (Long recipient : emailRecipients) {
      if (withAddress.contains(recipient)) {
        follow(context, payload, recipient, Channel.EMAIL, JobType.NOTIFICATION_EMAIL, pending);
      }
    }
    for (Long recipient : webhookRecipients) {
      follow(context, payload, recipient, Channel.WEBHOOK, JobType.NOTIFICATION_WEBHOOK, pending);
    }
    deliveries.insertPending(pending);
  }

  private static List<Long> recipientsOn(String channel, Map<Long, Set<String>> chosen) {
    return chosen.entrySet().stream()
        .filter(e -> e.getValue().contains(channel))
        .map(Map.Entry::getKey)
        .sorted()
        .toList();
  }

  private static void follow(
      JobContext context,
      NotificationDispatch payload,
      long recipient,
      String channel,
      String jobType,
      List<DeliveryLedger.Pending> pending) {
    ChannelDelivery delivery =
        new ChannelDelivery(
            context.jobId(),
            recipient,
            payload.type(),
            payload.title(),
            payload.body(),
            payload.link(),
            payload.actorId(),
            Instant.now());
    UUID id = context.followUp(jobType, recipient + ":" + channel, delivery);
    pending.add(new DeliveryLedger.Pending(id, context.jobId(), recipient, channel));
  }
}
