package io.pulse.workers.jobs;

/**
 * One job type's work. The runtime owns decoding, the ledger, acking, retries and metrics; the
 * handler runs inside the transaction that marks the job succeeded, so its database effects and
 * that mark commit together. Throw {@link PermanentJobException} for a failure a retry cannot fix;
 * anything else is retried with backoff.
 */
public interface JobHandler<P> {
  String type();

  Class<P> payloadType();

  void handle(P payload, JobContext context) throws Exception;

  /**
   * Called in a transaction of its own after a failed attempt was routed ({@code dead}: no attempt
   * follows), for handlers that keep their own record of attempts. It must not throw.
   */
  default void failed(P payload, JobContext context, String error, boolean dead) {}
}
