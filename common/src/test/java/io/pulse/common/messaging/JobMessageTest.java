package io.pulse.common.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.rabbitmq.client.AMQP;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A job message read back from the properties it was published with. */
class JobMessageTest {
  @Test
  void theAcceptanceTimeKeepsItsMilliseconds() {
    Instant accepted = Instant.parse("2026-12-01T08:00:00.789Z");
    JobMessage sent =
        new JobMessage(
            UUID.randomUUID(),
            "notification.dispatch",
            2,
            "notifications k",
            null,
            accepted,
            "{}".getBytes(StandardCharsets.UTF_8));

    JobMessage read = JobMessage.from(sent.type(), sent.properties(Map.of()), sent.body());

    // The AMQP timestamp holds whole seconds; the latency metric needs the header's milliseconds.
    assertEquals(accepted, read.createdAt());
    assertEquals(sent.jobId(), read.jobId());
    assertEquals(2, read.attempt());
    assertEquals("notifications k", read.idempotencyKey());
  }

  @Test
  void aMessageWithoutTheHeaderFallsBackToTheAmqpTimestamp() {
    Instant seconds = Instant.parse("2026-12-01T08:00:00Z");
    AMQP.BasicProperties props =
        new AMQP.BasicProperties.Builder()
            .messageId(UUID.randomUUID().toString())
            .timestamp(java.util.Date.from(seconds))
            .build();
    assertEquals(seconds, JobMessage.from("x", props, new byte[0]).createdAt());
  }
}
