package io.pulse.workers.jobs;

import java.util.UUID;

/** What a handler may know about the delivery it runs for. */
public record JobContext(
    UUID jobId, String type, int attempt, String idempotencyKey, String traceparent) {}
