#!/usr/bin/env bash
# Runs the whole Pulse platform on this machine: PostgreSQL and RabbitMQ (via services.sh), then
# the API (http://127.0.0.1:8080; its health, metrics and OpenAPI on the management port :9000)
# and the workers (health and metrics on :8081) as two java processes. Builds first when the jars are missing or older than the sources.
#
#   deploy/run.sh            start, print where everything is, stay in the foreground; Ctrl-C stops both
#   deploy/run.sh --detach   start, print, return and leave both running
#   deploy/run.sh --stop     stop what an earlier run started
#
# Environment:
#   PULSE_API_BOOTSTRAP_KEY  admin API key; without it one is generated once and kept in .pulse/bootstrap-key
#   PULSE_DIGESTS_UNSUBSCRIBE_SECRET  signs digest unsubscribe links; generated once into .pulse/unsubscribe-secret
#   PULSE_API_STREAM_TOKEN_SECRET     signs live-stream tokens; generated once into .pulse/stream-token-secret
#   PULSE_NOTIFICATIONS_PUSH_VAPID_PUBLIC_KEY / _PRIVATE_KEY  the Web Push (VAPID) key pair; generated
#                            once into .pulse/vapid-public-key and .pulse/vapid-private-key (needs openssl)
#   PULSE_JAVA_OPTS          extra JVM options for both apps, after deploy/jvm/<app>.conf (e.g. -Xmx512m)
#   PULSE_SKIP_BUILD=1       never build, use the jars that are there
#   PULSE_STOP_TIMEOUT       seconds a stopping app gets before it is killed (default 45)
#   QUARKUS_* / PULSE_*      reach both apps unchanged (e.g. QUARKUS_DATASOURCE_JDBC_URL, PULSE_RABBITMQ_HOST)
#   QUARKUS_MANAGEMENT_HOST  where the API's management port listens (default here 127.0.0.1: this machine only)
set -euo pipefail
cd "$(dirname "$0")/.."

STATE_DIR=.pulse
APPS=(api workers)
declare -A PORT=([api]=8080 [workers]=8081)
# Where each app serves health and metrics: the API on its management interface, the workers on
# their only port.
declare -A OPS_PORT=([api]=9000 [workers]=8081)
# Operators' endpoints stay on this machine unless asked otherwise.
export QUARKUS_MANAGEMENT_HOST=${QUARKUS_MANAGEMENT_HOST:-127.0.0.1}
READY_TIMEOUT=90
# The workers allow themselves 40 s (quarkus.shutdown.timeout) to finish in-flight jobs.
STOP_TIMEOUT=${PULSE_STOP_TIMEOUT:-45}

declare -A PID=()   # apps this invocation started
RUNNING=0           # 1 once both are ready and we only watch them
STOPPING=0

log() { echo "[run] $*"; }

die() {
  echo "[run] ERROR: $1" >&2
  if [[ -n ${2:-} ]]; then echo "[run]   -> $2" >&2; fi
  exit 1
}

have() { command -v "$1" >/dev/null 2>&1; }

jar_of() { echo "$1/target/quarkus-app/quarkus-run.jar"; }
pid_file() { echo "$STATE_DIR/$1.pid"; }
log_file() { echo "$STATE_DIR/$1.log"; }

# kill -0 also succeeds for a zombie, which has already exited and only awaits its parent.
is_alive() {
  kill -0 "$1" 2>/dev/null || return 1
  if [[ -r /proc/$1/stat ]]; then
    local state
    state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1) || return 1
    [[ $state != Z ]]
  fi
}

# A pid file can outlive its process and the pid be reused; only ever signal our own java.
is_ours() {
  local pid=$1 app=$2 cmd
  if [[ -r /proc/$pid/cmdline ]]; then
    cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  else
    cmd=$(ps -o args= -p "$pid" 2>/dev/null) || return 1
  fi
  [[ $cmd == *java* && $cmd == *"$(jar_of "$app")"* ]]
}

# live_pid APP -- the pid of APP recorded in its pid file, if that process still runs; else nothing.
live_pid() {
  local file pid
  file=$(pid_file "$1")
  [[ -f $file ]] || return 0
  pid=$(tr -dc '0-9' <"$file")
  if [[ -n $pid ]] && is_alive "$pid" && is_ours "$pid" "$1"; then
    echo "$pid"
  fi
}

# stop_apps APP...  -- TERM all at once (so their graceful shutdowns overlap), wait, then KILL.
stop_apps() {
  local app pid deadline
  local -A stopping=()
  for app in "$@"; do
    pid=${PID[$app]:-$(live_pid "$app")}
    if [[ -n $pid ]] && is_alive "$pid"; then
      log "stopping $app (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      stopping[$app]=$pid
    fi
  done
  deadline=$((SECONDS + STOP_TIMEOUT))
  for app in "${!stopping[@]}"; do
    pid=${stopping[$app]}
    while is_alive "$pid" && ((SECONDS < deadline)); do sleep 0.5; done
    if is_alive "$pid"; then
      log "$app (pid $pid) still running after ${STOP_TIMEOUT}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    else
      log "$app stopped"
    fi
  done
  # Reap our own children so no zombie lingers and their exit status is not reported later.
  for app in "$@"; do
    [[ -n ${PID[$app]:-} ]] && { wait "${PID[$app]}" 2>/dev/null || true; }
    unset "PID[$app]"
    rm -f "$(pid_file "$app")"
  done
}

# Bash's /dev/tcp avoids depending on ss or nc.
port_in_use() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

ensure_java() {
  have java || die "java is not installed" "install Java 17 or newer (Debian: apt-get install openjdk-17-jdk-headless)"
  local major
  major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
  if [[ -n $major ]] && ((major < 17)); then
    die "java on PATH is version $major; Pulse needs 17 or newer" "install Java 17+ or put it first on PATH / set JAVA_HOME"
  fi
}

build_if_needed() {
  if [[ ${PULSE_SKIP_BUILD:-0} == 1 ]]; then
    log "PULSE_SKIP_BUILD=1: not building"
    return 0
  fi
  local reason="" app jar
  for app in "${APPS[@]}"; do
    jar=$(jar_of "$app")
    if [[ ! -f $jar ]]; then
      reason="$jar is missing"
      break
    fi
    # -newer compares modification times; one changed source or pom means the jars may be stale.
    if [[ -n $(find common/src api/src workers/src -newer "$jar" -type f -print -quit) \
       || -n $(find . -name pom.xml -not -path '*/target/*' -newer "$jar" -print -quit) ]]; then
      reason="sources changed since $jar was built"
      break
    fi
  done
  if [[ -z $reason ]]; then
    log "jars are up to date"
    return 0
  fi
  log "building ($reason); the first build also downloads dependencies, which takes minutes"
  ./mvnw -B -q --no-transfer-progress -DskipTests package \
    || die "the build failed" "see the Maven output above; PULSE_SKIP_BUILD=1 runs the jars that are there"
}

# ensure_secret VAR FILE WHAT: use $VAR when set, else the secret kept in .pulse/FILE, else generate
# one there. Reusing it keeps clients, scripts and mailed links working across restarts.
ensure_secret() {
  local var=$1 file=$STATE_DIR/$2 what=$3 value=${!1:-}
  if [[ -n $value ]]; then
    log "using the $what from $var"
  else
    if [[ -s $file ]]; then
      value=$(tr -d ' \n\r\t' <"$file")
    fi
    if [[ -z $value ]]; then
      if have openssl; then
        value=$(openssl rand -hex 24)
      else
        value=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
      fi
      # A credential: readable by this user only.
      (umask 077 && echo "$value" >"$file")
      log "generated a $what in $file"
    else
      log "using the $what from $file"
    fi
  fi
  printf -v "$var" '%s' "$value"
  export "${var?}"
}

# ensure_vapid_keys: the Web Push VAPID pair from the environment, else the pair kept in .pulse,
# else a new P-256 pair made with openssl, written as web-push tools print it: base64url of the
# 65-byte public point and of the 32-byte private scalar. Kept across restarts, because browsers
# subscribed with the public key and a new pair would orphan every subscription.
ensure_vapid_keys() {
  local pub=${PULSE_NOTIFICATIONS_PUSH_VAPID_PUBLIC_KEY:-} priv=${PULSE_NOTIFICATIONS_PUSH_VAPID_PRIVATE_KEY:-}
  local pub_file=$STATE_DIR/vapid-public-key priv_file=$STATE_DIR/vapid-private-key
  if [[ -n $pub && -n $priv ]]; then
    log "using the Web Push VAPID keys from PULSE_NOTIFICATIONS_PUSH_VAPID_*"
  elif [[ -s $pub_file && -s $priv_file ]]; then
    pub=$(tr -d ' \n\r\t' <"$pub_file")
    priv=$(tr -d ' \n\r\t' <"$priv_file")
    log "using the Web Push VAPID keys from $pub_file and $priv_file"
  elif have openssl && have xxd; then
    local der
    # SEC1 DER of a named-curve P-256 key: the scalar at byte 7 (32 bytes), the point at byte 56 (65).
    der=$(openssl ecparam -name prime256v1 -genkey -noout | openssl ec -outform DER 2>/dev/null | xxd -p | tr -d '\n')
    [[ ${der:0:14} == 30770201010420 && ${der:112:2} == 04 ]] \
      || die "openssl made a P-256 key of an unexpected shape" "set PULSE_NOTIFICATIONS_PUSH_VAPID_PUBLIC_KEY and _PRIVATE_KEY (npx web-push generate-vapid-keys)"
    priv=$(printf '%s' "${der:14:64}" | xxd -r -p | base64 -w0 | tr '+/' '-_' | tr -d '=')
    pub=$(printf '%s' "${der:112:130}" | xxd -r -p | base64 -w0 | tr '+/' '-_' | tr -d '=')
    (umask 077 && echo "$priv" >"$priv_file")
    echo "$pub" >"$pub_file"
    log "generated a Web Push VAPID key pair in $pub_file and $priv_file"
  else
    log "no openssl/xxd to make Web Push VAPID keys: the push channel stays off"
    return 0
  fi
  export PULSE_NOTIFICATIONS_PUSH_VAPID_PUBLIC_KEY=$pub PULSE_NOTIFICATIONS_PUSH_VAPID_PRIVATE_KEY=$priv
}

start_app() {
  local app=$1 logf
  logf=$(log_file "$app")
  # Keep the previous run's log: it may be the one that explains a crash.
  if [[ -f $logf ]]; then mv -f "$logf" "$logf.1"; fi
  # The apps ignore HUP and INT, so closing the terminal or a later Ctrl-C in it cannot hit a
  # detached app, and in the foreground Ctrl-C reaches them once, as our TERM. (The JVM keeps a
  # signal ignored that it inherits ignored.) --stop and our trap use TERM, which they obey.
  # deploy/jvm/<app>.conf holds the app's heap, collector and bounds (README, Memory);
  # PULSE_JAVA_OPTS come after it, so an option given there wins. glibc gives every thread that
  # allocates its own malloc arena (up to 8 per core), native memory the JVM then holds for good:
  # two arenas are plenty for the JVM's own allocations.
  # shellcheck disable=SC2086  # PULSE_JAVA_OPTS holds several options on purpose
  (trap '' HUP INT && export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2} \
    && exec java "@deploy/jvm/$app.conf" ${PULSE_JAVA_OPTS:-} -jar "$(jar_of "$app")") </dev/null >"$logf" 2>&1 &
  PID[$app]=$!
  echo "${PID[$app]}" >"$(pid_file "$app")"
  log "started $app (pid ${PID[$app]}, port ${PORT[$app]}, log $logf)"
}

# fail_app APP REASON  -- show why APP did not come up, stop everything we started, exit 1.
fail_app() {
  local app=$1 logf
  logf=$(log_file "$app")
  echo "[run] ERROR: $app $2" >&2
  # The tail can be all health-probe noise; the first warnings usually name the cause.
  if grep -qE '^[0-9:.]+ (WARN|ERROR) ' "$logf" 2>/dev/null; then
    echo "[run] ---- first warnings and errors in $logf ----" >&2
    grep -m5 -E '^[0-9:.]+ (WARN|ERROR) ' "$logf" >&2 || true
  fi
  echo "[run] ---- last 40 lines of $logf ----" >&2
  tail -n 40 "$logf" >&2 || true
  echo "[run] ----" >&2
  STOPPING=1
  stop_apps "${APPS[@]}"
  exit 1
}

wait_ready() {
  local app=$1 url="http://127.0.0.1:${OPS_PORT[$1]}/q/health/ready"
  local deadline=$((SECONDS + READY_TIMEOUT)) status
  log "waiting for $app to be ready ($url)"
  until curl -fs -m 3 -o /dev/null "$url"; do
    if ! is_alive "${PID[$app]}"; then
      status=0
      wait "${PID[$app]}" 2>/dev/null || status=$?
      fail_app "$app" "exited during startup (exit status $status)"
    fi
    if ((SECONDS >= deadline)); then
      # The health body names the check that is down (database, rabbitmq, consumers).
      log "$url answers: $(curl -s -m 3 "$url" | tr -s ' \n' ' ' || true)"
      fail_app "$app" "was not ready within ${READY_TIMEOUT}s"
    fi
    sleep 1
  done
  log "$app is ready"
}

print_summary() {
  local key=$PULSE_API_BOOTSTRAP_KEY api=http://127.0.0.1:${PORT[api]} wk=http://127.0.0.1:${PORT[workers]}
  local ops=http://127.0.0.1:${OPS_PORT[api]}
  cat <<EOF

[run] ==================== Pulse is running ====================
[run] API:             $api/api/v1
[run]                  Authorization: Bearer $key
[run] API operations:  $ops/q/health , $ops/q/metrics , $ops/q/openapi (management port)
[run] Workers:         $wk/q/health , $wk/q/metrics
[run] RabbitMQ:        http://127.0.0.1:15672 (guest/guest)
[run] Logs:            $(log_file api) , $(log_file workers)
[run]
[run] Try it (create user 42, notify them, read their inbox):

curl -sS -X PUT $api/api/v1/users/42 \\
  -H 'Authorization: Bearer $key' -H 'Content-Type: application/json' \\
  -d '{"handle":"mina","email":"mina@uni.example","displayName":"Mina","timeZone":"Asia/Seoul","digest":"daily"}'

curl -sS -i -X POST $api/api/v1/notifications \\
  -H 'Authorization: Bearer $key' -H 'Content-Type: application/json' \\
  -d '{"type":"comment.reply","recipientIds":[42],"title":"New reply","body":"hello","link":"/posts/9","actorId":5}'

curl -sS $api/api/v1/users/42/notifications -H 'Authorization: Bearer $key'

EOF
}

# First signal: graceful stop. A second one while stopping: kill at once.
on_signal() {
  if ((STOPPING)); then
    log "second signal: killing both now"
    local app
    for app in "${!PID[@]}"; do kill -KILL "${PID[$app]}" 2>/dev/null || true; done
    rm -f "$(pid_file api)" "$(pid_file workers)"
    exit 1
  fi
  STOPPING=1
  log "stopping both (signal again to kill them at once)"
  stop_apps "${APPS[@]}"
  # Interrupting a startup is not success; stopping a running platform on request is.
  if ((RUNNING)); then exit 0; else exit 130; fi
}

# Leaves nothing behind when the script dies of an unexpected error after starting the apps.
on_exit() {
  local rc=$?
  if ((!STOPPING)) && ((${#PID[@]} > 0)); then
    log "exiting unexpectedly (status $rc); stopping the apps"
    STOPPING=1
    stop_apps "${APPS[@]}"
  fi
}

# Foreground: watch both; if one dies on its own, the platform is broken, so stop the other.
watch_apps() {
  local app status
  while true; do
    for app in "${APPS[@]}"; do
      if ! is_alive "${PID[$app]}"; then
        status=0
        wait "${PID[$app]}" 2>/dev/null || status=$?
        unset "PID[$app]"
        rm -f "$(pid_file "$app")"
        fail_app "$app" "exited unexpectedly (exit status $status)"
      fi
    done
    sleep 1
  done
}

# The header comment is the help text.
usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}

main() {
  local mode=foreground app
  case ${1:-} in
    "") ;;
    --detach | -d) mode=detach ;;
    --stop) mode=stop ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  mkdir -p "$STATE_DIR"

  if [[ $mode == stop ]]; then
    if [[ -z $(live_pid api)$(live_pid workers) ]]; then
      log "nothing running"
      rm -f "$(pid_file api)" "$(pid_file workers)"
    else
      stop_apps "${APPS[@]}"
    fi
    return 0
  fi

  ensure_java
  bash deploy/services.sh
  build_if_needed
  ensure_secret PULSE_API_BOOTSTRAP_KEY bootstrap-key "bootstrap admin key"
  ensure_secret PULSE_DIGESTS_UNSUBSCRIBE_SECRET unsubscribe-secret "digest unsubscribe-link secret"
  ensure_secret PULSE_API_STREAM_TOKEN_SECRET stream-token-secret "live-stream token secret"
  ensure_vapid_keys

  # A second run replaces the first instead of failing on busy ports.
  if [[ -n $(live_pid api)$(live_pid workers) ]]; then
    log "an earlier run is still up; stopping it first"
    stop_apps "${APPS[@]}"
  fi
  for app in "${APPS[@]}"; do
    for port in $(printf '%s\n' "${PORT[$app]}" "${OPS_PORT[$app]}" | sort -u); do
      if port_in_use "$port"; then
        die "port $port ($app) is taken by another program" "find it with: ss -ltnp 'sport = :$port'"
      fi
    done
  done

  trap on_signal INT TERM HUP
  trap on_exit EXIT
  for app in "${APPS[@]}"; do start_app "$app"; done
  for app in "${APPS[@]}"; do wait_ready "$app"; done
  RUNNING=1

  print_summary
  if [[ $mode == detach ]]; then
    log "detached; stop both with: deploy/run.sh --stop"
    PID=()   # they are meant to outlive us: on_exit must leave them alone
    return 0
  fi
  log "Ctrl-C stops both"
  watch_apps
}

main "$@"
