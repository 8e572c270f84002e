package io.pulse.workers.notification;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pulse.common.jobs.JobCodec;
import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.notification.ChannelDelivery;
import io.pulse.common.notification.NotificationDispatch;
import io.pulse.workers.TestSql;
import io.pulse.workers.jobs.BatchJobHandler.Job;
import io.pulse.workers.jobs.JobContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The set-based form of the dispatch handler, against the real database: a batch of dispatches of
 * several types in one call leaves exactly what each dispatch run alone leaves.
 */
@QuarkusTest
class NotificationDispatchBatchTest {
  // Far from the ids other tests use.
  private static long nextUser = 5_000_000_000L + (System.nanoTime() & 0xFFF_FFFFL) * 16;

  @Inject NotificationDispatchHandler handler;
  @Inject TestSql db;

  @Test
  void aBatchLeavesWhatEachDispatchAloneWouldLeave() throws Exception {
    long chose = user("'batch-chose@uni.example'", "comment.reply", "in_app", "email");
    long quiet = user("'batch-quiet@uni.example'", "comment.reply", "in_app");
    long defaults = user("'batch-defaults@uni.example'", null);
    long noAddress = user("null", null);
    long optedOut = user("'batch-strict@uni.example'", "account.security");
    List<NotificationDispatch> payloads =
        List.of(
            new NotificationDispatch(
                "comment.reply",
                List.of(chose, quiet, defaults, noAddress),
                "Reply",
                "b",
                "/p",
                5L),
            new NotificationDispatch(
                "community.post", List.of(defaults, quiet, defaults), "Post", null, null, null),
            new NotificationDispatch(
                "account.security", List.of(optedOut, chose), "Security", "s", null, 7L),
            new NotificationDispatch(
                "comment.reply", List.of(defaults), "Again", null, null, null));

    List<Job<NotificationDispatch>> together = jobs(payloads);
    QuarkusTransaction.requiringNew().call(() -> run(() -> handler.handleAll(together)));
    List<Job<NotificationDispatch>> alone = jobs(payloads);
    for (Job<NotificationDispatch> job : alone) {
      QuarkusTransaction.requiringNew()
          .call(() -> run(() -> handler.handle(job.payload(), job.context())));
    }

    for (int i = 0; i < payloads.size(); i++) {
      String which = "dispatch " + i;
      assertEquals(notifications(alone.get(i)), notifications(together.get(i)), which);
      assertEquals(deliveries(alone.get(i)), deliveries(together.get(i)), which);
      assertEquals(followUps(alone.get(i)), followUps(together.get(i)), which);
    }
    // And what that is, spelled out for two of them.
    assertEquals(
        List.of(
            chose + " Reply b /p 5",
            quiet + " Reply b /p 5",
            defaults + " Reply b /p 5",
            noAddress + " Reply b /p 5"),
        notifications(together.get(0)));
    assertEquals(
        List.of("notification.email " + chose, "notification.email " + defaults),
        followUps(together.get(0)),
        "email to those who chose it or have it by default, and have an address");
    assertEquals(
        List.of(quiet + " Post null null null", defaults + " Post null null null"),
        notifications(together.get(1)),
        "a recipient named twice gets one notification");
    assertEquals(
        List.of("notification.email " + chose, "notification.email " + optedOut),
        followUps(together.get(2)),
        "a critical type reaches the one who opted out");
  }

  private interface Work {
    void run() throws Exception;
  }

  private static Void run(Work work) throws Exception {
    work.run();
    return null;
  }

  private static List<Job<NotificationDispatch>> jobs(List<NotificationDispatch> payloads) {
    List<Job<NotificationDispatch>> jobs = new ArrayList<>();
    for (NotificationDispatch payload : payloads) {
      JobContext context =
          new JobContext(UUID.randomUUID(), JobType.NOTIFICATION_DISPATCH, 1, null, null);
      jobs.add(new Job<>(payload, context));
    }
    return jobs;
  }

  private List<String> notifications(Job<NotificationDispatch> job) {
    return rows(
        "select user_id || ' ' || title || ' ' || coalesce(body, 'null') || ' '"
            + " || coalesce(link, 'null') || ' ' || coalesce(actor_id::text, 'null')"
            + " from notifications where job_id = '"
            + job.context().jobId()
            + "' order by user_id");
  }

  private List<String> deliveries(Job<NotificationDispatch> job) {
    return rows(
        "select user_id || ' ' || channel from deliveries where status <> 'skipped'"
            + " and notification_job_id = '"
            + job.context().jobId()
            + "' order by user_id, channel");
  }

  /** Type and recipient of each follow-up job, in the order the handler asked for them. */
  private static List<String> followUps(Job<NotificationDispatch> job) throws IOException {
    List<String> followUps = new ArrayList<>();
    for (JobMessage f : job.context().followUps()) {
      followUps.add(f.type() + " " + JobCodec.decode(f.body(), ChannelDelivery.class).userId());
    }
    return followUps;
  }

  private List<String> rows(String sql) {
    String joined = db.one("select coalesce(string_agg(r, '|'), '') from (" + sql + ") as t(r)");
    return joined.isEmpty() ? List.of() : Arrays.asList(joined.split("\\|"));
  }

  private long user(String emailLiteral, String type, String... channels) {
    long id = nextUser++;
    db.exec(
        "insert into users (id, handle, email) values ("
            + id
            + ", 'b"
            + id
            + "', "
            + emailLiteral
            + ")");
    if (type != null) {
      db.exec(
          "insert into notification_preferences (user_id, type, channels) values ("
              + id
              + ", '"
              + type
              + "', '{"
              + String.join(",", channels)
              + "}')");
    }
    return id;
  }
}
