package io.pulse.api.unsubscribe;

import io.pulse.common.digest.UnsubscribeScope;
import io.pulse.common.digest.UnsubscribeTokens;
import io.pulse.common.notification.Channel;
import io.pulse.common.notification.NotificationConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * What a used unsubscribe link changes, each use once. Switching a type's email off is an ordinary
 * preference (the user sees it in {@code GET /users/{id}/preferences} and turns it back on with a
 * {@code PUT}): the type's channels as they were, less {@code email}. A critical type is never
 * switched off this way; "all non-critical email" does that to every configured type that is not
 * critical.
 */
@ApplicationScoped
public class Unsubscriber {
  /** How a use of a link ended. */
  public enum Outcome {
    DONE,
    ALREADY_USED,
    CRITICAL
  }

  private final EntityManager em;
  private final NotificationConfig notifications;

  public Unsubscriber(EntityManager em, NotificationConfig notifications) {
    this.em = em;
    this.notifications = notifications;
  }

  public boolean critical(UnsubscribeScope scope) {
    return scope.kind() == UnsubscribeScope.Kind.EMAIL_TYPE && notifications.critical(scope.type());
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public boolean used(UnsubscribeTokens.Verified link, UnsubscribeScope action) {
    return !em.createNativeQuery("select 1 from digest_unsubscribes where token_hash = ?1")
        .setParameter(1, link.fingerprintFor(action))
        .getResultList()
        .isEmpty();
  }

  /**
   * The link's use for {@code action} is claimed and its change made in one transaction, so of two
   * concurrent uses (a mail client's one-click and a person's click) exactly one changes anything.
   */
  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public Outcome apply(UnsubscribeTokens.Verified link, UnsubscribeScope action) {
    if (critical(action)) {
      return Outcome.CRITICAL;
    }
    int claimed =
        em.createNativeQuery(
                """
                insert into digest_unsubscribes (token_hash, user_id, scope) values (?1, ?2, ?3)
                on conflict do nothing
                """)
            .setParameter(1, link.fingerprintFor(action))
            .setParameter(2, link.userId())
            .setParameter(3, action.claim())
            .executeUpdate();
    if (claimed == 0) {
      return Outcome.ALREADY_USED;
    }
    switch (action.kind()) {
      case DIGEST ->
          em.createNativeQuery("update users set digest = 'off' where id = ?1")
              .setParameter(1, link.userId())
              .executeUpdate();
      case EMAIL_TYPE -> emailOff(link.userId(), action.type());
      case ALL_EMAIL -> nonCriticalTypes().forEach(type -> emailOff(link.userId(), type));
    }
    return Outcome.DONE;
  }

  /** In type order, as the preferences endpoint writes them: no deadlock between the two. */
  private List<String> nonCriticalTypes() {
    List<String> types = new ArrayList<>();
    new TreeMap<>(notifications.types())
        .forEach(
            (type, settings) -> {
              if (!settings.critical()) {
                types.add(type);
              }
            });
    return types;
  }

  /**
   * One statement, so a concurrent preferences PUT is not lost: a saved choice loses {@code email}
   * in place; without one, the type's defaults less {@code email} become the choice.
   */
  private void emailOff(long userId, String type) {
    List<String> defaults = new ArrayList<>(notifications.channelsFor(type, null));
    defaults.remove(Channel.EMAIL);
    em.createNativeQuery(
            """
            insert into notification_preferences (user_id, type, channels)
            values (?1, ?2, cast(?3 as text[]))
            on conflict (user_id, type) do update
            set channels = array_remove(notification_preferences.channels, 'email'),
                updated_at = now()
            """)
        .setParameter(1, userId)
        .setParameter(2, type)
        .setParameter(3, "{" + String.join(",", defaults) + "}")
        .executeUpdate();
  }
}
