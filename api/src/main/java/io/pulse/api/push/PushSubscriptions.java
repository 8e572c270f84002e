package io.pulse.api.push;

import io.pulse.api.problem.Problem;
import io.pulse.api.problem.ProblemException;
import io.pulse.common.notification.NotificationConfig;
import io.pulse.common.push.P256;
import io.pulse.common.push.PushEndpoints;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.Session;

/**
 * A user's push subscriptions in {@code push_subscriptions}: checked whole before anything is
 * written, saved by endpoint (a browser posting its subscription again updates it, and an endpoint
 * posted for another user moves to that user: one browser, one subscription), and bounded per user
 * by dropping the oldest.
 */
@ApplicationScoped
@Transactional
public class PushSubscriptions {
  private static final int AUTH_BYTES = 16;

  private final EntityManager em;
  private final NotificationConfig.Push config;

  public PushSubscriptions(EntityManager em, NotificationConfig config) {
    this.em = em;
    this.config = config.push();
  }

  /** A saved subscription, and whether this call created it. */
  public record Saved(PushSubscriptionView view, boolean created) {}

  private record Checked(String endpoint, byte[] p256dh, byte[] auth, Long expirationTime) {}

  public Saved save(long userId, PushSubscriptionRequest request) {
    Checked checked = check(request);
    return em.unwrap(Session.class)
        .doReturningWork(
            connection -> {
              Saved saved;
              try (PreparedStatement upsert =
                  connection.prepareStatement(
                      """
                      insert into push_subscriptions (user_id, endpoint, p256dh, auth, expires_at)
                      values (?, ?, ?, ?, to_timestamp(cast(? as bigint) / 1000.0))
                      on conflict (endpoint) do update
                      set user_id = excluded.user_id, p256dh = excluded.p256dh,
                          auth = excluded.auth, expires_at = excluded.expires_at,
                          updated_at = now()
                      returning id, created_at, xmax = 0
                      """)) {
                upsert.setLong(1, userId);
                upsert.setString(2, checked.endpoint());
                upsert.setBytes(3, checked.p256dh());
                upsert.setBytes(4, checked.auth());
                upsert.setObject(5, checked.expirationTime(), Types.BIGINT);
                try (ResultSet row = upsert.executeQuery()) {
                  row.next();
                  saved =
                      new Saved(
                          new PushSubscriptionView(
                              Long.toString(row.getLong(1)),
                              checked.endpoint(),
                              checked.expirationTime(),
                              row.getObject(2, OffsetDateTime.class).toInstant()),
                          row.getBoolean(3));
                }
              }
              // Past the limit the oldest go: browsers come and go, the newest is the one in use.
              try (PreparedStatement trim =
                  connection.prepareStatement(
                      """
                      delete from push_subscriptions where user_id = ? and id not in (
                          select id from push_subscriptions where user_id = ?
                          order by id desc limit ?)
                      """)) {
                trim.setLong(1, userId);
                trim.setLong(2, userId);
                trim.setInt(3, config.maxSubscriptionsPerUser());
                trim.executeUpdate();
              }
              return saved;
            });
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public PushSubscriptionList list(long userId) {
    List<PushSubscriptionView> items =
        em.unwrap(Session.class)
            .doReturningWork(
                connection -> {
                  List<PushSubscriptionView> found = new ArrayList<>();
                  try (PreparedStatement select =
                      connection.prepareStatement(
                          """
                          select id, endpoint,
                                 (extract(epoch from expires_at) * 1000)::bigint, created_at
                          from push_subscriptions where user_id = ? order by id
                          """)) {
                    select.setLong(1, userId);
                    try (ResultSet rows = select.executeQuery()) {
                      while (rows.next()) {
                        found.add(
                            new PushSubscriptionView(
                                Long.toString(rows.getLong(1)),
                                rows.getString(2),
                                rows.getObject(3, Long.class),
                                rows.getObject(4, OffsetDateTime.class).toInstant()));
                      }
                    }
                  }
                  return found;
                });
    return new PushSubscriptionList(
        items, config.configured() ? config.vapidPublicKey().get().trim() : null);
  }

  /** Deletes the user's subscription with this endpoint; false when there is none. */
  public boolean deleteByEndpoint(long userId, String endpoint) {
    if (endpoint == null || endpoint.isBlank()) {
      throw ProblemException.badField("endpoint", "required: the subscription's endpoint");
    }
    return em.createNativeQuery(
                "delete from push_subscriptions where user_id = ?1 and endpoint = ?2")
            .setParameter(1, userId)
            .setParameter(2, endpoint)
            .executeUpdate()
        == 1;
  }

  /** Deletes the user's subscription with this id; false when there is none. */
  public boolean deleteById(long userId, long subscriptionId) {
    return em.createNativeQuery("delete from push_subscriptions where user_id = ?1 and id = ?2")
            .setParameter(1, userId)
            .setParameter(2, subscriptionId)
            .executeUpdate()
        == 1;
  }

  /** Every field checked; one 400 naming each bad one, before anything is written. */
  private Checked check(PushSubscriptionRequest request) {
    List<Problem.FieldError> errors = new ArrayList<>();
    PushEndpoints.problem(request.endpoint(), config.allowLoopbackHttp())
        .ifPresent(why -> errors.add(new Problem.FieldError("endpoint", why)));
    byte[] p256dh = null;
    byte[] auth = null;
    if (request.keys() == null) {
      errors.add(new Problem.FieldError("keys", "required: {p256dh, auth}"));
    } else {
      p256dh = p256dh(request.keys().p256dh(), errors);
      auth = auth(request.keys().auth(), errors);
    }
    if (request.expirationTime() != null && request.expirationTime() <= 0) {
      errors.add(new Problem.FieldError("expirationTime", "epoch milliseconds, positive, or null"));
    }
    if (!errors.isEmpty()) {
      throw ProblemException.badFields(errors);
    }
    return new Checked(request.endpoint(), p256dh, auth, request.expirationTime());
  }

  private static byte[] p256dh(String text, List<Problem.FieldError> errors) {
    String field = "keys.p256dh";
    byte[] bytes = base64Url(field, text, errors);
    if (bytes == null) {
      return null;
    }
    try {
      P256.publicKey(bytes);
      return bytes;
    } catch (IllegalArgumentException e) {
      errors.add(new Problem.FieldError(field, e.getMessage()));
      return null;
    }
  }

  private static byte[] auth(String text, List<Problem.FieldError> errors) {
    String field = "keys.auth";
    byte[] bytes = base64Url(field, text, errors);
    if (bytes != null && bytes.length != AUTH_BYTES) {
      errors.add(
          new Problem.FieldError(field, "must be " + AUTH_BYTES + " bytes, not " + bytes.length));
      return null;
    }
    return bytes;
  }

  private static byte[] base64Url(String field, String text, List<Problem.FieldError> errors) {
    if (text == null || text.isEmpty()) {
      errors.add(new Problem.FieldError(field, "required (base64url)"));
      return null;
    }
    if (text.length() > 200) {
      errors.add(new Problem.FieldError(field, "too long for a push key"));
      return null;
    }
    try {
      return P256.base64Url(text);
    } catch (IllegalArgumentException e) {
      errors.add(new Problem.FieldError(field, "not base64url: " + e.getMessage()));
      return null;
    }
  }
}
