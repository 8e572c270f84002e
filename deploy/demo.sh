#!/usr/bin/env bash
# Seeds a small campus through the HTTP API (users in several time zones with digests and
# preferences, communities, memberships), then posts and notifies at a moderate rate for a minute,
# and says where to watch the jobs go by. Needs a running platform:
#
#   deploy/run.sh --detach && deploy/demo.sh      # deploy/run.sh --stop when done
#
# Safe to run again: users, communities and memberships are upserts; posts get new ids each run.
#
# Environment:
#   PULSE_API_URL            API base (default http://127.0.0.1:8080/api/v1)
#   PULSE_API_HEALTH_URL     API readiness (default http://127.0.0.1:9000/q/health/ready, the management port)
#   PULSE_API_BOOTSTRAP_KEY  admin key (default: the one deploy/run.sh keeps in .pulse/bootstrap-key)
#   PULSE_DEMO_USERS         users to seed (default 100)
#   PULSE_DEMO_SECONDS       how long to post and notify (default 60)
#   PULSE_DEMO_RATE          requests per second while doing so (default 5)
#   PULSE_CONSOLE_URL        RabbitMQ console (default http://127.0.0.1:15672)
#   PULSE_WORKERS_URL        workers' health and metrics (default http://127.0.0.1:8081)
set -euo pipefail
cd "$(dirname "$0")/.."

API=${PULSE_API_URL:-http://127.0.0.1:8080/api/v1}
API_HEALTH=${PULSE_API_HEALTH_URL:-http://127.0.0.1:9000/q/health/ready}
CONSOLE=${PULSE_CONSOLE_URL:-http://127.0.0.1:15672}
WORKERS=${PULSE_WORKERS_URL:-http://127.0.0.1:8081}
USERS=${PULSE_DEMO_USERS:-100}
DURATION=${PULSE_DEMO_SECONDS:-60}
RATE=${PULSE_DEMO_RATE:-5}

# Ids far from small test ids, so the demo's data is easy to tell apart.
USER_BASE=900000
COMMUNITY_BASE=9000
COMMUNITIES=("Robotics Club" "Chess Society" "Film Circle" "Climbing Team" "Jazz Ensemble")
TIME_ZONES=(Asia/Seoul Europe/Berlin America/New_York America/Los_Angeles Europe/London Asia/Kolkata Australia/Sydney UTC)
DIGESTS=(daily weekly daily off)
NOTIFICATION_TYPES=(comment.reply community.post mention message.new)

OK=0
FAILED=0

log() { echo "[demo] $*"; }

die() {
  echo "[demo] ERROR: $1" >&2
  if [[ -n ${2:-} ]]; then echo "[demo]   -> $2" >&2; fi
  exit 1
}

# api METHOD PATH [JSON] -- leaves the response body in RESPONSE (not printed: a command
# substitution would run it in a subshell and lose the counts); counts 2xx as OK, anything else
# as failed, and shows the first few failures, which name what the API refused.
api() {
  local method=$1 path=$2 body=${3:-} out status
  RESPONSE=""
  if ! out=$(curl -sS -m 10 -X "$method" "$API$path" -H "Authorization: Bearer $KEY" \
    -H 'Content-Type: application/json' ${body:+--data "$body"} -w $'\n%{http_code}'); then
    FAILED=$((FAILED + 1))
    return 0
  fi
  status=${out##*$'\n'}
  RESPONSE=${out%$'\n'*}
  if [[ $status == 2* ]]; then
    OK=$((OK + 1))
  else
    FAILED=$((FAILED + 1))
    if ((FAILED <= 5)); then log "$method $path -> HTTP $status $RESPONSE" >&2; fi
  fi
}

now_iso() { date -u +%Y-%m-%dT%H:%M:%SZ; }

find_key() {
  KEY=${PULSE_API_BOOTSTRAP_KEY:-}
  if [[ -z $KEY && -s .pulse/bootstrap-key ]]; then
    KEY=$(tr -d ' \n\r\t' <.pulse/bootstrap-key)
  fi
  [[ -n $KEY ]] || die "no API key" "set PULSE_API_BOOTSTRAP_KEY, or start the platform with deploy/run.sh --detach"
}

check_running() {
  curl -fs -m 3 -o /dev/null "$API_HEALTH" \
    || die "the API at $API is not ready" "start the platform: deploy/run.sh --detach"
  local status
  status=$(curl -s -m 3 -o /dev/null -w '%{http_code}' "$API/jobs/00000000-0000-0000-0000-000000000000" \
    -H "Authorization: Bearer $KEY")
  [[ $status != 401 ]] || die "the API refuses the key" "use the key deploy/run.sh printed (PULSE_API_BOOTSTRAP_KEY)"
}

seed() {
  local i c user tz digest
  log "seeding ${#COMMUNITIES[@]} communities and $USERS users (time zones, digests, preferences, memberships)"
  for c in "${!COMMUNITIES[@]}"; do
    api PUT "/communities/$((COMMUNITY_BASE + c))" "{\"name\":\"${COMMUNITIES[$c]}\"}"
  done
  for ((i = 0; i < USERS; i++)); do
    user=$((USER_BASE + i))
    tz=${TIME_ZONES[$((i % ${#TIME_ZONES[@]}))]}
    digest=${DIGESTS[$((i % ${#DIGESTS[@]}))]}
    api PUT "/users/$user" "{\"handle\":\"student$i\",\"email\":\"student$i@campus.example\",\"displayName\":\"Student $i\",\"timeZone\":\"$tz\",\"digest\":\"$digest\",\"lastActiveAt\":\"$(now_iso)\"}"
    # A third of them choose their channels; the rest get each type's defaults.
    if ((i % 3 == 0)); then
      api PUT "/users/$user/preferences" '{"channels":{"comment.reply":["in_app","email"],"community.post":["in_app"],"mention":[]}}'
    fi
    # One to three communities each (every join enqueues a feed.backfill).
    api PUT "/communities/$((COMMUNITY_BASE + i % 5))/members/$user"
    if ((i % 2 == 0)); then api PUT "/communities/$((COMMUNITY_BASE + (i + 2) % 5))/members/$user"; fi
    if ((i % 4 == 0)); then api PUT "/communities/$((COMMUNITY_BASE + (i + 3) % 5))/members/$user"; fi
  done
  log "seeded: $OK requests accepted, $FAILED refused"
}

# One request: a post to a community (fanned out to its members' feeds) or a notification to a
# handful of users, alternately.
one_request() {
  local n=$1 community recipients="" r count type
  if ((n % 2 == 0)); then
    community=$((COMMUNITY_BASE + RANDOM % ${#COMMUNITIES[@]}))
    api POST /posts "{\"postId\":$((POST_BASE + n)),\"communityId\":$community,\"authorId\":$((USER_BASE + RANDOM % USERS)),\"title\":\"Demo post $n\",\"excerpt\":\"Posted by deploy/demo.sh\",\"createdAt\":\"$(now_iso)\"}"
  else
    count=$((1 + RANDOM % 20))
    for ((r = 0; r < count; r++)); do recipients+="${recipients:+,}$((USER_BASE + RANDOM % USERS))"; done
    type=${NOTIFICATION_TYPES[$((n % ${#NOTIFICATION_TYPES[@]}))]}
    api POST /notifications "{\"type\":\"$type\",\"recipientIds\":[$recipients],\"title\":\"Demo $type $n\",\"body\":\"Sent by deploy/demo.sh\",\"link\":\"/posts/$n\",\"actorId\":$USER_BASE}"
  fi
  LAST_JOB=$RESPONSE
}

run_load() {
  local n=0 start deadline next now_ms step_ms
  POST_BASE=$(($(date +%s) * 1000))
  log "posting and notifying: $RATE requests/s for ${DURATION}s"
  start=$(date +%s%3N)
  deadline=$((start + DURATION * 1000))
  step_ms=$((1000 / RATE))
  next=$start
  while true; do
    now_ms=$(date +%s%3N)
    ((now_ms < deadline)) || break
    if ((now_ms < next)); then
      sleep "$(printf '0.%03d' $((next - now_ms)))"
    fi
    one_request "$n"
    n=$((n + 1))
    next=$((start + n * step_ms))
    if ((n % (RATE * 10) == 0)); then log "$n requests sent ($FAILED refused so far)"; fi
  done
  log "sent $n requests in ${DURATION}s"
}

where_to_watch() {
  cat <<EOF

[demo] ==================== watch it ====================
[demo] RabbitMQ console:  $CONSOLE (guest/guest with deploy/run.sh) -> Queues
[demo]   pulse.feed.fanout, pulse.feed.fanout.chunk   posts fanned out to members' feeds
[demo]   pulse.feed.backfill                          feeds filled on joining
[demo]   pulse.notification.dispatch                  notifications split per recipient and channel
[demo]   pulse.notification.email                     one job per email (no SMTP server on
[demo]                                                127.0.0.1:25? they retry, then go dead)
[demo]   pulse.retry.*                                jobs waiting for their next attempt
[demo]   pulse.*.dlq                                  dead jobs, pulse-error-* headers (README)
[demo] Workers' metrics:  $WORKERS/q/metrics   (pulse_jobs_completed_total, pulse_jobs_latency_seconds)
[demo] A feed:            curl -s $API/users/$USER_BASE/feed -H 'Authorization: Bearer <key>'
[demo] An inbox:          curl -s $API/users/$((USER_BASE + 1))/notifications -H 'Authorization: Bearer <key>'
EOF
}

main() {
  case ${1:-} in
    "") ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) die "unknown argument $1" "see deploy/demo.sh --help" ;;
  esac
  ((RATE >= 1 && RATE <= 1000)) || die "PULSE_DEMO_RATE must be 1..1000"
  command -v curl >/dev/null || die "curl is not installed" "apt-get install curl"
  find_key
  check_running
  where_to_watch
  seed
  run_load
  local job
  job=$(sed -n 's/.*"jobId":"\([^"]*\)".*/\1/p' <<<"${LAST_JOB:-}")
  if [[ -n $job ]]; then
    api GET "/jobs/$job"
    log "the last job: $RESPONSE"
  fi
  api GET "/users/$USER_BASE/feed?limit=3"
  log "feed of user $USER_BASE: $RESPONSE"
  log "done: $OK requests accepted, $FAILED refused"
  ((FAILED == 0)) || exit 1
}

main "$@"
