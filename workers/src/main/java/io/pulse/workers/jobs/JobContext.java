package io.pulse.workers.jobs;

import io.pulse.common.messaging.JobMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * What a handler may know about the delivery it runs for, and where it leaves follow-up jobs: the
 * runtime writes their ledger rows in the handler's transaction and publishes them after the
 * commit, so a follow-up exists exactly when the work that asked for it committed. {@code
 * traceparent} is this delivery's span: follow-ups carry it, and their spans are its children.
 */
public record JobContext(
    UUID jobId,
    String type,
    int attempt,
    String idempotencyKey,
    String traceparent,
    List<JobMessage> followUps) {

  public JobContext(
      UUID jobId, String type, int attempt, String idempotencyKey, String traceparent) {
    this(jobId, type, attempt, idempotencyKey, traceparent, new ArrayList<>());
  }

  public void enqueueAfterCommit(JobMessage job) {
    followUps.add(job);
  }

  /**
   * A follow-up job whose id is derived from this job and {@code key}: when this job runs again (a
   * redelivery), it asks for the same ids, and the ledger keeps one of each.
   */
  public UUID followUp(String jobType, String key, Object payload) {
    JobMessage job = followUpMessage(jobType, key, payload);
    enqueueAfterCommit(job);
    return job.jobId();
  }

  /**
   * The message of a follow-up with the id {@link #followUp} would give it, for a caller that
   * writes it itself (one deferred to a later time, through the scheduled path).
   */
  public JobMessage followUpMessage(String jobType, String key, Object payload) {
    UUID id = io.pulse.common.jobs.JobIds.followUp(jobId, key);
    return new JobMessage(
        id,
        jobType,
        1,
        id.toString(),
        traceparent,
        java.time.Instant.now(),
        io.pulse.common.jobs.JobCodec.encode(payload));
  }
}
