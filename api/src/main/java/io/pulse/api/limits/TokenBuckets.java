package io.pulse.api.limits;

import io.agroal.api.AgroalDataSource;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.BucketNotFoundException;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.sql.DataSource;

/**
 * Token buckets shared by every API instance: Bucket4j keeps each bucket's state in one row of a
 * table and changes it under {@code SELECT ... FOR UPDATE}, so concurrent consumers on any instance
 * are serialized by PostgreSQL and the limit is exact. What remains is clock skew: each instance
 * refills by its own clock, so a skew of d seconds between instances lets at most rate x d more
 * requests through.
 *
 * <p>This bean holds the request-rate buckets, in the unlogged {@code rate_limit_buckets}: their
 * commits wait for no disk flush, and after a database crash they start full (V18). Daily job
 * quotas are kept in a logged table by {@link QuotaBuckets}.
 */
@Singleton
public class TokenBuckets {
  static final String RATE_TABLE = "rate_limit_buckets";

  /** Bucket proxies kept between requests; past this many, the cache starts over. */
  private static final int MAX_PROXIES = 10_000;

  private final ProxyManager<String> buckets;
  private final ConcurrentMap<String, Bucket> proxies = new ConcurrentHashMap<>();

  @Inject
  TokenBuckets(AgroalDataSource dataSource, LimitsConfig config) {
    this(dataSource, config.idleBucketExpiry());
  }

  public TokenBuckets(DataSource dataSource, Duration idleExpiry) {
    this(dataSource, RATE_TABLE, idleExpiry);
  }

  /** Buckets kept in {@code table} (id text, state bytea, expires_at bigint). */
  protected TokenBuckets(DataSource dataSource, String table, Duration idleExpiry) {
    this.buckets =
        Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
            .primaryKeyMapper(PrimaryKeyMapper.STRING)
            .table(table)
            .idColumn("id")
            .stateColumn("state")
            .expiresAtColumn("expires_at")
            .expirationAfterWrite(
                ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(idleExpiry))
            .build();
  }

  /**
   * Takes {@code tokens} from the bucket {@code id}, made with {@code configuration} if it does not
   * exist yet. Runs in its own short database transaction, outside the caller's, so a row lock on
   * the bucket is never held while the caller's own work runs.
   */
  public ConsumptionProbe tryConsume(String id, BucketConfiguration configuration, long tokens) {
    return QuarkusTransaction.suspendingExisting()
        .call(
            () -> {
              try {
                return proxy(id, configuration).tryConsumeAndReturnRemaining(tokens);
              } catch (RuntimeException e) {
                if (!bucketWasNotFound(e)) {
                  throw e;
                }
                return unbatched(id, configuration).tryConsumeAndReturnRemaining(tokens);
              }
            });
  }

  /**
   * Bucket4j creates a missing bucket row in two transactions: it inserts the row with no state and
   * commits, then initializes the state in a second one. A batch of takes (see {@link #proxy}) that
   * locks the row in between finds no state, and since a batch is not an initializing command it
   * fails as a whole with "Bucket does not exist" (a 500 for every request in it): what concurrent
   * first requests of a new key, on one instance or several, used to get. Nothing was taken then
   * (that transaction rolled back), so the take is simply made again, alone: an unbatched take that
   * finds no state initializes the bucket itself, so this retry cannot fail the same way.
   */
  private Bucket unbatched(String id, BucketConfiguration configuration) {
    return buckets.builder().build(id, () -> configuration);
  }

  private static boolean bucketWasNotFound(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof BucketNotFoundException) {
        return true;
      }
    }
    return false;
  }

  /**
   * One proxy per bucket, kept, with Bucket4j's batching: requests for the same bucket that arrive
   * while one round trip is running go to the database together, as one command in one transaction,
   * instead of one locked read-modify-write each. The limit stays exact (it is the same bucket row,
   * changed by all of them at once). A bucket's id names its configuration, so a kept proxy never
   * has a stale one.
   */
  private Bucket proxy(String id, BucketConfiguration configuration) {
    if (proxies.size() > MAX_PROXIES) {
      proxies.clear();
    }
    return proxies.computeIfAbsent(
        id,
        key ->
            buckets
                .builder()
                .withOptimization(Optimizations.batching())
                .build(key, () -> configuration));
  }
}
