#!/bin/sh
# The HTTP service while a partition runs on the same project in another
# process. A synthetic county (tools/synth, 1M households by default) is
# imported once with its hand-drawn plan and roster, so that the service
# has a plan to locate in; then, for each build given, on a fresh copy of
# that project:
#   - `govgrid serve` starts (THREADS request threads);
#   - tools/bench/service_load.py sends a steady stream of reads (two
#     threads alternating GET /healthz and GET /v1/locate at household
#     points, 20 ms apart) and Open311 POSTs (one thread, 100 ms apart,
#     form-encoded with a write key), each on a kept-alive connection;
#   - tools/bench/lock_watch.py tries BEGIN IMMEDIATE (busy timeout 0)
#     every 20 ms and records the longest stretch the write lock was held;
#   - after 3 s, `govgrid partition` of the same project runs (another
#     process), then the load goes on for 2 s more.
# Prints one Markdown row per build and round: the partition's wall time,
# the longest write lock, POSTs started during the partition (failed =
# not 201; the service gives up on the lock after its 5 s busy timeout
# with a 503), their latency, and the reads' count and latency.
#
#   tools/bench/service_during_partition.sh [LABEL=GOVGRID_BINARY ...]
#       (default: "now" = the govgrid of BUILD_DIR; give e.g.
#        before=/path/to/old/govgrid now=build/src/cli/govgrid to compare,
#        the builds taking turns)
# Environment: BENCH_DIR (default /tmp/govgrid-bench), BUILD_DIR (default
# build-bench/; built with tools/build.sh when it has no govgrid-synth),
# HOUSEHOLDS (default 1000000), ROUNDS (default 1), THREADS (service
# threads, default 2), JOBS (partition --jobs, default: the cores).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${BENCH_DIR:-/tmp/govgrid-bench}
build=${BUILD_DIR:-"$root/build-bench"}
households=${HOUSEHOLDS:-1000000}
rounds=${ROUNDS:-1}
threads=${THREADS:-2}
jobs=${JOBS:-}
command -v sqlite3 >/dev/null || { echo "service_during_partition.sh: sqlite3 is needed" >&2; exit 1; }
mkdir -p "$work"
[ -x "$build/tools/synth/govgrid-synth" ] && [ -x "$build/src/cli/govgrid" ] || "$root/tools/build.sh" "$build" >/dev/null
synth="$build/tools/synth/govgrid-synth"
[ $# -gt 0 ] || set -- "now=$build/src/cli/govgrid"
first=${1#*=}

data="$work/synth-$households"
[ -f "$data/households.gpkg" ] || { rm -rf "$data"; "$synth" --households "$households" --out "$data" --quiet >/dev/null; }
inputs="$work/during-partition-$households.sqlite"
if [ ! -f "$inputs" ]; then
  rm -f "$inputs" "$inputs-wal" "$inputs-shm"
  "$first" init "$inputs" --quiet
  for layer in divisions households roads waterways units grids; do
    "$first" import "$inputs" $layer "$data/$layer.gpkg" --quiet
  done
  "$first" import "$inputs" workers "$data/workers.csv" --quiet
fi
sqlite3 -separator ' ' "$inputs" -cmd ".load mod_spatialite" \
  "SELECT printf('%.7f', X(geom)), printf('%.7f', Y(geom)) FROM household ORDER BY random() LIMIT 2000" \
  > "$work/during-partition-points.txt"
rm -f "$work/during-partition.keys"
key=$("$first" key new "$work/during-partition.keys" --name bench --rights read,write --quiet)
points=$(sqlite3 "$inputs" "SELECT count(*) FROM household")
grids=$(sqlite3 "$inputs" "SELECT count(*) FROM grid")

serve="" load="" watch=""
trap 'kill -TERM $serve $load $watch 2>/dev/null || true' EXIT

run_one() { # label, govgrid
  label=$1 govgrid=$2
  p="$work/during-partition-run.sqlite"
  rm -f "$p" "$p-wal" "$p-shm" "$work/during-partition.marks" "$work/during-partition-serve.log"
  cp "$inputs" "$p"
  "$govgrid" serve "$p" --listen 127.0.0.1:0 --keys "$work/during-partition.keys" --threads "$threads" \
    2> "$work/during-partition-serve.log" &
  serve=$!
  port=""
  for _ in $(seq 1 600); do
    port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/during-partition-serve.log")
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || { cat "$work/during-partition-serve.log" >&2; kill -TERM $serve; exit 1; }
  /usr/bin/python3 "$root/tools/bench/service_load.py" "$port" "$key" "$work/during-partition-points.txt" \
    "$work/during-partition-load.json" 2 20 1 100 &
  load=$!
  /usr/bin/python3 "$root/tools/bench/lock_watch.py" "$p" 20 > "$work/during-partition-watch.json" &
  watch=$!
  sleep 3
  status=0
  /usr/bin/python3 "$root/tools/bench/service_summary.py" run "$work/during-partition.marks" -- \
    "$govgrid" partition "$p" --quiet ${jobs:+--jobs "$jobs"} || status=$?
  sleep 2
  kill -TERM $load $watch
  wait $load $watch || true
  kill -TERM $serve
  wait $serve || true
  serve="" load="" watch=""
  [ $status -eq 0 ] || label="$label (partition exit $status)"
  /usr/bin/python3 "$root/tools/bench/service_summary.py" table "$label" "$work/during-partition-load.json" \
    "$work/during-partition.marks" "$work/during-partition-watch.json"
}

echo "project: $households households ($points points), a plan of $grids grids; service threads: $threads;"
echo "partition --jobs ${jobs:-(the cores)}; $(nproc) cores; reads and POSTs counted from the partition's start to its end"
echo
echo "| build | partition s | longest write lock s | POSTs | failed POSTs | POST p50 ms | POST p99 ms | POST max ms | reads | failed reads | read p50 ms | read p99 ms | read max ms |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
round=1
while [ $round -le "$rounds" ]; do
  for arg in "$@"; do
    run_one "${arg%%=*}" "${arg#*=}"
  done
  round=$((round + 1))
done
