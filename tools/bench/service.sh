#!/bin/sh
# Load on the HTTP service with wrk (Debian's), on loopback, against a plan of
# about 20,000 grids (the synthetic county of tools/bench/locate.sh):
#   - GET /v1/locate at random points of the plan's extent;
#   - POST /open311/v2/requests.json and requests.xml (form-encoded, a
#     write key), each request committed before its 201;
#   - GET /open311/v2/requests.json and .xml (the public list, 100 a page).
# Prints requests/s, latency percentiles and errors for each.
#   tools/bench/service.sh [SECONDS] [CONNECTIONS_GET] [CONNECTIONS_POST]
#       (default 60 s each, 32 and 8 connections)
# Environment: BENCH_DIR (default /tmp/govgrid-bench), BUILD_DIR (default
# build-bench/), THREADS (service threads, default 2), GOVGRID (a govgrid
# binary to measure instead of building one: an older build, to compare
# side by side), FORMATS (default "json xml"; "json" for a govgrid that
# speaks no XML), LISTS (default 1; 0 skips the keyless lists, which an
# older govgrid refuses), LOCATE (default 1; 0 skips GET /v1/locate).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
cget=${2:-32}
cpost=${3:-8}
work=${BENCH_DIR:-/tmp/govgrid-bench}
build=${BUILD_DIR:-"$root/build-bench"}
threads=${THREADS:-2}
command -v wrk >/dev/null || { echo "service.sh: wrk is needed (apt-get install wrk)" >&2; exit 1; }
mkdir -p "$work"
"$root/tools/build.sh" "$build" >/dev/null
govgrid=${GOVGRID:-"$build/src/cli/govgrid"}
formats=${FORMATS:-"json xml"}
synth="$build/tools/synth/govgrid-synth"
data="$work/synth-locate"
if [ ! -f "$data/grids.gpkg" ]; then
  rm -rf "$data"
  "$synth" --households 2000000 --grids-per-community 28 --out "$data" --quiet >/dev/null
fi
p="$work/service.sqlite"
rm -f "$p" "$p-wal" "$p-shm" "$work/service.keys"
"$govgrid" init "$p" --quiet
"$govgrid" import "$p" divisions "$data/divisions.gpkg" --quiet
"$govgrid" import "$p" grids "$data/grids.gpkg" --quiet
"$govgrid" import "$p" workers "$data/workers.csv" --quiet
key=$("$govgrid" key new "$work/service.keys" --name bench --rights read,write --quiet)
extent=$(sqlite3 "$p" -cmd ".load mod_spatialite" \
  "SELECT min(MbrMinX(geom)) || ' ' || min(MbrMinY(geom)) || ' ' || max(MbrMaxX(geom)) || ' ' || max(MbrMaxY(geom)) FROM grid" | tail -n 1)
set -- $extent
west=$1 south=$2 east=$3 north=$4
grids=$(sqlite3 "$p" "SELECT count(*) FROM grid")
cat > "$work/locate.lua" <<LUA
math.randomseed(1)
request = function()
  local lon = $west + math.random() * ($east - $west)
  local lat = $south + math.random() * ($north - $south)
  return wrk.format("GET", string.format("/v1/locate?lon=%.7f&lat=%.7f", lon, lat))
end
LUA
for f in json xml; do
cat > "$work/post-$f.lua" <<LUA
-- Each wrk thread its own seed and number: threads share the script, and
-- the same request twice would be answered as a resend, not written.
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
init = function(args)
  math.randomseed(2 + 7919 * tid)
end
local codes = {"CG0202", "CG0201", "AQ0102", "CG0301", "SH0101"}
local n = 0
request = function()
  local lon = $west + math.random() * ($east - $west)
  local lat = $south + math.random() * ($north - $south)
  n = n + 1
  -- each request its own: the same one again would be answered as a resend
  local body = string.format("api_key=$key&service_code=%s&lat=%.7f&long=%.7f&description=load+test+%s+%d+%d",
    codes[math.random(#codes)], lat, lon, "$f", tid, n)
  return wrk.format("POST", "/open311/v2/requests.$f",
    {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
LUA
cat > "$work/list-$f.lua" <<LUA
request = function()
  return wrk.format("GET", "/open311/v2/requests.$f?page_size=100")
end
LUA
done
"$govgrid" serve "$p" --listen 127.0.0.1:0 --keys "$work/service.keys" --threads "$threads" 2> "$work/serve.log" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
port=""
for _ in $(seq 1 200); do
  port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/serve.log")
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || { cat "$work/serve.log"; exit 1; }
run() { # name, connections, script
  out="$work/wrk-$(basename "$3" .lua).txt"
  wrk -t2 -c"$2" -d"${secs}s" --latency -s "$3" "http://127.0.0.1:$port" > "$out" 2>&1
  rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$out")
  p50=$(awk '/Latency Distribution/{f=1} f && $1=="50%"{print $2}' "$out")
  p99=$(awk '/Latency Distribution/{f=1} f && $1=="99%"{print $2}' "$out")
  non2xx=$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$out")
  sockerr=$(sed -n 's/.*Socket errors: *\(.*\)/\1/p' "$out")
  total=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$out")
  echo "| $1 | $2 | $secs | $total | $rps | $p50 | $p99 | ${non2xx:-0} | ${sockerr:-none} |"
}
echo "plan: $grids grids; service threads: $threads; wrk -t2 on the same 2-core machine"
echo
echo "| route | connections | seconds | requests | requests/s | p50 | p99 | non-2xx | socket errors |"
echo "|---|---|---|---|---|---|---|---|---|"
[ "${LOCATE:-1}" = 1 ] && run "GET /v1/locate" "$cget" "$work/locate.lua"
for f in $formats; do
  run "POST /open311/v2/requests.$f" "$cpost" "$work/post-$f.lua"
done
[ "${LISTS:-1}" = 1 ] && for f in $formats; do
  run "GET /open311/v2/requests.$f?page_size=100" "$cpost" "$work/list-$f.lua"
done
stored=$(sqlite3 "$p" "SELECT count(*) FROM incident")
echo
echo "incidents in the store after the run: $stored (every POST is a new request: this is the sum of the POSTs answered, and those in flight at the end)"
