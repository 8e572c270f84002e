package io.pulse.workers.notification;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.hibernate.Session;

/**
 * The {@code deliveries} table: one row per notification, recipient and channel the dispatch
 * decided on (pending, then sent, failed or skipped; or skipped at once, with why). A row marked
 * {@code sent} is never sent again, whatever the broker redelivers.
 */
@ApplicationScoped
public class DeliveryLedger {
  private final EntityManager em;

  public DeliveryLedger(EntityManager em) {
    this.em = em;
  }

  /**
   * A delivery that will run: its job's id, the dispatch, for an email or a push quiet hours moved
   * the end of the window it waits for, for the email that opens a group's window its key, and for
   * a push delivery its subscription; or one recorded skipped at once ({@code no_subscription}).
   */
  public record Pending(
      UUID id,
      UUID notificationJobId,
      long userId,
      String channel,
      String source,
      Instant deferredUntil,
      String groupKey,
      Long subscriptionId,
      String skipReason) {
    public Pending(
        UUID id,
        UUID notificationJobId,
        long userId,
        String channel,
        String source,
        Instant deferredUntil,
        String groupKey) {
      this(id, notificationJobId, userId, channel, source, deferredUntil, groupKey, null, null);
    }

    /**
     * A push delivery to one subscription (waiting until {@code deferredUntil} in quiet hours), or
     * skipped with {@code skipReason} when none.
     */
    public static Pending push(
        UUID id,
        UUID notificationJobId,
        long userId,
        String source,
        Long subscriptionId,
        Instant deferredUntil,
        String skipReason) {
      return new Pending(
          id,
          notificationJobId,
          userId,
          "push",
          source,
          deferredUntil,
          null,
          subscriptionId,
          skipReason);
    }

    public Pending(UUID id, UUID notificationJobId, long userId, String channel, String source) {
      this(id, notificationJobId, userId, channel, source, null, null, null, null);
    }
  }

  /**
   * A channel the dispatch decided not to use for a recipient, with why ({@code preference}, {@code
   * no_address}, {@code grouped} into the item opened by {@code groupedInto}). Recorded so that
   * "why" reads it back; its id is the one the delivery's job would have had.
   */
  public record Skipped(
      UUID notificationJobId,
      long userId,
      String channel,
      String source,
      String reason,
      UUID groupedInto) {
    public Skipped(
        UUID notificationJobId, long userId, String channel, String source, String reason) {
      this(notificationJobId, userId, channel, source, reason, null);
    }

    UUID id() {
      return decisionId(notificationJobId, userId, channel);
    }
  }

  /**
   * The id of a recipient's delivery on a channel: the id {@link
   * io.pulse.workers.jobs.JobContext#followUp} gives its job, so a decision recorded without a job
   * and the job it would have had agree.
   */
  public static UUID decisionId(UUID notificationJobId, long userId, String channel) {
    return io.pulse.common.jobs.JobIds.followUp(notificationJobId, userId + ":" + channel);
  }

  private static final String INSERT =
      """
      insert into deliveries (id, notification_job_id, user_id, channel, source, status,
                              skip_reason, deferred_until, grouped_into, group_key,
                              subscription_id)
      select id, job_id, user_id, channel, source, status, reason, deferred_until, grouped_into,
             group_key, subscription_id
      from unnest(?::uuid[], ?::uuid[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[],
                  ?::timestamptz[], ?::uuid[], ?::text[], ?::bigint[])
          as t(id, job_id, user_id, channel, source, status, reason, deferred_until, grouped_into,
               group_key, subscription_id)
      on conflict do nothing
      """;

  /**
   * Records pending deliveries, of one dispatch or of a batch, in one statement; existing ones (a
   * redelivered dispatch) stay.
   */
  public void insertPending(List<Pending> deliveries) {
    insert(
        deliveries.stream()
            .map(
                p ->
                    new Object[] {
                      p.id(),
                      p.notificationJobId(),
                      p.userId(),
                      p.channel(),
                      p.source(),
                      p.skipReason() == null ? "pending" : "skipped",
                      p.skipReason(),
                      p.deferredUntil() == null ? null : Timestamp.from(p.deferredUntil()),
                      null,
                      p.groupKey(),
                      p.subscriptionId()
                    })
            .toList());
  }

  /** Records decisions not to deliver, in one statement; existing ones stay. */
  public void insertSkipped(List<Skipped> skipped) {
    insert(
        skipped.stream()
            .map(
                s ->
                    new Object[] {
                      s.id(),
                      s.notificationJobId(),
                      s.userId(),
                      s.channel(),
                      s.source(),
                      "skipped",
                      s.reason(),
                      null,
                      s.groupedInto(),
                      null,
                      null
                    })
            .toList());
  }

  private static final String[] COLUMN_TYPES = {
    "uuid",
    "uuid",
    "bigint",
    "text",
    "text",
    "text",
    "text",
    "timestamptz",
    "uuid",
    "text",
    "bigint"
  };

  private void insert(List<Object[]> rows) {
    if (rows.isEmpty()) {
      return;
    }
    em.unwrap(Session.class)
        .doWork(
            connection -> {
              try (var insert = connection.prepareStatement(INSERT)) {
                for (int column = 0; column < COLUMN_TYPES.length; column++) {
                  int at = column;
                  insert.setArray(
                      column + 1,
                      connection.createArrayOf(
                          COLUMN_TYPES[column], rows.stream().map(row -> row[at]).toArray()));
                }
                insert.executeUpdate();
              }
            });
  }

  /** A locked delivery row: where it stands and on which channel. */
  public record Locked(String status, String channel) {
    /** Sent, or skipped (recalled, read, over the budget): nothing more to do. */
    public boolean isFinal() {
      return "sent".equals(status) || "skipped".equals(status);
    }
  }

  /**
   * Locks the delivery for this transaction: a recall waits for this lock, so it either skips the
   * delivery before it is sent or finds it sent. Empty for a delivery with no row.
   */
  public java.util.Optional<Locked> lock(UUID id) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery("select status, channel from deliveries where id = ?1 for update")
            .setParameter(1, id)
            .getResultList();
    return rows.stream().findFirst().map(row -> new Locked((String) row[0], (String) row[1]));
  }

  /**
   * Locks the delivery for this transaction; true when it is final already: sent, or skipped (its
   * notification was recalled, or read before an escalation was due).
   */
  public boolean alreadyFinal(UUID id) {
    return lock(id).map(Locked::isFinal).orElse(false);
  }

  /**
   * Ends a delivery unsent, with why ({@code recalled}, {@code read}, {@code budget}, {@code
   * subscription_gone}).
   */
  public void skipped(UUID id, String reason, int attempt) {
    em.createNativeQuery(
            """
            update deliveries set status = 'skipped', skip_reason = ?2,
                   attempts = greatest(attempts, ?3), updated_at = now()
            where id = ?1 and status = 'pending'
            """)
        .setParameter(1, id)
        .setParameter(2, reason)
        .setParameter(3, attempt)
        .executeUpdate();
  }

  public void sent(UUID id, String providerId, int attempt) {
    em.createNativeQuery(
            """
            update deliveries set status = 'sent', provider_id = ?2, sent_at = now(),
                   attempts = greatest(attempts, ?3), last_error = null, updated_at = now()
            where id = ?1
            """)
        .setParameter(1, id)
        .setParameter(2, providerId)
        .setParameter(3, attempt)
        .executeUpdate();
  }

  public void failed(UUID id, int attempt, String error, boolean dead) {
    em.createNativeQuery(
            """
            update deliveries set status = case when ?4 then 'failed' else status end,
                   attempts = greatest(attempts, ?2), last_error = ?3, updated_at = now()
            where id = ?1 and status in ('pending', 'failed')
            """)
        .setParameter(1, id)
        .setParameter(2, attempt)
        .setParameter(3, error)
        .setParameter(4, dead)
        .executeUpdate();
  }
}
