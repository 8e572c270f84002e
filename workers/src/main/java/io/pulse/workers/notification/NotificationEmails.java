package io.pulse.workers.notification;

import io.pulse.common.digest.DigestConfig;
import io.pulse.common.digest.UnsubscribeScope;
import io.pulse.common.digest.UnsubscribeTokens;
import io.pulse.common.notification.ChannelDelivery;
import io.pulse.common.notification.NotificationConfig;
import io.pulse.common.notification.UserLocales;
import io.pulse.workers.jobs.PermanentJobException;
import io.quarkus.mailer.Mail;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes one notification's email for its recipient: in their language, with their dates, the
 * actor's and the community's names where we know them, and (unless the type is critical) a signed
 * RFC 8058 one-click link that switches this type's email off.
 */
@ApplicationScoped
public class NotificationEmails {
  /** A link to one of the platform's posts: the community is the post's. */
  private static final Pattern POST_LINK = Pattern.compile("^/posts/(\\d{1,18})(?:[/?#].*)?$");

  private final EntityManager em;
  private final PlatformLinks links;
  private final UnsubscribeTokens tokens;
  private final UserLocales locales;
  private final NotificationConfig notifications;
  private final String publicUrl;

  public NotificationEmails(
      EntityManager em,
      PlatformLinks links,
      UnsubscribeTokens tokens,
      UserLocales locales,
      NotificationConfig notifications,
      DigestConfig digests) {
    this.em = em;
    this.links = links;
    this.tokens = tokens;
    this.locales = locales;
    this.notifications = notifications;
    this.publicUrl = digests.publicUrl();
  }

  public Mail compose(ChannelDelivery delivery, Instant now) {
    List<?> found =
        em.createNativeQuery(
                """
                select u.email, coalesce(u.display_name, u.handle), u.locale, u.time_zone,
                       (select coalesce(a.display_name, a.handle) from users a where a.id = ?2),
                       (select c.name from posts p join communities c on c.id = p.community_id
                        where p.id = ?3)
                from users u where u.id = ?1
                """)
            .setParameter(1, delivery.userId())
            .setParameter(2, delivery.actorId() == null ? -1L : delivery.actorId())
            .setParameter(3, postOf(delivery.link()))
            .getResultList();
    if (found.isEmpty() || ((Object[]) found.get(0))[0] == null) {
      throw new PermanentJobException("user " + delivery.userId() + " has no email address");
    }
    Object[] user = (Object[]) found.get(0);
    MailReader reader =
        MailReader.of(
            locales, NotificationEmailTemplates.HTML.keySet(), (String) user[2], (String) user[3]);
    String unsubscribe =
        notifications.critical(delivery.type())
            ? null
            : publicUrl
                + "/unsubscribe?token="
                + tokens.issue(delivery.userId(), now, UnsubscribeScope.emailOf(delivery.type()));
    NotificationEmail email =
        new NotificationEmail(
            (String) user[1],
            delivery.type(),
            delivery.title(),
            delivery.body(),
            links.absolute(delivery.link()),
            (String) user[4],
            (String) user[5],
            reader.dateTime(delivery.createdAt() == null ? now : delivery.createdAt()),
            unsubscribe,
            links.settings());
    Mail mail =
        Mail.withHtml(
                (String) user[0],
                delivery.title(),
                NotificationEmailTemplates.HTML.get(reader.language()).apply(email).render())
            .setText(NotificationEmailTemplates.TEXT.get(reader.language()).apply(email).render())
            .addHeader("X-Pulse-Notification-Type", delivery.type());
    if (unsubscribe != null) {
      // RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the link, no page shown.
      mail.addHeader("List-Unsubscribe", "<" + unsubscribe + ">")
          .addHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
    }
    return mail;
  }

  /** The post a relative platform link points to, or -1. */
  static long postOf(String link) {
    if (link == null) {
      return -1L;
    }
    Matcher post = POST_LINK.matcher(link);
    return post.matches() ? Long.parseLong(post.group(1)) : -1L;
  }
}
