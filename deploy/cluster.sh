#!/usr/bin/env bash
# A three-node RabbitMQ cluster on this machine, beside the system node (rabbit@localhost on 5672),
# from the installed rabbitmq-server: no Docker, no second installation.
#
#   deploy/cluster.sh start          start the nodes that are not running, join them, wait for all three
#   deploy/cluster.sh stop           stop all three (their data stays; start brings them back)
#   deploy/cluster.sh status         which nodes run, the cluster's members, quorum queue leaders per node
#   deploy/cluster.sh kill N         SIGKILL node N (1-3): the fault tests' crash
#   deploy/cluster.sh restart N      stop node N once no quorum queue needs it, start it, wait
#   deploy/cluster.sh rebalance      spread quorum queue leaders over the running nodes again
#   deploy/cluster.sh addresses      the AMQP addresses, as pulse.rabbitmq.addresses wants them
#   deploy/cluster.sh single CMD     a standalone fourth node, pulse4@localhost, in no cluster, for
#                                    the single-node fault tests: start, stop, kill (SIGKILL),
#                                    restart, status, alarm (a memory alarm: every publishing
#                                    connection blocked), clear (the alarm lifted)
#
# Node N is pulseN@localhost: AMQP 127.0.0.1:568N, management http://127.0.0.1:1568N (guest/guest),
# Erlang distribution 2568N; the standalone node is N = 4 (5684, 15684, 25684). Not 5672-5674:
# 5672 belongs to the system node (its rabbitmq.conf pins 127.0.0.1:5672), which keeps running;
# one free block, with the node's number as the last digit of all three ports, keeps every port
# easy to tell apart.
# Every step checks before it changes anything, so start is safe to run again.
#
# Environment:
#   PULSE_CLUSTER_DIR   where the nodes keep data, logs and config (default /var/lib/rabbitmq/pulse-cluster)
set -Eeuo pipefail

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
NODES=(1 2 3)
HOST=localhost
DIR=${PULSE_CLUSTER_DIR:-/var/lib/rabbitmq/pulse-cluster}
SERVER=/usr/lib/rabbitmq/bin/rabbitmq-server
START_TIMEOUT=120

log() { echo "[cluster] $*"; }
die() {
  echo "[cluster] ERROR: $1" >&2
  exit 1
}

node() { echo "pulse$1@$HOST"; }
amqp_port() { echo $((5680 + $1)); }
mgmt_port() { echo $((15680 + $1)); }
dist_port() { echo $((25680 + $1)); }
node_dir() { echo "$DIR/pulse$1"; }
pid_of() { cat "$(node_dir "$1")/pid" 2>/dev/null | tr -dc '0-9' || true; }

# The Debian wrappers only let root or the rabbitmq user run the tools; as either, they talk to the
# nodes with the rabbitmq user's Erlang cookie, which our nodes share because they run as that user.
ctl() { timeout 90 rabbitmqctl -q -n "$(node "$1")" "${@:2}"; }

as_rabbitmq() {
  if [[ $(id -un) == rabbitmq ]]; then
    "$@"
  else
    runuser -u rabbitmq -- "$@"
  fi
}

# Running means the Erlang VM answers and the rabbit app in it is booted.
running() { timeout 20 rabbitmqctl -q -n "$(node "$1")" status >/dev/null 2>&1; }

vm_alive() {
  local pid
  pid=$(pid_of "$1")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null
}

check_prerequisites() {
  [[ -x $SERVER ]] || die "$SERVER is missing: install rabbitmq-server (deploy/services.sh does)"
  if [[ $(id -u) -ne 0 && $(id -un) != rabbitmq ]]; then
    die "run as root or as the rabbitmq user (the RabbitMQ tools refuse anyone else)"
  fi
}

write_config() {
  local n=$1 dir
  dir=$(node_dir "$n")
  mkdir -p "$dir/mnesia" "$dir/log"
  # Quorum queue leaders go to the node with the fewest leaders, not to the node the declaring
  # client is connected to: with every app on node 1 first, client-local would put them all there.
  # pause_minority: a node cut off from the other two stops serving instead of diverging.
  cat >"$dir/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$(amqp_port "$n")
management.tcp.ip = 127.0.0.1
management.tcp.port = $(mgmt_port "$n")
queue_leader_locator = balanced
cluster_partition_handling = pause_minority
EOF
  echo '[rabbitmq_management].' >"$dir/enabled_plugins"
  if [[ $(id -u) -eq 0 ]]; then chown -R rabbitmq:rabbitmq "$DIR"; fi
}

launch() {
  local n=$1 dir
  dir=$(node_dir "$n")
  write_config "$n"
  log "starting $(node "$n") (AMQP $(amqp_port "$n"), management $(mgmt_port "$n"), log $dir/log)"
  LAUNCHED[$n]=$SECONDS
  # HOME is where the Erlang cookie lives: the rabbitmq user's, shared with the CLI tools.
  # Mnesia's directory is given to the VM itself, not only set later by RabbitMQ's prelaunch: when
  # the three nodes boot at once, a peer's schema update once reached a node before that, and its
  # Mnesia tried the working directory instead ("Cannot create Mnesia dir", the node never booted).
  as_rabbitmq env HOME=/var/lib/rabbitmq \
    RABBITMQ_NODENAME="$(node "$n")" \
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT="$(amqp_port "$n")" \
    RABBITMQ_DIST_PORT="$(dist_port "$n")" \
    RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
    RABBITMQ_MNESIA_BASE="$dir/mnesia" \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-mnesia dir \"$dir/mnesia/$(node "$n")\"" \
    RABBITMQ_LOG_BASE="$dir/log" \
    RABBITMQ_PID_FILE="$dir/pid" \
    "$SERVER" -detached >>"$dir/log/startup.log" 2>&1
}

declare -A LAUNCHED=()

await_running() {
  local n=$1 deadline=$((SECONDS + START_TIMEOUT)) relaunched=0
  until running "$n"; do
    if ((SECONDS >= deadline)); then
      die "$(node "$n") did not start within ${START_TIMEOUT}s; see $(node_dir "$n")/log"
    fi
    # Nodes booting at once can kill each other's boot: pulse1 once synced feature flags with a
    # pulse3 that had not loaded its registry yet and stopped (incompatible_feature_flags,
    # badmap). Its peers are further along by now, so one more launch boots it.
    if ((!relaunched)) && [[ -n ${LAUNCHED[$n]:-} ]] && ((SECONDS - LAUNCHED[$n] >= 20)) \
      && ! vm_alive "$n"; then
      relaunched=1
      log "$(node "$n") stopped while booting; launching it once more"
      launch "$n"
    fi
    sleep 1
  done
}

members() { ctl 1 cluster_status --formatter json 2>/dev/null | tr -d ' \n'; }

# A node that answers status may still refuse cluster_status for a moment after its boot.
await_members() {
  local m deadline=$((SECONDS + 60))
  until m=$(members) && [[ -n $m ]]; do
    ((SECONDS < deadline)) || die "$(node 1) does not answer cluster_status; see $(node_dir 1)/log"
    sleep 2
  done
  echo "$m"
}

# Only for a node that does not belong to the cluster yet: it holds nothing, so reset loses nothing.
join() {
  local n=$1
  log "joining $(node "$n") to $(node 1)"
  # The CLI prints the joining node's boot warnings; they belong in its log, not here.
  local logf
  logf=$(node_dir "$n")/log/join.log
  {
    ctl "$n" stop_app && ctl "$n" reset && ctl "$n" join_cluster "$(node 1)" && ctl "$n" start_app
  } >>"$logf" 2>&1 || die "$(node "$n") could not join $(node 1); see $logf"
}

in_list() { grep -q "\"$1\":\\[[^]]*\"$(node "$2")\"" <<<"$3"; }

start() {
  # A step that fails under set -e says which one, so a failed start in CI explains itself.
  trap 'echo "[cluster] ERROR: line $LINENO: \"$BASH_COMMAND\" exited $?" >&2' ERR
  check_prerequisites
  local n m joined=0
  # One CLI call (each costs the CLI's start-up, a second or two) answers the common case.
  m=$(members || true)
  # All missing nodes boot at once: a node that was stopped with the cluster waits for its peers
  # before it finishes booting, so starting them one by one could wait for ever.
  for n in "${NODES[@]}"; do
    if in_list running_nodes "$n" "$m"; then
      continue
    elif vm_alive "$n"; then
      log "$(node "$n") is up or booting"
    else
      launch "$n"
    fi
  done
  for n in "${NODES[@]}"; do in_list running_nodes "$n" "$m" || await_running "$n"; done
  m=$(await_members)
  for n in 2 3; do
    if ! in_list disk_nodes "$n" "$m"; then
      join "$n"
      joined=1
    fi
  done
  if ((joined)); then
    ctl 1 set_permissions -p / guest '.*' '.*' '.*' >/dev/null || die "could not grant guest on /"
    # Quorum queues' at-least-once dead-lettering needs the stream_queue flag (as in services.sh).
    ctl 1 enable_feature_flag all >/dev/null || die "could not enable the feature flags"
  fi
  log "$(node 1), $(node 2), $(node 3) are running as one cluster; pulse.rabbitmq.addresses=$(addresses)"
}

stop_node() {
  local n=$1 pid
  pid=$(pid_of "$n")
  if vm_alive "$n"; then
    log "stopping $(node "$n")"
    ctl "$n" stop >/dev/null || true
  fi
  if [[ -n $pid ]]; then
    while kill -0 "$pid" 2>/dev/null; do sleep 0.5; done
  fi
}

stop() {
  local n
  for n in 3 2 1; do stop_node "$n"; done
  log "stopped"
}

kill_node() {
  local n=$1 pid
  pid=$(pid_of "$n")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || die "$(node "$n") is not running"
  log "SIGKILL $(node "$n") (pid $pid)"
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

restart_node() {
  local n=$1
  # Preferably once every quorum queue keeps a majority without this node. A member still catching
  # up after an earlier restart can hold that back for long on a busy machine: then restart anyway
  # (Raft loses nothing; such a queue pauses until this node is back).
  if ! timeout 70 rabbitmq-upgrade -q -n "$(node "$n")" await_online_quorum_plus_one -t 60 >/dev/null 2>&1; then
    log "WARNING: some quorum queue cannot spare $(node "$n") after 60 s; restarting it anyway"
  fi
  stop_node "$n"
  launch "$n"
  await_running "$n"
  log "$(node "$n") restarted"
}

addresses() {
  local n out=()
  for n in "${NODES[@]}"; do out+=("127.0.0.1:$(amqp_port "$n")"); done
  (IFS=,; echo "${out[*]}")
}

status() {
  local n up=() vhost
  for n in "${NODES[@]}"; do
    if running "$n"; then
      log "$(node "$n"): running, AMQP 127.0.0.1:$(amqp_port "$n"), management http://127.0.0.1:$(mgmt_port "$n")"
      up+=("$n")
    else
      log "$(node "$n"): not running"
    fi
  done
  ((${#up[@]} > 0)) || return 3
  log "members: $(members | grep -o '"running_nodes":\[[^]]*\]')"
  # Leaders per node, over every virtual host: what queue_leader_locator = balanced spreads.
  for vhost in $(ctl "${up[0]}" list_vhosts --no-table-headers); do
    ctl "${up[0]}" list_queues -p "$vhost" --no-table-headers type leader 2>/dev/null
  done | awk '$1 == "quorum" { n[$2]++ } END { for (l in n) printf "[cluster] quorum queue leaders on %s: %d\n", l, n[l] }' | sort
  ((${#up[@]} == ${#NODES[@]})) || return 3
}

# The standalone node: its own data, config and ports like the cluster's nodes, but never joined,
# so restarting or alarming it touches neither the cluster nor the system node.
SINGLE=4
# RabbitMQ's default: 40% of the machine's memory.
DEFAULT_WATERMARK=0.4

single() {
  case ${1:-} in
    start)
      check_prerequisites
      if running "$SINGLE"; then
        log "$(node "$SINGLE") is running"
        return
      fi
      vm_alive "$SINGLE" || launch "$SINGLE"
      await_running "$SINGLE"
      log "$(node "$SINGLE") is running alone; pulse.rabbitmq.addresses=127.0.0.1:$(amqp_port "$SINGLE")"
      ;;
    stop) stop_node "$SINGLE" ;;
    kill) kill_node "$SINGLE" ;;
    restart)
      stop_node "$SINGLE"
      single start
      ;;
    status)
      if running "$SINGLE"; then
        log "$(node "$SINGLE"): running, AMQP 127.0.0.1:$(amqp_port "$SINGLE"), management http://127.0.0.1:$(mgmt_port "$SINGLE")"
      else
        log "$(node "$SINGLE"): not running"
        return 3
      fi
      ;;
    # A watermark far below what the node already uses raises the memory alarm within a second
    # (the node checks its memory about once a second); the default lifts it again.
    alarm) ctl "$SINGLE" set_vm_memory_high_watermark 0.0001 >/dev/null ;;
    clear) ctl "$SINGLE" set_vm_memory_high_watermark "$DEFAULT_WATERMARK" >/dev/null ;;
    *) die "single start|stop|kill|restart|status|alarm|clear" ;;
  esac
}

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

node_arg() {
  [[ ${1:-} =~ ^[123]$ ]] || die "which node? 1, 2 or 3"
  echo "$1"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) status ;;
  kill) kill_node "$(node_arg "${2:-}")" ;;
  restart) restart_node "$(node_arg "${2:-}")" ;;
  rebalance) timeout 120 rabbitmq-queues -q -n "$(node 1)" rebalance quorum ;;
  addresses) addresses ;;
  single) single "${2:-}" ;;
  -h | --help) usage ;;
  *) usage >&2; exit 2 ;;
esac
