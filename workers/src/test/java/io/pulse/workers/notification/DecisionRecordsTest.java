package io.pulse.workers.notification;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pulse.common.jobs.JobType;
import io.pulse.common.notification.NotificationDispatch;
import io.pulse.workers.TestSql;
import io.pulse.workers.jobs.JobContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Every channel a dispatch decides on for a recipient leaves one {@code deliveries} row, skips
 * included, so "why" reads them back (the test profile has a webhook receiver, so three channels).
 */
@QuarkusTest
class DecisionRecordsTest {
  @Inject NotificationDispatchHandler handler;
  @Inject NotificationFixtures fixtures;
  @Inject TestSql db;

  @Test
  void eachRecipientAndChannelHasOneDecision() {
    long emailOnly = fixtures.user("decide-email@uni.example", "comment.reply", "email");
    long noAddress = fixtures.user(null, "comment.reply", "in_app", "email", "webhook");
    long nothing = fixtures.user("decide-none@uni.example", "comment.reply");
    UUID job =
        run(
            new NotificationDispatch(
                "comment.reply", List.of(emailOnly, noAddress, nothing), "Decide", null, null, 5L));

    assertEquals(
        List.of(
            emailOnly + " email pending -",
            emailOnly + " in_app skipped preference",
            emailOnly + " webhook skipped preference",
            noAddress + " email skipped no_address",
            noAddress + " webhook pending -",
            nothing + " email skipped preference",
            nothing + " in_app skipped preference",
            nothing + " webhook skipped preference"),
        decisions(job));
    assertEquals(
        1,
        db.count("select count(*) from notifications where job_id = '" + job + "'"),
        "the in-app item is its own record");
    assertEquals(
        decisions(job), decisions(rerun(job)), "a dispatch that runs again records nothing new");
  }

  @Test
  void aGroupedNotificationRecordsWhichItemItWentInto() {
    long user = fixtures.user("decide-group@uni.example", null);
    String key = "decide:" + user;
    UUID first = run(GroupingTest.dispatch(user, key, "First", 1L));
    UUID second = run(GroupingTest.dispatch(user, key, "Second", 2L));
    assertEquals(
        List.of(
            user + " email pending -",
            user + " in_app sent -",
            user + " webhook skipped preference"),
        decisions(first));
    assertEquals(
        List.of(
            user + " email skipped grouped",
            user + " in_app skipped grouped",
            user + " webhook skipped preference"),
        decisions(second));
    assertEquals(
        first.toString(),
        db.one(
            "select distinct grouped_into from deliveries where notification_job_id = '"
                + second
                + "' and grouped_into is not null"));
  }

  private NotificationDispatch lastPayload;

  private UUID run(NotificationDispatch payload) {
    UUID id = UUID.randomUUID();
    lastPayload = payload;
    handle(payload, id);
    return id;
  }

  private UUID rerun(UUID job) {
    handle(lastPayload, job);
    return job;
  }

  private void handle(NotificationDispatch payload, UUID id) {
    QuarkusTransaction.requiringNew()
        .call(
            () -> {
              handler.handle(
                  payload, new JobContext(id, JobType.NOTIFICATION_DISPATCH, 1, null, null));
              return null;
            });
  }

  private List<String> decisions(UUID job) {
    String all =
        db.one(
            "select string_agg(user_id || ' ' || channel || ' ' || status || ' ' ||"
                + " coalesce(skip_reason, '-'), '|' order by user_id, channel)"
                + " from deliveries where notification_job_id = '"
                + job
                + "'");
    return List.of(all.split("\\|"));
  }
}
