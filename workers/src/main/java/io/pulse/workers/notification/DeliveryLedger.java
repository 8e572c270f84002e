package io.pulse.workers.notification;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.UUID;
import org.hibernate.Session;

/**
 * The {@code deliveries} table: one row per notification, recipient and external channel. A row
 * marked {@code sent} is never sent again, whatever the broker redelivers.
 */
@ApplicationScoped
public class DeliveryLedger {
  private final EntityManager em;

  public DeliveryLedger(EntityManager em) {
    this.em = em;
  }

  /**
   * A delivery to record: pending, or already skipped with a reason ({@code no_subscription}); a
   * push delivery names its subscription.
   */
  public record Pending(
      UUID id,
      UUID notificationJobId,
      long userId,
      String channel,
      String source,
      Long subscriptionId,
      String skipReason) {

    public Pending(UUID id, UUID notificationJobId, long userId, String channel, String source) {
      this(id, notificationJobId, userId, channel, source, null, null);
    }
  }

  /**
   * Records pending deliveries, of one dispatch or of a batch, in one statement; existing ones (a
   * redelivered dispatch) stay.
   */
  public void insertPending(List<Pending> deliveries) {
    if (deliveries.isEmpty()) {
      return;
    }
    em.unwrap(Session.class)
        .doWork(
            connection -> {
              try (var insert =
                  connection.prepareStatement(
                      """
                      insert into deliveries (id, notification_job_id, user_id, channel, source,
                                              subscription_id, status, skip_reason)
                      select id, job_id, user_id, channel, source, subscription_id,
                             case when skip_reason is null then 'pending' else 'skipped' end,
                             skip_reason
                      from unnest(?, ?, ?, ?, ?, ?, ?)
                          as t(id, job_id, user_id, channel, source, subscription_id, skip_reason)
                      on conflict do nothing
                      """)) {
                insert.setArray(
                    1,
                    connection.createArrayOf(
                        "uuid", deliveries.stream().map(Pending::id).toArray()));
                insert.setArray(
                    2,
                    connection.createArrayOf(
                        "uuid", deliveries.stream().map(Pending::notificationJobId).toArray()));
                insert.setArray(
                    3,
                    connection.createArrayOf(
                        "bigint", deliveries.stream().map(Pending::userId).toArray()));
                insert.setArray(
                    4,
                    connection.createArrayOf(
                        "text", deliveries.stream().map(Pending::channel).toArray()));
                insert.setArray(
                    5,
                    connection.createArrayOf(
                        "text", deliveries.stream().map(Pending::source).toArray()));
                insert.setArray(
                    6,
                    connection.createArrayOf(
                        "bigint", deliveries.stream().map(Pending::subscriptionId).toArray()));
                insert.setArray(
                    7,
                    connection.createArrayOf(
                        "text", deliveries.stream().map(Pending::skipReason).toArray()));
                insert.executeUpdate();
              }
            });
  }

  /**
   * Locks the delivery for this transaction; true when it is final already: sent, or skipped (its
   * notification was recalled, or read before an escalation was due). A recall waits for this lock,
   * so it either skips the delivery before it is sent or finds it sent.
   */
  public boolean alreadyFinal(UUID id) {
    List<?> status =
        em.createNativeQuery("select status from deliveries where id = ?1 for update")
            .setParameter(1, id)
            .getResultList();
    return !status.isEmpty() && ("sent".equals(status.get(0)) || "skipped".equals(status.get(0)));
  }

  /**
   * Ends a delivery unsent, with why ({@code recalled}, {@code read}, {@code subscription_gone}).
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
