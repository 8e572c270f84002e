package io.pulse.api;

import static io.pulse.api.ApiTestSupport.admin;
import static io.pulse.api.ApiTestSupport.broker;
import static io.pulse.api.ApiTestSupport.one;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.GetResponse;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.pulse.common.jobs.JobType;
import io.pulse.common.messaging.Topology;
import io.pulse.common.testing.BrokerProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A job continues the trace of the request that enqueued it: its ledger row and its message carry
 * the context of the request's server span, which continues the caller's {@code traceparent}.
 */
@QuarkusTest
class TracingTest {
  static final String QUEUE = Topology.workQueue(JobType.NOTIFICATION_DISPATCH);
  static final String W3C = "00-[0-9a-f]{32}-[0-9a-f]{16}-01";

  @Inject EntityManager em;
  @Inject InMemorySpanExporter spans;

  @BeforeEach
  void emptyQueue() {
    broker().purge(QUEUE);
  }

  @Test
  void theJobIsAChildOfTheRequestsServerSpanInTheCallersTrace() {
    String trace = hex(16);
    String callerSpan = hex(8);

    String[] stored =
        enqueue(admin().header("traceparent", "00-" + trace + "-" + callerSpan + "-01"));

    assertEquals(trace, stored[1], "the caller's trace id");
    SpanData server = awaitServerSpan(trace);
    assertEquals(callerSpan, server.getParentSpanId(), "the server span continues the caller's");
    assertEquals(server.getSpanId(), stored[2], "the job's parent is the request's server span");
  }

  @Test
  void withoutATraceparentTheRequestStartsANewTraceAndTheJobCarriesIt() {
    String[] stored = enqueue(admin());

    SpanData server = awaitServerSpan(stored[1]);
    assertFalse(server.getParentSpanContext().isValid(), "a new trace");
    assertEquals(server.getSpanId(), stored[2]);
  }

  @Test
  void aMalformedTraceparentIsIgnoredAndTheRequestStartsANewTrace() {
    String zeros = "0".repeat(32);
    for (String bad :
        new String[] {"00-zz-not-a-trace", "00-" + zeros + "-" + hex(8) + "-01", "garbage"}) {
      String[] stored = enqueue(admin().header("traceparent", bad));

      assertNotEquals(zeros, stored[1], bad);
      assertFalse(awaitServerSpan(stored[1]).getParentSpanContext().isValid(), bad);
    }
  }

  /** Posts a notification and returns its ledger traceparent split at the dashes. */
  private String[] enqueue(RequestSpecification request) {
    String jobId =
        request
            .body(NotificationResourceTest.valid())
            .when()
            .post("/api/v1/notifications")
            .then()
            .statusCode(202)
            .extract()
            .path("jobId");
    String stored = one(em, "select traceparent from jobs where id = '" + jobId + "'");
    assertTrue(stored.matches(W3C), stored);
    GetResponse message = broker().take(QUEUE);
    assertNotNull(message);
    assertEquals(stored, BrokerProbe.header(message, Topology.TRACEPARENT), "message = ledger");
    return stored.split("-");
  }

  private SpanData awaitServerSpan(String trace) {
    return await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                spans.getFinishedSpanItems().stream()
                    .filter(s -> s.getTraceId().equals(trace) && s.getKind() == SpanKind.SERVER)
                    .findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }

  private static String hex(int bytes) {
    byte[] random = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(random);
    return HexFormat.of().formatHex(random);
  }
}
