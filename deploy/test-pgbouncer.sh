#!/usr/bin/env bash
# The tests of the paths that lean on PostgreSQL hardest, run with both apps' datasource pointed at
# PgBouncer in transaction pooling mode (deploy/pgbouncer.sh) over TLS with sslmode=verify-full:
#   api      enqueue with idempotency keys under concurrency, the unpublished-job sweeper, dead-letter
#            replay (advisory xact locks, SKIP LOCKED)
#   workers  digest ticks (one digest per user and period), feed fan-out chunks, the job runtime's
#            retries, dead letters and redeliveries
# Run by deploy/test.sh after the main build; runs alone too (the services must be up).
# Extra arguments go to Maven.
set -euo pipefail
cd "$(dirname "$0")/.."

bash deploy/pgbouncer.sh start
dir=${PULSE_PGBOUNCER_DIR:-/tmp/pulse-pgbouncer}
port=${PULSE_PGBOUNCER_PORT:-6432}
db=${PULSE_PGBOUNCER_TEST_DB:-pulse_test}

# "localhost": the name in the certificate deploy/pgbouncer.sh made. prepareThreshold=0: PgBouncer
# 1.18 cannot carry named prepared statements between transactions.
export _TEST_QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://localhost:$port/$db?prepareThreshold=0&sslmode=verify-full&sslrootcert=$dir/ca.pem"
# The test profile's 1 s grace assumes a direct connection; through the pooler on a busy machine a
# confirm can take longer than that to be recorded, and the sweeper then publishes the job again
# (harmless, the workers skip it, but NotificationResourceTest counts publishes exactly).
export _TEST_PULSE_SWEEPER_GRACE=${_TEST_PULSE_SWEEPER_GRACE:-5s}
# A cold JVM's first TLS handshake and SCRAM login take seconds on a loaded machine (seen: 8 s),
# past the pool's 5 s default, and Flyway's first connection then fails the start.
export _TEST_QUARKUS_DATASOURCE_JDBC_ACQUISITION_TIMEOUT=${_TEST_QUARKUS_DATASOURCE_JDBC_ACQUISITION_TIMEOUT:-30s}

echo "[test-pgbouncer] api and workers tests through PgBouncer: $_TEST_QUARKUS_DATASOURCE_JDBC_URL"
./mvnw -B --no-transfer-progress verify -pl common,api,workers -DskipITs \
  -Dtest='NotificationResourceTest,DeadLetterReplayTest#twoConcurrentReplaysOfOneJobPublishItOnce+aTypeReplayMovesItsOldestDeadJobsUpToTheLimit,DigestTest,FeedFanoutTest,JobRuntimeTest' \
  -Dsurefire.failIfNoSpecifiedTests=false "$@"
