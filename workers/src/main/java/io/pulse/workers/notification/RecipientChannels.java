package io.pulse.workers.notification;

import io.pulse.common.notification.NotificationConfig;
import io.pulse.common.notification.QuietHours;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hibernate.Session;

/**
 * Which channels each recipient gets for one notification type, by the rule in {@link
 * NotificationConfig#channelsFor}: one query for all recipients' saved preferences, whatever their
 * number.
 */
@ApplicationScoped
public class RecipientChannels {
  private final EntityManager em;
  private final NotificationConfig config;

  public RecipientChannels(EntityManager em, NotificationConfig config) {
    this.em = em;
    this.config = config;
  }

  public Map<Long, Set<String>> resolve(String type, List<Long> recipients) {
    Map<Long, List<String>> saved =
        query(
            "select user_id, channels from notification_preferences where type = ? and user_id = any(?)",
            type,
            recipients);
    Map<Long, Set<String>> channels = new HashMap<>();
    for (Long recipient : recipients) {
      channels.put(recipient, config.channelsFor(type, saved.get(recipient)));
    }
    return channels;
  }

  /** Email addresses of those recipients that have one. */
  public Map<Long, String> emails(List<Long> recipients) {
    Map<Long, String> emails = new HashMap<>();
    if (recipients.isEmpty()) {
      return emails;
    }
    em.unwrap(Session.class)
        .doWork(
            connection -> {
              try (PreparedStatement select =
                  connection.prepareStatement(
                      "select id, email from users where id = any(?) and email is not null")) {
                select.setArray(1, connection.createArrayOf("bigint", recipients.toArray()));
                try (ResultSet rows = select.executeQuery()) {
                  while (rows.next()) {
                    emails.put(rows.getLong(1), rows.getString(2));
                  }
                }
              }
            });
    return emails;
  }

  /**
   * The live push subscriptions (ids, oldest first) of those recipients that have some, in one
   * query.
   */
  public Map<Long, List<Long>> pushSubscriptions(List<Long> recipients) {
    Map<Long, List<Long>> subscriptions = new HashMap<>();
    if (recipients.isEmpty()) {
      return subscriptions;
    }
    em.unwrap(Session.class)
        .doWork(
            connection -> {
              try (PreparedStatement select =
                  connection.prepareStatement(
                      """
                      select user_id, id from push_subscriptions
                      where user_id = any(?) and (expires_at is null or expires_at > now())
                      order by user_id, id
                      """)) {
                select.setArray(1, connection.createArrayOf("bigint", recipients.toArray()));
                try (ResultSet rows = select.executeQuery()) {
                  while (rows.next()) {
                    subscriptions
                        .computeIfAbsent(rows.getLong(1), user -> new ArrayList<>())
                        .add(rows.getLong(2));
                  }
                }
              }
            });
    return subscriptions;
  }

  /** A recipient's quiet hours and the zone whose clock they are read on. */
  public record QuietClock(QuietHours hours, ZoneId zone) {
    /** When an email due at {@code due} may go out: {@code due}, or the end of its window. */
    public Instant sendAt(Instant due) {
      return hours.deferUntil(due, zone).orElse(due);
    }
  }

  /** The quiet hours of those recipients that set some, in one query. */
  public Map<Long, QuietClock> quietHours(List<Long> recipients) {
    Map<Long, QuietClock> quiet = new HashMap<>();
    if (recipients.isEmpty()) {
      return quiet;
    }
    em.unwrap(Session.class)
        .doWork(
            connection -> {
              try (PreparedStatement select =
                  connection.prepareStatement(
                      """
                      select q.user_id, q.starts, q.ends, coalesce(u.time_zone, 'UTC')
                      from quiet_hours q left join users u on u.id = q.user_id
                      where q.user_id = any(?)
                      """)) {
                select.setArray(1, connection.createArrayOf("bigint", recipients.toArray()));
                try (ResultSet rows = select.executeQuery()) {
                  while (rows.next()) {
                    quiet.put(
                        rows.getLong(1),
                        new QuietClock(
                            new QuietHours(
                                rows.getObject(2, LocalTime.class),
                                rows.getObject(3, LocalTime.class)),
                            zone(rows.getString(4))));
                  }
                }
              }
            });
    return quiet;
  }

  /** The API only stores zones Java knows; one it no longer knows is read as UTC, not a failure. */
  private static ZoneId zone(String name) {
    try {
      return ZoneId.of(name);
    } catch (DateTimeException unknown) {
      return ZoneOffset.UTC;
    }
  }

  private Map<Long, List<String>> query(String sql, String type, List<Long> recipients) {
    Map<Long, List<String>> result = new HashMap<>();
    em.unwrap(Session.class)
        .doWork(
            connection -> {
              try (PreparedStatement select = connection.prepareStatement(sql)) {
                select.setString(1, type);
                select.setArray(2, connection.createArrayOf("bigint", recipients.toArray()));
                try (ResultSet rows = select.executeQuery()) {
                  while (rows.next()) {
                    Array channels = rows.getArray(2);
                    result.put(rows.getLong(1), List.of((String[]) channels.getArray()));
                  }
                }
              }
            });
    return result;
  }
}
