package io.pulse.api.admin;

import io.pulse.common.jobs.JobLedger.DeadRow;
import java.time.Instant;
import java.util.UUID;

public record DeadLetter(
    UUID jobId,
    String type,
    String errorClass,
    String errorMessage,
    int attempts,
    Instant failedAt) {
  static DeadLetter of(DeadRow row) {
    LastError error = LastError.parse(row.lastError());
    return new DeadLetter(
        row.id(), row.type(), error.errorClass(), error.message(), row.attempts(), row.failedAt());
  }
}
