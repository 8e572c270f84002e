package io.pulse.common.jobs;

import java.util.UUID;

/** The same Idempotency-Key came back with a different request body. */
public class IdempotencyConflictException extends RuntimeException {
  public final UUID existingJobId;

  public IdempotencyConflictException(String key, UUID existingJobId) {
    super(
        "Idempotency-Key '"
            + key
            + "' was already used for job "
            + existingJobId
            + " with a different request body");
    this.existingJobId = existingJobId;
  }
}
