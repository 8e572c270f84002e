package io.pulse.workers.testjobs;

import io.pulse.workers.jobs.JobContext;
import io.pulse.workers.jobs.JobHandler;
import io.pulse.workers.jobs.PermanentJobException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Fails on purpose, as its payload says, and remembers when each attempt ran. */
@ApplicationScoped
public class ScriptedTestHandler implements JobHandler<ScriptedJob> {
  public static final String TYPE = "test.scripted";
  private static final Map<String, List<Long>> ATTEMPTS = new ConcurrentHashMap<>();

  public static List<Long> attemptTimes(String key) {
    return ATTEMPTS.getOrDefault(key, List.of());
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
  public void handle(ScriptedJob job, JobContext context) throws Exception {
    List<Long> times = ATTEMPTS.computeIfAbsent(job.key(), k -> new CopyOnWriteArrayList<>());
    times.add(System.nanoTime());
    if (times.size() <= job.failTimes()) {
      if ("permanent".equals(job.failure())) {
        throw new PermanentJobException("recipient rejected (simulated)");
      }
      throw new IOException("mail server unreachable (simulated), attempt " + context.attempt());
    }
  }
}
