package io.pulse.workers.deadletters;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.GetResponse;
import io.micrometer.core.instrument.MeterRegistry;
import io.pulse.common.jobs.JobCodec;
import io.pulse.common.jobs.JobLedger;
import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.BrokerPolicies;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.messaging.RabbitConfig;
import io.pulse.common.messaging.Topology;
import io.pulse.common.testing.BrokerProbe;
import io.pulse.common.testing.ManagementRequests;
import io.pulse.workers.TestSql;
import io.pulse.workers.jobs.JobRuntime;
import io.pulse.workers.testjobs.CrashingTestHandler;
import io.pulse.workers.testjobs.ScriptedJob;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dead-letter reconciler against the real broker and database: stale copies dropped, copies of
 * dead jobs kept in order, jobs parked by the broker's delivery limit marked dead (injected and for
 * real), payloads filled from dead letters, and the policy that expires dead letters.
 */
@QuarkusTest
class DeadLetterReconcilerTest {
  static final String TYPE = JobType.FEED_REBUILD;
  static final String DLQ = Topology.deadLetterQueue(TYPE);
  static BrokerProbe broker;
  static final ObjectMapper JSON = new ObjectMapper();

  @Inject DeadLetterReconciler reconciler;
  @Inject JobLedger ledger;
  @Inject JobRuntime runtime;
  @Inject TestSql db;
  @Inject MeterRegistry meters;
  @Inject RabbitConfig rabbit;

  @BeforeAll
  static void connect() {
    broker = new BrokerProbe();
  }

  @AfterAll
  static void disconnect() {
    broker.close();
  }

  @BeforeEach
  void clean() {
    await().atMost(Duration.ofSeconds(30)).until(runtime::isConsuming);
    db.exec("delete from jobs where type in ('" + TYPE + "', '" + CrashingTestHandler.TYPE + "')");
    broker.purge(DLQ);
    broker.purge(Topology.deadLetterQueue(CrashingTestHandler.TYPE));
    reconciler.forgetResidues();
  }

  @Test
  void stalePassesDropCopiesOfJobsNoLongerDeadAndKeepTheRestInOrder() throws Exception {
    Instant longAgo = Instant.now().minusSeconds(7200);
    UUID dead1 = row("dead", null);
    UUID replayed = row("queued", Instant.now().minusSeconds(60));
    UUID dead2 = row("dead", null);
    UUID succeeded = row("succeeded", null);
    UUID gone = UUID.randomUUID();
    UUID fresh = UUID.randomUUID();
    copy(dead1, longAgo, null);
    copy(replayed, longAgo, null);
    copy(dead2, longAgo, null);
    copy(succeeded, longAgo, null);
    copy(gone, longAgo, null);
    copy(fresh, Instant.now(), null);
    broker.publish(
        Topology.DEAD_EXCHANGE, TYPE, new AMQP.BasicProperties.Builder().build(), "?".getBytes());
    double droppedBefore = counted("dropped");

    DeadLetterReconciler.Pass pass = reconciler.reconcile(TYPE);

    assertEquals(7, pass.seen());
    assertEquals(3, pass.dropped(), "replayed, succeeded and retention-removed copies");
    assertEquals(3, pass.kept(), "two dead jobs and one too fresh to judge");
    assertEquals(1, pass.left(), "a message without a job id is not ours to judge");
    assertEquals(droppedBefore + 3, counted("dropped"));
    List<String> order = new ArrayList<>();
    GetResponse message;
    while ((message = broker.take(DLQ)) != null) {
      order.add(message.getProps().getMessageId());
    }
    assertEquals(
        java.util.Arrays.asList(dead1.toString(), dead2.toString(), fresh.toString(), null),
        order,
        "what stays keeps its order");
  }

  @Test
  void copiesParkedByTheDeliveryLimitMarkTheirStartedJobsDeadAndAReplayDoesNotBringThemBack()
      throws Exception {
    int injected = 20;
    Set<UUID> jobs = new HashSet<>();
    for (int i = 0; i < injected; i++) {
      // retrying: the runtime noted a redelivery before the handler ran; running: a row the
      // runtime created for a message that came without one.
      UUID id = row(i % 2 == 0 ? "running" : "retrying", null);
      jobs.add(id);
      parkedByDeliveryLimit(id, Instant.now().minusSeconds(5));
    }
    UUID alreadyDead = row("dead", null);
    copy(alreadyDead, Instant.now().minusSeconds(600), null);
    double markedBefore = counted("marked-dead");

    List<DeadLetterReconciler.Pass> passes = passesOf(reconciler.reconcile());

    assertEquals(1, passes.size(), "the DLQ held more than the ledger's dead jobs");
    assertEquals(injected, passes.get(0).markedDead());
    assertEquals(markedBefore + injected, counted("marked-dead"));
    for (UUID id : jobs) {
      assertEquals("dead", db.jobStatus(id));
      assertThat(
          db.jobColumn(id, "last_error"), startsWith("delivery limit reached in the broker"));
      assertNotNull(db.jobColumn(id, "finished_at"));
    }
    assertEquals(injected + 1, broker.depth(DLQ), "their copies stay, for the console");
    assertEquals(
        injected + 1,
        db.count("select count(*) from jobs where status = 'dead' and type = '" + TYPE + "'"),
        "the DLQ's depth and the ledger's dead count agree");
    assertTrue(passesOf(reconciler.reconcile()).isEmpty(), "nothing to do while they agree");

    // Replayed (the API's transition): the parked copies are now from before the replay.
    assertEquals(injected, ledger.requeue(jobs).size());
    passes = passesOf(reconciler.reconcile());
    assertEquals(1, passes.size());
    assertEquals(injected, passes.get(0).dropped());
    assertEquals(0, passes.get(0).markedDead(), "a replayed job is not marked dead again");
    for (UUID id : jobs) {
      assertEquals("queued", db.jobStatus(id));
    }
    assertEquals(1, broker.depth(DLQ));
  }

  @Test
  void aJobParkedBeforeAnyHandlerRanItGoesBackToItsQueueAndRuns() throws Exception {
    // What a closing connection does: it hands back every consumer's unstarted prefetch, and a
    // returned message can go straight to another consumer of the same closing connection; each
    // return counts, so a job can reach the limit without any handler having seen it.
    UUID job = row("queued", null);
    parkedByDeliveryLimit(job, Instant.now().minusSeconds(5));
    UUID parkedBefore = row("queued", null);
    parkedByDeliveryLimit(parkedBefore, Instant.now().minusSeconds(5), 2);
    double requeuedBefore = counted("requeued");

    DeadLetterReconciler.Pass pass = reconciler.reconcile(TYPE);

    assertEquals(2, pass.requeued());
    assertEquals(0, pass.markedDead());
    assertEquals(requeuedBefore + 2, counted("requeued"));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertEquals("succeeded", db.jobStatus(job));
              assertEquals("succeeded", db.jobStatus(parkedBefore));
            });
    assertEquals(0, broker.depth(DLQ), "the dead letters went once their jobs were requeued");
    assertTrue(passesOf(reconciler.reconcile()).isEmpty(), "nothing left to reconcile");
  }

  @Test
  void aJobParkedUnstartedAgainAndAgainIsMarkedDeadAfterTheLastRequeue() throws Exception {
    UUID job = row("queued", null);
    parkedByDeliveryLimit(job, Instant.now().minusSeconds(5), 3);

    DeadLetterReconciler.Pass pass = reconciler.reconcile(TYPE);

    assertEquals(0, pass.requeued());
    assertEquals(1, pass.markedDead());
    assertEquals("dead", db.jobStatus(job));
    assertThat(db.jobColumn(job, "last_error"), containsString("after 3 requeue(s)"));
    assertEquals(1, broker.depth(DLQ), "its copy stays, for the console and a replay");
  }

  @Test
  void aJobThatCrashesItsWorkerUntilTheBrokerParksItIsMarkedDeadAndReplayable() throws Exception {
    UUID job = UUID.randomUUID();
    JobMessage message =
        new JobMessage(
            job,
            CrashingTestHandler.TYPE,
            1,
            null,
            null,
            Instant.now(),
            JobCodec.encode(new ScriptedJob("crash-" + job, 0, "crash")));
    broker.publish(
        Topology.JOBS_EXCHANGE, message.type(), message.properties(Map.of()), message.body());
    String dlq = Topology.deadLetterQueue(CrashingTestHandler.TYPE);
    await().atMost(Duration.ofSeconds(60)).until(() -> broker.depth(dlq) == 1);
    await().atMost(Duration.ofSeconds(10)).until(runtime::isConsuming);
    assertEquals("retrying", db.jobStatus(job), "the ledger alone never learns it was parked");
    assertNull(db.jobColumn(job, "payload"), "published by hand: no payload in the ledger");

    DeadLetterReconciler.Pass pass = reconciler.reconcile(CrashingTestHandler.TYPE);

    assertEquals(1, pass.markedDead());
    assertEquals("dead", db.jobStatus(job));
    assertThat(db.jobColumn(job, "last_error"), containsString("delivery limit reached"));
    assertThat(db.jobColumn(job, "last_error"), containsString("pulse.test.crash"));
    assertEquals(
        JSON.readTree(message.body()),
        JSON.readTree(db.jobColumn(job, "payload")),
        "its payload taken from the dead letter, so a replay can publish it");
    assertEquals(1, broker.depth(dlq));
  }

  @Test
  void aDeadJobWithoutPayloadTakesItFromItsDeadLetter() throws Exception {
    UUID job = UUID.randomUUID();
    db.exec(
        "insert into jobs (id, type, status, attempts, created_at, updated_at)"
            + " values ('"
            + job
            + "', '"
            + TYPE
            + "', 'dead', 4, now(), now())");
    byte[] body = "{\"userId\":42}".getBytes(StandardCharsets.UTF_8);
    copy(job, Instant.now().minusSeconds(600), body);

    List<DeadLetterReconciler.Pass> passes = passesOf(reconciler.reconcile());

    assertEquals(1, passes.size(), "a dead row without payload is reason enough for a pass");
    assertEquals(1, passes.get(0).payloadsFilled());
    assertEquals(JSON.readTree(body), JSON.readTree(db.jobColumn(job, "payload")));
    assertTrue(passesOf(reconciler.reconcile()).isEmpty());
  }

  @Test
  void aPassReachesPastWhatOneConsumerMayHold() throws Exception {
    // A quorum queue gives a consumer without a prefetch 2,000 messages at most: a pass that
    // relied on that stopped there and never saw the rest.
    int stale = 3_000;
    for (int i = 0; i < stale; i++) {
      copy(UUID.randomUUID(), Instant.now().minusSeconds(7200), null);
    }
    UUID dead = row("dead", null);
    copy(dead, Instant.now().minusSeconds(600), null);

    DeadLetterReconciler.Pass pass = reconciler.reconcile(TYPE);

    assertEquals(stale + 1, pass.seen());
    assertEquals(stale, pass.dropped(), "copies of jobs whose rows retention removed");
    assertEquals(1, broker.depth(DLQ));
    assertEquals(dead.toString(), broker.take(DLQ).getProps().getMessageId());
  }

  @Test
  void ofTwoCopiesOfOneDeadJobTheNewerStays() throws Exception {
    UUID job = row("dead", null);
    copy(job, Instant.now().minusSeconds(3600), "{\"n\":1}".getBytes(StandardCharsets.UTF_8));
    copy(job, Instant.now().minusSeconds(600), "{\"n\":2}".getBytes(StandardCharsets.UTF_8));

    DeadLetterReconciler.Pass pass = reconciler.reconcile(TYPE);

    assertEquals(1, pass.dropped());
    GetResponse left = broker.take(DLQ);
    assertEquals("{\"n\":2}", new String(left.getBody(), StandardCharsets.UTF_8));
    assertNull(broker.take(DLQ));
  }

  @Test
  void thePolicyMakesEveryDeadLetterQueueExpireItsMessagesAfterTheDeadRetention() throws Exception {
    reconciler.reconcile();
    String vhost = URLEncoder.encode(rabbit.virtualHost(), StandardCharsets.UTF_8);
    JsonNode policy = management("/api/policies/" + vhost + "/" + Topology.DEAD_LETTER_POLICY);
    assertEquals(
        rabbit.deadLetterTtl().toMillis(), policy.path("definition").path("message-ttl").asLong());
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                Topology.DEAD_LETTER_POLICY.equals(
                    management("/api/queues/" + vhost + "/" + DLQ).path("policy").asText()));
    assertEquals(
        "",
        management("/api/queues/" + vhost + "/" + Topology.workQueue(TYPE))
            .path("policy")
            .asText(""),
        "work queues are not dead-letter queues");

    // The mechanism, quickly: a stricter policy on one DLQ expires what it holds.
    Topology.Policy fast =
        new Topology.Policy(
            "test-fast-dead-letters",
            "^" + DLQ.replace(".", "\\.") + "$",
            "queues",
            10,
            Map.of("message-ttl", 300));
    BrokerPolicies policies = new BrokerPolicies(rabbit);
    try {
      policies.apply(fast);
      copy(row("dead", null), Instant.now(), null);
      await().atMost(Duration.ofSeconds(20)).until(() -> broker.depth(DLQ) == 0);
    } finally {
      HttpClient.newHttpClient()
          .send(
              ManagementRequests.request(
                      "DELETE", managementUrl("/api/policies/" + vhost + "/" + fast.name()), null)
                  .build(),
              HttpResponse.BodyHandlers.discarding());
    }
  }

  // ---- fixtures ----

  /** This test's type only: other classes' leftovers in other DLQs may get passes of their own. */
  private static List<DeadLetterReconciler.Pass> passesOf(List<DeadLetterReconciler.Pass> all) {
    return all.stream().filter(p -> p.type().equals(TYPE)).toList();
  }

  private UUID row(String status, Instant replayedAt) {
    UUID id = UUID.randomUUID();
    db.exec(
        // published_at set: a queued row without it is the sweeper's to publish, and a worker
        // would run it under the test's feet.
        "insert into jobs (id, type, status, payload, attempts, last_error, created_at, updated_at,"
            + " published_at, replayed_at) values ('"
            + id
            + "', '"
            + TYPE
            + "', '"
            + status
            + "', '{\"userId\":1}', 1, 'boom', now() - interval '3 hours', now() - interval '2"
            + " hours', now() - interval '3 hours', "
            + (replayedAt == null ? "null" : "'" + replayedAt + "'")
            + ")");
    return id;
  }

  /** A dead letter as a worker's failure router publishes it. */
  private void copy(UUID id, Instant failedAt, byte[] body) {
    Map<String, Object> headers = new HashMap<>();
    headers.put(Topology.ERROR_CLASS, "java.io.IOException");
    headers.put(Topology.ERROR_MESSAGE, "java.io.IOException: boom");
    headers.put(Topology.ERROR_FAILED_AT, failedAt.toString());
    headers.put(Topology.ERROR_JOB_ID, id.toString());
    publishDead(id, headers, body);
  }

  /** A dead letter as a quorum queue parks it at its delivery limit: no errors, an x-death. */
  private void parkedByDeliveryLimit(UUID id, Instant at) {
    parkedByDeliveryLimit(id, at, 0);
  }

  /** Parked after the reconciler had requeued it {@code requeued} times already. */
  private void parkedByDeliveryLimit(UUID id, Instant at, int requeued) {
    Map<String, Object> death = new HashMap<>();
    death.put("reason", "delivery_limit");
    death.put("queue", Topology.workQueue(TYPE));
    death.put("exchange", Topology.JOBS_EXCHANGE);
    death.put("count", 1L);
    death.put("time", Date.from(at));
    death.put("routing-keys", List.of(TYPE));
    Map<String, Object> headers = new HashMap<>();
    headers.put("x-death", List.of(death));
    if (requeued > 0) {
      headers.put(Topology.LIMIT_REQUEUES, requeued);
    }
    publishDead(id, headers, null);
  }

  private void publishDead(UUID id, Map<String, Object> headers, byte[] body) {
    byte[] payload = body != null ? body : "{\"userId\":1}".getBytes(StandardCharsets.UTF_8);
    JobMessage message = new JobMessage(id, TYPE, 3, null, null, Instant.now(), payload);
    broker.publish(Topology.DEAD_EXCHANGE, TYPE, message.properties(headers), payload);
  }

  private double counted(String action) {
    var counter =
        meters
            .find("pulse.dead.letters.reconciled")
            .tag("type", TYPE)
            .tag("action", action)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  private String managementUrl(String path) {
    return rabbit.management().url().get(0).toString().replaceAll("/+$", "") + path;
  }

  private JsonNode management(String path) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                ManagementRequests.request("GET", managementUrl(path), null).build(),
                HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }
}
