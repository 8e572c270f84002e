#!/usr/bin/env bash
# Runs the whole test suite against the real services on this machine: makes sure RabbitMQ and
# PostgreSQL are up, starts from an empty test virtual host (queue arguments are fixed at
# declaration, so a queue left by an older build must not linger), then builds and verifies.
set -euo pipefail
cd "$(dirname "$0")/.."

bash deploy/services.sh

echo "[test] resetting RabbitMQ virtual host pulse-test"
api=http://127.0.0.1:15672/api
curl -fsS -u guest:guest -X DELETE "$api/vhosts/pulse-test" -o /dev/null || true
curl -fsS -u guest:guest -X PUT "$api/vhosts/pulse-test" -o /dev/null
curl -fsS -u guest:guest -X PUT -H 'content-type: application/json' \
  -d '{"configure":".*","write":".*","read":".*"}' "$api/permissions/pulse-test/guest" -o /dev/null

./mvnw -B --no-transfer-progress verify "$@"

# The same apps through PgBouncer in transaction pooling mode, over TLS (README: PgBouncer).
bash deploy/test-pgbouncer.sh
