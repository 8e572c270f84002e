package io.pulse.api.live;

import io.pulse.api.notification.NotificationView;
import io.pulse.common.jobs.JobLedgerException;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * What a stream reads from the notifications table, the record: the items after a {@code
 * Last-Event-ID}, the items an event names, the unread count. Plain JDBC on a worker thread, so a
 * stream holds no Hibernate session between events.
 */
@ApplicationScoped
public class InboxItems {
  private static final String COLUMNS =
      "id, type, title, body, link, actor_id, created_at, read_at is not null, source,"
          + " recalled_at is not null, group_key, group_count, actor_ids";

  private final DataSource dataSource;

  public InboxItems(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The user's items with ids above {@code afterId}, oldest first, at most {@code limit}. */
  public List<NotificationView> after(long userId, long afterId, int limit) {
    return query(
        "select "
            + COLUMNS
            + " from notifications where user_id = ? and id > ? order by id limit ?",
        userId,
        afterId,
        limit);
  }

  /** Those of the ids that are the user's and still there (a recall may have removed one). */
  public List<NotificationView> byIds(long userId, List<Long> ids) {
    return query(
        "select " + COLUMNS + " from notifications where user_id = ? and id = any(?) order by id",
        userId,
        ids.toArray(Long[]::new));
  }

  public long unread(long userId) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement count =
            connection.prepareStatement(
                "select count(*) from notifications where user_id = ? and read_at is null")) {
      count.setLong(1, userId);
      try (ResultSet row = count.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    } catch (SQLException e) {
      throw new JobLedgerException("unread count failed: " + e.getMessage(), e);
    }
  }

  private List<NotificationView> query(String sql, Object... params) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = connection.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        if (params[i] instanceof Long[] ids) {
          select.setArray(i + 1, connection.createArrayOf("bigint", ids));
        } else {
          select.setObject(i + 1, params[i]);
        }
      }
      List<NotificationView> items = new ArrayList<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          items.add(
              new NotificationView(
                  Long.toString(rows.getLong(1)),
                  rows.getString(2),
                  rows.getString(3),
                  rows.getString(4),
                  rows.getString(5),
                  rows.getObject(6, Long.class),
                  rows.getObject(7, OffsetDateTime.class),
                  rows.getBoolean(8),
                  rows.getString(9),
                  rows.getBoolean(10),
                  rows.getString(11),
                  rows.getInt(12),
                  NotificationView.actors(
                      rows.getArray(13) == null ? null : (Long[]) rows.getArray(13).getArray(),
                      rows.getObject(6, Long.class))));
        }
      }
      return items;
    } catch (SQLException e) {
      throw new JobLedgerException("inbox read failed: " + e.getMessage(), e);
    }
  }
}
