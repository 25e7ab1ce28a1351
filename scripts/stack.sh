#!/usr/bin/env bash
# The platform's service processes, supervised by honcho from the Procfile.
#   scripts/stack.sh up     start them in the background; return when every /ready answers
#   scripts/stack.sh down   stop them
#   scripts/stack.sh run    the demo, then follow the logs until Ctrl-C (which stops all)
set -euo pipefail
PY=${PYTHON:-.venv/bin/python}
BIN=$(dirname "$PY")
RUN=.local/run
LOG=.local/logs
PIDFILE=$RUN/services.pid
export PATH="$(cd "$BIN" && pwd):$PATH"
export PYTHONUNBUFFERED=1
# Services default to production, which refuses the committed development keys; on a
# developer's machine they run as development unless the shell says otherwise.
for p in REGISTRY COMMITMENTS MONITORING PORTAL; do
  var=${p}_ENVIRONMENT; export "$var=${!var:-development}"
done
# Monitoring mails alerts to the development mail sink (scripts/mail_sink.py, in the Procfile)
export MONITORING_SMTP_HOST=${MONITORING_SMTP_HOST:-127.0.0.1} \
       MONITORING_SMTP_PORT=${MONITORING_SMTP_PORT:-1025} \
       MONITORING_PORTAL_URL=${MONITORING_PORTAL_URL:-http://127.0.0.1:8000}
SERVICES=("mail 8025" "registry 8001" "commitments 8002" "monitoring 8003" "portal 8000")

alive() { [[ -f $PIDFILE ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

ready() { "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$1" 2>/dev/null; }

cmd_up() {
  mkdir -p "$RUN" "$LOG"
  if alive; then echo "services already running (pid $(cat "$PIDFILE"))"; else
    nohup honcho start -f Procfile >"$LOG/services.log" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
  fi
  for entry in "${SERVICES[@]}"; do
    set -- $entry
    local url="http://127.0.0.1:$2/ready" end=$((SECONDS + 90))
    until ready "$url"; do
      if ! alive || (( SECONDS >= end )); then
        echo "$1 did not become ready ($url); last log lines:" >&2; tail -30 "$LOG/services.log" >&2; return 1
      fi
      sleep 0.3
    done
    case $1 in
      portal) ;;
      mail) echo "mail sink ready: SMTP 127.0.0.1:1025, messages http://127.0.0.1:$2 (API /api/v1/messages; pactctl mail)" ;;
      *) echo "$1 ready: http://127.0.0.1:$2 (API docs /docs, AsyncAPI /asyncapi.json)" ;;
    esac
  done
  # The portal, and the secretariat's administrator to sign in with (make run adds two
  # partners' coordinators once the demo has registered them)
  PACT_API_KEY=${PACT_API_KEY:-${REGISTRY_ADMIN_API_KEY:-dev-secretariat-key-not-for-production}} \
    "$PY" -m pactctl.accounts
  echo "logs: $LOG/services.log"
  echo "pactctl: export PATH=\"$PWD/.venv/bin:\$PATH\"; secretariat: export PACT_API_KEY=${REGISTRY_ADMIN_API_KEY:-dev-secretariat-key-not-for-production}"
}

cmd_down() {
  if alive; then
    local pid; pid=$(cat "$PIDFILE"); kill -TERM "$pid"
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    echo "services stopped"
  fi
  rm -f "$PIDFILE"
}

demo_env() {
  # A fresh demo world: empty databases, topics of its own, and time-lapse (one real second
  # is a simulated day by default) so deadlines pass while you watch.
  export PACT_CLOCK_START=${PACT_CLOCK_START:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}
  export PACT_CLOCK_SPEED=${PACT_CLOCK_SPEED:-86400}
  export PACT_TOPIC_NAMESPACE=${PACT_TOPIC_NAMESPACE:-demo-$(date -u +%Y%m%d%H%M%S).}
  # The secretariat's receiver's secret (Standard Webhooks); partners get theirs from the
  # registry when they register their webhook.
  export PACT_WEBHOOK_SECRET=${PACT_WEBHOOK_SECRET:-$("$PY" -c 'from pact_common.webhook_secrets import new_secret; print(new_secret())')}
  export PACT_API_KEY=${PACT_API_KEY:-dev-secretariat-key-not-for-production}
  for p in REGISTRY COMMITMENTS MONITORING; do
    export "${p}_CLOCK_START=$PACT_CLOCK_START" "${p}_CLOCK_SPEED=$PACT_CLOCK_SPEED" \
           "${p}_TOPIC_NAMESPACE=$PACT_TOPIC_NAMESPACE"
  done
  # the demo's mails only (a fresh world); a day a second: still-firing critical alerts are
  # mailed again every 90 simulated days rather than weekly, digests daily as ever
  rm -rf .local/mail
  export MONITORING_EMAIL_REPEAT_INTERVAL_SECONDS=${MONITORING_EMAIL_REPEAT_INTERVAL_SECONDS:-7776000}
  export MONITORING_SWEEP_INTERVAL_SECONDS=1 \
         MONITORING_SECRETARIAT_WEBHOOK_SECRET=$PACT_WEBHOOK_SECRET \
         MONITORING_SECRETARIAT_WEBHOOK_URL=http://127.0.0.1:${PACT_DEMO_WEBHOOK_PORT:-8099}/secretariat
  "$PY" - <<'PYEOF'
import pymongo
client = pymongo.MongoClient("mongodb://127.0.0.1:27017/?replicaSet=rs0", serverSelectionTimeoutMS=10000)
for name in ("registry", "commitments", "monitoring"):
    client.drop_database(name)
PYEOF
}

cmd_run() {
  trap 'echo; echo "stopping..."; [[ -n ${TAIL:-} ]] && kill "$TAIL" 2>/dev/null; cmd_down; PYTHON=$PY bash scripts/kafka.sh stop; PYTHON=$PY bash scripts/mongo.sh stop; exit 0' INT TERM
  cmd_down >/dev/null
  demo_env
  cmd_up
  # In the foreground, so Ctrl-C reaches it; it keeps printing webhooks until then.
  if ! pactctl demo; then
    echo "The demo stopped early; the services keep running (logs: $LOG/services.log)."
    echo "Ctrl-C stops everything."
    tail -n 0 -F "$LOG/services.log" >/dev/null &
    TAIL=$!
    wait "$TAIL"
  fi
}

case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  run) cmd_run ;;
  *) echo "usage: $0 up|down|run" >&2; exit 2 ;;
esac
