package io.pulse.common.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pulse.common.digest.DigestConfig;
import io.pulse.common.jobs.JobIds;
import io.pulse.common.jobs.JobLedger;
import io.pulse.common.jobs.JobStatus;
import io.pulse.common.testing.TestDatabase;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Retention against the real database, with rows moved back in time by SQL: what is past its
 * retention goes, what is not stays, in batches, one node at a time, counted in metrics.
 */
class RetentionJanitorTest {
  private static final AtomicLong USERS = new AtomicLong(7_700_000 + System.nanoTime() % 100_000);

  private final DataSource dataSource = TestDatabase.migrated();
  private final JobLedger ledger = new JobLedger(dataSource);
  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final Instant now = Instant.now();

  @BeforeEach
  void clean() throws SQLException {
    // Other tests' recent rows stay put; only this test's old rows should be in play.
    sql("delete from notifications", "delete from deliveries", "delete from digests");
    sql("delete from digest_unsubscribes", "delete from api_keys", "delete from digest_runs");
  }

  @Test
  void jobsGoByStatusAndAge() throws SQLException {
    UUID oldSucceeded = job(JobStatus.SUCCEEDED, days(9), days(8));
    UUID lateFinisher = job(JobStatus.SUCCEEDED, days(9), days(1));
    UUID youngSucceeded = job(JobStatus.SUCCEEDED, days(2), days(2));
    UUID oldDead = job(JobStatus.DEAD, days(40), days(31));
    UUID youngDead = job(JobStatus.DEAD, days(40), days(29));
    UUID oldQueued = job(JobStatus.QUEUED, days(60), null);

    assertTrue(janitor(Map.of()).pass());

    assertGone(oldSucceeded, oldDead);
    assertKept(lateFinisher, youngSucceeded, youngDead, oldQueued);
    assertEquals(1.0, removed("succeeded-jobs"));
    assertEquals(1.0, removed("dead-jobs"));
    assertTrue(
        registry.get("pulse.retention.oldest.age").tag("table", "jobs").gauge().value()
            >= days(60).toSeconds(),
        "the oldest row left is the queued job");
  }

  @Test
  void aPassGoesOnBatchAfterBatch() throws SQLException {
    UUID[] old = new UUID[7];
    for (int i = 0; i < old.length; i++) {
      old[i] = job(JobStatus.SUCCEEDED, days(10), days(8));
    }

    RetentionJanitor janitor =
        janitor(
            Map.of("pulse.retention.batch-size", "2", "pulse.retention.max-rows-per-second", "10"));
    long start = System.nanoTime();
    assertTrue(janitor.pass());
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertGone(old);
    assertEquals(7.0, removed("succeeded-jobs"));
    assertTrue(took.toMillis() >= 650, "7 rows at 10 a second take 0.7 s at least, took " + took);
  }

  @Test
  void theOtherTablesKeepWhatIsInsideTheirRetention() throws SQLException {
    long user = USERS.incrementAndGet();
    insertNotification(user, days(91));
    insertNotification(user, days(89));
    UUID oldJob = JobIds.floorAt(now.minus(days(31)));
    insertDelivery(oldJob, user, days(31));
    insertDelivery(JobIds.floorAt(now.minus(days(29))), user, days(29));
    sql(
        "insert into digests (user_id, period, period_start, status, notifications, posts, built_at)"
            + " values ("
            + user
            + ", 'daily', now() - interval '91 days', 'sent', 1, 0, now() - interval '91 days'),"
            + " ("
            + user
            + ", 'daily', now() - interval '89 days', 'sent', 1, 0, now() - interval '89 days')",
        "insert into digest_runs (period, period_start, planned, first_planned_at) values"
            + " ('daily', now() - interval '91 days', 3, now() - interval '91 days'),"
            + " ('daily', now() - interval '89 days', 3, now() - interval '89 days')",
        "insert into digest_unsubscribes (token_hash, user_id, used_at) values"
            + " ('old', 1, now() - interval '32 days'), ('young', 1, now() - interval '30 days')",
        "insert into api_keys (id, name, key_hash, scopes, created_at, revoked_at) values"
            + " (gen_random_uuid(), 'old', 'h-old', '{}', now() - interval '90 days',"
            + "  now() - interval '31 days'),"
            + " (gen_random_uuid(), 'revoked lately', 'h-young', '{}', now() - interval '90 days',"
            + "  now() - interval '29 days'),"
            + " (gen_random_uuid(), 'live', 'h-live', '{}', now() - interval '400 days', null)");

    assertTrue(janitor(Map.of()).pass());

    assertEquals(1, count("select count(*) from notifications where user_id = " + user));
    assertEquals(1, count("select count(*) from deliveries where user_id = " + user));
    assertEquals(
        0, count("select count(*) from deliveries where notification_job_id = '" + oldJob + "'"));
    assertEquals(1, count("select count(*) from digests where user_id = " + user));
    assertEquals(
        1,
        count(
            "select count(*) from digest_runs where first_planned_at > now() - interval '90 days'"));
    assertEquals(1, count("select count(*) from digest_runs"));
    assertEquals(1, count("select count(*) from digest_unsubscribes where token_hash = 'young'"));
    assertEquals(1, count("select count(*) from digest_unsubscribes"));
    assertEquals(
        2, count("select count(*) from api_keys where name in ('revoked lately', 'live')"));
    assertEquals(2, count("select count(*) from api_keys"));
    for (String rows :
        new String[] {
          "notifications", "deliveries", "digests", "digest_runs", "digest_unsubscribes", "api_keys"
        }) {
      assertEquals(1.0, removed(rows), rows);
    }
  }

  @Test
  void anInboxKeepsItsNewestUpToTheCap() throws SQLException {
    long crowded = USERS.incrementAndGet();
    long quiet = USERS.incrementAndGet();
    for (int i = 0; i < 5; i++) {
      insertNotification(crowded, Duration.ofMinutes(10 - i));
    }
    insertNotification(quiet, Duration.ofMinutes(1));
    long newest = count("select max(id) from notifications where user_id = " + crowded);

    assertTrue(
        janitor(
                Map.of(
                    "pulse.retention.notifications-per-user",
                    "3",
                    "pulse.retention.batch-size",
                    "1"))
            .pass());

    assertEquals(3, count("select count(*) from notifications where user_id = " + crowded));
    assertEquals(
        3,
        count(
            "select count(*) from notifications where user_id = "
                + crowded
                + " and id > "
                + (newest - 3)),
        "the newest three are the ones kept");
    assertEquals(1, count("select count(*) from notifications where user_id = " + quiet));
    assertEquals(2.0, removed("notifications-over-cap"));
  }

  @Test
  void aNodeGivesWayWhileAnotherHoldsTheLock() throws SQLException {
    UUID old = job(JobStatus.SUCCEEDED, days(10), days(8));
    try (Connection other = dataSource.getConnection()) {
      other.setAutoCommit(false);
      try (Statement lock = other.createStatement()) {
        lock.execute(Purge.LOCK);
      }

      assertFalse(janitor(Map.of()).pass(), "the other node's batch holds the lock");
      assertKept(old);

      other.commit();
    }
    assertTrue(janitor(Map.of()).pass());
    assertGone(old);
  }

  @Test
  void startUpRefusesToForgetUsedUnsubscribeLinksBeforeTheyExpire() {
    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class,
            () -> janitor(Map.of("pulse.retention.used-unsubscribe-tokens", "29d")));
    assertTrue(refused.getMessage().contains("unsubscribe-ttl"), refused.getMessage());
  }

  private RetentionJanitor janitor(Map<String, String> settings) {
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .withConverter(Duration.class, 100, new DurationConverter())
            .withMapping(RetentionConfig.class)
            .withMapping(DigestConfig.class)
            .withDefaultValue("pulse.digests.unsubscribe-secret", "test")
            .withDefaultValues(settings)
            .build();
    return new RetentionJanitor(
        ledger,
        new RetentionStatements(dataSource),
        config.getConfigMapping(RetentionConfig.class),
        config.getConfigMapping(DigestConfig.class),
        registry);
  }

  private double removed(String rows) {
    return registry.get("pulse.retention.removed").tag("rows", rows).counter().count();
  }

  private static Duration days(int days) {
    return Duration.ofDays(days);
  }

  /** A job row created and last changed (finished, or failed) that long ago. */
  private UUID job(JobStatus status, Duration createdAgo, Duration finishedAgo)
      throws SQLException {
    Instant created = now.minus(createdAgo);
    UUID floor = JobIds.floorAt(created);
    UUID id =
        new UUID(
            floor.getMostSignificantBits(),
            floor.getLeastSignificantBits()
                | (ThreadLocalRandom.current().nextLong() & 0x3FFF_FFFF_FFFF_FFFFL));
    Instant changed = finishedAgo == null ? created : now.minus(finishedAgo);
    try (Connection connection = dataSource.getConnection();
        PreparedStatement insert =
            connection.prepareStatement(
                "insert into jobs (id, type, status, payload, created_at, updated_at, finished_at)"
                    + " values (?, 'test.retention', ?, '{}', ?, ?, ?)")) {
      insert.setObject(1, id);
      insert.setString(2, status.wire());
      insert.setObject(3, created.atOffset(ZoneOffset.UTC));
      insert.setObject(4, changed.atOffset(ZoneOffset.UTC));
      insert.setObject(5, status.isFinal() ? changed.atOffset(ZoneOffset.UTC) : null);
      insert.executeUpdate();
    }
    return id;
  }

  private void insertNotification(long user, Duration ago) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement insert =
            connection.prepareStatement(
                "insert into notifications (user_id, job_id, type, title, created_at)"
                    + " values (?, gen_random_uuid(), 'test', 't', ?)")) {
      insert.setLong(1, user);
      insert.setObject(2, now.minus(ago).atOffset(ZoneOffset.UTC));
      insert.executeUpdate();
    }
  }

  private void insertDelivery(UUID jobId, long user, Duration ago) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement insert =
            connection.prepareStatement(
                "insert into deliveries (id, notification_job_id, user_id, channel, created_at)"
                    + " values (gen_random_uuid(), ?, ?, 'email', ?)")) {
      insert.setObject(1, jobId);
      insert.setLong(2, user);
      insert.setObject(3, now.minus(ago).atOffset(ZoneOffset.UTC));
      insert.executeUpdate();
    }
  }

  private void assertGone(UUID... ids) {
    assertEquals(0, ledger.typesOf(java.util.List.of(ids)).size(), "removed");
  }

  private void assertKept(UUID... ids) {
    assertEquals(ids.length, ledger.typesOf(java.util.List.of(ids)).size(), "kept");
  }

  private long count(String query) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery(query)) {
      row.next();
      return row.getLong(1);
    }
  }

  private void sql(String... statements) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      for (String s : statements) {
        statement.execute(s);
      }
    }
  }
}
