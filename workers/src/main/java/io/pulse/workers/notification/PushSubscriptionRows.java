package io.pulse.workers.notification;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The workers' side of {@code push_subscriptions}: the one a delivery goes to, and removal. */
@ApplicationScoped
public class PushSubscriptionRows {
  private final EntityManager em;

  public PushSubscriptionRows(EntityManager em) {
    this.em = em;
  }

  /** Where a push delivery goes: the endpoint and the subscription's keys. */
  public record Target(long id, String endpoint, byte[] p256dh, byte[] auth) {}

  /**
   * The live subscription a delivery names; empty when it was deleted (unsubscribed, or reported
   * gone by its push service for another delivery) or has expired since the dispatch.
   */
  public Optional<Target> forDelivery(UUID deliveryId) {
    List<?> rows =
        em.createNativeQuery(
                """
                select s.id, s.endpoint, s.p256dh, s.auth
                from deliveries d join push_subscriptions s on s.id = d.subscription_id
                where d.id = ?1 and (s.expires_at is null or s.expires_at > now())
                """)
            .setParameter(1, deliveryId)
            .getResultList();
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    Object[] row = (Object[]) rows.get(0);
    return Optional.of(
        new Target(
            ((Number) row[0]).longValue(), (String) row[1], (byte[]) row[2], (byte[]) row[3]));
  }

  /**
   * Removes a subscription its push service reported gone (404/410). By id and endpoint: a row
   * re-posted meanwhile under the same endpoint has new keys and a new id, and stays.
   */
  public void delete(Target target) {
    em.createNativeQuery("delete from push_subscriptions where id = ?1 and endpoint = ?2")
        .setParameter(1, target.id())
        .setParameter(2, target.endpoint())
        .executeUpdate();
  }
}
