package io.pulse.workers.testjobs;

import io.pulse.workers.jobs.JobContext;
import io.pulse.workers.jobs.JobHandler;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicInteger;

/** Breaks its consumer on every delivery, the way an OutOfMemoryError or a JVM bug would. */
@ApplicationScoped
public class CrashingTestHandler implements JobHandler<ScriptedJob> {
  public static final String TYPE = "test.crash";
  public static final AtomicInteger DELIVERIES = new AtomicInteger();

  /** An Error the runtime must not swallow: the consumer dies and the message is redelivered. */
  public static final class SimulatedCrash extends Error {
    SimulatedCrash() {
      super("simulated worker crash");
    }
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Class<ScriptedJob> payloadType() {
    return ScriptedJob.class;
  }

  @Override
  public void handle(ScriptedJob job, JobContext context) {
    DELIVERIES.incrementAndGet();
    throw new SimulatedCrash();
  }
}
