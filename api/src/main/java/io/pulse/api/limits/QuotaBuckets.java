package io.pulse.api.limits;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * The daily job quotas' buckets, in the logged {@code job_quota_buckets}: unlike a request-rate
 * bucket, a quota that started full again after a database crash could let a key enqueue a second
 * day's worth of jobs, so its changes go through the WAL like any other row.
 */
@Singleton
@Typed(QuotaBuckets.class)
public class QuotaBuckets extends TokenBuckets {
  static final String TABLE = "job_quota_buckets";

  @Inject
  QuotaBuckets(AgroalDataSource dataSource, LimitsConfig config) {
    this(dataSource, config.idleBucketExpiry());
  }

  public QuotaBuckets(DataSource dataSource, Duration idleExpiry) {
    super(dataSource, TABLE, idleExpiry);
  }
}
