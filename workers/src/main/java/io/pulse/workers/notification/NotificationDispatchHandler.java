package io.pulse.workers.notification;

import io.pulse.common.jobs.JobLedger;
import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.notification.Channel;
import io.pulse.common.notification.ChannelDelivery;
import io.pulse.common.notification.NotificationConfig;
import io.pulse.common.notification.NotificationDispatch;
import io.pulse.common.notification.Recalls;
import io.pulse.workers.jobs.BatchJobHandler;
import io.pulse.workers.jobs.JobContext;
import io.pulse.workers.jobs.PermanentJobException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Resolves each recipient's channels, writes every in-app notification in one statement, and leaves
 * one {@code notification.email} or {@code notification.webhook} job per recipient and external
 * channel, and one {@code notification.push} job per push subscription, so a failing mail server
 * retries only its own deliveries. Follow-up job ids are derived from (this job, recipient,
 * channel): a redelivered dispatch creates nothing twice. A batch of dispatches costs the same few
 * statements as one: one preference query per notification type, one email lookup, one quiet-hours
 * lookup, one in-app insert, one delivery insert. An email due in the recipient's quiet hours
 * (non-critical types), or escalated only if unread, is left as a scheduled job due when it may go
 * out. A recalled dispatch (by its source or its id) writes nothing; see {@link Recalls} for how a
 * recall racing this handler is ordered. A grouped notification (a {@code groupKey} and a type with
 * a group window) is folded into its recipient's open inbox item ({@link InboxGroups}), and its
 * email goes out only for the notification that opened the item. Every channel decided for a
 * recipient leaves one {@code deliveries} row, skips included (opted out, no address, grouped), so
 * "why" can be answered from the ledger.
 */
@ApplicationScoped
public class NotificationDispatchHandler implements BatchJobHandler<NotificationDispatch> {
  private static final Logger LOG = Logger.getLogger(NotificationDispatchHandler.class);
  static final String NO_SUBSCRIPTION = "no_subscription";
  private final InAppNotificationWriter inApp;
  private final InboxGroups groups;
  private final RecipientChannels channels;
  private final DeliveryLedger deliveries;
  private final NotificationConfig config;
  private final Recalls recalls;
  private final JobLedger ledger;

  public NotificationDispatchHandler(
      InAppNotificationWriter inApp,
      InboxGroups groups,
      RecipientChannels channels,
      DeliveryLedger deliveries,
      NotificationConfig config,
      Recalls recalls,
      JobLedger ledger) {
    this.recalls = recalls;
    this.ledger = ledger;
    this.inApp = inApp;
    this.groups = groups;
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
  public void handleAll(List<Job<NotificationDispatch>> batch) {
    for (Job<NotificationDispatch> job : batch) {
      if (!config.knows(job.payload().type())) {
        throw new PermanentJobException("unknown notification type '" + job.payload().type() + "'");
      }
    }
    List<Job<NotificationDispatch>> jobs = notRecalled(batch);
    Map<String, List<Long>> recipientsByType = new LinkedHashMap<>();
    for (Job<NotificationDispatch> job : jobs) {
      NotificationDispatch payload = job.payload();
      recipientsByType
          .computeIfAbsent(payload.type(), t -> new ArrayList<>())
          .addAll(payload.recipientIds());
    }
    Map<String, Map<Long, Set<String>>> chosen = new HashMap<>();
    recipientsByType.forEach(
        (type, recipients) ->
            chosen.put(type, channels.resolve(type, recipients.stream().distinct().toList())));

    List<InAppNotificationWriter.Notice> notices = new ArrayList<>();
    List<InboxGroups.Member> grouped = new ArrayList<>();
    List<InboxGroups.Member> emailOnly = new ArrayList<>();
    List<DeliveryLedger.Skipped> skipped = new ArrayList<>();
    // A recalled dispatch reaches no one; each recipient's in-app decision says so.
    for (Job<NotificationDispatch> job : batch) {
      if (!jobs.contains(job)) {
        for (Long recipient : recipientsOf(job.payload())) {
          skipped.add(skip(job, recipient, Channel.IN_APP, "recalled"));
        }
      }
    }
    Set<Long> emailRecipients = new TreeSet<>();
    for (Job<NotificationDispatch> job : jobs) {
      NotificationDispatch payload = job.payload();
      Map<Long, Set<String>> ofType = chosen.get(payload.type());
      Optional<Duration> window =
          payload.groupKey() == null ? Optional.empty() : config.groupWindow(payload.type());
      List<Long> plain = new ArrayList<>();
      for (Long recipient : recipientsOn(Channel.IN_APP, payload, ofType)) {
        if (window.isPresent()) {
          grouped.add(
              new InboxGroups.Member(job.context().jobId(), payload, recipient, window.get()));
        } else {
          plain.add(recipient);
        }
      }
      notices.add(new InAppNotificationWriter.Notice(job.context().jobId(), payload, plain));
      if (window.isPresent()) {
        // No in-app item to fold into: the group's window is its first email.
        for (Long recipient : recipientsOff(Channel.IN_APP, payload, ofType)) {
          if (ofType.get(recipient).contains(Channel.EMAIL)) {
            emailOnly.add(
                new InboxGroups.Member(job.context().jobId(), payload, recipient, window.get()));
          }
        }
      }
      for (Long recipient : recipientsOff(Channel.IN_APP, payload, ofType)) {
        skipped.add(skip(job, recipient, Channel.IN_APP, "preference"));
      }
      emailRecipients.addAll(recipientsOn(Channel.EMAIL, payload, ofType));
    }
    inApp.write(notices);
    Map<InboxGroups.Pair, InboxGroups.Outcome> folds = new HashMap<>(groups.fold(grouped));
    folds.putAll(groups.emailWindows(emailOnly));
    Set<Long> withAddress = channels.emails(List.copyOf(emailRecipients)).keySet();

    Map<Long, List<Long>> subscriptions =
        config.push().configured()
            ? channels.pushSubscriptions(recipientsOn(Channel.PUSH, jobs, chosen))
            : Map.of();

    Map<Long, RecipientChannels.QuietClock> quiet =
        channels.quietHours(
            nonCriticalRecipients(jobs, emailRecipients, withAddress, subscriptions.keySet()));
    Instant now = Instant.now();

    List<DeliveryLedger.Pending> pending = new ArrayList<>();
    List<JobLedger.Deferred> deferred = new ArrayList<>();
    for (Job<NotificationDispatch> job : jobs) {
      NotificationDispatch payload = job.payload();
      Map<Long, Set<String>> ofType = chosen.get(payload.type());
      Optional<Duration> escalateAfter = config.emailIfUnreadAfter(payload.type());
      boolean critical = config.critical(payload.type());
      boolean webhooks = config.webhook().url().isPresent();
      for (Long recipient : recipientsOf(payload)) {
        InboxGroups.Outcome fold =
            folds.get(new InboxGroups.Pair(job.context().jobId(), recipient));
        if (fold != null && fold.fold() == InboxGroups.Fold.REPEATED) {
          // This dispatch ran before for this recipient: its decisions are all recorded.
          continue;
        }
        Set<String> on = ofType.get(recipient);
        if (!on.contains(Channel.EMAIL)) {
          skipped.add(skip(job, recipient, Channel.EMAIL, "preference"));
        } else if (!withAddress.contains(recipient)) {
          skipped.add(skip(job, recipient, Channel.EMAIL, "no_address"));
        } else if (fold != null && fold.fold() == InboxGroups.Fold.FOLDED) {
          // A group's email went out (or waits) for the notification that opened its item.
          skipped.add(
              new DeliveryLedger.Skipped(
                  job.context().jobId(),
                  recipient,
                  Channel.EMAIL,
                  payload.source(),
                  "grouped",
                  fold.itemJobId()));
        } else {
          // Escalation only if unread: the email waits for the delay, and its handler sends it
          // only if the in-app item is still unread by then.
          boolean onlyIfUnread = escalateAfter.isPresent() && on.contains(Channel.IN_APP);
          Instant due = onlyIfUnread ? now.plus(escalateAfter.get()) : now;
          // Quiet hours are asked at the time the email would go out, so an escalation that falls
          // into them waits for their end too; critical types never wait for them.
          RecipientChannels.QuietClock clock = critical ? null : quiet.get(recipient);
          Instant sendAt = clock == null ? due : clock.sendAt(due);
          if (sendAt.isAfter(now)) {
            // The email waits in the ledger (the scheduled path) until it is due.
            ChannelDelivery delivery = delivery(job, recipient, onlyIfUnread);
            JobMessage message =
                job.context()
                    .followUpMessage(
                        JobType.NOTIFICATION_EMAIL, recipient + ":" + Channel.EMAIL, delivery);
            deferred.add(new JobLedger.Deferred(message, sendAt, job.context().jobId()));
            pending.add(
                new DeliveryLedger.Pending(
                    message.jobId(),
                    job.context().jobId(),
                    recipient,
                    Channel.EMAIL,
                    payload.source(),
                    sendAt.isAfter(due) ? sendAt : null,
                    fold == null ? null : payload.groupKey()));
          } else {
            UUID id =
                job.context()
                    .followUp(
                        JobType.NOTIFICATION_EMAIL,
                        recipient + ":" + Channel.EMAIL,
                        delivery(job, recipient, false));
            pending.add(
                new DeliveryLedger.Pending(
                    id,
                    job.context().jobId(),
                    recipient,
                    Channel.EMAIL,
                    payload.source(),
                    null,
                    fold == null ? null : payload.groupKey()));
          }
        }
        // Webhooks are not deferred nor grouped: they go to the platform, not to a person, and
        // the platform decides how (and when) to reach its users.
        if (webhooks) {
          if (on.contains(Channel.WEBHOOK)) {
            follow(job, recipient, Channel.WEBHOOK, JobType.NOTIFICATION_WEBHOOK, pending);
          } else {
            skipped.add(skip(job, recipient, Channel.WEBHOOK, "preference"));
          }
        }
      }
      // Push is off without VAPID keys, as webhooks are without a URL.
      if (config.push().configured()) {
        for (Long recipient : recipientsOn(Channel.PUSH, job.payload(), ofType)) {
          // A push wakes a phone as an email does not: it waits for the end of quiet hours too.
          RecipientChannels.QuietClock clock = critical ? null : quiet.get(recipient);
          Instant sendAt = clock == null ? now : clock.sendAt(now);
          push(
              job,
              recipient,
              subscriptions.getOrDefault(recipient, List.of()),
              sendAt.isAfter(now) ? sendAt : null,
              pending,
              deferred);
        }
      }
    }
    deliveries.insertPending(pending);
    deliveries.insertSkipped(skipped);
    ledger.insertScheduledFollowUps(deferred);
  }

  private static DeliveryLedger.Skipped skip(
      Job<NotificationDispatch> job, long recipient, String channel, String reason) {
    return new DeliveryLedger.Skipped(
        job.context().jobId(), recipient, channel, job.payload().source(), reason);
  }

  /**
   * The jobs neither recalled by their source nor by their own id, with the recall targets locked
   * (shared) until this transaction ends: a recall that comes now waits for what this dispatch
   * writes and withdraws it, and one that came first makes this dispatch write nothing.
   */
  private List<Job<NotificationDispatch>> notRecalled(List<Job<NotificationDispatch>> jobs) {
    List<Recalls.Target> targets = new ArrayList<>();
    for (Job<NotificationDispatch> job : jobs) {
      targets.add(Recalls.Target.dispatch(job.context().jobId()));
      if (job.payload().source() != null) {
        targets.add(Recalls.Target.source(job.payload().source()));
      }
    }
    Set<String> recalled = recalls.lockAndFindRecalled(targets);
    if (recalled.isEmpty()) {
      return jobs;
    }
    return jobs.stream()
        .filter(
            job -> {
              boolean byId =
                  recalled.contains(Recalls.Target.dispatch(job.context().jobId()).key());
              String source = job.payload().source();
              boolean bySource =
                  source != null && recalled.contains(Recalls.Target.source(source).key());
              if (byId || bySource) {
                LOG.infof(
                    "dispatch %s was recalled (%s) before it ran: nothing written",
                    job.context().jobId(), byId ? "by its id" : "source " + source);
              }
              return !byId && !bySource;
            })
        .toList();
  }

  /** The email recipients with an address of the batch's non-critical notifications. */
  /**
   * The recipients whose quiet hours matter: those of non-critical types that may get an email
   * (with an address) or a push (with a subscription).
   */
  private List<Long> nonCriticalRecipients(
      List<Job<NotificationDispatch>> jobs,
      Set<Long> emailRecipients,
      Set<Long> withAddress,
      Set<Long> withSubscription) {
    Set<Long> recipients = new TreeSet<>();
    for (Job<NotificationDispatch> job : jobs) {
      if (!config.critical(job.payload().type())) {
        job.payload().recipientIds().stream()
            .filter(
                r ->
                    (emailRecipients.contains(r) && withAddress.contains(r))
                        || withSubscription.contains(r))
            .forEach(recipients::add);
      }
    }
    return List.copyOf(recipients);
  }

  /** The job's recipients, in id order and each once. */
  private static List<Long> recipientsOf(NotificationDispatch payload) {
    return payload.recipientIds().stream().distinct().sorted().toList();
  }

  /** The job's recipients, in id order and each once, that do not get {@code channel}. */
  private static List<Long> recipientsOff(
      String channel, NotificationDispatch payload, Map<Long, Set<String>> chosen) {
    return recipientsOf(payload).stream()
        .filter(recipient -> !chosen.get(recipient).contains(channel))
        .toList();
  }

  /** The job's recipients, in id order and each once, that get {@code channel}. */
  private static List<Long> recipientsOn(
      String channel, NotificationDispatch payload, Map<Long, Set<String>> chosen) {
    return payload.recipientIds().stream()
        .filter(recipient -> chosen.get(recipient).contains(channel))
        .distinct()
        .sorted()
        .toList();
  }

  /**
   * One {@code notification.push} job and pending delivery per subscription of the recipient; a
   * recipient without any gets a delivery recorded {@code skipped} ({@code no_subscription}) so the
   * ledger says why nothing went out.
   */
  /**
   * One push delivery per subscription: published now, or with {@code deferredUntil} (the end of
   * the recipient's quiet hours) written as a scheduled job that the poller sends when due.
   */
  private static void push(
      Job<NotificationDispatch> job,
      long recipient,
      List<Long> subscriptions,
      Instant deferredUntil,
      List<DeliveryLedger.Pending> pending,
      List<JobLedger.Deferred> deferred) {
    JobContext context = job.context();
    String source = job.payload().source();
    if (subscriptions.isEmpty()) {
      UUID id = DeliveryLedger.decisionId(context.jobId(), recipient, Channel.PUSH);
      pending.add(
          DeliveryLedger.Pending.push(
              id, context.jobId(), recipient, source, null, null, NO_SUBSCRIPTION));
      return;
    }
    for (Long subscription : subscriptions) {
      String key = recipient + ":" + Channel.PUSH + ":" + subscription;
      ChannelDelivery delivery = delivery(job, recipient, false);
      UUID id;
      if (deferredUntil == null) {
        id = context.followUp(JobType.NOTIFICATION_PUSH, key, delivery);
      } else {
        JobMessage message = context.followUpMessage(JobType.NOTIFICATION_PUSH, key, delivery);
        deferred.add(new JobLedger.Deferred(message, deferredUntil, context.jobId()));
        id = message.jobId();
      }
      pending.add(
          DeliveryLedger.Pending.push(
              id, context.jobId(), recipient, source, subscription, deferredUntil, null));
    }
  }

  /** The recipients of all these jobs, each once, that get {@code channel} for their type. */
  private static List<Long> recipientsOn(
      String channel,
      List<Job<NotificationDispatch>> jobs,
      Map<String, Map<Long, Set<String>>> chosen) {
    Set<Long> recipients = new TreeSet<>();
    for (Job<NotificationDispatch> job : jobs) {
      recipients.addAll(recipientsOn(channel, job.payload(), chosen.get(job.payload().type())));
    }
    return List.copyOf(recipients);
  }

  private static void follow(
      Job<NotificationDispatch> job,
      long recipient,
      String channel,
      String jobType,
      List<DeliveryLedger.Pending> pending) {
    JobContext context = job.context();
    UUID id = context.followUp(jobType, recipient + ":" + channel, delivery(job, recipient, false));
    pending.add(
        new DeliveryLedger.Pending(
            id, context.jobId(), recipient, channel, job.payload().source()));
  }

  private static ChannelDelivery delivery(
      Job<NotificationDispatch> job, long recipient, boolean onlyIfUnread) {
    NotificationDispatch payload = job.payload();
    return new ChannelDelivery(
        job.context().jobId(),
        recipient,
        payload.type(),
        payload.title(),
        payload.body(),
        payload.link(),
        payload.actorId(),
        Instant.now(),
        payload.source(),
        onlyIfUnread);
  }
}
