#!/usr/bin/env bash
# The cluster bench: in one run, Pulse end to end next to the raw broker (amqp-client, quorum queue,
# persistent, confirms, manual ack) on deploy/cluster.sh's three-node cluster, then the same on its
# standalone node (pulse4@localhost), so the two compare on the same machine at the same hour, and
# last the cluster again with two workers processes instead of one (issue 15's several instances).
# Each part is deploy/bench.sh with BENCH_BROKER=cluster / single (BENCH_WORKERS=2 for the last)
# and the scenarios raw, e2e (one job per request) and batch (100 per request); all go into one file,
# bench/results/<yyyy-MM-dd-HHmm>-cluster.md. Starts the cluster and the node when they are not
# running, and stops what it started. Root or the rabbitmq user (as deploy/cluster.sh).
#
# Environment: BENCH_SKIP_BUILD=1, BENCH_JAVA_OPTS as for deploy/bench.sh; BENCH_OPTS is added
# after the scenario list (e.g. -Dbench.e2e.seconds=30 for a shorter run).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "[bench-cluster] $*"; }

started=()
cleanup() {
  local what
  for what in "${started[@]}"; do
    log "stopping what this run started: $what"
    if [[ $what == cluster ]]; then bash deploy/cluster.sh stop; else bash deploy/cluster.sh single stop; fi
  done
}
trap cleanup EXIT

bash deploy/cluster.sh status >/dev/null 2>&1 || started+=(cluster)
bash deploy/cluster.sh start
bash deploy/cluster.sh single status >/dev/null 2>&1 || started+=(single)
bash deploy/cluster.sh single start

if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
  log "building (./mvnw -B -q -DskipTests package)"
  ./mvnw -B -q --no-transfer-progress -DskipTests package
fi

stamp=$(date -u +%Y-%m-%d-%H%M)
out=bench/results/$stamp-cluster.md
parts=()
for part in cluster single cluster-2-workers; do
  broker=${part%%-*}
  workers=1
  [[ $part == *-2-workers ]] && workers=2
  before=$(ls bench/results/*.md | sort)
  log "BENCH_BROKER=$broker BENCH_WORKERS=$workers"
  BENCH_BROKER=$broker BENCH_WORKERS=$workers BENCH_SKIP_BUILD=1 \
    BENCH_OPTS="-Dbench.scenarios=raw,e2e,batch ${BENCH_OPTS:-}" bash deploy/bench.sh || true
  # The file this half wrote: the one that was not there before.
  written=$(comm -13 <(echo "$before") <(ls bench/results/*.md | sort) | head -1)
  [[ -n $written ]] || { log "ERROR: the $part part wrote no results"; exit 1; }
  parts+=("$part:$written")
done

{
  echo "# Cluster bench $stamp"
  echo
  echo "The same scenarios on deploy/cluster.sh's three-node cluster (apps given all three addresses,"
  echo "the raw bench connected to node 1, quorum queue leaders balanced) and on its standalone node,"
  echo "then the cluster again with a second workers process beside the first, one after the other in one"
  echo "run of deploy/bench-cluster.sh."
  for part in "${parts[@]}"; do
    echo
    case ${part%%:*} in
      cluster) echo "## Three-node cluster (pulse1-3@localhost, 5681-5683)" ;;
      single) echo "## Single node (pulse4@localhost, 5684)" ;;
      cluster-2-workers) echo "## Three-node cluster, two workers processes (ports 18181 and 18191)" ;;
    esac
    echo
    # Each half's own heading goes one level down.
    sed 's/^# /### /' "${part#*:}"
    rm -f "${part#*:}"
  done
} >"$out"
log "results written to $out"
