#!/bin/sh
# Reads under a held write lock: another process holds the project's SQLite
# write lock (as a long `govgrid import` or `partition` does) while wrk loads
# GET /v1/locate and eight clients post Open311 requests in a loop. Prints
# wrk's GET figures without and with the lock, and the POSTs' statuses.
#   tools/bench/service_lock.sh [SECONDS] [CONNECTIONS_GET]   (default 10 s, 32)
# Environment: BENCH_DIR (default /tmp/govgrid-bench-lock), BUILD_DIR (default
# build/: a release build), THREADS (service threads, default 2).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-10}
cget=${2:-32}
work=${BENCH_DIR:-/tmp/govgrid-bench-lock}
build=${BUILD_DIR:-"$root/build"}
threads=${THREADS:-2}
govgrid="$build/src/cli/govgrid"
command -v wrk >/dev/null || { echo "service_lock.sh: wrk is needed (apt-get install wrk)" >&2; exit 1; }
[ -x "$govgrid" ] || { echo "service_lock.sh: no $govgrid (build first)" >&2; exit 1; }
rm -rf "$work" && mkdir -p "$work"
p="$work/p.sqlite"
fixtures="$root/tests/cli/data"
"$govgrid" init "$p" --quiet
"$govgrid" import "$p" grids "$fixtures/square_grids.csv" --quiet
"$govgrid" import "$p" workers "$fixtures/square_workers.csv" --quiet
key=$("$govgrid" key new "$work/keys" --name bench --rights read,write --quiet)
"$govgrid" serve "$p" --listen 127.0.0.1:0 --keys "$work/keys" --threads "$threads" 2> "$work/serve.log" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
port=""
for _ in $(seq 1 200); do
  port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/serve.log")
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || { cat "$work/serve.log"; exit 1; }
url="http://127.0.0.1:$port/v1/locate?lon=116.005&lat=40.005"
get() { # label
  wrk -t2 -c"$cget" -d"${secs}s" --latency "$url" > "$work/wrk.txt" 2>&1
  rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$work/wrk.txt")
  p50=$(awk '/Latency Distribution/{f=1} f && $1=="50%"{print $2}' "$work/wrk.txt")
  p99=$(awk '/Latency Distribution/{f=1} f && $1=="99%"{print $2}' "$work/wrk.txt")
  max=$(awk '$1=="Latency"{print $4; exit}' "$work/wrk.txt")
  non2xx=$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$work/wrk.txt")
  sockerr=$(sed -n 's/.*Socket errors: *\(.*\)/\1/p' "$work/wrk.txt")
  echo "| $1 | $cget | $secs | $rps | $p50 | $p99 | $max | ${non2xx:-0} | ${sockerr:-none} |"
}
poster() { # out file, seconds (each description its own: the same request sent again is a resend)
  end=$(($(date +%s) + $2))
  n=0
  while [ "$(date +%s)" -lt "$end" ]; do
    n=$((n + 1))
    curl -s -m 120 -o /dev/null -w '%{http_code}\n' -X POST "http://127.0.0.1:$port/open311/v2/requests.json" \
      --data "api_key=$key&service_code=CG0202&lat=40.005&long=116.005&description=lock+$(basename "$1")+$n" \
      >> "$1" || echo 000 >> "$1"
  done
}
echo "service threads: $threads; wrk -t2 on the same machine; the lock held $((secs + 2)) s by python3's sqlite3"
echo
echo "| GET /v1/locate | connections | seconds | requests/s | p50 | p99 | max | non-2xx | socket errors |"
echo "|---|---|---|---|---|---|---|---|---|"
get "no lock, no posts"
/usr/bin/python3 -c "
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute('BEGIN IMMEDIATE')
time.sleep(float(sys.argv[2]))
db.execute('COMMIT')" "$p" "$((secs + 2))" &
locker=$!
sleep 0.5
: > "$work/posts"
posters=""
for i in 1 2 3 4 5 6 7 8; do poster "$work/posts.$i" "$secs" & posters="$posters $!"; done
get "write lock held, 8 clients posting"
wait $locker
wait $posters
echo
echo "POSTs sent while the lock was held (answered once it was released): $(sort "$work"/posts.* | uniq -c | awk '{printf "%s %s; ", $1, $2}')"
echo "incidents in the store: $(sqlite3 "$p" 'SELECT count(*) FROM incident')"
