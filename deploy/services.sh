#!/usr/bin/env bash
# Make sure PostgreSQL and RabbitMQ are running on this machine and set up the way
# the Pulse apps and their tests expect (see common/.../microprofile-config.properties):
#   PostgreSQL 127.0.0.1:5432, role pulse/pulse, databases pulse and pulse_test
#   RabbitMQ   127.0.0.1:5672, guest/guest, vhosts / and pulse-test, management on :15672
#   chromium + chromedriver for the browser tests, and a Korean font for their screenshots
#   node + npm for the TypeScript client's tests
#
# Safe to run any number of times: every step checks before it changes anything.
# Needs root only when something has to be installed or started.
#
# Environment:
#   PULSE_SERVICES_SKIP_INSTALL=1   never run apt-get; fail instead if something is missing
#   PULSE_SERVICES_BENCH_PEERS=1    also install the bench's peers (python3-celery, redis-server)
set -euo pipefail

# rabbitmqctl & co. live in /usr/sbin, which is not on a normal user's PATH.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

PG_HOST=127.0.0.1
PG_PORT=5432
AMQP_PORT=5672
MGMT_URL=http://127.0.0.1:15672
TEST_VHOST=pulse-test
SKIP_INSTALL=${PULSE_SERVICES_SKIP_INSTALL:-0}

WEDGED_PID=""        # the system RabbitMQ's VM when it was found running but not answering
PG_ADMIN=""          # how we reach the postgres superuser; chosen by pick_pg_admin
APT_UPDATED=0

log() { echo "[services] $*"; }

# die REASON [WHAT-TO-DO]
die() {
  echo "[services] ERROR: $1" >&2
  if [[ -n ${2:-} ]]; then echo "[services]   -> $2" >&2; fi
  exit 1
}

have() { command -v "$1" >/dev/null 2>&1; }
is_root() { [[ $(id -u) -eq 0 ]]; }
has_systemd() { [[ -d /run/systemd/system ]]; }

# wait_for SECONDS WHAT COMMAND...  -- poll once a second until COMMAND succeeds.
wait_for() {
  local seconds=$1 what=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      log "gave up waiting ${seconds}s for $what"
      return 1
    fi
    sleep 1
  done
}

# Bash's /dev/tcp avoids depending on nc, which a fresh Debian does not have.
tcp_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

# apt_install REASON PACKAGE...  -- the single place that may install software.
apt_install() {
  local reason=$1; shift
  if [[ $SKIP_INSTALL == 1 ]]; then
    die "$reason, and PULSE_SERVICES_SKIP_INSTALL=1 forbids installing it" \
        "install it yourself (apt-get install $*) or unset PULSE_SERVICES_SKIP_INSTALL"
  fi
  is_root || die "$reason, and installing it needs root" "run: sudo $0   (or: sudo apt-get install $*)"
  have apt-get || die "$reason, and this machine has no apt-get" "install $* with your package manager, then re-run"
  if ((APT_UPDATED == 0)); then
    log "apt-get update"
    apt-get update -q >/dev/null || die "apt-get update failed" "check network access and /etc/apt/sources.list, then re-run"
    APT_UPDATED=1
  fi
  log "installing $* ($reason)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null \
    || die "apt-get install $* failed" "run 'apt-get install $*' by hand to see why"
}

# ---------------------------------------------------------------- PostgreSQL

pg_up() {
  if have pg_isready; then
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 2
  else
    tcp_open "$PG_HOST" "$PG_PORT"
  fi
}

# Debian's layout: clusters in /etc/postgresql/<version>/<name>, binaries under /usr/lib/postgresql.
pg_installed() {
  have pg_ctlcluster || have postgres || compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null
}

pg_start() {
  local version
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1 || true)
  # With systemd running, let it own the process; otherwise pg_ctlcluster must not
  # try to redirect to a systemctl that cannot work (containers, WSL).
  if has_systemd && systemctl start postgresql 2>/dev/null; then return 0; fi
  if [[ -n $version && -d /etc/postgresql/$version/main ]] && have pg_ctlcluster \
     && pg_ctlcluster --skip-systemctl-redirect "$version" main start; then
    return 0
  fi
  if have service && service postgresql start; then return 0; fi
  if have systemctl && systemctl start postgresql 2>/dev/null; then return 0; fi
  return 1
}

ensure_postgres() {
  if pg_up; then
    log "PostgreSQL is accepting connections on $PG_HOST:$PG_PORT"
  else
    if ! pg_installed; then
      apt_install "PostgreSQL is not installed" postgresql
    fi
    is_root || die "PostgreSQL is installed but not running, and starting it needs root" "run: sudo $0"
    log "starting PostgreSQL"
    pg_start || log "no start method reported success; waiting anyway in case it is already coming up"
    wait_for 30 "PostgreSQL on $PG_HOST:$PG_PORT" pg_up \
      || die "PostgreSQL did not accept connections on $PG_HOST:$PG_PORT within 30s" \
             "check /var/log/postgresql/ and 'pg_lsclusters' (is the cluster on port $PG_PORT?)"
    log "PostgreSQL is up"
  fi
  # The database setup below needs the client even when the server runs elsewhere.
  have psql || apt_install "psql is not installed" postgresql-client
}

# pg_admin_via METHOD DB  -- run SQL from stdin as the postgres superuser.
# cd / because su/runuser would otherwise complain about an unreadable current directory.
pg_admin_via() {
  local psql_args=(psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d "$2")
  case $1 in
    tcp)     psql -X -q -v ON_ERROR_STOP=1 -w -h "$PG_HOST" -p "$PG_PORT" -U postgres -d "$2" ;;
    runuser) (cd / && runuser -u postgres -- "${psql_args[@]}") ;;
    su)      (cd / && su postgres -s /bin/sh -c "${psql_args[*]}") ;;
    sudo)    (cd / && sudo -n -u postgres "${psql_args[@]}") ;;
  esac
}

pg_admin() { pg_admin_via "$PG_ADMIN" "$1"; }

# Trust auth on 127.0.0.1 is the fast path; a stock Debian install only allows the
# postgres OS user in through the Unix socket (peer auth), hence the fallbacks.
pick_pg_admin() {
  local methods=(tcp) m
  if is_root; then
    have runuser && methods+=(runuser)
    methods+=(su)
  elif have sudo; then
    methods+=(sudo)
  fi
  for m in "${methods[@]}"; do
    if echo 'select 1' | pg_admin_via "$m" postgres >/dev/null 2>&1; then
      PG_ADMIN=$m
      return 0
    fi
  done
  die "cannot connect to PostgreSQL as the postgres superuser (tried: ${methods[*]})" \
      "run as root (sudo $0), or allow 'host all postgres 127.0.0.1/32 trust' in pg_hba.conf"
}

ensure_database() {
  pick_pg_admin
  log "ensuring role pulse and databases pulse, pulse_test (as postgres via $PG_ADMIN)"

  # CREATE DATABASE cannot run inside a DO block, so \gexec runs it only when missing.
  pg_admin postgres <<'SQL' >/dev/null
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pulse') THEN
    CREATE ROLE pulse LOGIN PASSWORD 'pulse';
  END IF;
END
$$;
SELECT format('CREATE DATABASE %I OWNER pulse', d)
  FROM unnest(ARRAY['pulse', 'pulse_test']) AS d
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = d)
\gexec
-- Owning the databases lets Flyway's clean-at-start reset pulse_test.
ALTER DATABASE pulse OWNER TO pulse;
ALTER DATABASE pulse_test OWNER TO pulse;
SQL

  # PostgreSQL 15 no longer lets everyone CREATE in schema public; Flyway needs it.
  local db
  for db in pulse pulse_test; do
    echo 'GRANT ALL ON SCHEMA public TO pulse;' | pg_admin "$db" >/dev/null \
      || die "could not grant schema public in database $db to pulse" "inspect with: psql -d $db -c '\\dn+'"
  done

  # An existing role is left alone, so prove the apps' credentials really work.
  PGPASSWORD=pulse psql -X -q -w -h "$PG_HOST" -p "$PG_PORT" -U pulse -d pulse_test -c 'select 1' >/dev/null 2>&1 \
    || die "role pulse cannot log in to pulse_test over $PG_HOST:$PG_PORT with password 'pulse'" \
           "run as postgres: ALTER ROLE pulse LOGIN PASSWORD 'pulse'; and check pg_hba.conf for 127.0.0.1"
}

# ---------------------------------------------------------------- RabbitMQ

# The Debian wrappers only let root or the rabbitmq user run these tools.
rabbit_admin_ok() { is_root || [[ $(id -un) == rabbitmq ]]; }

rmqctl() { timeout 90 rabbitmqctl -q "$@"; }

# The Erlang node answers (the VM is up, even if the rabbit app is stopped).
rabbit_node_up() { timeout 15 rabbitmqctl -q status >/dev/null 2>&1; }

# AMQP port open and the node answering: what the apps actually need.
rabbit_up() { tcp_open 127.0.0.1 "$AMQP_PORT" && { ! rabbit_admin_ok || rabbit_node_up; }; }

rabbit_start() {
  if rabbit_node_up; then
    # 'rabbitmqctl stop_app' leaves the VM running; a second server would clash on the node name.
    log "RabbitMQ node is up but the broker app is stopped; starting the app"
    rmqctl start_app && return 0
  fi
  if has_systemd && systemctl start rabbitmq-server 2>/dev/null; then return 0; fi
  if rabbitmq-server -detached >/dev/null 2>&1; then return 0; fi
  if have service && service rabbitmq-server start; then return 0; fi
  return 1
}

# The system node's VM: from the pid file the server writes (Debian's default node name and
# directory; a failed second start may delete it), else the process on the node's Erlang
# distribution port (25672, AMQP port + 20000) or on the AMQP port; or nothing.
rabbit_vm_pid() {
  local pid port
  pid=$(cat /var/lib/rabbitmq/mnesia/rabbit@localhost.pid 2>/dev/null | tr -dc '0-9' || true)
  if [[ -z $pid ]] && have ss; then
    for port in $((AMQP_PORT + 20000)) "$AMQP_PORT"; do
      pid=$(ss -ltnpH "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | tr -dc '0-9')
      [[ -n $pid ]] && break
    done
  fi
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# A node whose VM runs but that neither answers 'rabbitmqctl status' nor opens its port cannot be
# started again (a second server clashes on the node name), and nothing else would ever fix it:
# CI found one so once, after a long session of tests. Its queues are durable, so stop the VM
# (politely, then SIGKILL) and start a fresh one.
rabbit_restart_wedged() {
  local pid=${WEDGED_PID:-}
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || pid=$(rabbit_vm_pid) || { rabbit_start || true; return 0; }
  log "RabbitMQ's VM (pid $pid) runs but does not answer; stopping it and starting it again"
  timeout 30 rabbitmqctl -q stop >/dev/null 2>&1 || true
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait_for 30 "the wedged VM to exit" bash -c "! kill -0 $pid" || true
  rabbit_start || log "no start method reported success; waiting anyway"
}

ensure_rabbitmq() {
  if rabbit_up; then
    log "RabbitMQ is accepting connections on 127.0.0.1:$AMQP_PORT"
  else
    if ! have rabbitmq-server; then
      apt_install "RabbitMQ is not installed" rabbitmq-server
    fi
    rabbit_admin_ok || die "RabbitMQ is installed but not running, and starting it needs root" "run: sudo $0"
    log "starting RabbitMQ"
    # Found before the start: a second server started on a running node's name may delete its pid file.
    WEDGED_PID=$(rabbit_vm_pid || true)
    rabbit_start || log "no start method reported success; waiting anyway in case it is already coming up"
    # Boot takes a while (Mnesia, plugins); 'status' answers before the port opens, so wait for both.
    if ! wait_for 60 "RabbitMQ on 127.0.0.1:$AMQP_PORT" rabbit_up; then
      rabbit_restart_wedged
      wait_for 90 "RabbitMQ on 127.0.0.1:$AMQP_PORT after the restart" rabbit_up \
        || die "RabbitMQ did not come up on 127.0.0.1:$AMQP_PORT, not even after a restart" \
               "check /var/log/rabbitmq/ and 'rabbitmqctl status'"
    fi
    log "RabbitMQ is up"
  fi

  # Quorum queues' at-least-once dead-lettering needs the stream_queue flag. A no-op
  # when every flag is already on; older nodes may reject 'all', which is not fatal.
  if rabbit_admin_ok; then
    rmqctl enable_feature_flag all >/dev/null 2>&1 || log "could not enable all feature flags (ignored)"
  fi
}

mgmt_up() { curl -fsS -m 5 -u guest:guest "$MGMT_URL/api/overview" >/dev/null 2>&1; }

ensure_management() {
  have curl || apt_install "curl is needed to check the RabbitMQ management API" curl

  if mgmt_up; then
    log "management API answers at $MGMT_URL"
  else
    rabbit_admin_ok || die "the RabbitMQ management plugin is not answering and enabling it needs root" "run: sudo $0"
    log "enabling rabbitmq_management"
    # Enables it on the running node and records it in enabled_plugins, so it survives restarts.
    timeout 90 rabbitmq-plugins -q enable rabbitmq_management >/dev/null \
      || die "rabbitmq-plugins enable rabbitmq_management failed" "run it by hand to see why"
    if ! wait_for 60 "management API at $MGMT_URL" mgmt_up; then
      local code
      code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' -u guest:guest "$MGMT_URL/api/overview" || true)
      if [[ $code == 401 ]]; then
        die "management API rejects guest:guest" "run: rabbitmqctl add_user guest guest; rabbitmqctl set_user_tags guest administrator"
      fi
      die "management API at $MGMT_URL did not answer within 60s (HTTP ${code:-none})" \
          "check /var/log/rabbitmq/ and whether port 15672 is taken"
    fi
    log "management API answers at $MGMT_URL"
  fi
}

ensure_vhosts() {
  if ! rabbit_admin_ok; then
    # Without root we cannot use rabbitmqctl; accept the setup if it is already there.
    curl -fsS -m 5 -u guest:guest "$MGMT_URL/api/permissions/$TEST_VHOST/guest" >/dev/null 2>&1 \
      || die "vhost $TEST_VHOST (with guest permissions) is missing and creating it needs root" "run: sudo $0"
    log "vhost $TEST_VHOST exists (not root: permissions and feature flags left as they are)"
    return 0
  fi

  local vhosts
  vhosts=$(rmqctl list_vhosts name) || die "rabbitmqctl list_vhosts failed" "check 'rabbitmqctl status'"
  if ! grep -qxF "$TEST_VHOST" <<<"$vhosts"; then
    log "adding vhost $TEST_VHOST"
    rmqctl add_vhost "$TEST_VHOST" >/dev/null || die "could not add vhost $TEST_VHOST" "run: rabbitmqctl add_vhost $TEST_VHOST"
  fi
  local vhost
  for vhost in / "$TEST_VHOST"; do
    rmqctl set_permissions -p "$vhost" guest '.*' '.*' '.*' >/dev/null \
      || die "could not grant guest full permissions on vhost $vhost" "does user guest exist? see: rabbitmqctl list_users"
  done
  log "vhosts / and $TEST_VHOST grant guest full permissions"
}

# ---------------------------------------------------------------- Browser for tests

# The browser tests (Swagger UI, the console, mails and unsubscribe pages) drive Debian's chromium
# headless through chromedriver. Mails are checked in Korean too: without a CJK font their
# screenshots show boxes (the layout checks still hold), so NanumGothic comes along.
ensure_browser() {
  if have chromium && have chromedriver; then
    log "chromium and chromedriver are installed (browser tests)"
  else
    apt_install "chromium and chromedriver are needed by the browser tests" chromium chromium-driver
  fi
  if [[ -d /usr/share/fonts/truetype/nanum ]]; then
    log "a Korean font is installed (fonts-nanum, for the mails' screenshots)"
    return 0
  fi
  apt_install "a Korean font is needed for the screenshots of Korean mails" fonts-nanum
}

# The TypeScript client (api/client-typescript) is built and tested with Node.js and npm.
ensure_node() {
  if have node && have npm; then
    log "node $(node --version) and npm $(npm --version) are installed (TypeScript client)"
    return 0
  fi
  apt_install "node and npm are needed by the TypeScript client's tests" nodejs npm
}

# The bench's peers (deploy/bench.sh, scenario 2p), only when asked: Celery from Debian and Redis for
# BullMQ (BullMQ itself comes from npm into bench/peers/node_modules, which bench.sh installs). A
# peer that is still missing after this is skipped by the bench with a message.
ensure_bench_peers() {
  [[ ${PULSE_SERVICES_BENCH_PEERS:-0} == 1 ]] || return 0
  if [[ -x /usr/bin/python3 ]] && /usr/bin/python3 -c 'import celery' 2>/dev/null; then
    log "python3-celery is installed (bench peer)"
  else
    # In a subshell: a failed install skips the peer, it does not stop the bench.
    (apt_install "python3-celery is the bench's Celery peer" python3-celery) \
      || log "python3-celery could not be installed: the bench skips its Celery peer"
  fi
  if have redis-server; then
    log "redis-server is installed (the bench's BullMQ peer starts its own instance)"
  else
    (apt_install "redis-server is the store of the bench's BullMQ peer" redis-server) \
      || log "redis-server could not be installed: the bench skips its BullMQ peer"
  fi
}

main() {
  ensure_postgres
  ensure_rabbitmq
  ensure_management
  ensure_vhosts
  ensure_database
  ensure_browser
  ensure_node
  ensure_bench_peers
  log "services ready: PostgreSQL $PG_HOST:$PG_PORT (db pulse, pulse_test), RabbitMQ 127.0.0.1:$AMQP_PORT (vhosts /, $TEST_VHOST), console $MGMT_URL (guest/guest)"
}

main "$@"
