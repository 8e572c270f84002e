package io.pulse.workers.notification;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import io.pulse.common.jobs.JobCodec;
import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.notification.NotificationDispatch;
import io.pulse.workers.TestSql;
import io.pulse.workers.WithMailServer;
import io.pulse.workers.jobs.JobContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Grouping against the real broker and database: notifications with one group key fold into one
 * inbox item, exactly once each, whether they arrive at once over several consumers or again.
 */
@QuarkusTest
class GroupingTest {
  static final String TYPE = "test.grouped";

  GreenMail mail;
  @Inject JobEnqueuer enqueuer;
  @Inject NotificationFixtures fixtures;
  @Inject NotificationDispatchHandler handler;
  @Inject TestSql db;

  @BeforeEach
  void startMail() {
    mail = new GreenMail(WithMailServer.SMTP);
    mail.start();
  }

  @AfterEach
  void stopMail() {
    mail.stop();
  }

  @Test
  void fiftyAtOnceOverSeveralConsumersMakeOneItemThatCountsFiftyAndOneEmail() throws Exception {
    long user = fixtures.user("group-50@uni.example", null);
    String key = "post:" + user + ":replies";
    List<JobMessage> messages = new ArrayList<>();
    for (int i = 1; i <= 50; i++) {
      messages.add(message(dispatch(user, key, "Reply " + i, (long) i)));
    }
    // One burst: the dispatch queue's consumers take them in several batches side by side.
    QuarkusTransaction.requiringNew().run(() -> enqueuer.insertInCurrentTransaction(messages));
    enqueuer.publishAll(messages);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> messages.stream().allMatch(m -> "succeeded".equals(db.jobStatus(m.jobId()))));

    assertEquals(1, db.count("select count(*) from notifications where user_id = " + user));
    assertEquals("50", item(user, "group_count"));
    assertEquals(
        5, Integer.parseInt(item(user, "cardinality(actor_ids)")), "the latest five actors");
    assertEquals(
        "1 49",
        db.one(
            "select count(*) filter (where status = 'sent') || ' '"
                + " || count(*) filter (where skip_reason = 'grouped')"
                + " from deliveries where channel = 'in_app' and user_id = "
                + user),
        "one notification opened the item, 49 were folded into it");
    assertTrue(mail.waitForIncomingEmail(15_000, 1));
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> mail.getReceivedMessages().length == 1);
    assertEquals(
        49,
        db.count(
            "select count(*) from deliveries where channel = 'email' and skip_reason = 'grouped'"
                + " and user_id = "
                + user),
        "the group's email went out once, for the first; the others are recorded as grouped");

    // Redelivered (the ledger row put back, the message published again): counted once.
    JobMessage again = messages.get(17);
    db.exec("update jobs set status = 'queued' where id = '" + again.jobId() + "'");
    enqueuer.publishAll(List.of(again));
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> "succeeded".equals(db.jobStatus(again.jobId())));
    assertEquals("50", item(user, "group_count"), "a redelivery never counts twice");
    assertEquals(1, db.count("select count(*) from notifications where user_id = " + user));
  }

  @Test
  void fiftyHandlersRacingInTheirOwnTransactionsCountFifty() throws Exception {
    long user = fixtures.user(null, null);
    String key = "race:" + user;
    ExecutorService pool = Executors.newFixedThreadPool(10);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int i = 1; i <= 50; i++) {
        NotificationDispatch payload = dispatch(user, key, "Race " + i, (long) i);
        JobContext context = context(UUID.randomUUID());
        runs.add(
            pool.submit(
                () -> {
                  start.await();
                  handle(payload, context);
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> run : runs) {
        run.get();
      }
    } finally {
      pool.shutdown();
    }
    assertEquals(1, db.count("select count(*) from notifications where user_id = " + user));
    assertEquals("50", item(user, "group_count"));
  }

  @Test
  void aDispatchHandledTwiceIsRecognisedByItsInAppRecord() {
    long user = fixtures.user(null, null);
    String key = "twice:" + user;
    JobContext first = context(UUID.randomUUID());
    JobContext second = context(UUID.randomUUID());
    NotificationDispatch one = dispatch(user, key, "One", 1L);
    NotificationDispatch two = dispatch(user, key, "Two", 2L);
    handle(one, first);
    handle(two, second);
    String id = item(user, "id");
    handle(two, second);
    handle(one, first);
    assertEquals("2", item(user, "group_count"));
    assertEquals(id, item(user, "id"), "running again moves nothing");
  }

  @Test
  void aFoldedItemShowsTheNewestIsUnreadAgainAndMovesToTheTop() {
    long user = fixtures.user(null, null);
    String key = "top:" + user;
    handle(dispatch(user, key, "First", 1L), context(UUID.randomUUID()));
    db.exec("update notifications set read_at = now() where user_id = " + user);
    handle(
        new NotificationDispatch("comment.reply", List.of(user), "Plain", null, null, 9L),
        context(UUID.randomUUID()));
    handle(dispatch(user, key, "Second", 2L), context(UUID.randomUUID()));
    handle(dispatch(user, key, "Third", 3L), context(UUID.randomUUID()));

    assertEquals(
        "Third 3 {3,2,1} true",
        db.one(
            "select title || ' ' || group_count || ' ' || actor_ids::text || ' ' || (read_at is null)"
                + " from notifications where user_id = "
                + user
                + " order by id desc limit 1"),
        "the newest text, the count, the actors newest first, unread again, on top");
  }

  @Test
  void afterTheWindowANewItemOpens() {
    long user = fixtures.user(null, null);
    String key = "window:" + user;
    handle(dispatch(user, key, "Old", 1L), context(UUID.randomUUID()));
    db.exec(
        "update notifications set group_ends_at = now() - interval '1 second' where user_id = "
            + user);
    handle(dispatch(user, key, "New", 2L), context(UUID.randomUUID()));
    assertEquals(
        "New 1, Old 1",
        db.one(
            "select string_agg(title || ' ' || group_count, ', ' order by id desc)"
                + " from notifications where user_id = "
                + user));
  }

  @Test
  void withoutInAppTheGroupsEmailStillGoesOutOncePerWindow() {
    long user = fixtures.user("group-email-only@uni.example", TYPE, "email");
    String key = "email-only:" + user;
    UUID first = UUID.randomUUID();
    handle(dispatch(user, key, "First", 1L), context(first));
    handle(dispatch(user, key, "Second", 2L), context(UUID.randomUUID()));
    handle(dispatch(user, key, "Third", 3L), context(UUID.randomUUID()));
    assertEquals(
        "pending -, skipped grouped, skipped grouped",
        db.one(
            "select string_agg(status || ' ' || coalesce(skip_reason, '-'), ', ' order by created_at,"
                + " status) from deliveries where channel = 'email' and user_id = "
                + user));
    assertEquals(
        2,
        db.count(
            "select count(*) from deliveries where grouped_into = '"
                + first
                + "' and channel = 'email' and user_id = "
                + user));
    assertEquals(0, db.count("select count(*) from notifications where user_id = " + user));

    // After the window, the next email opens a new one.
    db.exec(
        "update deliveries set created_at = created_at - interval '11 minutes' where user_id = "
            + user);
    handle(dispatch(user, key, "Later", 4L), context(UUID.randomUUID()));
    assertEquals(
        2,
        db.count(
            "select count(*) from deliveries where channel = 'email' and status = 'pending'"
                + " and user_id = "
                + user));
  }

  @Test
  void aTypeWithoutAWindowIgnoresTheKey() {
    long user = fixtures.user(null, null);
    for (int i = 0; i < 2; i++) {
      NotificationDispatch plain =
          new NotificationDispatch(
              "comment.reply", List.of(user), "Plain", null, null, 5L, null, "same:" + user);
      handle(plain, context(UUID.randomUUID()));
    }
    assertEquals(2, db.count("select count(*) from notifications where user_id = " + user));
  }

  /** Runs the handler as the runtime does: in a transaction of its own. */
  private void handle(NotificationDispatch payload, JobContext context) {
    QuarkusTransaction.requiringNew()
        .call(
            () -> {
              handler.handle(payload, context);
              return null;
            });
  }

  private String item(long user, String column) {
    return db.one(
        "select "
            + column
            + " from notifications where group_key is not null and user_id = "
            + user);
  }

  static NotificationDispatch dispatch(long user, String key, String title, Long actor) {
    return new NotificationDispatch(
        TYPE, List.of(user), title, "body", "/posts/9", actor, null, key);
  }

  private static JobMessage message(NotificationDispatch payload) {
    UUID id = UUID.randomUUID();
    return new JobMessage(
        id, JobType.NOTIFICATION_DISPATCH, 1, null, null, Instant.now(), JobCodec.encode(payload));
  }

  private static JobContext context(UUID id) {
    return new JobContext(id, JobType.NOTIFICATION_DISPATCH, 1, null, null);
  }
}
