#!/usr/bin/env bash
# Runs a command as if today were DATE: the command and every process it starts (the
# services under test, pactctl, Chromium) read DATE 00:00:00 UTC when it starts, and the
# clock runs on from there. libfaketime (Debian's faketime; `make packages`) moves every
# clock by one fixed offset, so every process tells the same time and durations are real
# (leaving the monotonic clock alone, --exclude-monotonic, hangs Chromium's zygote).
# MongoDB and Kafka started before keep real time.
#
#   scripts/on-date.sh 2027-01-01 COMMAND...
#   scripts/on-date.sh 01-01 COMMAND...      the next 1 January (today, if it is one)
#
# MM-DD means a day to come, not one past: the shared mongod deletes documents whose TTL
# date (set by a service on the shifted clock) has passed on its own, real, clock.
set -euo pipefail
(($# >= 2)) || { echo "usage: ${0##*/} YYYY-MM-DD|MM-DD COMMAND..." >&2; exit 2; }
day=$1
shift
command -v faketime >/dev/null || { echo "${0##*/}: needs faketime (make packages)" >&2; exit 1; }

if [[ $day =~ ^[0-9]{2}-[0-9]{2}$ ]]; then
  year=$(date -u +%Y)
  [[ $year-$day < $(date -u +%F) ]] && year=$((year + 1))
  day=$year-$day
fi
target=$(date -u -d "$day 00:00:00" +%s) || exit 2
offset=$((target - $(date -u +%s)))
sign=+
((offset < 0)) && sign=- && offset=$((-offset))
echo "${0##*/}: the clock reads $(date -u -d "@$target" '+%F %T') UTC at the start" >&2
# -m: the multi-threaded libfaketime (services run thread pools beside their event loop)
exec faketime -m -f "$sign$offset" "$@"
