package io.pulse.common.retention;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pulse.common.digest.DigestConfig;
import io.pulse.common.jobs.JobLedger;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jboss.logging.Logger;

/**
 * Removes rows past their retention, table by table, in batches of one short transaction each.
 * Every node runs it; each batch first takes a cluster-wide transaction lock, and a node that finds
 * it taken ends its pass, so one node works at a time. Nothing is remembered between passes but
 * where the per-user cap left off: a pass stopped midway (a crash, a deploy) loses nothing, the
 * next one finds the same old rows.
 */
@Startup
@ApplicationScoped
public class RetentionJanitor {
  private static final Logger LOG = Logger.getLogger(RetentionJanitor.class);
  private static final UUID FIRST = new UUID(0, 0);
  private static final int CAP_PAGE = 5000;

  private final JobLedger ledger;
  private final RetentionStatements statements;
  private final RetentionConfig config;
  private final MeterRegistry registry;
  private final Clock clock;
  private final Map<String, AtomicLong> oldestAge = new ConcurrentHashMap<>();
  private long capCursor;
  private long passStartNanos;
  private long passRemoved;

  // @Inject: with two constructors and none marked, ArC made no bean of this class, so no node
  // ever ran a pass (the soak found 3 million rows past retention untouched); the tests built it
  // by hand and could not see it.
  @Inject
  public RetentionJanitor(
      JobLedger ledger,
      RetentionStatements statements,
      RetentionConfig config,
      DigestConfig digests,
      MeterRegistry registry) {
    this(ledger, statements, config, digests, registry, Clock.systemUTC());
  }

  RetentionJanitor(
      JobLedger ledger,
      RetentionStatements statements,
      RetentionConfig config,
      DigestConfig digests,
      MeterRegistry registry,
      Clock clock) {
    if (config.usedUnsubscribeTokens().compareTo(digests.unsubscribeTtl()) < 0) {
      throw new IllegalStateException(
          "pulse.retention.used-unsubscribe-tokens ("
              + config.usedUnsubscribeTokens()
              + ") is shorter than pulse.digests.unsubscribe-ttl ("
              + digests.unsubscribeTtl()
              + "): a used unsubscribe link would work again once its record is gone");
    }
    if (config.batchSize() < 1
        || config.notificationsPerUser() < 1
        || config.maxRowsPerSecond() < 1) {
      throw new IllegalStateException(
          "pulse.retention.batch-size, notifications-per-user and max-rows-per-second must be at"
              + " least 1");
    }
    this.ledger = ledger;
    this.statements = statements;
    this.config = config;
    this.registry = registry;
    this.clock = clock;
  }

  @Scheduled(
      every = "${pulse.retention.every:1m}",
      delayed = "30s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void scheduled() {
    try {
      pass();
    } catch (RuntimeException e) {
      LOG.warnf("retention pass stopped, the next one goes on: %s", e.getMessage());
    }
  }

  /** One pass over every table; false when another node held the lock and this one gave way. */
  public boolean pass() {
    Instant now = clock.instant();
    passStartNanos = System.nanoTime();
    passRemoved = 0;
    boolean done =
        jobs("succeeded-jobs", now.minus(config.succeededJobs()), true)
            && jobs("dead-jobs", now.minus(config.deadJobs()), false)
            && aged(AgedTable.DELIVERIES, now)
            && aged(AgedTable.NOTIFICATIONS, now)
            && capNotifications()
            && aged(AgedTable.DIGESTS, now)
            && aged(AgedTable.DIGEST_RUNS, now)
            && aged(AgedTable.JOB_ATTEMPTS, now)
            && aged(AgedTable.USED_UNSUBSCRIBE_TOKENS, now)
            && aged(AgedTable.REVOKED_API_KEYS, now);
    recordAges(now);
    return done;
  }

  private boolean jobs(String rows, Instant cutoff, boolean succeeded) {
    UUID after = FIRST;
    Purge batch;
    do {
      batch =
          succeeded
              ? ledger.purgeSucceeded(cutoff, after, config.batchSize())
              : ledger.purgeDead(cutoff, after, config.batchSize());
      if (!batch.locked()) {
        return false;
      }
      removed(rows, batch.removed());
      if (batch.lastKey() != null) {
        after = UUID.fromString(batch.lastKey());
      }
    } while (batch.removed() == config.batchSize());
    return true;
  }

  private boolean aged(AgedTable table, Instant now) {
    Instant cutoff = now.minus(table.retention.apply(config));
    Purge batch;
    do {
      batch = statements.purge(table, cutoff, config.batchSize());
      if (!batch.locked()) {
        return false;
      }
      removed(table.table, batch.removed());
    } while (batch.removed() == config.batchSize());
    return true;
  }

  /**
   * Only users who got a notification since the last look can have gone over the cap: the pass
   * reads new notifications by id from where the previous one stopped (from the start after a
   * restart, in pages), and trims those users' inboxes.
   */
  private boolean capNotifications() {
    RetentionStatements.RecentRecipients page;
    do {
      page = statements.recipientsAfter(capCursor, CAP_PAGE);
      for (long user : page.users()) {
        Purge batch;
        do {
          batch = statements.purgeOverCap(user, config.notificationsPerUser(), config.batchSize());
          if (!batch.locked()) {
            return false;
          }
          removed("notifications-over-cap", batch.removed());
        } while (batch.removed() == config.batchSize());
      }
      capCursor = page.lastId();
    } while (page.rows() == CAP_PAGE);
    return true;
  }

  private void removed(String rows, int count) {
    pace(count);
    if (count > 0) {
      Counter.builder("pulse.retention.removed")
          .description("rows removed by retention")
          .tag("rows", rows)
          .register(registry)
          .increment(count);
      LOG.debugf("retention removed %d %s row(s)", count, rows);
    }
  }

  /** Sleeps until the pass's rows so far fit under {@code max-rows-per-second}. */
  private void pace(int count) {
    passRemoved += count;
    long due = passStartNanos + passRemoved * 1_000_000_000L / config.maxRowsPerSecond();
    long wait = due - System.nanoTime();
    if (wait > 0) {
      LockSupport.parkNanos(wait);
    }
  }

  private void recordAges(Instant now) {
    age("jobs", ledger.oldestJob(), now);
    for (AgedTable table : AgedTable.values()) {
      age(table.table, statements.oldest(table), now);
    }
  }

  private void age(String table, Instant oldest, Instant now) {
    AtomicLong seconds =
        oldestAge.computeIfAbsent(
            table,
            t -> {
              AtomicLong value = new AtomicLong();
              Gauge.builder("pulse.retention.oldest.age", value, AtomicLong::get)
                  .description("age in seconds of the oldest row (0 when none)")
                  .baseUnit("seconds")
                  .tag("table", t)
                  .register(registry);
              return value;
            });
    seconds.set(oldest == null ? 0 : Math.max(0, Duration.between(oldest, now).toSeconds()));
  }
}
