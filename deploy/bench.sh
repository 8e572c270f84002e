#!/usr/bin/env bash
# Benchmarks Pulse on this machine and writes the table to bench/results/<yyyy-MM-dd-HHmm>.md:
#   1. the raw broker (amqp-client, quorum queue, persistent, confirms, manual ack): the ceiling
#   2. Pulse end to end: jobs/s from POST /api/v1/notifications until the ledger says succeeded
#   3. latency at a fixed 1,000 jobs/s (ledger finished_at - created_at: p50, p99, p99.9)
#   4. peak RSS of the api and workers processes
#   (opt-in, -Dbench.scenarios=push,streams,idle-streams: 11. Web Push deliveries/s next to the
#    encryption alone, 12. live-stream latency with 1,000 open streams, 13. 10,000 idle streams)
# It ensures the services, builds, starts the packaged api (:18180) and workers (:18181) against
# their own vhost (pulse-bench) and database (pulse_bench), so a dev run (deploy/run.sh) or the
# tests (deploy/test.sh) can go on beside it, runs the scenarios (each bounded in count and
# time, a few minutes in all) and stops both apps, also when something fails.
#
# Environment:
#   BENCH_SKIP_BUILD=1   use the jars that are there
#   BENCH_API_OPTS       extra JVM options for the API only, after BENCH_JAVA_OPTS: the idle-streams
#                        scenario needs a heap and a stream limit for 10,000 streams
#                        ("-Xmx320m -Dpulse.api.stream.max-connections=10000", README: Live stream)
#   BENCH_WORKERS_OPTS   extra JVM options for the workers only, after BENCH_JAVA_OPTS (a profiler:
#                        "-XX:StartFlightRecording=filename=/tmp/workers.jfr,settings=profile")
#   BENCH_JAVA_OPTS      extra JVM options for both apps (e.g. -Xmx512m), after deploy/jvm/<app>.conf;
#                        recorded in the results
#   BENCH_JVM            settings: "tuned" (default: deploy/jvm/<app>.conf and MALLOC_ARENA_MAX=2, as
#                        deploy/run.sh starts them), "defaults" (the JVM's own, as before issue 16),
#                        or "compare": BENCH_COMPARE_SCENARIOS (default raw,e2e,batch) on the JVM's
#                        defaults first, then the whole run tuned; one results file with both
#   BENCH_WORKERS        2 starts a second workers process (port +10) beside the first: the scaling row
#                        of the README's capacity table (issue 15)
#   BENCH_DB             the database (default pulse_bench; created when missing)
#   BENCH_BEFORE_DIR     with BENCH_JVM=compare: a checkout of an earlier commit with its jars built
#                        (./mvnw -DskipTests package -pl common,api,workers); its apps run the
#                        compared scenarios first, on the JVM's defaults: before and after in one run
#   BENCH_OPTS           extra options for the bench itself, e.g. -Dbench.scenarios=raw or
#                        -Dbench.e2e.clients=32 (all of them: bench/README.md)
#   BENCH_BROKER         which broker, for deploy/bench-cluster.sh: "system" (default, the node on
#                        5672), "cluster" (deploy/cluster.sh's three nodes: the apps get all three
#                        addresses, the raw bench node 1) or "single" (its standalone pulse4 on 5684)
set -euo pipefail
cd "$(dirname "$0")/.."

VHOST=pulse-bench
# BENCH_DB: another database, e.g. for a branch whose migrations differ from those already applied
# to pulse_bench (Flyway refuses a database with a migration the code does not have).
DB=${BENCH_DB:-pulse_bench}
API_PORT=18180
WORKERS_PORT=18181
# The packaged API serves health and metrics on its management interface.
API_MANAGEMENT_PORT=18190
KEY=bench-key
BENCH_VAPID_PUBLIC_KEY=BAgxGY8xBWYlbfZYlSnhv_vD5lKhE84HRU3ghGeBCQuqDNwpv_8YqMkKk90ctgPtZgX3WGyEIPTAUudpkDrrbTg
BENCH_VAPID_PRIVATE_KEY=vcy9JpwvM7rU7_hRLTsw25vOqN0gkag-bhGeGIJBd4o
case ${BENCH_BROKER:-system} in
  system) AMQP_PORT=5672 MGMT_PORT=15672 ADDRESSES="" ;;
  cluster) AMQP_PORT=5681 MGMT_PORT=15681 ADDRESSES=127.0.0.1:5681,127.0.0.1:5682,127.0.0.1:5683 ;;
  single) AMQP_PORT=5684 MGMT_PORT=15684 ADDRESSES=127.0.0.1:5684 ;;
  *) echo "[bench] ERROR: BENCH_BROKER is system, cluster or single" >&2; exit 2 ;;
esac
MGMT=http://127.0.0.1:$MGMT_PORT/api
LOG_DIR=bench/target
READY_TIMEOUT=120
STOP_TIMEOUT=45   # the workers give running jobs 40 s (quarkus.shutdown.timeout)

declare -A PID=()   # the apps this run started
BENCH_PID=""        # the bench main while it runs

log() { echo "[bench] $*"; }

die() {
  echo "[bench] ERROR: $1" >&2
  if [[ -n ${2:-} ]]; then echo "[bench]   -> $2" >&2; fi
  exit 1
}

is_alive() { kill -0 "$1" 2>/dev/null; }

port_in_use() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# SQL as the postgres superuser: trust over TCP as the task's machines allow, else the local
# postgres user (a stock Debian install only lets it in through the socket).
pg_admin() {
  if psql -X -q -w -h 127.0.0.1 -U postgres -d postgres -c 'select 1' >/dev/null 2>&1; then
    psql -X -q -w -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -d postgres "$@"
  else
    (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@")
  fi
}

ensure_vhost() {
  # Fresh every run: queue arguments are fixed when a queue is declared, and a backlog left by
  # an interrupted run would otherwise be measured as this run's work.
  log "resetting RabbitMQ virtual host $VHOST"
  curl -fsS -u guest:guest -X DELETE "$MGMT/vhosts/$VHOST" -o /dev/null 2>/dev/null || true
  curl -fsS -u guest:guest -X PUT "$MGMT/vhosts/$VHOST" -o /dev/null \
    || die "could not create vhost $VHOST" "is the management API up? see deploy/services.sh"
  curl -fsS -u guest:guest -X PUT -H 'content-type: application/json' \
    -d '{"configure":".*","write":".*","read":".*"}' "$MGMT/permissions/$VHOST/guest" -o /dev/null \
    || die "could not grant guest permissions on $VHOST"
}

ensure_database() {
  if [[ $(pg_admin -Atc "select 1 from pg_database where datname = '$DB'") != 1 ]]; then
    log "creating database $DB"
    pg_admin -c "create database $DB owner pulse"
  fi
  # Owning it lets the apps' Flyway create the schema; the bench empties its tables each run.
  pg_admin -c "alter database $DB owner to pulse"
}

# jvm_opts APP MODE  -- the JVM settings of APP in this pass: deploy/run.sh's, or the JVM's defaults.
jvm_opts() {
  if [[ $2 == tuned ]]; then echo "@deploy/jvm/$1.conf"; fi
}

# start_app NAME PORT MODE [APP]: APP's jar (NAME's by default) as the process NAME, so a second
# workers instance (BENCH_WORKERS=2) runs as workers2 with its own port and log.
start_app() {
  local app=$1 port=$2 mode=$3 jar=${4:-$1} arenas=${MALLOC_ARENA_MAX:-2}
  [[ $mode == tuned ]] || arenas=${MALLOC_ARENA_MAX:-}
  # shellcheck disable=SC2086,SC2046  # BENCH_JAVA_OPTS holds several options on purpose
  local only=()
  if [[ $app == api ]]; then read -ra only <<<"${BENCH_API_OPTS:-}"; fi
  if [[ $app == workers* ]]; then read -ra only <<<"${BENCH_WORKERS_OPTS:-}"; fi
  MALLOC_ARENA_MAX=$arenas java $(jvm_opts "$jar" "$mode") ${BENCH_JAVA_OPTS:-} "${only[@]}" "${APP_OPTS[@]}" \
    -Dquarkus.http.port="$port" \
    -jar "${APPS_DIR:-.}/$jar/target/quarkus-app/quarkus-run.jar" </dev/null >"$LOG_DIR/$app.log" 2>&1 &
  PID[$app]=$!
  log "started $app (pid ${PID[$app]}, port $port, log $LOG_DIR/$app.log)"
}

wait_ready() {
  local app=$1 port=$2 deadline=$((SECONDS + READY_TIMEOUT))
  until curl -fs -m 3 -o /dev/null "http://127.0.0.1:$port/q/health/ready"; do
    if ! is_alive "${PID[$app]}" || ((SECONDS >= deadline)); then
      echo "[bench] ---- last 30 lines of $LOG_DIR/$app.log ----" >&2
      tail -n 30 "$LOG_DIR/$app.log" >&2 || true
      die "$app did not become ready on :$port within ${READY_TIMEOUT}s"
    fi
    sleep 1
  done
  log "$app is ready"
}

# TERM both at once (their graceful shutdowns overlap), wait, KILL what is left.
stop_apps() {
  local app deadline
  if [[ -n $BENCH_PID ]] && is_alive "$BENCH_PID"; then
    kill -TERM "$BENCH_PID" 2>/dev/null || true
    wait "$BENCH_PID" 2>/dev/null || true
  fi
  BENCH_PID=""
  ((${#PID[@]} > 0)) || return 0
  for app in "${!PID[@]}"; do
    if is_alive "${PID[$app]}"; then
      log "stopping $app (pid ${PID[$app]})"
      kill -TERM "${PID[$app]}" 2>/dev/null || true
    fi
  done
  deadline=$((SECONDS + STOP_TIMEOUT))
  for app in "${!PID[@]}"; do
    while is_alive "${PID[$app]}" && ((SECONDS < deadline)); do sleep 0.5; done
    if is_alive "${PID[$app]}"; then
      log "$app still running after ${STOP_TIMEOUT}s; killing it"
      kill -KILL "${PID[$app]}" 2>/dev/null || true
    fi
    wait "${PID[$app]}" 2>/dev/null || true
  done
  PID=()
}

# BullMQ for the peer scenario (2p), from npm into bench/peers/node_modules (not committed), at the
# version bench/peers/package.json pins; without node or npm, or offline, the bench skips it.
ensure_bullmq() {
  [[ -d bench/peers/node_modules/bullmq && -d bench/peers/node_modules/ioredis ]] && return 0
  if ! command -v npm >/dev/null 2>&1; then
    log "npm is missing: the BullMQ peer will be skipped"
    return 0
  fi
  log "installing BullMQ into bench/peers/node_modules (npm install)"
  (cd bench/peers && npm install --no-audit --no-fund --loglevel=error >/dev/null 2>&1) \
    || log "npm install failed: the BullMQ peer will be skipped"
}

# run_pass MODE [BENCH OPTION...]  -- start both apps with MODE's JVM settings, run the bench main.
run_pass() {
  local mode=$1 status=0
  shift
  log "apps from ${APPS_DIR:-this checkout} on JVM settings: $mode"
  start_app api "$API_PORT" "$mode"
  start_app workers "$WORKERS_PORT" "$mode"
  if [[ ${BENCH_WORKERS:-1} == 2 ]]; then
    start_app workers2 "$((WORKERS_PORT + 10))" "$mode" workers
  fi
  wait_ready api "$API_MANAGEMENT_PORT"
  wait_ready workers "$WORKERS_PORT"
  local jvm="JVM: $mode"
  if [[ ${BENCH_WORKERS:-1} == 2 ]]; then
    wait_ready workers2 "$((WORKERS_PORT + 10))"
    # The CPU and memory rows follow the first workers process only.
    jvm="two workers instances (CPU and RSS rows: the first only); $jvm"
  fi
  if [[ -n ${APPS_DIR:-} ]]; then jvm="code: $APPS_DIR ($(cat "$APPS_DIR/.bench-revision" 2>/dev/null || echo "unknown revision")); $jvm"; fi
  if [[ $mode == tuned ]]; then
    jvm+=" (api: $(grep -v '^#' deploy/jvm/api.conf | tr '\n' ' '); workers: $(grep -v '^#' deploy/jvm/workers.conf | tr '\n' ' '); MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2})"
  else
    jvm+=" (no heap, collector or arena settings)"
  fi
  # In the background with a wait, so a TERM or Ctrl-C to this script is handled at once (bash
  # runs traps only between commands) and the EXIT trap stops the bench along with the apps.
  # shellcheck disable=SC2086  # BENCH_OPTS holds several options on purpose
  java -cp "bench/target/pulse-bench.jar:bench/target/lib/*" \
    -Dbench.api.port="$API_PORT" -Dbench.workers.port="$WORKERS_PORT" -Dbench.api.key="$KEY" \
    -Dbench.vhost="$VHOST" -Dbench.db="$DB" -Dbench.amqp.port="$AMQP_PORT" \
    -Dbench.push.vapid-public-key="$BENCH_VAPID_PUBLIC_KEY" \
    -Dbench.api.pid="${PID[api]}" -Dbench.workers.pid="${PID[workers]}" \
    -Dbench.app-options="$jvm; ${BENCH_JAVA_OPTS:-} ${BENCH_API_OPTS:+(api only: $BENCH_API_OPTS) }${BENCH_WORKERS_OPTS:+(workers only: $BENCH_WORKERS_OPTS) }${APP_OPTS[*]} -Dquarkus.http.port=$API_PORT/$WORKERS_PORT" \
    -Dbench.results-dir=bench/results \
    ${BENCH_OPTS:-} "$@" io.pulse.bench.BenchMain &
  BENCH_PID=$!
  wait "$BENCH_PID" || status=$?
  BENCH_PID=""
  return "$status"
}

main() {
  PULSE_SERVICES_BENCH_PEERS=1 bash deploy/services.sh
  ensure_bullmq
  ensure_vhost
  ensure_database

  if [[ ${BENCH_SKIP_BUILD:-0} == 1 ]]; then
    log "BENCH_SKIP_BUILD=1: using the jars that are there"
  else
    log "building (./mvnw -B -q -DskipTests package)"
    ./mvnw -B -q --no-transfer-progress -DskipTests package || die "the build failed"
  fi
  local jar
  for jar in api/target/quarkus-app/quarkus-run.jar workers/target/quarkus-app/quarkus-run.jar \
    bench/target/pulse-bench.jar; do
    [[ -f $jar ]] || die "$jar is missing" "run without BENCH_SKIP_BUILD=1"
  done
  for port in $API_PORT $API_MANAGEMENT_PORT $WORKERS_PORT $((WORKERS_PORT + 10)); do
    if port_in_use "$port"; then
      die "port $port is taken" "an earlier bench still running? find it with: ss -ltnp 'sport = :$port'"
    fi
  done

  mkdir -p "$LOG_DIR"
  APP_OPTS=(
    "-Dquarkus.datasource.jdbc.url=jdbc:postgresql://127.0.0.1:5432/$DB"
    "-Dpulse.rabbitmq.virtual-host=$VHOST"
    "-Dpulse.api.bootstrap-key=$KEY"
    # The benchmark measures throughput, not the per-key rate limit.
    "-Dpulse.api.limits.requests-per-second=1000000"
    "-Dpulse.api.limits.burst=1000000"
    "-Dpulse.digests.unsubscribe-secret=bench-unsubscribe-secret"
    # The grouping scenario's type: in-app only, notifications with one groupKey fold for an hour.
    "-Dpulse.notifications.types.\"bench.grouped\".default-channels=in_app"
    "-Dpulse.notifications.types.\"bench.grouped\".group-window=1h"
    "-Dquarkus.management.port=$API_MANAGEMENT_PORT" "-Dquarkus.management.host=127.0.0.1"
    # the notification benchmark's GreenMail listens here
    "-Dquarkus.mailer.port=3125" "-Dquarkus.mailer.start-tls=DISABLED"
    # GC pauses, one line each, for the soak's per-minute figures (SoakSample reads gc-<pid>.log)
    "-Xlog:gc:file=$LOG_DIR/gc-%p.log:uptimemillis,level,tags"
    # The push scenario's push service is this bench on 127.0.0.1, over plain HTTP; the key pair
    # is the dev and test one (common's microprofile-config.properties), never a production one.
    "-Dpulse.notifications.push.vapid-public-key=$BENCH_VAPID_PUBLIC_KEY"
    "-Dpulse.notifications.push.vapid-private-key=$BENCH_VAPID_PRIVATE_KEY"
    "-Dpulse.notifications.push.allow-loopback-http=true"
  )
  if [[ -n $ADDRESSES ]]; then
    APP_OPTS+=("-Dpulse.rabbitmq.addresses=$ADDRESSES" "-Dpulse.rabbitmq.management.url=http://127.0.0.1:$MGMT_PORT")
  fi
  trap stop_apps EXIT
  trap 'exit 130' INT TERM   # exit runs the EXIT trap, which stops the apps

  local status=0 mode=${BENCH_JVM:-tuned}
  case $mode in
    tuned | defaults) run_pass "$mode" || status=$? ;;
    compare)
      # The same scenarios first on the JVM's defaults, into a part file the tuned pass includes.
      rm -f "$LOG_DIR/jvm-defaults.md"
      if [[ -n ${BENCH_BEFORE_DIR:-} ]]; then
        [[ -f $BENCH_BEFORE_DIR/api/target/quarkus-app/quarkus-run.jar ]] \
          || die "no built apps in BENCH_BEFORE_DIR=$BENCH_BEFORE_DIR"
        # A database of its own, made fresh: the earlier code's migrations, not ours, make its schema.
        local now_db=$DB now_opts=("${APP_OPTS[@]}")
        DB=${DB}_before
        pg_admin -c "drop database if exists $DB"
        ensure_database
        APP_OPTS=("${APP_OPTS[@]/5432\/$now_db/5432/$DB}")
        APPS_DIR=$BENCH_BEFORE_DIR run_pass defaults \
          "-Dbench.scenarios=${BENCH_COMPARE_SCENARIOS:-raw,e2e,batch}" \
          "-Dbench.part-file=$LOG_DIR/jvm-defaults.md" || status=$?
        stop_apps
        ensure_vhost
        DB=$now_db
        APP_OPTS=("${now_opts[@]}")
      fi
      run_pass defaults "-Dbench.scenarios=${BENCH_COMPARE_SCENARIOS:-raw,e2e,batch}" \
        "-Dbench.part-file=$LOG_DIR/jvm-defaults.md" || status=$?
      stop_apps
      ensure_vhost
      run_pass tuned "-Dbench.include=$LOG_DIR/jvm-defaults.md" || status=$?
      ;;
    *) die "BENCH_JVM is tuned, defaults or compare" ;;
  esac
  stop_apps
  case $status in
    0) log "done" ;;
    2) log "done, but a scenario did not finish all its work (see INCOMPLETE in the table)" ;;
    *) log "the bench failed (exit status $status); app logs: $LOG_DIR/api.log, $LOG_DIR/workers.log" ;;
  esac
  return "$status"
}

main "$@"
