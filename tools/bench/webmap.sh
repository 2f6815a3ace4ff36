#!/bin/sh
# The web map at speed: a plan of about 20,000 grids (the synthetic county
# of tools/bench/service.sh) served with --public-grids, and the web map of
# `govgrid serve` opened in headless Chromium (tools/bench/webmap.mjs): the
# time to the first full view of the whole plan, and the repaint of pans
# and zooms (median, p95), ROUNDS times over in fresh pages.
#   tools/bench/webmap.sh [MOVES] [ROUNDS]
# Environment: BENCH_DIR (default /tmp/govgrid-bench), BUILD_DIR (default
# build-bench/), GOVGRID (a govgrid binary to measure instead of building
# one), CHROMIUM (default /usr/bin/chromium). Needs web/node_modules (npm ci
# in web/).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
moves=${1:-20}
rounds=${2:-1}
work=${BENCH_DIR:-/tmp/govgrid-bench}
build=${BUILD_DIR:-"$root/build-bench"}
[ -f "$root/web/node_modules/playwright-core/package.json" ] ||
  { echo "webmap.sh: run 'npm ci' in web/ first" >&2; exit 1; }
mkdir -p "$work"
if [ -z "${GOVGRID:-}" ]; then
  "$root/tools/build.sh" "$build" >/dev/null
  govgrid="$build/src/cli/govgrid"
else
  govgrid=$GOVGRID
fi
synth="$build/tools/synth/govgrid-synth"
data="$work/synth-locate"
if [ ! -f "$data/grids.gpkg" ]; then
  rm -rf "$data"
  "$synth" --households 2000000 --grids-per-community 28 --out "$data" --quiet >/dev/null
fi
p="$work/webmap.sqlite"
if [ ! -f "$p" ]; then
  "$govgrid" init "$p" --quiet
  "$govgrid" import "$p" divisions "$data/divisions.gpkg" --quiet
  "$govgrid" import "$p" grids "$data/grids.gpkg" --quiet
  "$govgrid" import "$p" workers "$data/workers.csv" --quiet
fi
extent=$(sqlite3 "$p" -cmd ".load mod_spatialite" \
  "SELECT min(MbrMinX(geom)) || ',' || min(MbrMinY(geom)) || ',' || max(MbrMaxX(geom)) || ',' || max(MbrMaxY(geom)) FROM grid" | tail -n 1)
grids=$(sqlite3 "$p" "SELECT count(*) FROM grid")
log="$work/webmap-serve.log"
: > "$log"
"$govgrid" serve "$p" --listen 127.0.0.1:0 --public-grids --threads 2 2>> "$log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$log")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "webmap.sh: the service did not start" >&2; cat "$log" >&2; exit 1; }
echo "$grids grids, extent $extent, $(nproc) cores"
# The maps of each zoom bucket are built on first use; build them before
# measuring, as a service that has run a while has them (the first build
# of each is timed here).
for z in 10 12 14 16 18; do
  t=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$port/v1/grids?zoom=$z&limit=1")
  echo "map for zoom $z built in ${t}s"
done
node "$root/tools/bench/webmap.mjs" "http://127.0.0.1:$port" "$moves" "$rounds"
