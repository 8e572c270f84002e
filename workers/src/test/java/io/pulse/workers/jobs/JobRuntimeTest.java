package io.pulse.workers.jobs;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.GetResponse;
import io.micrometer.core.instrument.MeterRegistry;
import io.pulse.common.jobs.JobCodec;
import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.messaging.Topology;
import io.pulse.common.notification.NotificationDispatch;
import io.pulse.common.testing.BrokerProbe;
import io.pulse.workers.TestSql;
import io.pulse.workers.testjobs.CrashingTestHandler;
import io.pulse.workers.testjobs.ScriptedJob;
import io.pulse.workers.testjobs.ScriptedTestHandler;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The retry and dead-letter runtime against the real broker and database. */
@QuarkusTest
class JobRuntimeTest {
  static BrokerProbe broker;

  @Inject TestSql db;
  @Inject MeterRegistry meters;
  @Inject JobRuntime runtime;

  @BeforeAll
  static void connect() {
    broker = new BrokerProbe();
  }

  @BeforeEach
  void emptyDeadLetterQueues() {
    // The runtime declares its queues on its own thread; wait for it before touching them.
    await().atMost(Duration.ofSeconds(30)).until(runtime::isConsuming);
    for (String type :
        List.of(
            ScriptedTestHandler.TYPE, CrashingTestHandler.TYPE, JobType.NOTIFICATION_DISPATCH)) {
      broker.purge(Topology.deadLetterQueue(type));
    }
  }

  @AfterAll
  static void disconnect() {
    broker.close();
  }

  @Test
  void aTransientFailureIsRetriedWithGrowingDelaysAndThenSucceeds() {
    String key = "transient-" + UUID.randomUUID();
    UUID job = publish(ScriptedTestHandler.TYPE, new ScriptedJob(key, 2, "transient"));

    await().atMost(Duration.ofSeconds(20)).until(() -> "succeeded".equals(status(job)));
    List<Long> times = ScriptedTestHandler.attemptTimes(key);
    assertEquals(3, times.size());
    long firstGap = times.get(1) - times.get(0);
    long secondGap = times.get(2) - times.get(1);
    assertTrue(
        secondGap > firstGap,
        "backoff grows: " + firstGap / 1_000_000 + " ms then " + secondGap / 1_000_000 + " ms");
    assertEquals(3, ledgerInt(job, "attempts"));
    assertEquals(null, ledger(job, "last_error"));
    assertEquals(
        2L,
        count("select count(*) from job_attempts where job_id = '" + job + "'"),
        "the two failed attempts are kept after the job succeeded");
  }

  @Test
  void aPermanentFailureIsDeadLetteredAtOnceWithItsErrorHeaders() {
    String key = "permanent-" + UUID.randomUUID();
    UUID job = publish(ScriptedTestHandler.TYPE, new ScriptedJob(key, 99, "permanent"));

    GetResponse dead = awaitDeadLetter(ScriptedTestHandler.TYPE, job);
    assertEquals(
        PermanentJobException.class.getName(), BrokerProbe.header(dead, Topology.ERROR_CLASS));
    assertThat(
        BrokerProbe.header(dead, Topology.ERROR_MESSAGE), containsString("recipient rejected"));
    assertEquals("1", BrokerProbe.header(dead, Topology.ERROR_ATTEMPTS));
    assertEquals(
        Topology.workQueue(ScriptedTestHandler.TYPE),
        BrokerProbe.header(dead, Topology.ERROR_QUEUE));
    assertEquals(job.toString(), BrokerProbe.header(dead, Topology.ERROR_JOB_ID));
    assertNotNull(BrokerProbe.header(dead, Topology.ERROR_FAILED_AT));
    assertThat(
        BrokerProbe.header(dead, Topology.ERROR_STACK), containsString("ScriptedTestHandler"));
    assertEquals(
        1, ScriptedTestHandler.attemptTimes(key).size(), "no retry for a permanent failure");
    awaitDead(job);
    assertThat(ledger(job, "last_error"), containsString("recipient rejected"));
  }

  @Test
  void aLateCopyOfADeadJobDoesNotRunItOrBringItBack() {
    String key = "dead-then-copy-" + UUID.randomUUID();
    UUID job = publish(ScriptedTestHandler.TYPE, new ScriptedJob(key, 1, "permanent"));
    awaitDeadLetter(ScriptedTestHandler.TYPE, job);
    awaitDead(job);

    // The same job again (a sweeper's second publish, a copy sent by hand): it would now succeed,
    // since the script fails only its first attempt, but dead -> succeeded is not in the table.
    double skippedBefore = skipped(ScriptedTestHandler.TYPE);
    republish(ScriptedTestHandler.TYPE, job, new ScriptedJob(key, 1, "permanent"));

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> skipped(ScriptedTestHandler.TYPE) >= skippedBefore + 1);
    assertEquals("dead", status(job), "only a replay brings a dead job back");
    assertEquals(1, ScriptedTestHandler.attemptTimes(key).size(), "the copy did not run");
    assertThat(ledger(job, "last_error"), containsString("recipient rejected"));
  }

  @Test
  void aJobThatKeepsFailingIsRetriedUpToItsMaxAttemptsThenDead() {
    String key = "exhausted-" + UUID.randomUUID();
    UUID job = publish(ScriptedTestHandler.TYPE, new ScriptedJob(key, 99, "transient"));

    GetResponse dead = awaitDeadLetter(ScriptedTestHandler.TYPE, job);
    assertEquals("4", BrokerProbe.header(dead, Topology.ERROR_ATTEMPTS));
    assertEquals(4, ScriptedTestHandler.attemptTimes(key).size());
    awaitDead(job);
    assertEquals(4, ledgerInt(job, "attempts"));
    assertThat(ledger(job, "last_error"), containsString("mail server unreachable"));
    String attempts = "select count(*) from job_attempts where job_id = '" + job + "'";
    assertEquals(3L, count(attempts + " and status = 'retrying' and attempt between 1 and 3"));
    assertEquals(1L, count(attempts + " and status = 'dead' and attempt = 4"));
    assertEquals(
        4L, count(attempts + " and error like '%mail server unreachable%'"), "each error kept");
  }

  @Test
  void aBodyThatIsNotJsonIsDeadLetteredAtOnceWithTheReason() {
    UUID job = UUID.randomUUID();
    JobMessage message =
        new JobMessage(
            job,
            JobType.NOTIFICATION_DISPATCH,
            1,
            null,
            null,
            Instant.now(),
            "this is not json".getBytes(StandardCharsets.UTF_8));
    broker.publish(
        Topology.JOBS_EXCHANGE, message.type(), message.properties(Map.of()), message.body());

    GetResponse dead = awaitDeadLetter(JobType.NOTIFICATION_DISPATCH, job);
    assertThat(
        BrokerProbe.header(dead, Topology.ERROR_MESSAGE),
        containsString("not a valid NotificationDispatch"));
    assertEquals("1", BrokerProbe.header(dead, Topology.ERROR_ATTEMPTS));
    awaitDead(job);
  }

  @Test
  void aPayloadThatBreaksItsContractIsDeadLetteredAtOnce() {
    UUID job =
        publish(JobType.NOTIFICATION_DISPATCH, Map.of("type", "x", "recipientIds", List.of()));
    GetResponse dead = awaitDeadLetter(JobType.NOTIFICATION_DISPATCH, job);
    assertThat(
        BrokerProbe.header(dead, Topology.ERROR_MESSAGE), containsString("payload is invalid"));
    awaitDead(job);
  }

  @Test
  void aMessageDeliveredTwiceProducesOneNotificationPerRecipient() {
    double skippedBefore = skipped();
    NotificationDispatch dispatch =
        new NotificationDispatch(
            "comment.reply", List.of(501L, 502L, 503L), "Hi", "body", null, 5L);
    UUID job = publish(JobType.NOTIFICATION_DISPATCH, dispatch);
    republish(JobType.NOTIFICATION_DISPATCH, job, dispatch);

    await().atMost(Duration.ofSeconds(20)).until(() -> skipped() >= skippedBefore + 1);
    assertEquals("succeeded", status(job));
    assertEquals(3L, count("select count(*) from notifications where job_id = '" + job + "'"));
  }

  @Test
  void aHandlerThatKillsItsConsumerIsStoppedByTheDeliveryLimit() {
    int before = CrashingTestHandler.DELIVERIES.get();
    UUID job = publish(CrashingTestHandler.TYPE, new ScriptedJob("crash", 0, "crash"));

    GetResponse dead = awaitDeadLetter(CrashingTestHandler.TYPE, job);
    int deliveries = CrashingTestHandler.DELIVERIES.get() - before;
    // delivery-limit is 3 in tests: the broker gives up after the first delivery and 3 redeliveries
    assertEquals(4, deliveries, "deliveries before the broker parked the message");
    assertThat(
        "the broker, not our code, dead-lettered it",
        String.valueOf(dead.getProps().getHeaders().get("x-death")),
        containsString("delivery_limit"));
    assertThat(ledger(job, "last_error"), containsString("ended without an ack"));
    await().atMost(Duration.ofSeconds(10)).until(runtime::isConsuming);
  }

  @Test
  void aWorkQueueDeletedByHandIsDeclaredAgainAndConsumed() {
    broker.deleteQueue(Topology.workQueue(ScriptedTestHandler.TYPE));
    UUID job = UUID.randomUUID();
    ScriptedJob payload = new ScriptedJob("after-delete-" + job, 0, "none");
    // Until the queue is back a publish is unroutable and dropped, so send the same job again on
    // every poll: the ledger runs it once whatever the number of copies.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              republish(ScriptedTestHandler.TYPE, job, payload);
              return "succeeded".equals(status(job));
            });
    await().atMost(Duration.ofSeconds(10)).until(runtime::isConsuming);
    assertEquals(1, ScriptedTestHandler.attemptTimes(payload.key()).size(), "run once");
  }

  // --- helpers -------------------------------------------------------------------------------

  private UUID publish(String type, Object payload) {
    UUID job = UUID.randomUUID();
    republish(type, job, payload);
    return job;
  }

  private void republish(String type, UUID job, Object payload) {
    JobMessage message =
        new JobMessage(job, type, 1, null, null, Instant.now(), JobCodec.encode(payload));
    broker.publish(Topology.JOBS_EXCHANGE, type, message.properties(Map.of()), message.body());
  }

  private GetResponse awaitDeadLetter(String type, UUID job) {
    String queue = Topology.deadLetterQueue(type);
    GetResponse[] found = new GetResponse[1];
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              GetResponse message;
              while ((message = broker.take(queue)) != null) {
                if (job.toString().equals(message.getProps().getMessageId())) {
                  found[0] = message;
                  return true;
                }
              }
              return false;
            });
    return found[0];
  }

  private double skipped() {
    return skipped(JobType.NOTIFICATION_DISPATCH);
  }

  private double skipped(String type) {
    var counter =
        meters.find("pulse.jobs.completed").tag("type", type).tag("outcome", "skipped").counter();
    return counter == null ? 0 : counter.count();
  }

  /**
   * The dead-letter message goes out before the ledger records {@code dead} (the message is what
   * must not be lost), so a test that saw the message waits for the row.
   */
  private void awaitDead(UUID job) {
    await().atMost(Duration.ofSeconds(10)).until(() -> "dead".equals(status(job)));
  }

  private String status(UUID job) {
    return db.jobStatus(job);
  }

  private String ledger(UUID job, String column) {
    return db.jobColumn(job, column);
  }

  private int ledgerInt(UUID job, String column) {
    return Integer.parseInt(ledger(job, column));
  }

  private long count(String sql) {
    return db.count(sql);
  }
}
