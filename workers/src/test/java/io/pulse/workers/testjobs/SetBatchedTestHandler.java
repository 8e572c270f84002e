package io.pulse.workers.testjobs;

import io.pulse.workers.jobs.BatchJobHandler;
import io.pulse.workers.jobs.JobContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The batched test type in set-based form: it is handed a whole batch in one call, and remembers
 * the size of each call. Each job's effect and failure are those of {@link BatchedTestHandler}.
 */
@ApplicationScoped
public class SetBatchedTestHandler implements BatchJobHandler<BatchedJob> {
  public static final String TYPE = "test.batched.set";
  private static final List<Integer> CALLS = new CopyOnWriteArrayList<>();

  private final BatchedTestHandler each;

  public SetBatchedTestHandler(BatchedTestHandler each) {
    this.each = each;
  }

  /** The number of jobs of each set-based call, in order. */
  public static List<Integer> calls() {
    return CALLS;
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Class<BatchedJob> payloadType() {
    return BatchedJob.class;
  }

  @Override
  public void handleAll(List<Job<BatchedJob>> jobs) throws Exception {
    CALLS.add(jobs.size());
    for (Job<BatchedJob> job : jobs) {
      each.handle(job.payload(), job.context());
    }
  }

  /** A job alone (a batch of one, or a run under a savepoint) is not a set-based call. */
  @Override
  public void handle(BatchedJob job, JobContext context) throws Exception {
    each.handle(job, context);
  }
}
