#!/usr/bin/env bash
# The operator console's page queries on a ledger of 1,000,000 jobs (issue 20: pages stay usable
# at that size). Builds a scratch database with the project's migrations, fills `jobs` with a
# week of time-ordered jobs (96% succeeded, 2% dead, 1% retrying, 1% queued; half with an
# idempotency key), then runs each query the console pages send, as they send it, and prints the
# database time of each (the median of 5 warm runs). Rendering adds little on top; the figures
# are PostgreSQL's. Writes bench/results/<date>-console-pages.md.
#   deploy/bench-console.sh            1,000,000 jobs
#   ROWS=200000 deploy/bench-console.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
DB=pulse_console_bench
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres)

"${PSQL[@]}" -d postgres -c "drop database if exists $DB" -c "create database $DB owner pulse"
for f in $(ls common/src/main/resources/db/migration/V*.sql | sort -V); do
  "${PSQL[@]}" -d "$DB" -f "$f" >/dev/null
done
echo "[bench-console] filling jobs with $ROWS rows"
"${PSQL[@]}" -d "$DB" <<SQL
insert into jobs (id, type, status, idempotency_key, payload, attempts, last_error,
                  created_at, updated_at, finished_at)
select (lpad(to_hex((extract(epoch from ts) * 1000)::bigint), 12, '0') || '7'
        || substr(md5(n::text), 1, 3) || '8' || substr(md5(n::text), 4, 15))::uuid,
       (array['notification.dispatch','notification.email','notification.webhook','feed.fanout',
              'feed.fanout.chunk','digest.build'])[1 + n % 6],
       case when n % 100 < 96 then 'succeeded' when n % 100 < 98 then 'dead'
            when n % 100 < 99 then 'retrying' else 'queued' end,
       case when n % 2 = 0 then 'key-' || n end,
       jsonb_build_object('n', n, 'period', 'daily', 'periodStart', '2026-12-06T00:00:00Z'),
       1 + n % 3,
       case when n % 100 between 96 and 98 then 'java.io.IOException: connection reset' end,
       ts, ts, case when n % 100 < 98 then ts end
  from (select n, now() - interval '7 days' * (1 - n::float8 / $ROWS) as ts
          from generate_series(1, $ROWS) n) g;
analyze jobs;
SQL

JOB_ID=$("${PSQL[@]}" -d "$DB" -At -c "select id from jobs order by id limit 1 offset $((ROWS / 2))")

# Each page's queries, with the parameters a typical use sends.
declare -A QUERIES=(
  ["Overview: jobs per status, last hour (bounded 100,000)"]="select status, count(*) from (select status from jobs where id >= (lpad(to_hex((extract(epoch from now() - interval '1 hour') * 1000)::bigint), 12, '0') || '70008000000000000000')::uuid order by id desc limit 100000) r group by status"
  ["Overview: jobs per status, last 24 hours (bounded 100,000)"]="select status, count(*) from (select status from jobs where id >= (lpad(to_hex((extract(epoch from now() - interval '24 hours') * 1000)::bigint), 12, '0') || '70008000000000000000')::uuid order by id desc limit 100000) r group by status"
  ["Overview: succeeded per minute with p50/p99, last hour (bounded 100,000)"]="select date_trunc('minute', finished_at), count(*), percentile_cont(0.5) within group (order by latency), percentile_cont(0.99) within group (order by latency) from (select finished_at, extract(epoch from finished_at - created_at) * 1000 as latency from jobs where id >= (lpad(to_hex((extract(epoch from now() - interval '1 hour') * 1000)::bigint), 12, '0') || '70008000000000000000')::uuid and status = 'succeeded' order by id desc limit 100000) recent group by 1 order by 1 desc"
  ["Jobs: newest 51"]="select id, type, status, attempts, last_error, created_at from jobs where true order by id desc limit 51"
  ["Jobs: by idempotency key, any type"]="select id, type, status, attempts, last_error, created_at from jobs where true and idempotency_key = 'key-500000' and type = any(array['digest.build','feed.backfill','feed.fanout','feed.fanout.chunk','feed.rebuild','feed.retract','notification.dispatch','notification.email','notification.webhook']) order by id desc limit 51"
  ["Jobs: by type and status dead"]="select id, type, status, attempts, last_error, created_at from jobs where true and type = 'notification.email' and status = 'dead' order by id desc limit 51"
  ["Jobs: status retrying, any type"]="select id, type, status, attempts, last_error, created_at from jobs where true and status = 'retrying' order by id desc limit 51"
  ["Jobs: one day's range, page 2"]="select id, type, status, attempts, last_error, created_at from jobs where true and id >= (lpad(to_hex((extract(epoch from now() - interval '3 days') * 1000)::bigint), 12, '0') || '70008000000000000000')::uuid and id < (lpad(to_hex((extract(epoch from now() - interval '2 days') * 1000)::bigint), 12, '0') || '70008000000000000000')::uuid order by id desc limit 51 offset 51"
  ["A job: by id"]="select * from jobs where id = '$JOB_ID'"
  ["Dead letters: newest 51"]="select id, type, last_error, attempts, updated_at from jobs where status = 'dead' order by updated_at desc, id desc limit 51"
  ["Dead letters: one type"]="select id, type, last_error, attempts, updated_at from jobs where status = 'dead' and type = 'feed.fanout' order by updated_at desc, id desc limit 51"
  ["Digest runs: failed per period (14 days)"]="select concat_ws(' ', payload ->> 'period', payload ->> 'periodStart'), count(*) from jobs where status = 'dead' and type = 'digest.build' and updated_at >= now() - interval '14 days' group by 1"
)

median_ms() {
  local sql=$1 i t times=()
  for i in 1 2 3 4 5 6; do
    t=$("${PSQL[@]}" -d "$DB" -At -c "explain (analyze, format json) $sql" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Execution Time"])')
    ((i > 1)) && times+=("$t")
  done
  printf '%s\n' "${times[@]}" | sort -g | sed -n 3p
}

out=bench/results/$(date -u +%Y-%m-%d-%H%M)-console-pages.md
{
  echo "# Console page queries on $ROWS jobs"
  echo
  echo "\`deploy/bench-console.sh\` on $(date -u +%Y-%m-%d), PostgreSQL $("${PSQL[@]}" -d "$DB" -At -c 'show server_version'), $(nproc) cores; jobs table $("${PSQL[@]}" -d "$DB" -At -c "select pg_size_pretty(pg_total_relation_size('jobs'))") with indexes. Median of 5 warm runs, database execution time."
  echo
  echo "| page query | ms |"
  echo "|---|---|"
  for name in "${!QUERIES[@]}"; do
    echo "| $name | $(median_ms "${QUERIES[$name]}") |"
  done | sort
} | tee "$out"
"${PSQL[@]}" -d postgres -c "drop database $DB"
echo "[bench-console] wrote $out"
