package io.pulse.workers.notification;

import io.pulse.common.events.InboxEvent;
import io.pulse.common.events.InboxEvents;
import io.pulse.common.events.UnreadCounts;
import io.pulse.common.notification.Channel;
import io.pulse.common.notification.NotificationDispatch;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.hibernate.Session;

/**
 * Folds grouped notifications into their recipients' open inbox items, in the dispatch's
 * transaction. Exactly once, by two records:
 *
 * <ul>
 *   <li>Each (notification, recipient) first claims its {@code in_app} row in {@code deliveries}
 *       (unique per dispatch job, recipient and channel); only pairs whose claim is new are
 *       counted, so a dispatch that runs again adds nothing.
 *   <li>Dispatches of one recipient and key then queue on an advisory lock of that pair, and only
 *       after it look for the open item: a later statement of a READ COMMITTED transaction sees
 *       what the previous holder committed, so 50 dispatches at once, on any number of consumers,
 *       leave one item with count 50.
 * </ul>
 *
 * An item is open from its first notification for the type's group window (a fixed window: a busy
 * thread does not hold one item, and one email, forever). A folded notification moves the item to
 * the top: it takes the next id, as the inbox, its live stream's replay and retention all order by
 * id; its {@code groupKey} stays. A recalled or removed item is not open: the next notification
 * opens a new one.
 */
@ApplicationScoped
public class InboxGroups {
  /** The latest actors an item lists. */
  public static final int MAX_ACTORS = 5;

  private static final String CLAIM =
      """
      insert into deliveries (id, notification_job_id, user_id, channel, source)
      select id, job_id, user_id, '%s', source
      from unnest(?::uuid[], ?::uuid[], ?::bigint[], ?::text[]) as t(id, job_id, user_id, source)
      on conflict do nothing
      returning notification_job_id, user_id
      """
          .formatted(Channel.IN_APP);

  private static final String LOCK =
      """
      select pg_advisory_xact_lock(k)
      from (select distinct hashtextextended('group:' || u || ':' || g, 0) as k
            from unnest(?::bigint[], ?::text[]) as t(u, g) order by 1) as ordered
      """;

  private static final String OPEN_ITEMS =
      """
      select distinct on (n.user_id, n.group_key)
             n.user_id, n.group_key, n.job_id, n.actor_ids
      from notifications n
      join unnest(?::bigint[], ?::text[]) as t(u, g) on n.user_id = t.u and n.group_key = t.g
      where n.group_key is not null and n.group_ends_at > now() and n.recalled_at is null
      order by n.user_id, n.group_key, n.group_ends_at desc
      """;

  private static final String OPEN =
      """
      insert into notifications (user_id, job_id, type, title, body, link, actor_id, source,
                                 group_key, group_count, actor_ids, group_ends_at)
      select user_id, job_id, type, title, body, link, actor_id, source, group_key, added,
             cast(actors as bigint[]), now() + window_ms * interval '1 millisecond'
      from unnest(?::bigint[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[],
                  ?::text[], ?::text[], ?::int[], ?::text[], ?::bigint[])
          as t(user_id, job_id, type, title, body, link, actor_id, source, group_key, added,
               actors, window_ms)
      on conflict (user_id, job_id) do nothing
      returning id, user_id
      """;

  private static final String FOLD =
      """
      update notifications n
      set id = nextval(pg_get_serial_sequence('notifications', 'id')),
          group_count = n.group_count + t.added, actor_ids = cast(t.actors as bigint[]),
          title = t.title, body = t.body, link = t.link, actor_id = t.actor_id,
          read_at = null, created_at = now()
      from unnest(?::bigint[], ?::uuid[], ?::int[], ?::text[], ?::text[], ?::text[], ?::text[],
                  ?::bigint[])
          as t(user_id, item_job_id, added, actors, title, body, link, actor_id)
      where n.user_id = t.user_id and n.job_id = t.item_job_id
      returning n.id, n.user_id
      """;

  private static final String DECIDE =
      """
      update deliveries d
      set status = t.status, skip_reason = t.reason, grouped_into = t.into_job,
          sent_at = case when t.status = 'sent' then now() end, updated_at = now()
      from unnest(?::uuid[], ?::text[], ?::text[], ?::uuid[]) as t(id, status, reason, into_job)
      where d.id = t.id
      """;

  private static final String OPEN_EMAIL_WINDOWS =
      """
      select distinct on (d.user_id, d.group_key) d.user_id, d.group_key, d.notification_job_id
      from deliveries d
      join unnest(?::bigint[], ?::text[], ?::bigint[]) as t(u, g, window_ms)
        on d.user_id = t.u and d.group_key = t.g
      where d.group_key is not null and d.channel = 'email' and d.grouped_into is null
        and d.created_at > now() - t.window_ms * interval '1 millisecond'
      order by d.user_id, d.group_key, d.created_at desc
      """;

  /** One grouped notification to one recipient; the batch's order is the order they arrived. */
  public record Member(
      UUID jobId, NotificationDispatch notification, long recipient, Duration window) {
    Pair pair() {
      return new Pair(jobId, recipient);
    }

    GroupOf group() {
      return new GroupOf(recipient, notification.groupKey());
    }
  }

  public record Pair(UUID jobId, long recipient) {}

  /**
   * What became of a member: it opened an item, was folded into one, or was counted by an earlier
   * run of its dispatch (nothing to do).
   */
  public enum Fold {
    OPENED,
    FOLDED,
    REPEATED
  }

  /** The fold and the item's job (the job whose notification opened it). */
  public record Outcome(Fold fold, UUID itemJobId) {}

  private record GroupOf(long recipient, String key) implements Comparable<GroupOf> {
    @Override
    public int compareTo(GroupOf other) {
      int byRecipient = Long.compare(recipient, other.recipient);
      return byRecipient != 0 ? byRecipient : key.compareTo(other.key);
    }
  }

  private record OpenItem(UUID jobId, List<Long> actors) {}

  private final EntityManager em;
  private final InboxEvents events;

  public InboxGroups(EntityManager em, InboxEvents events) {
    this.em = em;
    this.events = events;
  }

  /** Folds the members in; every member has an outcome. */
  public Map<Pair, Outcome> fold(List<Member> members) {
    Map<Pair, Outcome> outcomes = new HashMap<>();
    if (members.isEmpty()) {
      return outcomes;
    }
    em.unwrap(Session.class).doWork(connection -> foldIn(connection, members, outcomes));
    return outcomes;
  }

  private void foldIn(Connection connection, List<Member> members, Map<Pair, Outcome> outcomes)
      throws SQLException {
    Set<Pair> claimed = claim(connection, members);
    Map<GroupOf, List<Member>> groups = new TreeMap<>();
    for (Member member : members) {
      if (claimed.contains(member.pair())) {
        groups.computeIfAbsent(member.group(), g -> new ArrayList<>()).add(member);
      } else {
        outcomes.put(member.pair(), new Outcome(Fold.REPEATED, null));
      }
    }
    if (groups.isEmpty()) {
      return;
    }
    List<GroupOf> keys = List.copyOf(groups.keySet());
    execute(connection, LOCK, keys);
    Map<GroupOf, OpenItem> open = openItems(connection, keys);
    Rows opened = new Rows();
    Rows folded = new Rows();
    for (Map.Entry<GroupOf, List<Member>> group : groups.entrySet()) {
      List<Member> inGroup = group.getValue();
      Member newest = inGroup.get(inGroup.size() - 1);
      OpenItem item = open.get(group.getKey());
      if (item == null) {
        Member first = inGroup.get(0);
        NotificationDispatch n = newest.notification();
        opened.add(
            first.recipient(),
            first.jobId(),
            first.notification().type(),
            n.title(),
            n.body(),
            n.link(),
            n.actorId(),
            first.notification().source(),
            group.getKey().key(),
            inGroup.size(),
            actors(inGroup, List.of()),
            first.window().toMillis());
        for (Member member : inGroup) {
          outcomes.put(
              member.pair(),
              new Outcome(member == first ? Fold.OPENED : Fold.FOLDED, first.jobId()));
        }
      } else {
        NotificationDispatch n = newest.notification();
        folded.add(
            newest.recipient(),
            item.jobId(),
            inGroup.size(),
            actors(inGroup, item.actors()),
            n.title(),
            n.body(),
            n.link(),
            n.actorId());
        inGroup.forEach(
            member -> outcomes.put(member.pair(), new Outcome(Fold.FOLDED, item.jobId())));
      }
    }
    List<long[]> changed = new ArrayList<>();
    if (!opened.isEmpty()) {
      changed.addAll(
          returning(
              connection,
              OPEN,
              opened,
              "bigint",
              "uuid",
              "text",
              "text",
              "text",
              "text",
              "bigint",
              "text",
              "text",
              "int",
              "text",
              "bigint"));
    }
    if (!folded.isEmpty()) {
      changed.addAll(
          returning(
              connection,
              FOLD,
              folded,
              "bigint",
              "uuid",
              "int",
              "text",
              "text",
              "text",
              "text",
              "bigint"));
    }
    decide(connection, members, outcomes);
    announce(connection, changed);
  }

  /**
   * For recipients who turned in-app off for the type, and so have no item to fold into: the
   * group's window is its first email (the delivery row carrying the key), under the same lock as
   * an item's fold. Returns, per member, whether its email opens a window or is grouped into the
   * one whose job is given. A dispatch that runs again finds its own email: it opened it.
   */
  public Map<Pair, Outcome> emailWindows(List<Member> members) {
    Map<Pair, Outcome> outcomes = new HashMap<>();
    if (members.isEmpty()) {
      return outcomes;
    }
    Map<GroupOf, List<Member>> groups = new TreeMap<>();
    members.forEach(m -> groups.computeIfAbsent(m.group(), g -> new ArrayList<>()).add(m));
    List<GroupOf> keys = List.copyOf(groups.keySet());
    Map<GroupOf, UUID> open = new HashMap<>();
    em.unwrap(Session.class)
        .doWork(
            connection -> {
              execute(connection, LOCK, keys);
              try (PreparedStatement select = connection.prepareStatement(OPEN_EMAIL_WINDOWS)) {
                bindGroups(connection, select, keys);
                select.setArray(
                    3,
                    connection.createArrayOf(
                        "bigint",
                        keys.stream()
                            .map(k -> groups.get(k).get(0).window().toMillis())
                            .toArray()));
                try (ResultSet rows = select.executeQuery()) {
                  while (rows.next()) {
                    open.put(
                        new GroupOf(rows.getLong(1), rows.getString(2)),
                        rows.getObject(3, UUID.class));
                  }
                }
              }
            });
    groups.forEach(
        (group, inGroup) -> {
          UUID opener = open.getOrDefault(group, inGroup.get(0).jobId());
          for (Member member : inGroup) {
            boolean opens = member.jobId().equals(opener);
            outcomes.put(member.pair(), new Outcome(opens ? Fold.OPENED : Fold.FOLDED, opener));
          }
        });
    return outcomes;
  }

  /** The pairs whose in-app claim this run inserted. */
  private static Set<Pair> claim(Connection connection, List<Member> members) throws SQLException {
    Rows rows = new Rows();
    for (Member m : members) {
      rows.add(
          DeliveryLedger.decisionId(m.jobId(), m.recipient(), Channel.IN_APP),
          m.jobId(),
          m.recipient(),
          m.notification().source());
    }
    Set<Pair> claimed = new LinkedHashSet<>();
    try (PreparedStatement insert = connection.prepareStatement(CLAIM)) {
      rows.bind(connection, insert, "uuid", "uuid", "bigint", "text");
      try (ResultSet result = insert.executeQuery()) {
        while (result.next()) {
          claimed.add(new Pair(result.getObject(1, UUID.class), result.getLong(2)));
        }
      }
    }
    return claimed;
  }

  private static Map<GroupOf, OpenItem> openItems(Connection connection, List<GroupOf> keys)
      throws SQLException {
    Map<GroupOf, OpenItem> open = new HashMap<>();
    try (PreparedStatement select = connection.prepareStatement(OPEN_ITEMS)) {
      bindGroups(connection, select, keys);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          java.sql.Array actors = rows.getArray(4);
          open.put(
              new GroupOf(rows.getLong(1), rows.getString(2)),
              new OpenItem(
                  rows.getObject(3, UUID.class),
                  actors == null ? List.of() : List.of((Long[]) actors.getArray())));
        }
      }
    }
    return open;
  }

  /** The in-app claims become decisions: the opener's item was written, the rest were grouped. */
  private static void decide(
      Connection connection, List<Member> members, Map<Pair, Outcome> outcomes)
      throws SQLException {
    Rows rows = new Rows();
    for (Member m : members) {
      Outcome outcome = outcomes.get(m.pair());
      if (outcome.fold() == Fold.REPEATED) {
        continue;
      }
      boolean opened = outcome.fold() == Fold.OPENED;
      rows.add(
          DeliveryLedger.decisionId(m.jobId(), m.recipient(), Channel.IN_APP),
          opened ? "sent" : "skipped",
          opened ? null : "grouped",
          opened ? null : outcome.itemJobId());
    }
    try (PreparedStatement update = connection.prepareStatement(DECIDE)) {
      rows.bind(connection, update, "uuid", "text", "text", "uuid");
      update.executeUpdate();
    }
  }

  /** Each new or moved item is announced as created, at its new id, once the dispatch commits. */
  private void announce(Connection connection, List<long[]> changed) throws SQLException {
    Map<Long, Long> unread = UnreadCounts.of(connection, changed.stream().map(r -> r[1]).toList());
    events.afterCommit(
        changed.stream().map(r -> InboxEvent.created(r[1], unread.get(r[1]), r[0])).toList());
  }

  /**
   * The group's actors, newest first and each once: this batch's, latest first, then the item's.
   */
  static String actors(List<Member> newestLast, List<Long> earlier) {
    Set<Long> actors = new LinkedHashSet<>();
    for (int i = newestLast.size() - 1; i >= 0; i--) {
      Long actor = newestLast.get(i).notification().actorId();
      if (actor != null) {
        actors.add(actor);
      }
    }
    actors.addAll(earlier);
    return "{"
        + String.join(",", actors.stream().limit(MAX_ACTORS).map(String::valueOf).toList())
        + "}";
  }

  private static void execute(Connection connection, String sql, List<GroupOf> keys)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      bindGroups(connection, statement, keys);
      statement.executeQuery().close();
    }
  }

  private static void bindGroups(
      Connection connection, PreparedStatement statement, List<GroupOf> keys) throws SQLException {
    statement.setArray(
        1, connection.createArrayOf("bigint", keys.stream().map(GroupOf::recipient).toArray()));
    statement.setArray(
        2, connection.createArrayOf("text", keys.stream().map(GroupOf::key).toArray()));
  }

  private static List<long[]> returning(
      Connection connection, String sql, Rows rows, String... types) throws SQLException {
    List<long[]> changed = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      rows.bind(connection, statement, types);
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          changed.add(new long[] {result.getLong(1), result.getLong(2)});
        }
      }
    }
    return changed;
  }

  /** Rows bound column by column as arrays: one statement whatever their number. */
  private static final class Rows {
    private final List<Object[]> rows = new ArrayList<>();

    void add(Object... row) {
      rows.add(row);
    }

    boolean isEmpty() {
      return rows.isEmpty();
    }

    void bind(Connection connection, PreparedStatement statement, String... types)
        throws SQLException {
      for (int column = 0; column < types.length; column++) {
        int at = column;
        statement.setArray(
            column + 1,
            connection.createArrayOf(types[column], rows.stream().map(r -> r[at]).toArray()));
      }
    }
  }
}
