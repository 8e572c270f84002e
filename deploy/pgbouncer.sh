#!/usr/bin/env bash
# PgBouncer in front of the local PostgreSQL, in transaction pooling mode (the mode large
# deployments use): every database on 127.0.0.1:5432 is reachable through 127.0.0.1:6432.
#
#   bash deploy/pgbouncer.sh start    # install Debian's pgbouncer if missing, write config, start
#   bash deploy/pgbouncer.sh stop
#   bash deploy/pgbouncer.sh status
#
# Config, user list, TLS files, pid and log live in $PULSE_PGBOUNCER_DIR (default
# /tmp/pulse-pgbouncer), never in /etc. Safe to run twice: start keeps a running pooler.
#
# Clients may use TLS: the pooler offers it with a certificate for "localhost" signed by the CA in
# $PULSE_PGBOUNCER_DIR/ca.pem, so a JDBC URL can carry sslmode=verify-full&sslrootcert=<that file>.
#
# The apps need prepareThreshold=0 in their JDBC URL: PgBouncer before 1.21 (Debian 12 ships 1.18)
# does not carry named prepared statements across the server connections of one client.
#
# Environment: PULSE_PGBOUNCER_PORT (6432), PULSE_PGBOUNCER_POOL_SIZE (20, server connections per
# database and user), PULSE_PG_HOST/PULSE_PG_PORT (127.0.0.1:5432), PULSE_PG_USER/PULSE_PG_PASSWORD
# (pulse/pulse).
set -euo pipefail

DIR=${PULSE_PGBOUNCER_DIR:-/tmp/pulse-pgbouncer}
PORT=${PULSE_PGBOUNCER_PORT:-6432}
POOL_SIZE=${PULSE_PGBOUNCER_POOL_SIZE:-20}
PG_HOST=${PULSE_PG_HOST:-127.0.0.1}
PG_PORT=${PULSE_PG_PORT:-5432}
PG_USER=${PULSE_PG_USER:-pulse}
PG_PASSWORD=${PULSE_PG_PASSWORD:-pulse}
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

log() { echo "[pgbouncer] $*"; }
die() { echo "[pgbouncer] ERROR: $*" >&2; exit 1; }
is_root() { [[ $(id -u) -eq 0 ]]; }
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

running() {
  [[ -f $DIR/pgbouncer.pid ]] && kill -0 "$(cat "$DIR/pgbouncer.pid")" 2>/dev/null
}

install() {
  command -v pgbouncer >/dev/null && return 0
  is_root || die "pgbouncer is not installed and installing it needs root (sudo apt-get install pgbouncer)"
  log "installing pgbouncer"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q pgbouncer >/dev/null \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q pgbouncer >/dev/null; } \
    || die "apt-get install pgbouncer failed"
  # The package's own service would take port 6432 with an empty configuration on the next boot.
  if [[ -d /run/systemd/system ]]; then
    systemctl disable --now pgbouncer >/dev/null 2>&1 || true
  fi
}

make_certificates() {
  [[ -f $DIR/server.pem ]] && return 0
  log "making a CA and a certificate for localhost in $DIR"
  openssl req -x509 -new -newkey rsa:2048 -nodes -days 825 -sha256 -subj "/CN=Pulse PgBouncer CA" \
    -keyout "$DIR/ca.key" -out "$DIR/ca.pem" 2>/dev/null
  openssl req -new -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$DIR/server.key" -out "$DIR/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$DIR/server.ext"
  openssl x509 -req -in "$DIR/server.csr" -CA "$DIR/ca.pem" -CAkey "$DIR/ca.key" -CAcreateserial \
    -days 825 -sha256 -extfile "$DIR/server.ext" -out "$DIR/server.pem" 2>/dev/null
  rm -f "$DIR/server.csr" "$DIR/server.ext"
}

write_config() {
  printf '"%s" "%s"\n' "$PG_USER" "$PG_PASSWORD" >"$DIR/userlist.txt"
  cat >"$DIR/pgbouncer.ini" <<EOF
[databases]
; Every database of the server, under its own name (pulse, pulse_test, a helper's pulse_x).
* = host=$PG_HOST port=$PG_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PORT
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $DIR/userlist.txt
pool_mode = transaction
default_pool_size = $POOL_SIZE
max_client_conn = 2000
; pgjdbc sends it at connect; PgBouncer would refuse the connection over a parameter it does not track.
ignore_startup_parameters = extra_float_digits
client_tls_sslmode = allow
client_tls_cert_file = $DIR/server.pem
client_tls_key_file = $DIR/server.key
logfile = $DIR/pgbouncer.log
pidfile = $DIR/pgbouncer.pid
admin_users = $PG_USER
EOF
}

start() {
  mkdir -p "$DIR"
  if running; then
    log "already running on 127.0.0.1:$PORT (pid $(cat "$DIR/pgbouncer.pid"))"
    return 0
  fi
  port_open "$PORT" && die "127.0.0.1:$PORT is taken by another process (Debian's own pgbouncer service? systemctl disable --now pgbouncer)"
  install
  make_certificates
  write_config
  local as=()
  if is_root; then
    # PgBouncer refuses to run as root; it reads its files as the user it switches to.
    chown -R postgres "$DIR"
    as=(-u postgres)
  fi
  chmod 600 "$DIR/server.key" "$DIR/userlist.txt"
  pgbouncer -d -q "${as[@]}" "$DIR/pgbouncer.ini" || die "pgbouncer did not start; see $DIR/pgbouncer.log"
  local deadline=$((SECONDS + 15))
  until port_open "$PORT"; do
    ((SECONDS < deadline)) || die "pgbouncer did not listen on 127.0.0.1:$PORT within 15s; see $DIR/pgbouncer.log"
    sleep 0.2
  done
  log "listening on 127.0.0.1:$PORT, pool_mode=transaction, $POOL_SIZE server connections per database ($(pgbouncer --version | head -1))"
}

stop() {
  if running; then
    kill "$(cat "$DIR/pgbouncer.pid")"
    local deadline=$((SECONDS + 15))
    while running; do
      ((SECONDS < deadline)) || die "pgbouncer did not stop within 15s"
      sleep 0.2
    done
    log "stopped"
  else
    log "not running"
  fi
}

status() {
  if running; then
    log "running on 127.0.0.1:$PORT (pid $(cat "$DIR/pgbouncer.pid"))"
  else
    log "not running"
    return 3
  fi
}

case ${1:-} in
  start | stop | status) "$1" ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
