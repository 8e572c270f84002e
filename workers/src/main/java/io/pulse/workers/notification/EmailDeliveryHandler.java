package io.pulse.workers.notification;

import io.pulse.common.jobs.JobType;
import io.pulse.common.notification.ChannelDelivery;
import io.pulse.common.notification.NotificationConfig;
import io.pulse.workers.jobs.JobContext;
import io.pulse.workers.jobs.PermanentJobException;
import io.quarkus.mailer.Mail;
import jakarta.inject.Singleton;
import jakarta.persistence.EntityManager;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code notification.email}: renders the notification with Qute (HTML and text parts) and sends it
 * over SMTP. The Message-ID is the delivery's job id, stable across attempts. A mail server that is
 * down, times out or answers 4xx is retried; a 5xx (address rejected) is permanent.
 */
@Singleton
public class EmailDeliveryHandler extends ChannelDeliveryHandler {
  private final JobMailer mailer;
  private final EntityManager em;
  private final PlatformLinks links;
  private final String unsubscribeMailbox;

  public EmailDeliveryHandler(
      DeliveryLedger deliveries,
      InAppReadState inApp,
      JobMailer mailer,
      EntityManager em,
      PlatformLinks links,
      NotificationConfig config) {
    super(deliveries, inApp);
    this.mailer = mailer;
    this.em = em;
    this.links = links;
    this.unsubscribeMailbox = config.unsubscribeMailbox();
  }

  @Override
  public String type() {
    return JobType.NOTIFICATION_EMAIL;
  }

  @Override
  protected Outcome send(ChannelDelivery delivery, JobContext context) {
    List<?> found =
        em.createNativeQuery(
                "select email, coalesce(display_name, handle) from users where id = ?1")
            .setParameter(1, delivery.userId())
            .getResultList();
    if (found.isEmpty() || ((Object[]) found.get(0))[0] == null) {
      throw new PermanentJobException("user " + delivery.userId() + " has no email address");
    }
    Object[] user = (Object[]) found.get(0);
    String to = (String) user[0];
    String name = (String) user[1];
    String link = links.absolute(delivery.link());
    Mail mail =
        Mail.withHtml(
                to,
                delivery.title(),
                NotificationEmailTemplates.notificationEmail(name, delivery, link).render())
            .setText(
                NotificationEmailTemplates.notificationEmailText(name, delivery, link).render())
            .addHeader("List-Unsubscribe", unsubscribeHeader(delivery))
            .addHeader("X-Pulse-Notification-Type", delivery.type());
    return Outcome.sent(mailer.send(mail, context));
  }

  private String unsubscribeHeader(ChannelDelivery delivery) {
    String subject =
        URLEncoder.encode(
            "unsubscribe " + delivery.type() + " " + delivery.userId(), StandardCharsets.UTF_8);
    return "<mailto:" + unsubscribeMailbox + "?subject=" + subject + ">";
  }
}
