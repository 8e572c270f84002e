package io.pulse.workers.deadletters;

import com.rabbitmq.client.AMQP;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.messaging.Topology;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a reconciler pass needs of one dead letter: whose it is, when and why it died, and its body
 * (the payload of a job whose ledger row has none).
 *
 * @param deadAt when it was dead-lettered: our {@code pulse-error-failed-at}, else the broker's
 *     {@code x-death} time (whole seconds); null when it carries neither
 * @param brokerReason the reason of the newest {@code x-death} entry ({@code delivery_limit},
 *     {@code rejected}, ...), null when the broker did not dead-letter it
 * @param error our {@code pulse-error-message}, null on a copy the broker parked
 * @param limitRequeues how often the reconciler already requeued this job after the delivery limit
 *     parked it unstarted ({@code pulse-limit-requeues})
 * @param properties the message's properties, from which a requeue rebuilds the job's message
 */
record DeadLetterCopy(
    long tag,
    UUID jobId,
    Instant deadAt,
    String brokerReason,
    String brokerQueue,
    String error,
    int limitRequeues,
    AMQP.BasicProperties properties,
    byte[] body) {

  static final String DELIVERY_LIMIT = "delivery_limit";

  /** The broker dead-lettered it after {@code x-delivery-limit} failed deliveries. */
  boolean parkedByDeliveryLimit() {
    return DELIVERY_LIMIT.equals(brokerReason);
  }

  /** Published by a worker's failure router, with its error headers. */
  boolean deadLetteredByWorker() {
    return error != null;
  }

  static DeadLetterCopy of(long tag, AMQP.BasicProperties props, byte[] body) {
    Map<String, Object> headers = props.getHeaders() == null ? Map.of() : props.getHeaders();
    UUID id = uuid(props.getMessageId());
    if (id == null) {
      id = uuid(JobMessage.stringHeader(headers.get(Topology.ERROR_JOB_ID)));
    }
    Instant deadAt = instant(JobMessage.stringHeader(headers.get(Topology.ERROR_FAILED_AT)));
    String reason = null;
    String queue = null;
    // The newest x-death entry comes first.
    if (headers.get("x-death") instanceof List<?> deaths
        && !deaths.isEmpty()
        && deaths.get(0) instanceof Map<?, ?> death) {
      reason = JobMessage.stringHeader(death.get("reason"));
      queue = JobMessage.stringHeader(death.get("queue"));
      if (deadAt == null && death.get("time") instanceof Date time) {
        deadAt = time.toInstant();
      }
    }
    return new DeadLetterCopy(
        tag,
        id,
        deadAt,
        reason,
        queue,
        JobMessage.stringHeader(headers.get(Topology.ERROR_MESSAGE)),
        JobMessage.intHeader(headers.get(Topology.LIMIT_REQUEUES), 0),
        props,
        body);
  }

  private static UUID uuid(String value) {
    if (value == null) {
      return null;
    }
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static Instant instant(String value) {
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
