package io.pulse.workers.notification;

import io.pulse.common.notification.NotificationConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
