package io.pulse.workers.jobs;

import java.util.List;

/**
 * A handler that can do the work of many jobs of its type at once, set-based: one statement for the
 * batch instead of a few per job. The runtime tries it first for a batch; when it throws, the
 * transaction rolls back and the jobs run again one by one under savepoints through {@link
 * #handle}, so one bad job still fails alone. It must leave the same effects and follow-ups as
 * {@link #handle} called for each job in turn.
 */
public interface BatchJobHandler<P> extends JobHandler<P> {
  /** One job of a batch: its payload and its context. */
  record Job<P>(P payload, JobContext context) {}

  void handleAll(List<Job<P>> jobs) throws Exception;

  @Override
  default void handle(P payload, JobContext context) throws Exception {
    handleAll(List.of(new Job<>(payload, context)));
  }
}
