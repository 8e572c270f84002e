package io.pulse.common.retention;

/**
 * What one retention batch did: whether it held the cluster-wide retention lock (another node's
 * batch may hold it), how many rows it removed, and the greatest key it removed (null if none),
 * from which the next batch of a pass goes on.
 */
public record Purge(boolean locked, int removed, String lastKey) {
  /**
   * The lock every batch takes first, one transaction at a time ({@code
   * pg_try_advisory_xact_lock}): a transaction-level lock works behind PgBouncer's transaction
   * pooling, a session lock does not.
   */
  public static final String LOCK =
      "select pg_try_advisory_xact_lock(hashtext('pulse.retention')) as held";
}
