package io.pulse.common.messaging;

import com.rabbitmq.client.AMQP;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A job as it travels on the broker: AMQP properties carry the job id ({@code message_id}), type,
 * timestamp and our headers; the body is the payload record as JSON.
 */
public record JobMessage(
    UUID jobId,
    String type,
    int attempt,
    String idempotencyKey,
    String traceparent,
    Instant createdAt,
    byte[] body) {

  public static final String CONTENT_TYPE = "application/json";

  public JobMessage withAttempt(int next) {
    return new JobMessage(jobId, type, next, idempotencyKey, traceparent, createdAt, body);
  }

  public AMQP.BasicProperties properties(Map<String, Object> extraHeaders) {
    Map<String, Object> headers = new HashMap<>(extraHeaders);
    headers.put(Topology.ATTEMPT, attempt);
    headers.put(Topology.CREATED_AT, createdAt.toEpochMilli());
    if (idempotencyKey != null) {
      headers.put(Topology.IDEMPOTENCY_KEY, idempotencyKey);
    }
    if (traceparent != null) {
      headers.put(Topology.TRACEPARENT, traceparent);
    }
    return new AMQP.BasicProperties.Builder()
        .messageId(jobId.toString())
        .type(type)
        .contentType(CONTENT_TYPE)
        .deliveryMode(2)
        .timestamp(Date.from(createdAt))
        .headers(headers)
        .build();
  }

  /**
   * Reads what a delivery says about its job. Missing properties get safe values (a new id, attempt
   * 1) so a hand-published message can still be dead-lettered with a reason.
   */
  public static JobMessage from(String routingKey, AMQP.BasicProperties props, byte[] body) {
    Map<String, Object> headers = props.getHeaders() == null ? Map.of() : props.getHeaders();
    UUID id = parseUuid(props.getMessageId());
    String type = props.getType() != null ? props.getType() : routingKey;
    Instant created = createdAt(headers.get(Topology.CREATED_AT), props);
    return new JobMessage(
        id,
        type,
        intHeader(headers.get(Topology.ATTEMPT), 1),
        stringHeader(headers.get(Topology.IDEMPOTENCY_KEY)),
        stringHeader(headers.get(Topology.TRACEPARENT)),
        created,
        body);
  }

  private static Instant createdAt(Object millis, AMQP.BasicProperties props) {
    if (millis instanceof Number n) {
      return Instant.ofEpochMilli(n.longValue());
    }
    return props.getTimestamp() != null ? props.getTimestamp().toInstant() : Instant.now();
  }

  public static int intHeader(Object value, int fallback) {
    if (value instanceof Number n) {
      return n.intValue();
    }
    if (value != null) {
      try {
        return Integer.parseInt(value.toString());
      } catch (NumberFormatException e) {
        return fallback;
      }
    }
    return fallback;
  }

  public static String stringHeader(Object value) {
    return value == null ? null : value.toString();
  }

  private static UUID parseUuid(String value) {
    if (value != null) {
      try {
        return UUID.fromString(value);
      } catch (IllegalArgumentException e) {
        // fall through: a message without a usable id still gets a ledger row of its own
      }
    }
    return UUID.randomUUID();
  }
}
