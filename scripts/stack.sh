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
SERVICES=("registry 8001" "commitments 8002" "monitoring 8003")

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
    echo "$1 ready: http://127.0.0.1:$2 (API docs /docs, AsyncAPI /asyncapi.json)"
  done
  echo "logs: $LOG/services.log"
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

cmd_run() {
  trap 'echo; echo "stopping..."; cmd_down; PYTHON=$PY bash scripts/kafka.sh stop; PYTHON=$PY bash scripts/mongo.sh stop; exit 0' INT TERM
  if command -v pactctl >/dev/null; then pactctl demo; fi
  echo
  echo "Dashboard: http://127.0.0.1:8003/   APIs: http://127.0.0.1:8001/docs  :8002/docs  :8003/docs"
  echo "Following the service logs; Ctrl-C stops everything."
  tail -n 0 -F "$LOG/services.log" &
  wait $!
}

case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  run) cmd_run ;;
  *) echo "usage: $0 up|down|run" >&2; exit 2 ;;
esac
