package io.pulse.api.jobs;

import io.pulse.common.jobs.JobEnqueuer;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.UUID;

/** {@code 202 Accepted} for a new job, {@code 200} for the repeat of an idempotent enqueue. */
public record JobAccepted(UUID jobId) {
  public static Response response(JobEnqueuer.Enqueued enqueued) {
    return Response.status(enqueued.created() ? Response.Status.ACCEPTED : Response.Status.OK)
        .location(URI.create("/api/v1/jobs/" + enqueued.jobId()))
        .entity(new JobAccepted(enqueued.jobId()))
        .build();
  }
}
