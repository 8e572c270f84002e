package io.pulse.workers.jobs;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.pulse.common.messaging.JobMessage;
import io.pulse.common.tracing.Traceparent;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The span of one delivery: a CONSUMER span, child of the span whose context the message carries
 * (the API request, or the handler that asked for this job as a follow-up), so a job and what it
 * leads to are one trace. Retries carry the same context: every attempt is a child of the same
 * parent, and a failed attempt's span is marked as an error.
 */
@ApplicationScoped
public class JobSpans {
  static final AttributeKey<String> JOB_ID = AttributeKey.stringKey("messaging.message.id");
  static final AttributeKey<String> JOB_TYPE = AttributeKey.stringKey("pulse.job.type");
  static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("pulse.job.attempt");

  private final Tracer tracer;

  public JobSpans(Tracer tracer) {
    this.tracer = tracer;
  }

  public Span start(JobMessage message) {
    return tracer
        .spanBuilder("process " + message.type())
        .setSpanKind(SpanKind.CONSUMER)
        .setParent(Traceparent.parentFrom(message.traceparent()))
        .setAttribute("messaging.system", "rabbitmq")
        .setAttribute("messaging.operation.type", "process")
        .setAttribute(JOB_ID, message.jobId().toString())
        .setAttribute(JOB_TYPE, message.type())
        .setAttribute(ATTEMPT, (long) message.attempt())
        .startSpan();
  }

  /** The job failed this attempt, whether it will be retried or is dead. */
  public static void failed(Span span, Throwable failure, boolean dead) {
    span.recordException(failure);
    span.setAttribute("pulse.job.dead", dead);
    span.setStatus(StatusCode.ERROR, dead ? "dead" : "will be retried");
  }
}
