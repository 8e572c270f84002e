package io.pulse.api.why;

import io.pulse.api.problem.ProblemException;
import io.pulse.common.jobs.JobLedger;
import io.pulse.common.jobs.SqlTimes;
import io.pulse.common.notification.Channel;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Answers "why" from the record only: the dispatch job in the ledger (was the user a recipient, has
 * it run), the {@code deliveries} rows the dispatch and the delivery jobs wrote (one per recipient
 * and channel decided, skips included), the delivery jobs' ledger rows (retrying, next attempt) and
 * the inbox row of a plain in-app item. Never the logs.
 */
@ApplicationScoped
public class DecisionReader {
  private final EntityManager em;
  private final JobLedger ledger;

  public DecisionReader(EntityManager em, JobLedger ledger) {
    this.em = em;
    this.ledger = ledger;
  }

  public NotificationDecisions read(long userId, UUID jobId) {
    JobLedger.DispatchOf dispatch =
        ledger
            .dispatchTo(jobId, userId)
            .orElseThrow(
                () ->
                    ProblemException.notFound(
                        "user " + userId + " as a recipient of notification job " + jobId));
    List<ChannelDecision> channels = new ArrayList<>();
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                """
                select d.channel, d.status, d.skip_reason, d.provider_id, d.last_error, d.attempts,
                       d.sent_at, d.updated_at, d.created_at, d.deferred_until, d.grouped_into,
                       null, null, null, n.id, d.id
                from deliveries d
                left join notifications n
                  on (d.channel = 'in_app' or d.grouped_into is not null)
                 and n.user_id = d.user_id
                 and n.job_id = coalesce(d.grouped_into, d.notification_job_id)
                where d.notification_job_id = ?1 and d.user_id = ?2
                order by case d.channel when 'in_app' then 0 when 'email' then 1
                                        when 'push' then 2 else 3 end
                """)
            .setParameter(1, jobId)
            .setParameter(2, userId)
            .getResultList();
    // The delivery jobs' own rows (retrying, next attempt, send time), read through the ledger.
    Map<UUID, JobLedger.JobState> states =
        ledger.states(rows.stream().map(row -> (UUID) row[15]).toList());
    for (Object[] row : rows) {
      JobLedger.JobState state = states.get((UUID) row[15]);
      if (state != null) {
        row[11] = state.status();
        row[12] = state.nextAttemptAt();
        row[13] = state.sendAt();
      }
    }
    boolean inAppDecided = false;
    for (Object[] row : rows) {
      inAppDecided |= Channel.IN_APP.equals(row[0]);
      channels.add(decision(row));
    }
    if (!inAppDecided) {
      plainInboxItem(userId, jobId).ifPresent(item -> channels.add(0, item));
    }
    return new NotificationDecisions(
        userId, jobId, dispatch.notificationType(), dispatch.status(), channels);
  }

  /** A plain in-app item is its own record: the inbox row. */
  private java.util.Optional<ChannelDecision> plainInboxItem(long userId, UUID jobId) {
    @SuppressWarnings("unchecked")
    List<Object[]> item =
        em.createNativeQuery(
                "select id, created_at from notifications where user_id = ?1 and job_id = ?2")
            .setParameter(1, userId)
            .setParameter(2, jobId)
            .getResultList();
    return item.stream()
        .findFirst()
        .map(
            row ->
                new ChannelDecision(
                    Channel.IN_APP,
                    "sent",
                    null,
                    time(row[1]),
                    String.valueOf(row[0]),
                    null,
                    null,
                    null,
                    null,
                    null,
                    null));
  }

  private static ChannelDecision decision(Object[] row) {
    String channel = (String) row[0];
    String status = (String) row[1];
    String reason = (String) row[2];
    String providerId = (String) row[3];
    String error = (String) row[4];
    Integer attempts = row[5] == null ? null : ((Number) row[5]).intValue();
    OffsetDateTime sentAt = time(row[6]);
    OffsetDateTime updatedAt = time(row[7]);
    OffsetDateTime createdAt = time(row[8]);
    OffsetDateTime deferredUntil = time(row[9]);
    UUID groupedInto = (UUID) row[10];
    String jobStatus = (String) row[11];
    OffsetDateTime nextAttempt = time(row[12]);
    OffsetDateTime sendAt = time(row[13]);
    String itemId = row[14] == null ? null : String.valueOf(row[14]);
    boolean inApp = Channel.IN_APP.equals(channel);
    return switch (status) {
      case "sent" ->
          new ChannelDecision(
              channel,
              "sent",
              null,
              sentAt,
              inApp ? itemId : null,
              providerId,
              deferredUntil,
              null,
              null,
              null,
              inApp ? null : attempts);
      case "skipped" ->
          new ChannelDecision(
              channel,
              "skipped",
              reason,
              updatedAt,
              null,
              null,
              null,
              groupedInto == null
                  ? null
                  : new ChannelDecision.GroupedInto(itemId, groupedInto.toString()),
              null,
              null,
              null);
      case "failed" ->
          new ChannelDecision(
              channel, "dead", null, updatedAt, null, null, null, null, error, null, attempts);
      default ->
          pending(
              channel,
              error,
              attempts,
              createdAt,
              updatedAt,
              deferredUntil,
              jobStatus,
              nextAttempt,
              sendAt);
    };
  }

  /** A delivery not final yet: waiting out quiet hours, retrying, or not run yet. */
  private static ChannelDecision pending(
      String channel,
      String error,
      Integer attempts,
      OffsetDateTime createdAt,
      OffsetDateTime updatedAt,
      OffsetDateTime deferredUntil,
      String jobStatus,
      OffsetDateTime nextAttempt,
      OffsetDateTime sendAt) {
    if (deferredUntil != null && "scheduled".equals(jobStatus)) {
      return new ChannelDecision(
          channel,
          "skipped",
          "quiet_hours",
          createdAt,
          null,
          null,
          deferredUntil,
          null,
          null,
          null,
          null);
    }
    if (error != null || "retrying".equals(jobStatus)) {
      return new ChannelDecision(
          channel,
          "retrying",
          null,
          updatedAt,
          null,
          null,
          null,
          null,
          error,
          nextAttempt,
          attempts);
    }
    if ("dead".equals(jobStatus)) {
      return new ChannelDecision(
          channel, "dead", null, updatedAt, null, null, null, null, error, null, attempts);
    }
    return new ChannelDecision(
        channel, "pending", null, createdAt, null, null, null, null, null, sendAt, null);
  }

  private static OffsetDateTime time(Object value) {
    java.time.Instant instant = SqlTimes.instant(value);
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }
}
