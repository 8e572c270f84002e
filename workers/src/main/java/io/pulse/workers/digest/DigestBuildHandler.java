package io.pulse.workers.digest;

import io.pulse.common.digest.DigestConfig;
import io.pulse.common.digest.DigestJob;
import io.pulse.common.digest.DigestPeriod;
import io.pulse.common.digest.UnsubscribeTokens;
import io.pulse.common.jobs.JobType;
import io.pulse.workers.jobs.JobContext;
import io.pulse.workers.jobs.JobHandler;
import io.pulse.workers.notification.JobMailer;
import io.pulse.workers.notification.PlatformLinks;
import io.quarkus.mailer.Mail;
import io.quarkus.qute.TemplateData;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * {@code digest.build}: one user's digest for one period. It collects what is new since the last
 * digest that was sent, renders it with Qute (HTML and text), and sends it; an empty digest is
 * recorded and not sent, and does not move the user's last-digest time. The user row is locked and
 * the digest row checked first, so a redelivered job sends nothing twice; a crash between the send
 * and the commit sends again with the same Message-ID, which the receiving server can drop.
 */
@Singleton
public class DigestBuildHandler implements JobHandler<DigestJob> {
  private static final Logger LOG = Logger.getLogger(DigestBuildHandler.class);

  private final DigestRepository digests;
  private final DigestConfig config;
  private final UnsubscribeTokens tokens;
  private final JobMailer mailer;
  private final PlatformLinks links;

  public DigestBuildHandler(
      DigestRepository digests,
      DigestConfig config,
      UnsubscribeTokens tokens,
      JobMailer mailer,
      PlatformLinks links) {
    this.digests = digests;
    this.config = config;
    this.tokens = tokens;
    this.mailer = mailer;
    this.links = links;
  }

  @Override
  public String type() {
    return JobType.DIGEST_BUILD;
  }

  @Override
  public Class<DigestJob> payloadType() {
    return DigestJob.class;
  }

  /** What the templates render. */
  @TemplateData
  public record Digest(
      String name,
      String period,
      boolean catchUp,
      List<Item> heldBack,
      List<Item> notifications,
      long moreNotifications,
      List<Item> posts,
      String platformUrl,
      String unsubscribeUrl) {}

  /** One line of a digest: a notification, or a post with its community as the detail. */
  @TemplateData
  public record Item(String title, String detail, String url) {}

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
    String unsubscribe =
        config.publicUrl() + "/digests/unsubscribe?token=" + tokens.issue(user.id(), now);
    Digest digest =
        new Digest(
            user.name(),
            job.period(),
            job.catchUp(),
            heldBack.stream().map(this::item).toList(),
            notifications.stream().map(this::item).toList(),
            unread - notifications.size(),
            posts.stream().map(this::item).toList(),
            links.home(),
            unsubscribe);
    Mail mail =
        Mail.withHtml(
                user.email(),
                subject(digest, unread),
                DigestEmailTemplates.digestEmail(digest).render())
            .setText(DigestEmailTemplates.digestEmailText(digest).render())
            .addHeader("X-Pulse-Digest", job.idempotencyKey());
    if (!job.catchUp()) {
      // A catch-up mail goes to a user with digests off already: there is no digest to leave.
      mail.addHeader("List-Unsubscribe", "<" + unsubscribe + ">")
          .addHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
    }
    String messageId = mailer.send(mail, context);
    digests.record(job, true, unread, posts.size(), heldBack.size(), messageId, now);
  }

  private Item item(DigestRepository.NotificationLine n) {
    return new Item(n.title(), n.body(), links.absolute(n.link()));
  }

  private Item item(DigestRepository.PostLine p) {
    String detail = "in " + p.community() + (p.excerpt() == null ? "" : ": " + p.excerpt());
    return new Item(p.title(), detail, links.absolute("/posts/" + p.id()));
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

  private static String subject(Digest digest, long unread) {
    if (digest.catchUp()) {
      int held = digest.heldBack().size();
      return "While you were away: " + held + (held == 1 ? " notification" : " notifications");
    }
    String what =
        unread > 0
            ? unread + (unread == 1 ? " unread notification" : " unread notifications")
            : digest.posts().size() + (digest.posts().size() == 1 ? " new post" : " new posts");
    return "Your " + digest.period() + " Pulse digest: " + what;
  }
}
