#!/usr/bin/env bash
# A second RabbitMQ node beside the system one, listening only with TLS (AMQPS), for trying and
# testing pulse.rabbitmq.tls.*. It runs from the installed server with its own name, ports, config
# and data, so the system node (127.0.0.1:5672, /etc/rabbitmq) is left as it is.
#
#   bash deploy/rabbitmq-tls.sh start    # make the CA and certificates if missing, start the node
#   bash deploy/rabbitmq-tls.sh stop
#   bash deploy/rabbitmq-tls.sh status
#
# Safe to run twice: start reuses the certificates and a node that already answers.
#
# Made in $PULSE_TLS_DIR (default /tmp/pulse-rabbitmq-tls):
#   ca.pem                 the CA that signed the node's and the client's certificates
#   other-ca.pem           a CA that signed nothing here (a client trusting it must fail)
#   server.pem/.key        the node's certificate: CN and the only subject name are "localhost"
#   client.p12             a client certificate and key (password "pulse"), signed by ca.pem
# The node asks every client for a certificate (verify_peer, fail_if_no_peer_cert).
#
# Environment: PULSE_TLS_AMQPS_PORT (5691), PULSE_TLS_MGMT_PORT (15691), PULSE_TLS_DIST_PORT (25691).
set -euo pipefail

DIR=${PULSE_TLS_DIR:-/tmp/pulse-rabbitmq-tls}
AMQPS_PORT=${PULSE_TLS_AMQPS_PORT:-5691}
MGMT_PORT=${PULSE_TLS_MGMT_PORT:-15691}
DIST_PORT=${PULSE_TLS_DIST_PORT:-25691}
NODE=pulse-tls@localhost
RABBIT_BIN=/usr/lib/rabbitmq/bin
CLIENT_PASSWORD=pulse

log() { echo "[rabbitmq-tls] $*"; }
die() { echo "[rabbitmq-tls] ERROR: $*" >&2; exit 1; }

# Everything the node and its CLI tools need to find this node instead of the system one. HOME
# holds the Erlang cookie, which the CLI must share with the node.
node_env() {
  export HOME=$DIR
  export RABBITMQ_NODENAME=$NODE
  export RABBITMQ_CONF_ENV_FILE=$DIR/rabbitmq-env.conf
  export RABBITMQ_CONFIG_FILE=$DIR/rabbitmq.conf
  export RABBITMQ_ADVANCED_CONFIG_FILE=$DIR/advanced.config
  export RABBITMQ_ENABLED_PLUGINS_FILE=$DIR/enabled_plugins
  export RABBITMQ_MNESIA_BASE=$DIR/mnesia
  export RABBITMQ_LOG_BASE=$DIR/log
  export RABBITMQ_PID_FILE=$DIR/node.pid
  export RABBITMQ_DIST_PORT=$DIST_PORT
  export ERL_EPMD_ADDRESS=127.0.0.1
}

ctl() { node_env; timeout 90 "$RABBIT_BIN/rabbitmqctl" -q "$@"; }

node_up() { ctl status >/dev/null 2>&1; }

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# cert NAME CN SAN CA  -- a key and a certificate for CN signed by CA (ca or other-ca).
cert() {
  local name=$1 cn=$2 san=$3 ca=$4
  openssl req -new -newkey rsa:2048 -nodes -subj "/CN=$cn" \
    -keyout "$DIR/$name.key" -out "$DIR/$name.csr" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$san" >"$DIR/$name.ext"
  openssl x509 -req -in "$DIR/$name.csr" -CA "$DIR/$ca.pem" -CAkey "$DIR/$ca.key" \
    -CAcreateserial -days 825 -sha256 -extfile "$DIR/$name.ext" -out "$DIR/$name.pem" 2>/dev/null
  rm -f "$DIR/$name.csr" "$DIR/$name.ext"
}

make_certificates() {
  [[ -f $DIR/client.p12 ]] && return 0
  command -v openssl >/dev/null || die "openssl is not installed (apt-get install openssl)"
  log "making a CA and certificates in $DIR"
  local ca
  for ca in ca other-ca; do
    openssl req -x509 -new -newkey rsa:2048 -nodes -days 825 -sha256 -subj "/CN=Pulse test $ca" \
      -keyout "$DIR/$ca.key" -out "$DIR/$ca.pem" 2>/dev/null
  done
  cert server localhost DNS:localhost ca
  cert client pulse-client DNS:pulse-client ca
  openssl pkcs12 -export -in "$DIR/client.pem" -inkey "$DIR/client.key" -name pulse-client \
    -passout "pass:$CLIENT_PASSWORD" -out "$DIR/client.p12"
}

write_config() {
  cat >"$DIR/rabbitmq.conf" <<EOF
listeners.tcp = none
listeners.ssl.default = 127.0.0.1:$AMQPS_PORT
ssl_options.cacertfile = $DIR/ca.pem
ssl_options.certfile = $DIR/server.pem
ssl_options.keyfile = $DIR/server.key
ssl_options.verify = verify_peer
ssl_options.fail_if_no_peer_cert = true
management.tcp.ip = 127.0.0.1
management.tcp.port = $MGMT_PORT
EOF
  echo '[rabbitmq_management].' >"$DIR/enabled_plugins"
  : >"$DIR/rabbitmq-env.conf"
}

start() {
  mkdir -p "$DIR"
  make_certificates
  if node_up && port_open "$AMQPS_PORT"; then
    log "node $NODE already answers, AMQPS on 127.0.0.1:$AMQPS_PORT"
    return 0
  fi
  [[ -x $RABBIT_BIN/rabbitmq-server ]] || die "RabbitMQ is not installed (run deploy/services.sh)"
  write_config
  log "starting $NODE (AMQPS 127.0.0.1:$AMQPS_PORT, management $MGMT_PORT, dist $DIST_PORT)"
  (
    node_env
    cd "$DIR"
    "$RABBIT_BIN/rabbitmq-server" -detached >"$DIR/startup.log" 2>&1
  )
  local deadline=$((SECONDS + 180))
  until node_up && port_open "$AMQPS_PORT"; do
    ((SECONDS < deadline)) || die "node did not open 127.0.0.1:$AMQPS_PORT within 180s; see $DIR/log"
    sleep 1
  done
  ctl await_startup >/dev/null
  log "node $NODE is up, AMQPS on 127.0.0.1:$AMQPS_PORT, certificates in $DIR"
}

stop() {
  if node_up; then
    log "stopping $NODE"
    ctl stop >/dev/null
  else
    log "node $NODE is not running"
  fi
}

status() {
  if node_up; then
    log "node $NODE is up; AMQPS port $AMQPS_PORT $(port_open "$AMQPS_PORT" && echo open || echo closed)"
  else
    log "node $NODE is not running"
    return 3
  fi
}

case ${1:-} in
  start | stop | status) "$1" ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
