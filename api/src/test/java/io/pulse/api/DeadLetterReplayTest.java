package io.pulse.api;

import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.broker;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.GetResponse;
import io.pulse.common.jobs.Job;
import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.Topology;
import io.pulse.common.testing.BrokerProbe;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@QuarkusTest
class DeadLetterReplayTest {
  static final String TYPE = JobType.DIGEST_BUILD;
  static final String WORK = Topology.workQueue(TYPE);
  static final String DLQ = Topology.deadLetterQueue(TYPE);
  static final String REPLAY = "/api/v1/admin/dead-letters/replay";
  @Inject EntityManager em;
  @Inject ObjectMapper json;
  DeadJobs dead;

  @BeforeEach
  void clean() {
    dead = DeadJobs.clearing(em, broker(), TYPE, JobType.FEED_RETRACT);
  }

  @Test
  void replayPublishesExactlyTheChosenJobsFromTheLedgerWithAttemptsReset() throws Exception {
    UUID a = dead.deadWithMessage(TYPE, DeadJobs.minutesAgo(3));
    UUID b = dead.deadWithMessage(TYPE, DeadJobs.minutesAgo(2));
    UUID c = dead.deadWithMessage(TYPE, DeadJobs.minutesAgo(1));
    assertEquals(3, broker().depth(DLQ));

    admin()
        .body("{\"jobIds\":[\"" + a + "\",\"" + c + "\"]}")
        .post(REPLAY)
        .then()
        .statusCode(200)
        .body("replayed.jobId", containsInAnyOrder(a.toString(), c.toString()))
        .body("replayed.source", everyItem(equalTo("ledger")))
        .body("replayed.type", everyItem(equalTo(TYPE)))
        .body("skipped", empty());

    await().atMost(Duration.ofSeconds(10)).until(() -> broker().depth(WORK) == 2);
    assertEquals(3, broker().depth(DLQ), "a replay reads no dead letter; the workers drop copies");
    List<UUID> moved = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      GetResponse message = broker().take(WORK);
      UUID id = UUID.fromString(message.getProps().getMessageId());
      moved.add(id);
      assertEquals(json.readTree(job(id).payload), json.readTree(message.getBody()));
      assertEquals(TYPE, message.getProps().getType());
      assertEquals("1", BrokerProbe.header(message, Topology.ATTEMPT), "attempts start again");
      assertEquals("key-" + id, BrokerProbe.header(message, Topology.IDEMPOTENCY_KEY));
      assertNotNull(BrokerProbe.header(message, Topology.TRACEPARENT));
      assertTrue(
          message.getProps().getHeaders().keySet().stream()
              .noneMatch(h -> h.startsWith("pulse-error-") || h.contains("death")),
          "no error headers on a replayed job: " + message.getProps().getHeaders().keySet());
    }
    assertEquals(Set.of(a, c), Set.copyOf(moved));

    Job replayed = job(a);
    assertEquals("queued", replayed.status);
    assertEquals(0, replayed.attempts);
    assertEquals(DeadJobs.ERROR, replayed.lastError, "the last error is kept until it runs");
    assertNull(replayed.finishedAt);
    assertNotNull(replayed.publishedAt);
    assertEquals("queued", job(c).status);
    assertEquals("dead", job(b).status);
    assertEquals(DeadJobs.ATTEMPTS, job(b).attempts);
  }

  @Test
  void aReplayCostsTheJobsChosenAndNeverReadsTheDeadLetterQueue() {
    List<UUID> buried = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      buried.add(UUID.randomUUID());
    }
    UUID chosen = dead.deadWithMessage(TYPE, DeadJobs.minutesAgo(1));
    // The chosen job's dead letter lies behind 2,000 others: the old scan's worst case.
    broker().purge(DLQ);
    buried.forEach(id -> dead.publishDeadLetter(id, TYPE, DeadJobs.body(TYPE)));
    dead.publishDeadLetter(chosen, TYPE, DeadJobs.body(TYPE));

    admin()
        .body("{\"jobIds\":[\"" + chosen + "\"]}")
        .post(REPLAY)
        .then()
        .statusCode(200)
        .body("replayed.jobId", equalTo(List.of(chosen.toString())))
        .body("replayed[0].source", equalTo("ledger"));

    await().atMost(Duration.ofSeconds(10)).until(() -> broker().depth(WORK) == 1);
    assertEquals(chosen.toString(), broker().take(WORK).getProps().getMessageId());
    assertEquals(2_001, broker().depth(DLQ), "every dead letter still there, none taken");
    assertEquals("queued", job(chosen).status);
    assertNotNull(replayedAt(chosen), "the replay's time tells older copies apart");
  }

  @Test
  void aReplayIsAuditedWithWhatMovedAndWhatWasSkipped() {
    UUID id = dead.deadWithMessage(TYPE, DeadJobs.minutesAgo(1));
    UUID unknown = UUID.randomUUID();
    admin()
        .body("{\"jobIds\":[\"" + id + "\",\"" + unknown + "\"]}")
        .post(REPLAY)
        .then()
        .statusCode(200);
    String details =
        QuarkusTransaction.requiringNew()
            .call(
                () ->
                    (String)
                        em.createNativeQuery(
                                "select cast(details as text) from audit_events where action ="
                                    + " 'dead-letters.replayed' order by id desc limit 1")
                            .getSingleResult());
    assertTrue(details.contains(id.toString()), details);
    assertTrue(details.contains(unknown.toString()), details);
  }

  @Test
  void replayingTheSameJobTwicePublishesItOnce() {
    UUID id = dead.deadWithMessage(TYPE, DeadJobs.minutesAgo(1));
    String body = "{\"jobIds\":[\"" + id + "\"]}";
    admin().body(body).post(REPLAY).then().statusCode(200).body("replayed", hasSize(1));
    admin()
        .body(body)
        .post(REPLAY)
        .then()
        .statusCode(200)
        .body("replayed", empty())
        .body("skipped[0].jobId", equalTo(id.toString()))
        .body("skipped[0].reason", containsString("queued"));
    assertEquals(1, broker().depth(WORK), "the second replay published nothing");
  }

  @Test
  void twoConcurrentReplaysOfOneJobPublishItOnce() {
    UUID id = dead.deadWithMessage(TYPE, DeadJobs.minutesAgo(1));
    String body = "{\"jobIds\":[\"" + id + "\"]}";
    List<CompletableFuture<JsonPath>> calls = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      calls.add(
          CompletableFuture.supplyAsync(
              () -> admin().body(body).post(REPLAY).then().statusCode(200).extract().jsonPath()));
    }
    int replayed = 0;
    int skipped = 0;
    for (CompletableFuture<JsonPath> call : calls) {
      JsonPath result = call.join();
      replayed += result.getList("replayed").size();
      skipped += result.getList("skipped").size();
    }
    assertEquals(1, replayed, "exactly one replay wins");
    assertEquals(1, skipped, "the other sees the job queued");
    assertEquals(1, broker().depth(WORK));
    assertEquals("queued", job(id).status);
  }

  @Test
  void aDeadJobWhoseMessageIsGoneIsRepublishedFromTheLedger() throws Exception {
    byte[] payload = DeadJobs.body(TYPE);
    UUID purged = dead.deadInLedger(TYPE, DeadJobs.minutesAgo(2), DeadJobs.ERROR, payload);
    UUID noPayload = dead.deadInLedger(TYPE, DeadJobs.minutesAgo(1), "lost", null);
    UUID unknown = UUID.randomUUID();

    admin()
        .body(
            "{\"jobIds\":[\""
                + purged
                + "\",\""
                + noPayload
                + "\",\""
                + unknown
                + "\",\""
                + purged
                + "\"]}")
        .post(REPLAY)
        .then()
        .statusCode(200)
        .body("replayed.jobId", containsInAnyOrder(purged.toString()))
        .body("replayed[0].source", equalTo("ledger"))
        .body("skipped.jobId", containsInAnyOrder(noPayload.toString(), unknown.toString()))
        .body("skipped.reason", hasItem(containsString("no payload")))
        .body("skipped.reason", hasItem("no such job"));

    GetResponse message = broker().take(WORK);
    assertNotNull(message, "republished from the ledger payload");
    assertEquals(purged.toString(), message.getProps().getMessageId());
    assertEquals("1", BrokerProbe.header(message, Topology.ATTEMPT));
    assertEquals("key-" + purged, BrokerProbe.header(message, Topology.IDEMPOTENCY_KEY));
    assertEquals(json.readTree(payload), json.readTree(message.getBody()));
    assertNull(broker().take(WORK), "a repeated id is replayed once");
    assertEquals("queued", job(purged).status);
    assertEquals("dead", job(noPayload).status, "nothing to publish: it stays dead");
  }

  @Test
  void aTypeReplayMovesItsOldestDeadJobsUpToTheLimit() {
    String type = JobType.FEED_RETRACT;
    UUID oldest = dead.deadWithMessage(type, DeadJobs.minutesAgo(30));
    UUID older = dead.deadWithMessage(type, DeadJobs.minutesAgo(20));
    UUID newest = dead.deadWithMessage(type, DeadJobs.minutesAgo(10));
    UUID otherType = dead.deadWithMessage(TYPE, DeadJobs.minutesAgo(40));
    UUID unreplayable = dead.deadInLedger(type, DeadJobs.minutesAgo(60), "lost", null);

    admin()
        .body("{\"type\":\"" + type + "\",\"limit\":2}")
        .post(REPLAY)
        .then()
        .statusCode(200)
        .body("replayed.jobId", containsInAnyOrder(oldest.toString(), older.toString()))
        .body("skipped", empty());

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> broker().depth(Topology.workQueue(type)) == 2);
    assertEquals("dead", job(newest).status);
    assertEquals("dead", job(otherType).status);
    assertEquals(0, broker().depth(WORK), "another type's dead jobs are not touched");

    // The oldest row has neither message nor payload: it comes last, so it never blocks the rest.
    admin()
        .body("{\"type\":\"" + type + "\",\"limit\":2}")
        .post(REPLAY)
        .then()
        .statusCode(200)
        .body("replayed.jobId", equalTo(List.of(newest.toString())))
        .body("replayed[0].source", equalTo("ledger"))
        .body("skipped.jobId", equalTo(List.of(unreplayable.toString())));
    assertEquals("dead", job(unreplayable).status);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "nothing chosen | {} | jobIds",
        "both ids and type | {\"jobIds\":[\"%s\"],\"type\":\"digest.build\"} | jobIds",
        "no ids | {\"jobIds\":[]} | jobIds",
        "ids not a list | {\"jobIds\":\"%s\"} | jobIds",
        "id not a UUID | {\"jobIds\":[\"%s\",\"nope\"]} | jobIds[1]",
        "null id | {\"jobIds\":[null]} | jobIds[0]",
        "limit with ids | {\"jobIds\":[\"%s\"],\"limit\":2} | limit",
        "unknown type | {\"type\":\"no.such.type\"} | type",
        "limit zero | {\"type\":\"digest.build\",\"limit\":0} | limit",
        "limit too large | {\"type\":\"digest.build\",\"limit\":1001} | limit",
        "limit not a number | {\"type\":\"digest.build\",\"limit\":\"all\"} | limit",
        "unknown field | {\"jobIds\":[\"%s\"],\"force\":true} | force",
      })
  void aBadReplayRequestIs400NamingTheFieldAndMovesNothing(String name, String body, String field) {
    UUID id = dead.deadWithMessage(TYPE, DeadJobs.minutesAgo(1));
    admin()
        .body(body.replace("%s", id.toString()))
        .post(REPLAY)
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("status", equalTo(400))
        .body("errors.field", hasItem(field));
    assertEquals("dead", job(id).status, name);
    assertEquals(1, broker().depth(DLQ), name);
    assertEquals(0, broker().depth(WORK), name);
  }

  @Test
  void malformedEmptyAndNonJsonBodiesAreRefusedWithAProblem() {
    admin()
        .body("{\"jobIds\":")
        .post(REPLAY)
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("detail", containsString("not valid JSON"));
    admin().body("").post(REPLAY).then().statusCode(400).contentType("application/problem+json");
    admin()
        .contentType("text/plain")
        .body("replay everything")
        .post(REPLAY)
        .then()
        .statusCode(415)
        .contentType("application/problem+json");
  }

  private Object replayedAt(UUID id) {
    return QuarkusTransaction.requiringNew()
        .call(
            () ->
                em.createNativeQuery("select replayed_at from jobs where id = ?1")
                    .setParameter(1, id)
                    .getSingleResult());
  }

  private Job job(UUID id) {
    return QuarkusTransaction.requiringNew().call(() -> Job.<Job>findById(id));
  }
}
