package io.pulse.workers.jobs;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Consumer and retry settings: {@code pulse.jobs.defaults.*} for every job type, overridden per
 * type with {@code pulse.jobs.types."<type>".*} (quoted, since type names contain dots).
 */
@ConfigMapping(prefix = "pulse.jobs")
public interface JobsConfig {
  /** Whether this process consumes at all (off for a node that only runs the scheduler). */
  @WithDefault("true")
  boolean consume();

  Settings defaults();

  Map<String, Overrides> types();

  /** How long shutdown waits for in-flight jobs before closing channels (which requeues them). */
  @WithDefault("30s")
  Duration shutdownTimeout();

  /** How often the runtime checks its connection and consumers and reopens what died. */
  @WithDefault("1s")
  Duration superviseEvery();

  interface Settings {
    /** Consumer channels for the type; each runs one job at a time. */
    @WithDefault("2")
    int concurrency();

    @WithDefault("10")
    int prefetch();

    /**
     * Jobs one consumer runs in one database transaction, each under a savepoint of its own, out of
     * what the broker has already delivered to it (never more than the prefetch, and it never waits
     * to fill a batch). 1 runs every job in a transaction of its own. Meant for job types whose
     * effects are all in the database: a commit per job is what bounds their throughput.
     */
    @WithDefault("1")
    int batchSize();

    @WithDefault("8")
    int maxAttempts();

    @WithDefault("1s")
    Duration baseDelay();

    @WithDefault("1h")
    Duration maxDelay();

    /** Fraction of the backoff added or removed at random, so retries of a burst spread out. */
    @WithDefault("0.2")
    double jitter();
  }

  interface Overrides {
    Optional<Integer> concurrency();

    Optional<Integer> prefetch();

    Optional<Integer> batchSize();

    Optional<Integer> maxAttempts();

    Optional<Duration> baseDelay();

    Optional<Duration> maxDelay();

    Optional<Double> jitter();
  }

  /** A type's settings: its overrides where set, the defaults elsewhere. */
  default TypeSettings forType(String type) {
    Settings d = defaults();
    Overrides o = types().get(type);
    if (o == null) {
      return new TypeSettings(
          d.concurrency(),
          d.prefetch(),
          d.batchSize(),
          new RetryPolicy(d.maxAttempts(), d.baseDelay(), d.maxDelay(), d.jitter()));
    }
    return new TypeSettings(
        o.concurrency().orElse(d.concurrency()),
        o.prefetch().orElse(d.prefetch()),
        o.batchSize().orElse(d.batchSize()),
        new RetryPolicy(
            o.maxAttempts().orElse(d.maxAttempts()),
            o.baseDelay().orElse(d.baseDelay()),
            o.maxDelay().orElse(d.maxDelay()),
            o.jitter().orElse(d.jitter())));
  }

  record TypeSettings(int concurrency, int prefetch, int batchSize, RetryPolicy retry) {
    /**
     * At most the prefetch (a consumer never holds more), and at most 32: every job's savepoint
     * that writes takes a subtransaction id, and PostgreSQL caches only 64 of them per transaction
     * before every snapshot gets slower.
     */
    public int effectiveBatchSize() {
      return Math.max(1, Math.min(Math.min(batchSize, prefetch), 32));
    }
  }
}
