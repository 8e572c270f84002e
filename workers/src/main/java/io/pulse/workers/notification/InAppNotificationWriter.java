package io.pulse.workers.notification;

import io.pulse.common.events.InboxEvent;
import io.pulse.common.events.InboxEvents;
import io.pulse.common.events.InboxItem;
import io.pulse.common.events.UnreadCounts;
import io.pulse.common.notification.NotificationDispatch;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.hibernate.Session;

/**
 * Inserts in-app notifications set-based: every (job, recipient) pair goes in as two arrays and the
 * jobs' fields as one array each, so 10,000 recipients, or a batch of 32 dispatches, are one
 * statement, not one per row. The unique key (user_id, job_id) makes a redelivered dispatch a
 * no-op.
 */
@ApplicationScoped
public class InAppNotificationWriter {
  private static final String INSERT =
      """
      insert into notifications (user_id, job_id, type, title, body, link, actor_id, source)
      select r.recipient, j.job_id, j.type, j.title, j.body, j.link, j.actor_id, j.source
      from unnest(?::int[], ?::bigint[]) as r(job_index, recipient)
      join unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[])
           with ordinality as j(job_id, type, title, body, link, actor_id, source, job_index)
           using (job_index)
      on conflict (user_id, job_id) do nothing
      returning id, user_id, type, title, body, link, actor_id, created_at, source
      """;

  /** One dispatch's in-app notifications: the same notice to each of its recipients. */
  public record Notice(UUID jobId, NotificationDispatch notification, List<Long> recipients) {}

  private final EntityManager em;
  private final InboxEvents events;

  public InAppNotificationWriter(EntityManager em, InboxEvents events) {
    this.em = em;
    this.events = events;
  }

  /**
   * Runs in the caller's transaction; returns how many rows were new. Each new row becomes a {@code
   * notification.created} event, published once the transaction commits.
   */
  public int write(List<Notice> notices) {
    int pairs = notices.stream().mapToInt(n -> n.recipients().size()).sum();
    if (pairs == 0) {
      return 0;
    }
    Integer[] jobIndex = new Integer[pairs];
    Long[] recipients = new Long[pairs];
    int at = 0;
    for (int job = 0; job < notices.size(); job++) {
      for (Long recipient : notices.get(job).recipients()) {
        // with ordinality counts from 1
        jobIndex[at] = job + 1;
        recipients[at++] = recipient;
      }
    }
    int[] inserted = new int[1];
    em.unwrap(Session.class)
        .doWork(
            connection -> {
              try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                insert.setArray(1, connection.createArrayOf("int", jobIndex));
                insert.setArray(2, connection.createArrayOf("bigint", recipients));
                insert.setArray(3, array(connection, "uuid", notices, Notice::jobId));
                insert.setArray(
                    4, array(connection, "text", notices, n -> n.notification().type()));
                insert.setArray(
                    5, array(connection, "text", notices, n -> n.notification().title()));
                insert.setArray(
                    6, array(connection, "text", notices, n -> n.notification().body()));
                insert.setArray(
                    7, array(connection, "text", notices, n -> n.notification().link()));
                insert.setArray(
                    8, array(connection, "bigint", notices, n -> n.notification().actorId()));
                insert.setArray(
                    9, array(connection, "text", notices, n -> n.notification().source()));
                inserted[0] = announce(connection, insert.executeQuery());
              }
            });
    return inserted[0];
  }

  /**
   * Queues one created event per new row, carrying the row as inserted (a redelivered dispatch
   * inserts, and sends, none).
   */
  private int announce(Connection connection, ResultSet rows) throws SQLException {
    List<Inserted> inserted = new ArrayList<>();
    try (rows) {
      while (rows.next()) {
        inserted.add(
            new Inserted(
                rows.getLong(2),
                new InboxItem(
                    rows.getLong(1),
                    rows.getString(3),
                    rows.getString(4),
                    rows.getString(5),
                    rows.getString(6),
                    rows.getObject(7, Long.class),
                    rows.getObject(8, OffsetDateTime.class),
                    rows.getString(9))));
      }
    }
    Map<Long, Long> unread =
        UnreadCounts.of(connection, inserted.stream().map(Inserted::userId).toList());
    events.afterCommit(
        inserted.stream()
            .map(row -> InboxEvent.created(row.userId(), unread.get(row.userId()), row.item()))
            .toList());
    return inserted.size();
  }

  private record Inserted(long userId, InboxItem item) {}

  private static Array array(
      Connection connection, String type, List<Notice> notices, Function<Notice, Object> field)
      throws SQLException {
    return connection.createArrayOf(type, notices.stream().map(field).toArray());
  }
}
