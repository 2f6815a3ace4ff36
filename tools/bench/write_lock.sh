#!/bin/sh
# How long `govgrid partition` and `govgrid import` hold the project's
# write lock, seen from another process (tools/bench/lock_watch.py: BEGIN
# IMMEDIATE with no busy timeout every 5 ms), on a synthetic county
# (tools/synth, 1M households by default), for each build given, taking
# turns. Each job runs on a fresh copy of the same imported project.
#   tools/bench/write_lock.sh [LABEL=GOVGRID_BINARY ...]
#       (default: "now" = the govgrid of BUILD_DIR)
# Environment: BENCH_DIR (default /tmp/govgrid-bench), BUILD_DIR (default
# build-bench/), HOUSEHOLDS (default 1000000), ROUNDS (default 1).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${BENCH_DIR:-/tmp/govgrid-bench}
build=${BUILD_DIR:-"$root/build-bench"}
households=${HOUSEHOLDS:-1000000}
rounds=${ROUNDS:-1}
mkdir -p "$work"
[ -x "$build/tools/synth/govgrid-synth" ] && [ -x "$build/src/cli/govgrid" ] || "$root/tools/build.sh" "$build" >/dev/null
[ $# -gt 0 ] || set -- "now=$build/src/cli/govgrid"
first=${1#*=}
data="$work/synth-$households"
[ -f "$data/households.gpkg" ] || { rm -rf "$data"; "$build/tools/synth/govgrid-synth" --households "$households" --out "$data" --quiet >/dev/null; }
inputs="$work/write-lock-$households.sqlite"
if [ ! -f "$inputs" ]; then
  "$first" init "$inputs" --quiet
  for layer in divisions households roads waterways units; do
    "$first" import "$inputs" $layer "$data/$layer.gpkg" --quiet
  done
fi
watch=""
trap 'kill -TERM $watch 2>/dev/null || true' EXIT

measure() { # label, what, command...
  label=$1 what=$2
  shift 2
  p="$work/write-lock-run.sqlite"
  /usr/bin/python3 "$root/tools/bench/lock_watch.py" "$p" 5 > "$work/write-lock-watch.json" &
  watch=$!
  sleep 0.5
  /usr/bin/time -f "%e" -o "$work/write-lock-time.txt" "$@" --quiet
  sleep 0.3
  kill -TERM $watch
  wait $watch || true
  watch=""
  wall=$(cat "$work/write-lock-time.txt")
  held=$(sed -n 's/.*"longest_locked_s": \([0-9.]*\).*/\1/p' "$work/write-lock-watch.json")
  echo "| $label | $what | $wall | $held |"
}

echo "| build | job | wall s | longest write lock s |"
echo "|---|---|---|---|"
round=1
while [ $round -le "$rounds" ]; do
  for arg in "$@"; do
    label=${arg%%=*} govgrid=${arg#*=}
    p="$work/write-lock-run.sqlite"
    rm -f "$p" "$p-wal" "$p-shm"
    cp "$inputs" "$p"
    measure "$label" "partition" "$govgrid" partition "$p"
    measure "$label" "import households (replacing $(sqlite3 "$p" 'SELECT count(*) FROM household') points)" \
      "$govgrid" import "$p" households "$data/households.gpkg"
    measure "$label" "import divisions (replacing; every point's community checked)" \
      "$govgrid" import "$p" divisions "$data/divisions.gpkg"
  done
  round=$((round + 1))
done
