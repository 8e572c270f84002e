package io.pulse.api;

import io.pulse.common.messaging.JobMessage;
import io.pulse.common.messaging.Topology;
import io.pulse.common.testing.BrokerProbe;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Makes dead jobs the way the workers leave them, without running a worker: a {@code dead} ledger
 * row and, unless asked otherwise, its dead letter with {@code pulse-error-*} headers in the type's
 * dead-letter queue.
 */
final class DeadJobs {
  static final String ERROR = "java.io.IOException: connection reset <- caused by boom";
  static final int ATTEMPTS = 8;

  private final EntityManager em;
  private final BrokerProbe broker;

  DeadJobs(EntityManager em, BrokerProbe broker) {
    this.em = em;
    this.broker = broker;
  }

  /** A dead job with its dead letter. */
  UUID deadWithMessage(String type, Instant failedAt) {
    byte[] body = body(type);
    UUID id = deadInLedger(type, failedAt, ERROR, body);
    publishDeadLetter(id, type, body);
    return id;
  }

  /** A dead ledger row only, as after an operator purged the dead-letter queue. */
  UUID deadInLedger(String type, Instant failedAt, String lastError, byte[] payload) {
    UUID id = UUID.randomUUID();
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                em.createNativeQuery(
                        """
                        insert into jobs (id, type, status, idempotency_key, payload, attempts,
                                          last_error, traceparent, created_at, updated_at,
                                          published_at, finished_at)
                        values (?1, ?2, 'dead', ?3, cast(?4 as jsonb), ?5, ?6, ?7,
                                ?8, ?9, ?8, ?9)
                        """)
                    .setParameter(1, id)
                    .setParameter(2, type)
                    .setParameter(3, "key-" + id)
                    .setParameter(
                        4, payload == null ? null : new String(payload, StandardCharsets.UTF_8))
                    .setParameter(5, ATTEMPTS)
                    .setParameter(6, lastError)
                    .setParameter(7, traceparent(id))
                    .setParameter(8, failedAt.minus(1, ChronoUnit.HOURS).atOffset(ZoneOffset.UTC))
                    .setParameter(9, failedAt.atOffset(ZoneOffset.UTC))
                    .executeUpdate());
    return id;
  }

  /** The dead letter the workers' FailureRouter publishes for a job out of attempts. */
  void publishDeadLetter(UUID id, String type, byte[] body) {
    Map<String, Object> errors = new HashMap<>();
    errors.put(Topology.ERROR_CLASS, "java.io.IOException");
    errors.put(Topology.ERROR_MESSAGE, ERROR);
    errors.put(Topology.ERROR_ATTEMPTS, ATTEMPTS);
    errors.put(Topology.ERROR_QUEUE, Topology.workQueue(type));
    errors.put(Topology.ERROR_FAILED_AT, Instant.now().toString());
    errors.put(Topology.ERROR_JOB_ID, id.toString());
    errors.put(Topology.ERROR_STACK, "java.io.IOException: connection reset\n\tat Test");
    JobMessage message =
        new JobMessage(id, type, ATTEMPTS, "key-" + id, traceparent(id), Instant.now(), body);
    broker.publish(Topology.DEAD_EXCHANGE, type, message.properties(errors), body);
  }

  /** Dead jobs to be made after removing what earlier tests left of these types. */
  static DeadJobs clearing(EntityManager em, BrokerProbe broker, String... types) {
    DeadJobs dead = new DeadJobs(em, broker);
    for (String type : types) {
      dead.clear(type);
    }
    return dead;
  }

  /** Removes this type's ledger rows and both its queues' messages. */
  private void clear(String type) {
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                em.createNativeQuery("delete from jobs where type = ?1")
                    .setParameter(1, type)
                    .executeUpdate());
    broker.purge(Topology.workQueue(type));
    broker.purge(Topology.deadLetterQueue(type));
  }

  static byte[] body(String type) {
    return ("{\"about\":\"" + type + "\",\"n\":" + System.nanoTime() + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Whole seconds, so what PostgreSQL stores is exactly what the API answers. */
  static Instant minutesAgo(int minutes) {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(minutes, ChronoUnit.MINUTES);
  }

  private static String traceparent(UUID id) {
    return "00-" + id.toString().replace("-", "") + "-00f067aa0ba902b7-01";
  }
}
