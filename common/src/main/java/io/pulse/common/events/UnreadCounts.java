package io.pulse.common.events;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/** Unread in-app counts of several users in one statement, for the events that carry them. */
public final class UnreadCounts {
  private UnreadCounts() {}

  /** Every user asked for is in the answer, those with nothing unread at 0. */
  public static Map<Long, Long> of(Connection connection, Collection<Long> userIds)
      throws SQLException {
    Map<Long, Long> counts = new HashMap<>();
    userIds.forEach(user -> counts.put(user, 0L));
    if (userIds.isEmpty()) {
      return counts;
    }
    try (PreparedStatement select =
        connection.prepareStatement(
            """
            select user_id, count(*) from notifications
            where user_id = any(?::bigint[]) and read_at is null
            group by user_id
            """)) {
      select.setArray(1, connection.createArrayOf("bigint", userIds.stream().distinct().toArray()));
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          counts.put(rows.getLong(1), rows.getLong(2));
        }
      }
    }
    return counts;
  }
}
