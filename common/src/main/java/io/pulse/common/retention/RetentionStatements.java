package io.pulse.common.retention;

import io.pulse.common.jobs.JobIds;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashSet;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Retention's statements on every table but {@code jobs}. Each runs alone, autocommitted: one
 * batch, one short transaction.
 */
@ApplicationScoped
public class RetentionStatements {
  private final DataSource dataSource;

  public RetentionStatements(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Removes up to {@code limit} rows of the table older than {@code cutoff}. */
  Purge purge(AgedTable table, Instant cutoff, int limit) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement purge = connection.prepareStatement(table.purge)) {
      int i = 1;
      if (table == AgedTable.DELIVERIES) {
        purge.setObject(i++, JobIds.floorAt(cutoff));
      }
      purge.setObject(i++, utc(cutoff));
      purge.setInt(i, limit);
      try (ResultSet row = purge.executeQuery()) {
        row.next();
        return new Purge(row.getBoolean(1), row.getInt(2), null);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("retention of " + table.table + " failed", e);
    }
  }

  /** The time of the table's oldest row (by its age column); null when there is none. */
  Instant oldest(AgedTable table) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = connection.prepareStatement(table.oldest);
        ResultSet row = select.executeQuery()) {
      OffsetDateTime at = row.next() ? row.getObject(1, OffsetDateTime.class) : null;
      return at == null ? null : at.toInstant();
    } catch (SQLException e) {
      throw new IllegalStateException("age of " + table.table + " unknown", e);
    }
  }

  /** Users who got notifications with ids after {@code after}, and the last id read. */
  record RecentRecipients(Set<Long> users, long lastId, int rows) {}

  /** Reads up to {@code limit} notifications after {@code after}, in id order. */
  RecentRecipients recipientsAfter(long after, int limit) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "select user_id, id from notifications where id > ? order by id limit ?")) {
      select.setLong(1, after);
      select.setInt(2, limit);
      Set<Long> users = new LinkedHashSet<>();
      long last = after;
      int rows = 0;
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          users.add(row.getLong(1));
          last = row.getLong(2);
          rows++;
        }
      }
      return new RecentRecipients(users, last, rows);
    } catch (SQLException e) {
      throw new IllegalStateException("reading recent notifications failed", e);
    }
  }

  private static final String PURGE_OVER_CAP =
      """
      with lock as materialized (%s),
      floor as (
          select id from notifications where user_id = ? order by id desc offset ? limit 1),
      doomed as (
          select t.id from notifications t
          where (select held from lock) and t.user_id = ?
            and t.id <= (select id from floor)
          order by t.id limit ? for update skip locked),
      gone as (delete from notifications where id in (select id from doomed) returning 1)
      select (select held from lock), (select count(*) from gone), null
      """
          .formatted(Purge.LOCK);

  /** Removes up to {@code limit} of the user's notifications beyond the newest {@code keep}. */
  Purge purgeOverCap(long userId, int keep, int limit) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement purge = connection.prepareStatement(PURGE_OVER_CAP)) {
      purge.setLong(1, userId);
      purge.setInt(2, keep);
      purge.setLong(3, userId);
      purge.setInt(4, limit);
      try (ResultSet row = purge.executeQuery()) {
        row.next();
        return new Purge(row.getBoolean(1), row.getInt(2), null);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("capping notifications of user " + userId + " failed", e);
    }
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
