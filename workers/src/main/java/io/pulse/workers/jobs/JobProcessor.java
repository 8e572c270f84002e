package io.pulse.workers.jobs;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.pulse.common.jobs.JobCodec;
import io.pulse.common.jobs.JobEnqueuer;
import io.pulse.common.jobs.JobLedger;
import io.pulse.common.jobs.JobMetrics;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.tracing.Traceparent;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.persistence.EntityManager;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Validator;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.hibernate.Session;
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
  private final EntityManager em;
  private final JobSpans spans;

  public JobProcessor(
      Instance<JobHandler<?>> handlers,
      JobsConfig config,
      JobLedger ledger,
      FailureRouter failures,
      JobMetrics metrics,
      Validator validator,
      JobEnqueuer enqueuer,
      EntityManager em,
      JobSpans spans) {
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
    this.em = em;
    this.spans = spans;
  }

  public Set<String> types() {
    return handlers.keySet();
  }

  public void process(JobMessage message, long deliveryCount) {
    Span span = spans.start(message);
    try {
      withJob(
          message,
          span,
          () -> {
            Prepared job = prepare(message, deliveryCount, span);
            if (job != null) {
              runAlone(job);
            }
          });
    } finally {
      span.end();
    }
  }

  /**
   * Runs several deliveries of one type in one transaction, each job under a savepoint: a job that
   * fails is rolled back to its savepoint and routed as it would be alone, the others commit
   * together. When this returns, every delivery may be acked. If the batch cannot commit as a whole
   * (a statement that doomed the transaction, a lost connection), each job runs again alone, so one
   * job's trouble never costs another its attempt.
   */
  public void processBatch(List<Delivery> deliveries) {
    List<Span> started = new ArrayList<>(deliveries.size());
    try {
      List<Prepared> jobs = new ArrayList<>(deliveries.size());
      for (Delivery delivery : deliveries) {
        Span span = spans.start(delivery.message());
        started.add(span);
        withJob(
            delivery.message(),
            span,
            () -> {
              Prepared job = prepare(delivery.message(), delivery.deliveryCount(), span);
              if (job != null) {
                jobs.add(job);
              }
            });
      }
      runBatch(jobs);
    } finally {
      started.forEach(Span::end);
    }
  }

  private void runBatch(List<Prepared> jobs) {
    if (jobs.isEmpty()) {
      return;
    }
    metrics.batch(type(jobs), jobs.size());
    if (jobs.size() == 1) {
      withJobInLog(jobs.get(0), () -> runAlone(jobs.get(0)));
      return;
    }
    if (jobs.get(0).handler() instanceof BatchJobHandler<?> setBased
        && runSetBased(jobs, setBased)) {
      return;
    }
    runUnderSavepoints(jobs);
  }

  /**
   * The whole batch through the handler's set-based form in one transaction. False when anything
   * failed: the transaction rolled back, nothing is settled, and the caller runs the jobs under
   * savepoints, where a failure is one job's alone.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private boolean runSetBased(List<Prepared> jobs, BatchJobHandler handler) {
    boolean[] ran = new boolean[jobs.size()];
    long started = System.nanoTime();
    try {
      QuarkusTransaction.requiringNew()
          .call(
              () -> {
                Map<UUID, JobLedger.Marked> marked =
                    ledger.markAllSucceeded(jobs.stream().map(Prepared::message).toList());
                List<BatchJobHandler.Job> fresh = new ArrayList<>();
                for (int i = 0; i < jobs.size(); i++) {
                  Prepared job = jobs.get(i);
                  if (marked.remove(job.message().jobId()) != null) {
                    fresh.add(new BatchJobHandler.Job(job.payload(), job.context()));
                    ran[i] = true;
                  } else {
                    // Already succeeded, a second copy in this batch, or no ledger row: the
                    // claim decides, as for a job alone.
                    ran[i] = runInTransaction(job, false);
                  }
                }
                handler.handleAll(fresh);
                insertFollowUps(fresh.stream().map(BatchJobHandler.Job::context).toList());
                return null;
              });
    } catch (RuntimeException e) {
      rethrowIfWorkerBroken(e);
      LOG.debugf(
          e,
          "a set-based batch of %d %s jobs failed; each runs under its own savepoint",
          jobs.size(),
          type(jobs));
      jobs.forEach(job -> job.context().followUps().clear());
      return false;
    }
    Duration each = Duration.ofNanos((System.nanoTime() - started) / jobs.size());
    for (int i = 0; i < jobs.size(); i++) {
      Prepared job = jobs.get(i);
      boolean jobRan = ran[i];
      withJobInLog(job, () -> settled(job, jobRan, each));
    }
    return true;
  }

  private void runUnderSavepoints(List<Prepared> jobs) {
    Exception[] failed = new Exception[jobs.size()];
    boolean[] ran = new boolean[jobs.size()];
    long started = System.nanoTime();
    try {
      QuarkusTransaction.requiringNew()
          .run(
              () -> {
                // One statement marks (and locks) every job of the batch; a job that fails is
                // put back as it was.
                Map<UUID, JobLedger.Marked> marked =
                    ledger.markAllSucceeded(jobs.stream().map(Prepared::message).toList());
                for (int i = 0; i < jobs.size(); i++) {
                  int at = i;
                  // A job delivered twice in one batch: the first copy has the mark, the second
                  // finds the job succeeded.
                  JobLedger.Marked mark = marked.remove(jobs.get(at).message().jobId());
                  withJobInLog(
                      jobs.get(at), () -> runUnderSavepoint(jobs.get(at), mark, at, ran, failed));
                }
              });
    } catch (RuntimeException e) {
      rethrowIfWorkerBroken(e);
      LOG.debugf(
          e, "a batch of %d %s jobs did not commit; each runs alone", jobs.size(), type(jobs));
      for (Prepared job : jobs) {
        // What the rolled-back run asked for is asked for again by this one.
        job.context().followUps().clear();
        withJobInLog(job, () -> runAlone(job));
      }
      return;
    }
    Duration each = Duration.ofNanos((System.nanoTime() - started) / jobs.size());
    for (int i = 0; i < jobs.size(); i++) {
      Prepared job = jobs.get(i);
      Exception failure = failed[i];
      boolean jobRan = ran[i];
      withJobInLog(
          job,
          () -> {
            if (failure != null) {
              routeFailure(job, failure);
            } else {
              settled(job, jobRan, each);
            }
          });
    }
  }

  /** A delivery as the consumer received it. */
  public record Delivery(JobMessage message, long deliveryCount) {}

  /** A job that decoded and has a handler: ready to run, under the span of its delivery. */
  private record Prepared(
      JobMessage message, JobHandler<?> handler, Object payload, JobContext context, Span span) {}

  private static void withJobInLog(Prepared job, Runnable work) {
    withJob(job.message(), job.span(), work);
  }

  /**
   * Runs {@code work} with the job's span current: the logs it writes name the trace, the job and
   * its type, and what it calls (the database, the mailer) is traced as part of the job.
   */
  private static void withJob(JobMessage message, Span span, Runnable work) {
    MDC.put("jobId", message.jobId().toString());
    MDC.put("jobType", message.type());
    try (Scope current = span.makeCurrent()) {
      work.run();
    } finally {
      MDC.remove("jobId");
      MDC.remove("jobType");
    }
  }

  private static String type(List<Prepared> jobs) {
    return jobs.get(0).message().type();
  }

  /** Decodes and validates; a job that can never run is dead-lettered here and null returned. */
  private Prepared prepare(JobMessage message, long deliveryCount, Span span) {
    JobHandler<?> handler = handlers.get(message.type());
    if (handler == null) {
      PermanentJobException noHandler =
          new PermanentJobException("no handler for job type " + message.type());
      failures.deadLetter(message, noHandler, noHandler.getMessage());
      JobSpans.failed(span, noHandler, true);
      return null;
    }
    Object payload;
    try {
      payload = decode(message, handler.payloadType());
    } catch (PermanentJobException e) {
      // A body that does not parse never gets better: no retry loop.
      failures.deadLetter(message, e, FailureClassifier.describe(e, FailureRouter.MAX_ERROR_CHARS));
      JobSpans.failed(span, e, true);
      return null;
    }
    if (deliveryCount > 0) {
      noteRedelivery(message, deliveryCount);
    }
    // Follow-ups continue the trace as children of this job's span.
    JobContext context =
        new JobContext(
            message.jobId(),
            message.type(),
            message.attempt(),
            message.idempotencyKey(),
            Traceparent.of(span));
    return new Prepared(message, handler, payload, context, span);
  }

  private void runAlone(Prepared job) {
    long started = System.nanoTime();
    try {
      boolean ran = QuarkusTransaction.requiringNew().call(() -> runInTransaction(job, false));
      settled(job, ran, Duration.ofNanos(System.nanoTime() - started));
    } catch (Exception e) {
      rethrowIfWorkerBroken(e);
      routeFailure(job, e);
    }
  }

  /**
   * One job of a batch. A failure rolls back to the job's savepoint, unless it doomed the whole
   * transaction (Hibernate marks it rollback-only on a failed statement): then the batch is given
   * up and every job runs alone.
   */
  private void runUnderSavepoint(
      Prepared job, JobLedger.Marked mark, int at, boolean[] ran, Exception[] failed) {
    sql("savepoint pulse_job");
    try {
      ran[at] = runInTransaction(job, mark != null);
    } catch (Exception e) {
      if (QuarkusTransaction.isRollbackOnly()) {
        throw new IllegalStateException("job " + job.message().jobId() + " doomed its batch", e);
      }
      sql("rollback to savepoint pulse_job");
      if (mark != null) {
        ledger.unmark(mark);
      }
      job.context().followUps().clear();
      failed[at] = e;
    }
  }

  /**
   * Savepoints in plain SQL: the pool refuses JDBC's rollback(Savepoint) on a connection enlisted
   * in a JTA transaction. Savepoints are not released (a round trip each): a batch nests at most
   * 32, and rolling back to the name goes to the newest.
   */
  private void sql(String statement) {
    em.unwrap(Session.class)
        .doWork(
            connection -> {
              try (Statement sql = connection.createStatement()) {
                sql.execute(statement);
              }
            });
  }

  private void settled(Prepared job, boolean ran, Duration took) {
    JobMessage message = job.message();
    if (ran) {
      enqueuer.publishAll(job.context().followUps());
      metrics.handlerTime(message.type(), took);
      metrics.endToEnd(message.type(), Duration.between(message.createdAt(), Instant.now()));
      metrics.completed(message.type(), "succeeded");
      LOG.debugf(
          "job %s type %s succeeded in %d ms", message.jobId(), message.type(), took.toMillis());
    } else {
      metrics.completed(message.type(), "skipped");
      LOG.debugf("job %s type %s already succeeded, skipped", message.jobId(), message.type());
    }
  }

  private void routeFailure(Prepared job, Exception failure) {
    RetryPolicy policy = config.forType(job.message().type()).retry();
    boolean dead = failures.failed(job.message(), policy, failure);
    JobSpans.failed(job.span(), failure, dead);
    tellHandler(job.handler(), job.payload(), job.context(), failure, dead);
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

  /** The follow-ups these jobs asked for, each with its parent, in one statement. */
  private void insertFollowUps(List<JobContext> contexts) {
    List<JobMessage> followUps = new ArrayList<>();
    List<UUID> parents = new ArrayList<>();
    for (JobContext context : contexts) {
      for (JobMessage followUp : context.followUps()) {
        followUps.add(followUp);
        parents.add(context.jobId());
      }
    }
    enqueuer.insertInCurrentTransaction(followUps, parents);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private boolean runInTransaction(Prepared job, boolean alreadyMarked) throws Exception {
    JobMessage message = job.message();
    JobContext context = job.context();
    boolean marked = alreadyMarked || ledger.markSucceeded(message);
    if (!marked && ledger.claim(message).skipsDelivery()) {
      // Succeeded already (a second copy), dead (only a replay runs it again), cancelled, or still
      // scheduled (a poll published it but did not commit; the next poll publishes it again).
      return false;
    }
    ((JobHandler) job.handler()).handle(job.payload(), context);
    insertFollowUps(List.of(context));
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
