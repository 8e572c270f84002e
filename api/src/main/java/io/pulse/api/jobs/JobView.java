package io.pulse.api.jobs;

import io.pulse.common.jobs.Job;
import java.time.OffsetDateTime;
import java.util.UUID;

public record JobView(
    UUID id,
    String type,
    String status,
    int attempts,
    String lastError,
    OffsetDateTime nextAttemptAt,
    OffsetDateTime createdAt,
    OffsetDateTime updatedAt,
    OffsetDateTime finishedAt,
    OffsetDateTime sendAt) {
  static JobView of(Job job) {
    return new JobView(
        job.id,
        job.type,
        job.status,
        job.attempts,
        job.lastError,
        job.nextAttemptAt,
        job.createdAt,
        job.updatedAt,
        job.finishedAt,
        job.sendAt);
  }
}
