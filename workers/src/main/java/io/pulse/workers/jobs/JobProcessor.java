package io.pulse.workers.jobs;

import io.pulse.common.jobs.JobCodec;
import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobMetrics;
import io.pulse.common.jobs.JobStatus;
import io.pulse.common.messaging.JobMessage;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Validator;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Runs one delivery to the end, short of the ack: decode, claim the ledger row, run the handler and
 * mark the job succeeded in one transaction, or route the failure. When this returns, the delivery
 * may be acked. An {@link Error} (the worker itself is broken) is not caught: the consumer dies,
 * the message returns to the queue, and the queue's delivery limit stops a crash loop.
 */
@ApplicationScoped
public class JobProcessor {
  private static final Logger LOG = Logger.getLogger(JobProcessor.class);

  private final Map<String, JobHandler<?>> handlers = new HashMap<>();
  private final JobsConfig config;
  private final JobLedger ledger;
  private final FailureRouter failures;
  private final JobMetrics metrics;
  private final Validator validator;
  private final JobEnqueuer enqueuer;

  public JobProcessor(
      Instance<JobHandler<?>> handlers,
      JobsConfig config,
      JobLedger ledger,
      FailureRouter failures,
      JobMetrics metrics,
      Validator validator,
      JobEnqueuer enqueuer) {
    for (JobHandler<?> handler : handlers) {
      JobHandler<?> clash = this.handlers.put(handler.type(), handler);
      if (clash != null) {
        throw new IllegalStateException("two handlers for job type " + handler.type());
      }
    }
    this.config = config;
    this.ledger = ledger;
    this.failures = failures;
    this.metrics = metrics;
    this.validator = validator;
    this.enqueuer = enqueuer;
  }

  public Set<String> types() {
    return handlers.keySet();
  }

  public void process(JobMessage message, long deliveryCount) {
    MDC.put("jobId", message.jobId().toString());
    MDC.put("jobType", message.type());
    try {
      run(message, deliveryCount);
    } finally {
      MDC.remove("jobId");
      MDC.remove("jobType");
    }
  }

  private void run(JobMessage message, long deliveryCount) {
    RetryPolicy policy = config.forType(message.type()).retry();
    JobHandler<?> handler = handlers.get(message.type());
    if (handler == null) {
      failures.deadLetter(
          message,
          new PermanentJobException("no handler for job type " + message.type()),
          "no handler for job type " + message.type());
      return;
    }
    Object payload;
    try {
      payload = decode(message, handler.payloadType());
    } catch (PermanentJobException e) {
      // A body that does not parse never gets better: no retry loop.
      failures.deadLetter(message, e, FailureClassifier.describe(e, FailureRouter.MAX_ERROR_CHARS));
      return;
    }
    if (deliveryCount > 0) {
      noteRedelivery(message, deliveryCount);
    }
    JobContext context =
        new JobContext(
            message.jobId(),
            message.type(),
            message.attempt(),
            message.idempotencyKey(),
            message.traceparent());
    long started = System.nanoTime();
    try {
      boolean ran =
          QuarkusTransaction.requiringNew()
              .call(() -> runInTransaction(message, handler, payload, context));
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      if (ran) {
        enqueuer.publishAll(context.followUps());
        metrics.handlerTime(message.type(), took);
        metrics.endToEnd(
            message.type(), Duration.between(message.createdAt(), java.time.Instant.now()));
        metrics.completed(message.type(), "succeeded");
        LOG.debugf(
            "job %s type %s succeeded in %d ms", message.jobId(), message.type(), took.toMillis());
      } else {
        metrics.completed(message.type(), "skipped");
        LOG.debugf("job %s type %s already succeeded, skipped", message.jobId(), message.type());
      }
    } catch (Exception e) {
      rethrowIfWorkerBroken(e);
      boolean dead = failures.failed(message, policy, e);
      tellHandler(handler, payload, context, e, dead);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void tellHandler(
      JobHandler handler, Object payload, JobContext context, Exception failure, boolean dead) {
    try {
      String error = FailureClassifier.describe(failure, FailureRouter.MAX_ERROR_CHARS);
      QuarkusTransaction.requiringNew().run(() -> handler.failed(payload, context, error, dead));
    } catch (RuntimeException e) {
      LOG.warnf(e, "job %s type %s: failure hook failed", context.jobId(), context.type());
    }
  }

  /** The transaction wrapper turns an Error into an exception; a broken worker must still crash. */
  private static void rethrowIfWorkerBroken(Exception failure) {
    for (Throwable t = failure.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
      if (t instanceof Error error) {
        throw error;
      }
    }
  }

  private void noteRedelivery(JobMessage message, long deliveryCount) {
    try {
      ledger.noteRedelivery(message, deliveryCount);
    } catch (RuntimeException e) {
      LOG.warnf(
          e, "job %s type %s: could not note the redelivery", message.jobId(), message.type());
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private boolean runInTransaction(
      JobMessage message, JobHandler handler, Object payload, JobContext context) throws Exception {
    boolean marked = ledger.markSucceeded(message);
    if (!marked && ledger.claim(message) == JobStatus.SUCCEEDED) {
      return false;
    }
    handler.handle(payload, context);
    enqueuer.insertInCurrentTransaction(context.followUps());
    if (!marked) {
      // A job without a ledger row (published by hand): claim wrote it as running.
      ledger.succeeded(message);
    }
    return true;
  }

  private <P> P decode(JobMessage message, Class<P> type) {
    P payload;
    try {
      payload = JobCodec.decode(message.body(), type);
    } catch (Exception e) {
      throw new PermanentJobException(
          "body is not a valid " + type.getSimpleName() + " payload", e);
    }
    if (payload == null) {
      throw new PermanentJobException("body is empty or null");
    }
    Set<ConstraintViolation<P>> violations = validator.validate(payload);
    if (!violations.isEmpty()) {
      throw new PermanentJobException(
          "payload is invalid", new ConstraintViolationException(violations));
    }
    return payload;
  }
}
