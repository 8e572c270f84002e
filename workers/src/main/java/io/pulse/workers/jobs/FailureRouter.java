package io.pulse.workers.jobs;

import io.pulse.common.jobs.JobLedger;
import io.pulse.common.jobs.JobMetrics;
import io.pulse.common.messaging.ConfirmingPublisher;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.messaging.Topology;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.logging.Logger;

/**
 * Sends a failed job where it belongs: the next delay tier of {@code pulse.retry} while attempts
 * remain and the failure is retryable, otherwise {@code pulse.dead} with {@code pulse-error-*}
 * headers an operator can read in the console. The ledger follows: {@code retrying} then {@code
 * dead}. Publishes are confirmed before the caller acks the original delivery.
 */
@ApplicationScoped
public class FailureRouter {
  private static final Logger LOG = Logger.getLogger(FailureRouter.class);
  static final int MAX_ERROR_CHARS = 2_000;

  /** A stack trace header is capped well below the broker's frame size. */
  static final int MAX_STACK_CHARS = 8_000;

  private final ConfirmingPublisher publisher;
  private final Topology topology;
  private final JobLedger ledger;
  private final JobMetrics metrics;

  public FailureRouter(
      ConfirmingPublisher publisher, Topology topology, JobLedger ledger, JobMetrics metrics) {
    this.publisher = publisher;
    this.topology = topology;
    this.ledger = ledger;
    this.metrics = metrics;
  }

  /** Routes the failure; returns true when the job is now dead. */
  public boolean failed(JobMessage message, RetryPolicy policy, Throwable failure) {
    String error = FailureClassifier.describe(failure, MAX_ERROR_CHARS);
    boolean permanent = FailureClassifier.isPermanent(failure);
    if (permanent || policy.exhausted(message.attempt())) {
      deadLetter(message, failure, error);
      return true;
    }
    Duration backoff = policy.backoff(message.attempt(), ThreadLocalRandom.current()::nextDouble);
    Duration tier = tierFor(backoff, failure);
    JobMessage next = message.withAttempt(message.attempt() + 1);
    publisher.publish(
        Topology.RETRY_EXCHANGE,
        message.type(),
        next.properties(Map.of(Topology.DELAY, Topology.tierName(tier))),
        message.body());
    recordQuietly(message, () -> ledger.retrying(message, error, Instant.now().plus(tier)));
    metrics.completed(message.type(), "retried");
    LOG.warnf(
        "job %s type %s attempt %d failed, retry in %s: %s",
        message.jobId(), message.type(), message.attempt(), Topology.tierName(tier), error);
    return false;
  }

  /**
   * The backoff's tier, or, when the other side asked for a longer wait (Retry-After), the shortest
   * tier that waits at least that long.
   */
  private Duration tierFor(Duration backoff, Throwable failure) {
    Duration tier = RetryPolicy.tierFor(backoff, topology.retryTiers());
    Duration asked = RetryLaterException.requestedWait(failure).orElse(Duration.ZERO);
    return asked.compareTo(tier) > 0 ? RetryPolicy.tierAtLeast(asked, topology.retryTiers()) : tier;
  }

  public void deadLetter(JobMessage message, Throwable failure, String error) {
    Map<String, Object> headers = new HashMap<>();
    headers.put(Topology.ERROR_CLASS, failure.getClass().getName());
    headers.put(Topology.ERROR_MESSAGE, error);
    headers.put(Topology.ERROR_ATTEMPTS, message.attempt());
    headers.put(Topology.ERROR_QUEUE, Topology.workQueue(message.type()));
    headers.put(Topology.ERROR_FAILED_AT, Instant.now().toString());
    headers.put(Topology.ERROR_JOB_ID, message.jobId().toString());
    headers.put(Topology.ERROR_STACK, boundedStack(failure));
    publisher.publish(
        Topology.DEAD_EXCHANGE, message.type(), message.properties(headers), message.body());
    recordQuietly(message, () -> ledger.dead(message, error));
    metrics.completed(message.type(), "dead");
    LOG.errorf(
        "job %s type %s is dead after %d attempt(s): %s",
        message.jobId(), message.type(), message.attempt(), error);
  }

  /**
   * The message is already safe on the broker when this runs; a ledger that cannot be written now
   * (database restarting) must not turn into a nack and a second retry message.
   */
  private static void recordQuietly(JobMessage message, Runnable write) {
    try {
      write.run();
    } catch (RuntimeException e) {
      LOG.warnf(
          e,
          "job %s type %s: could not record the failure in the ledger",
          message.jobId(),
          message.type());
    }
  }

  private static String boundedStack(Throwable failure) {
    StringWriter out = new StringWriter();
    failure.printStackTrace(new PrintWriter(out));
    String stack = out.toString();
    return stack.length() > MAX_STACK_CHARS ? stack.substring(0, MAX_STACK_CHARS) : stack;
  }
}
