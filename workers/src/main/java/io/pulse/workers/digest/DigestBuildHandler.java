package io.pulse.workers.digest;

import io.pulse.common.digest.DigestConfig;
import io.pulse.common.digest.DigestJob;
import io.pulse.common.digest.DigestPeriod;
import io.pulse.common.digest.UnsubscribeTokens;
import io.pulse.common.jobs.JobType;
import io.pulse.common.notification.UserLocales;
import io.pulse.workers.jobs.JobContext;
import io.pulse.workers.jobs.JobHandler;
import io.pulse.workers.notification.JobMailer;
import io.pulse.workers.notification.MailReader;
import io.pulse.workers.notification.PlatformLinks;
import io.quarkus.mailer.Mail;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * {@code digest.build}: one user's digest for one period. It collects what is new since the last
 * digest that was sent, renders it with Qute in the user's language (HTML, text and subject), and
 * sends it; an empty digest is recorded and not sent, and does not move the user's last-digest
 * time. The user row is locked and the digest row checked first, so a redelivered job sends nothing
 * twice; a crash between the send and the commit sends again with the same Message-ID, which the
 * receiving server can drop.
 */
@Singleton
public class DigestBuildHandler implements JobHandler<DigestJob> {
  private static final Logger LOG = Logger.getLogger(DigestBuildHandler.class);

  private final DigestRepository digests;
  private final DigestConfig config;
  private final UnsubscribeTokens tokens;
  private final JobMailer mailer;
  private final PlatformLinks links;
  private final UserLocales locales;

  public DigestBuildHandler(
      DigestRepository digests,
      DigestConfig config,
      UnsubscribeTokens tokens,
      JobMailer mailer,
      PlatformLinks links,
      UserLocales locales) {
    this.digests = digests;
    this.config = config;
    this.tokens = tokens;
    this.mailer = mailer;
    this.links = links;
    this.locales = locales;
  }

  @Override
  public String type() {
    return JobType.DIGEST_BUILD;
  }

  @Override
  public Class<DigestJob> payloadType() {
    return DigestJob.class;
  }

  @Override
  public void handle(DigestJob job, JobContext context) {
    DigestRepository.Recipient user = digests.lockRecipient(job.userId()).orElse(null);
    // A catch-up mail is for a user with digests off; one who turned them on since gets what was
    // held back in the next digest instead.
    String wanted = job.catchUp() ? "off" : job.period();
    if (user == null || user.email() == null || !wanted.equals(user.digest())) {
      // Deleted, no address, unsubscribed or changed cadence since the period was planned.
      LOG.infof("digest %s not built: the user no longer wants it", job.idempotencyKey());
      return;
    }
    if (digests.built(job)) {
      return;
    }
    Instant now = Instant.now();
    Instant since = since(job, user);
    // What the daily budget held back is listed whether or not the user reads the rest.
    List<DigestRepository.NotificationLine> heldBack =
        digests.heldBack(job.userId(), since, config.maxNotifications());
    long unread = job.catchUp() ? 0 : digests.unreadCount(job.userId(), since);
    List<DigestRepository.NotificationLine> notifications =
        unread == 0 ? List.of() : digests.unread(job.userId(), since, config.maxNotifications());
    List<DigestRepository.PostLine> posts =
        job.catchUp() ? List.of() : digests.newPosts(job.userId(), since, config.maxPosts());
    if (heldBack.isEmpty() && notifications.isEmpty() && posts.isEmpty()) {
      digests.record(job, false, 0, 0, 0, null, now);
      return;
    }
    String unsubscribe = config.publicUrl() + "/unsubscribe?token=" + tokens.issue(user.id(), now);
    MailReader reader =
        MailReader.of(locales, DigestEmailTemplates.HTML.keySet(), user.locale(), user.timeZone());
    DigestEmail digest =
        new DigestEmail(
            user.name(),
            job.period(),
            reader.date(job.periodStart()),
            unread,
            job.catchUp(),
            heldBack.stream().map(n -> item(n, reader)).toList(),
            notifications.stream().map(n -> item(n, reader)).toList(),
            unread - notifications.size(),
            posts.stream().map(p -> item(p, reader)).toList(),
            links.home(),
            links.settings(),
            unsubscribe);
    String language = reader.language();
    Mail mail =
        Mail.withHtml(
                user.email(),
                // A text template ends with a line break; a subject has none.
                DigestEmailTemplates.SUBJECT.get(language).apply(digest).render().strip(),
                DigestEmailTemplates.HTML.get(language).apply(digest).render())
            .setText(DigestEmailTemplates.TEXT.get(language).apply(digest).render())
            .addHeader("X-Pulse-Digest", job.idempotencyKey());
    if (!job.catchUp()) {
      // A catch-up mail goes to a user with digests off already: there is no digest to leave.
      mail.addHeader("List-Unsubscribe", "<" + unsubscribe + ">")
          .addHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
    }
    String messageId = mailer.send(mail, context);
    digests.record(job, true, unread, posts.size(), heldBack.size(), messageId, now);
  }

  private DigestEmail.Item item(DigestRepository.NotificationLine n, MailReader reader) {
    return new DigestEmail.Item(
        n.title(),
        n.body(),
        links.absolute(n.link()),
        n.actor(),
        null,
        n.createdAt() == null ? null : reader.dateTime(n.createdAt()));
  }

  private DigestEmail.Item item(DigestRepository.PostLine p, MailReader reader) {
    return new DigestEmail.Item(
        p.title(),
        p.excerpt(),
        links.absolute("/posts/" + p.id()),
        null,
        p.community(),
        p.createdAt() == null ? null : reader.dateTime(p.createdAt()));
  }

  /**
   * From the last digest sent; a first digest covers one period back, a first catch-up mail the day
   * before it.
   */
  private Instant since(DigestJob job, DigestRepository.Recipient user) {
    if (user.lastDigestAt() != null) {
      return user.lastDigestAt();
    }
    if (job.catchUp()) {
      return job.periodStart().minus(java.time.Duration.ofDays(1));
    }
    return DigestPeriod.of(job.period())
        .previousStart(job.periodStart(), ZoneId.of(user.timeZone()), config.sendHour());
  }
}
