package io.pulse.common.retention;

import java.time.Duration;
import java.util.function.Function;

/**
 * A table whose rows go after a fixed age, each with the batch statement that removes them and the
 * query for its oldest row's time. The {@code jobs} table is the ledger's own ({@code JobLedger},
 * Retention).
 */
enum AgedTable {
  /** In order of the serial id, which follows creation: old rows come first in the key. */
  NOTIFICATIONS(
      "notifications",
      "id",
      "id",
      "created_at < ?",
      "select created_at from notifications order by id limit 1",
      RetentionConfig::notifications),
  /**
   * Found through the unique key, which leads with the notification's time-ordered job id: no new
   * index on a hot table. The first parameter is that job id's floor.
   */
  DELIVERIES(
      "deliveries",
      "id",
      "notification_job_id",
      "notification_job_id < ? and created_at < ?",
      "select created_at from deliveries order by notification_job_id limit 1",
      RetentionConfig::deliveries),
  DIGESTS(
      "digests",
      "user_id, period, period_start",
      "built_at",
      "built_at < ?",
      "select min(built_at) from digests",
      RetentionConfig::digests),
  /** A run's planned count goes with its digests. */
  DIGEST_RUNS(
      "digest_runs",
      "period, period_start",
      "first_planned_at",
      "first_planned_at < ?",
      "select min(first_planned_at) from digest_runs",
      RetentionConfig::digests),
  /** Failed attempts stay as long as dead jobs do, in the order of their serial id. */
  JOB_ATTEMPTS(
      "job_attempts",
      "id",
      "id",
      "at < ?",
      "select at from job_attempts order by id limit 1",
      RetentionConfig::deadJobs),
  USED_UNSUBSCRIBE_TOKENS(
      "digest_unsubscribes",
      "token_hash",
      "used_at",
      "used_at < ?",
      "select min(used_at) from digest_unsubscribes",
      RetentionConfig::usedUnsubscribeTokens),
  REVOKED_API_KEYS(
      "api_keys",
      "id",
      "revoked_at",
      "revoked_at < ?",
      "select min(revoked_at) from api_keys",
      RetentionConfig::revokedApiKeys);

  final String table;
  final String purge;
  final String oldest;
  final Function<RetentionConfig, Duration> retention;

  AgedTable(
      String table,
      String key,
      String order,
      String condition,
      String oldest,
      Function<RetentionConfig, Duration> retention) {
    this.table = table;
    this.purge =
        """
        with lock as materialized (%s),
        doomed as (
            select %s from %s t where (select held from lock) and %s
            order by %s limit ? for update skip locked),
        gone as (delete from %s where (%s) in (select %s from doomed) returning 1)
        select (select held from lock), (select count(*) from gone), null
        """
            .formatted(Purge.LOCK, key, table, condition, order, table, key, key);
    this.oldest = oldest;
    this.retention = retention;
  }
}
