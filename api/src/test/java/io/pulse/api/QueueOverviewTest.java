package io.pulse.api;

import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.broker;
import static io.pulse.api.ApiTestSupport.queueOverviewWhen;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.messaging.Topology;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class QueueOverviewTest {
  static final String TYPE = JobType.NOTIFICATION_EMAIL;
  @Inject Topology topology;

  @AfterEach
  void empty() {
    broker().requeueHeld();
    broker().purge(Topology.workQueue(TYPE));
    broker().purge(Topology.deadLetterQueue(TYPE));
  }

  @Test
  void showsEachJobTypesReadyUnackedAndDeadMessagesAsTheBrokerCountsThem() {
    broker().purge(Topology.workQueue(TYPE));
    broker().purge(Topology.deadLetterQueue(TYPE));
    publish(Topology.JOBS_EXCHANGE);
    publish(Topology.JOBS_EXCHANGE);
    publish(Topology.DEAD_EXCHANGE);
    assertNotNull(broker().hold(Topology.workQueue(TYPE)), "one message taken and not acked");

    JsonPath overview =
        queueOverviewWhen(
            o ->
                Long.valueOf(1).equals(figure(o, "ready"))
                    && Long.valueOf(1).equals(figure(o, "unacked"))
                    && Long.valueOf(1).equals(figure(o, "deadLetters")));

    assertEquals(JobType.ALL, overview.getList("queues.type"));
    Map<String, Object> email = overview.getMap("queues.find { it.type == '" + TYPE + "' }");
    assertEquals(Topology.workQueue(TYPE), email.get("queue"));
    assertEquals(Topology.deadLetterQueue(TYPE), email.get("deadLetterQueue"));
    // No workers run in the API tests, but a quorum queue counts an unsettled basic.get as a
    // consumer, so the figure is only known to be there.
    assertTrue(email.get("consumers") instanceof Number, "consumers: " + email);
    List<String> tiers = topology.retryTiers().stream().map(Topology::tierName).toList();
    assertEquals(tiers, overview.getList("retryTiers.delay"));
    admin()
        .get("/api/v1/admin/queues")
        .then()
        .body(
            "retryTiers.queue",
            containsInAnyOrder(topology.retryTiers().stream().map(Topology::retryQueue).toArray()))
        .body("retryTiers.messages", org.hamcrest.Matchers.everyItem(equalTo(0)));
  }

  private static Long figure(JsonPath overview, String name) {
    Object value = overview.get("queues.find { it.type == '" + TYPE + "' }." + name);
    return value == null ? null : ((Number) value).longValue();
  }

  private static void publish(String exchange) {
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    JobMessage message =
        new JobMessage(UUID.randomUUID(), TYPE, 1, null, null, Instant.now(), body);
    broker().publish(exchange, TYPE, message.properties(Map.of()), body);
  }
}
