package io.pulse.common.messaging;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The broker layout, in one place: exchange, queue and header names, and the idempotent declaration
 * that both apps run at start-up. Declaring the same thing twice is a no-op for RabbitMQ, so a
 * restart changes nothing; declaring it with other arguments fails loudly (PRECONDITION_FAILED).
 */
public final class Topology {
  public static final String JOBS_EXCHANGE = "pulse.jobs";
  public static final String RETRY_EXCHANGE = "pulse.retry";
  public static final String DEAD_EXCHANGE = "pulse.dead";

  /**
   * Topic exchange of inbox events ({@code notification.created}, {@code .read}, {@code
   * .recalled}), routed by {@link #eventRoutingKey}. Hints for live clients, never the record: no
   * queue of ours is bound to it; each API instance binds an exclusive queue of its own.
   */
  public static final String EVENTS_EXCHANGE = "pulse.events";

  // Our own headers never start with "x-": RabbitMQ reserves those, and its x-death counting
  // changed in 4.0, so the attempt count is kept by us.
  public static final String ATTEMPT = "pulse-attempt";
  public static final String IDEMPOTENCY_KEY = "pulse-idempotency-key";
  public static final String TRACEPARENT = "traceparent";
  public static final String DELAY = "pulse-delay";

  /** Acceptance time in epoch milliseconds: the AMQP timestamp property holds whole seconds. */
  public static final String CREATED_AT = "pulse-created-at";

  public static final String ERROR_CLASS = "pulse-error-class";
  public static final String ERROR_MESSAGE = "pulse-error-message";
  public static final String ERROR_ATTEMPTS = "pulse-error-attempts";
  public static final String ERROR_QUEUE = "pulse-error-queue";
  public static final String ERROR_FAILED_AT = "pulse-error-failed-at";
  public static final String ERROR_JOB_ID = "pulse-error-job-id";
  public static final String ERROR_STACK = "pulse-error-stack";

  /**
   * How many times the dead-letter reconciler put this job back on its work queue after the
   * broker's delivery limit parked it before any handler ran it.
   */
  public static final String LIMIT_REQUEUES = "pulse-limit-requeues";

  /** Set by quorum queues on redelivery; read to tell a crash loop from a first delivery. */
  public static final String DELIVERY_COUNT = "x-delivery-count";

  private final List<Duration> retryTiers;
  private final int deliveryLimit;
  private final Duration deadLetterTtl;

  public Topology(List<Duration> retryTiers, int deliveryLimit, Duration deadLetterTtl) {
    if (retryTiers.isEmpty()) {
      throw new IllegalArgumentException("at least one retry tier is needed");
    }
    this.retryTiers = retryTiers.stream().sorted().toList();
    this.deliveryLimit = deliveryLimit;
    this.deadLetterTtl = deadLetterTtl;
  }

  public List<Duration> retryTiers() {
    return retryTiers;
  }

  public int deliveryLimit() {
    return deliveryLimit;
  }

  public static String workQueue(String type) {
    return "pulse." + type;
  }

  public static String deadLetterQueue(String type) {
    return "pulse." + type + ".dlq";
  }

  /** The routing key of one user's inbox events: {@code user.42}. */
  public static String eventRoutingKey(long userId) {
    return EVENT_ROUTING_PREFIX + userId;
  }

  /** The user an event's routing key names ({@link #eventRoutingKey}), or -1 when it names none. */
  public static long eventRoutingUser(String routingKey) {
    if (routingKey == null || !routingKey.startsWith(EVENT_ROUTING_PREFIX)) {
      return -1;
    }
    try {
      return Long.parseLong(routingKey.substring(EVENT_ROUTING_PREFIX.length()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static final String EVENT_ROUTING_PREFIX = "user.";

  public static String retryQueue(Duration tier) {
    return "pulse.retry." + tierName(tier);
  }

  /** "250ms", "5s", "2m", "1h": the suffix of a tier queue and the value of its binding header. */
  public static String tierName(Duration tier) {
    long millis = tier.toMillis();
    if (millis % 3_600_000 == 0) {
      return millis / 3_600_000 + "h";
    }
    if (millis % 60_000 == 0) {
      return millis / 60_000 + "m";
    }
    if (millis % 1000 == 0) {
      return millis / 1000 + "s";
    }
    return millis + "ms";
  }

  /**
   * Declares exchanges (the events exchange too), retry tiers and, for each job type, its work
   * queue and dead-letter queue.
   */
  public void declare(Channel channel, Collection<String> jobTypes) throws IOException {
    channel.exchangeDeclare(JOBS_EXCHANGE, BuiltinExchangeType.DIRECT, true);
    channel.exchangeDeclare(RETRY_EXCHANGE, BuiltinExchangeType.HEADERS, true);
    channel.exchangeDeclare(DEAD_EXCHANGE, BuiltinExchangeType.DIRECT, true);
    channel.exchangeDeclare(EVENTS_EXCHANGE, BuiltinExchangeType.TOPIC, true);
    for (Duration tier : retryTiers) {
      declareRetryTier(channel, tier);
    }
    for (String type : jobTypes) {
      declareJobType(channel, type);
    }
  }

  private void declareRetryTier(Channel channel, Duration tier) throws IOException {
    Map<String, Object> args = quorumArgs();
    args.put("x-message-ttl", tier.toMillis());
    // No dead-letter routing key: an expired message keeps its job type as routing key and so
    // returns to its own work queue.
    args.put("x-dead-letter-exchange", JOBS_EXCHANGE);
    String queue = retryQueue(tier);
    channel.queueDeclare(queue, true, false, false, args);
    channel.queueBind(queue, RETRY_EXCHANGE, "", Map.of("x-match", "all", DELAY, tierName(tier)));
  }

  private void declareJobType(Channel channel, String type) throws IOException {
    Map<String, Object> work = quorumArgs();
    work.put("x-dead-letter-exchange", DEAD_EXCHANGE);
    work.put("x-delivery-limit", deliveryLimit);
    channel.queueDeclare(workQueue(type), true, false, false, work);
    channel.queueBind(workQueue(type), JOBS_EXCHANGE, type);

    // No TTL argument: how long a dead letter stays is the policy's (deadLetterPolicy), which can
    // change on a running broker, where a queue argument is fixed once the queue exists.
    channel.queueDeclare(
        deadLetterQueue(type), true, false, false, Map.of("x-queue-type", "quorum"));
    channel.queueBind(deadLetterQueue(type), DEAD_EXCHANGE, type);
  }

  /** A RabbitMQ policy as the management API and definitions files write it. */
  public record Policy(
      String name, String pattern, String applyTo, int priority, Map<String, Object> definition) {}

  /** The name of {@link #deadLetterPolicy()}. */
  public static final String DEAD_LETTER_POLICY = "pulse-dead-letters";

  /**
   * Every {@code pulse.<type>.dlq}: a dead letter expires after {@code dead-letter-ttl}, as long as
   * the ledger keeps a dead job, so a DLQ never grows without bound. A policy rather than a queue
   * argument, so the retention can change on a running broker; the workers set it at start and the
   * definitions file carries it.
   */
  public Policy deadLetterPolicy() {
    return new Policy(
        DEAD_LETTER_POLICY,
        "^pulse\\..+\\.dlq$",
        "queues",
        0,
        Map.of("message-ttl", deadLetterTtl.toMillis()));
  }

  private static Map<String, Object> quorumArgs() {
    Map<String, Object> args = new HashMap<>();
    args.put("x-queue-type", "quorum");
    // Quorum queues dead-letter at-most-once unless told otherwise; a retry tier hands every
    // message back by dead-lettering, so it must not drop one on a broker hiccup.
    args.put("x-dead-letter-strategy", "at-least-once");
    args.put("x-overflow", "reject-publish");
    return args;
  }
}
