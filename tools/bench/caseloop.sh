#!/bin/sh
# A year of incidents through the closed loop, on a synthetic county:
#   1. a project with the county's divisions, grids and roster;
#   2. the year (govgrid-synth-year): INCIDENTS reports and their
#      transitions, at places in grids with a worker;
#   3. the year replayed through the library (govgrid-bench-caseloop:
#      gg_incident_submit_many, gg_case_act_many), every result checked,
#      then the project checked with python3's sqlite3 against the file
#      (caseloop_verify.py);
#   4. unless HTTP_INCIDENTS is 0: the year's first HTTP_INCIDENTS incidents,
#      with all their transitions, through `govgrid serve` by 8 clients
#      (caseloop_http.py), the service killed with SIGKILL KILLS times
#      and restarted, then the same checks on that project.
#   tools/bench/caseloop.sh [HOUSEHOLDS] [INCIDENTS] [HTTP_INCIDENTS] [KILLS]
#       (default 1000000, 250000, 5000, 20)
# Environment: BENCH_DIR (default /tmp/govgrid-bench), BUILD_DIR (default
# build-bench/; an existing build is used as it is when BUILD=0), SEED
# (default 1), SYNTH_DIR (a directory govgrid-synth wrote for HOUSEHOLDS,
# read only, instead of generating one), CLIENTS (default 8), WINDOW (lines
# per transaction of the library replay, default 50000).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-1000000}
incidents=${2:-250000}
http_incidents=${3:-5000}
kills=${4:-20}
seed=${SEED:-1}
work=${BENCH_DIR:-/tmp/govgrid-bench}
build=${BUILD_DIR:-"$root/build-bench"}
python=/usr/bin/python3
mkdir -p "$work"
[ "${BUILD:-1}" = 0 ] || "$root/tools/build.sh" "$build" >/dev/null
govgrid=${GOVGRID:-"$build/src/cli/govgrid"}
synth="$build/tools/synth/govgrid-synth"
year="$build/tools/synth/govgrid-synth-year"
replay="$build/tools/bench/govgrid-bench-caseloop"
data=${SYNTH_DIR:-"$work/synth-$n"}
if [ ! -f "$data/grids.gpkg" ]; then
  rm -rf "$data"
  "$synth" --households "$n" --seed "$seed" --out "$data" --quiet >/dev/null
fi
export GOVGRID_USER=bench
base="$work/caseloop-base.sqlite"
rm -f "$base" "$base-wal" "$base-shm"
"$govgrid" init "$base" --quiet
"$govgrid" import "$base" divisions "$data/divisions.gpkg" --quiet
"$govgrid" import "$base" grids "$data/grids.gpkg" --quiet
"$govgrid" import "$base" workers "$data/workers.csv" --quiet
# Places that arrive dispatched: a point inside each grid with somebody on
# its roster, weighted by the grid's households.
"$python" - "$base" "$work/caseloop-points.csv" <<'PY'
import sqlite3, sys
db, out = sys.argv[1], sys.argv[2]
c = sqlite3.connect(db); c.enable_load_extension(True); c.load_extension("mod_spatialite")
plan = c.execute("SELECT max(id) FROM plan").fetchone()[0]
rows = c.execute("""SELECT X(p), Y(p), max(coalesce(households, 0), 1) FROM
                    (SELECT PointOnSurface(geom) AS p, households FROM grid
                     WHERE plan = ? AND code IN (SELECT grid_code FROM worker) ORDER BY code)""", (plan,)).fetchall()
with open(out, "w") as f:
    f.write("lon,lat,weight\n")
    for x, y, w in rows:
        f.write("%.7f,%.7f,%d\n" % (x, y, w))
print("grids with a roster: %d of %d" % (len(rows), c.execute("SELECT count(*) FROM grid WHERE plan = ?", (plan,)).fetchone()[0]))
PY
t0=$(date +%s.%N)
"$year" --catalogue "$root/data/catalogue.csv" --points "$work/caseloop-points.csv" --incidents "$incidents" \
  --seed "$seed" --out "$work/caseloop-year.tsv" --summary "$work/caseloop-year.json"
t1=$(date +%s.%N)
echo "year generated in $(awk "BEGIN { printf \"%.2f\", $t1 - $t0 }") s: $(wc -l < "$work/caseloop-year.tsv") lines"

echo "== the library"
p="$work/caseloop-lib.sqlite"
rm -rf "$p" "$p-wal" "$p-shm" "$p-locate"
cp "$base" "$p"
/usr/bin/time -f "%e s wall, %M KB max resident" -o "$work/caseloop-time.txt" \
  "$replay" "$p" "$work/caseloop-year.tsv" --window "${WINDOW:-50000}"
cat "$work/caseloop-time.txt"
"$python" "$root/tools/bench/caseloop_verify.py" "$p" "$work/caseloop-year.tsv" --summary "$work/caseloop-year.json"

[ "$http_incidents" -gt 0 ] || exit 0
echo "== HTTP: the first $http_incidents incidents, ${CLIENTS:-8} clients, $kills kills"
h="$work/caseloop-http.sqlite"
rm -rf "$h" "$h-wal" "$h-shm" "$h-locate" "$work/caseloop.keys"
cp "$base" "$h"
key=$("$govgrid" key new "$work/caseloop.keys" --name replay --rights read,write --quiet)
awk -F'\t' -v k="$http_incidents" '$2 <= k' "$work/caseloop-year.tsv" > "$work/caseloop-slice.tsv"
"$python" "$root/tools/bench/caseloop_http.py" "$govgrid" "$h" "$work/caseloop.keys" "$key" \
  "$work/caseloop-slice.tsv" "$work/caseloop-http" --clients "${CLIENTS:-8}" --kills "$kills"
"$python" "$root/tools/bench/caseloop_verify.py" "$h" "$work/caseloop-slice.tsv" \
  --acked "$work/caseloop-http/acked.txt"
