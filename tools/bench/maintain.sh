#!/bin/sh
# Plan versions on a synthetic county (tools/synth): partition, publish,
# then 10% more households in 5% of the communities and one new road
# through three communities, maintenance within a 5% change budget, the difference and its publication. Prints what each
# step took and what the user receives, measured on the stored plans with
# an independent reader (python3's sqlite3 with SpatiaLite, and the diff's
# CSV files), not from the program's own report.
#   tools/bench/maintain.sh [HOUSEHOLDS] [SEED]     (default 1000000, 1)
# Environment: BENCH_DIR (default /tmp/govgrid-bench), BUILD_DIR (default
# build/), GOVGRID (a govgrid binary to use instead).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-1000000}
seed=${2:-1}
work=${BENCH_DIR:-/tmp/govgrid-bench}
build=${BUILD_DIR:-"$root/build"}
mkdir -p "$work"
"$root/tools/build.sh" "$build" >/dev/null
govgrid=${GOVGRID:-"$build/src/cli/govgrid"}
synth="$build/tools/synth/govgrid-synth"
python=/usr/bin/python3
data="$work/synth-$n"
[ -f "$data/households.gpkg" ] || { rm -rf "$data"; "$synth" --households "$n" --out "$data" --quiet >/dev/null; }
p="$work/maintain-$n.sqlite"
rm -f "$p" "$p-wal" "$p-shm"
"$govgrid" init "$p" --quiet
for layer in divisions households roads waterways units; do
  "$govgrid" import "$p" $layer "$data/$layer.gpkg" --quiet
done
t() { # LABEL CMD...: runs CMD, prints its wall time
  label=$1; shift
  /usr/bin/time -f "%e" -o "$work/t.txt" "$@" > "$work/out.txt"
  echo "$label: $(cat "$work/t.txt") s"
}
export GOVGRID_USER=bench
t "partition" "$govgrid" partition "$p" --quiet
t "publish plan 1" "$govgrid" plan publish "$p" 1 --quiet
# 10% more households in 5% of the communities, at random points inside them.
"$python" - "$p" "$work/new-households.csv" "$seed" <<'PY'
import random, sqlite3, sys
from shapely import wkb
from shapely.geometry import Point
db, out, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = sqlite3.connect(db); c.enable_load_extension(True); c.load_extension("mod_spatialite")
rnd = random.Random(seed)
codes = [r[0] for r in c.execute("SELECT code FROM division WHERE level = 'community' AND geom IS NOT NULL ORDER BY code")]
chosen = rnd.sample(codes, max(1, len(codes) // 20))
rows = 0
with open(out, "w") as f:
    f.write("id,count,lon,lat\n")
    for code in chosen:
        g = wkb.loads(bytes(c.execute("SELECT AsBinary(geom) FROM division WHERE code = ?", (code,)).fetchone()[0]))
        total = c.execute("SELECT coalesce(sum(count), 0) FROM household WHERE community = ?", (code,)).fetchone()[0]
        want = max(1, total // 10)
        x0, y0, x1, y1 = g.bounds
        while want > 0:
            pt = Point(rnd.uniform(x0, x1), rnd.uniform(y0, y1))
            if not g.contains(pt):
                continue
            k = min(want, rnd.randint(4, 30))
            f.write("add-%s-%d,%d,%.7f,%.7f\n" % (code, rows, k, pt.x, pt.y))
            want -= k
            rows += 1
print("communities with new households: %d of %d; new household points: %d" % (len(chosen), len(codes), rows))
PY
"$govgrid" import "$p" households "$work/new-households.csv" --append --quiet
# One new road (class secondary) through three communities: a straight
# line from one community's inside point through a second to a third.
"$python" - "$p" "$work/new-road.geojson" "$seed" <<'PY'
import json, random, sqlite3, sys
from shapely import wkb
from shapely.geometry import LineString
db, out, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = sqlite3.connect(db); c.enable_load_extension(True); c.load_extension("mod_spatialite")
rnd = random.Random(seed + 1)
comms = {code: wkb.loads(bytes(g)) for code, g in c.execute(
    "SELECT code, AsBinary(geom) FROM division WHERE level = 'community' AND geom IS NOT NULL ORDER BY code")}
codes = sorted(comms)
line = None
for _ in range(2000):
    a, b = rnd.sample(codes, 2)
    cand = LineString([comms[a].representative_point(), comms[b].representative_point()])
    crossed = [k for k, g in comms.items() if g.intersection(cand).length > 0]
    if len(crossed) == 3:
        line, names = cand, sorted(crossed)
        break
if line is None:
    sys.exit("maintain.sh: no straight road through exactly three communities found")
json.dump({"type": "FeatureCollection", "features": [{"type": "Feature",
           "properties": {"id": "new-road-1", "class": "secondary", "name": "New Road"},
           "geometry": {"type": "LineString", "coordinates": list(line.coords)}}]}, open(out, "w"))
print("new road: %.0f m through communities %s" % (line.length * 111320 * 0.85, ", ".join(names)))
PY
"$govgrid" import "$p" roads "$work/new-road.geojson" --append --quiet
t "maintain (budget 5%)" "$govgrid" partition "$p" --from 1 --maintain --max-change 5% --json
cp "$work/out.txt" "$work/maintain.json"
plan=$(sqlite3 "$p" "SELECT max(id) FROM plan")
"$python" - "$work/maintain.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
m = r["maintenance"]
items = r["by_community"]
print("communities the rules broke: %d; repaired: %d; left over the budget: %d" % (
    len(items), sum(1 for i in items if i["applied"]), sum(1 for i in items if not i["applied"])))
print("reported households moved: %d of %d (budget %d)" % (m["households_moved"], m["households"], m["budget"]))
PY
rm -rf "$work/diff"
t "diff 1 $plan" "$govgrid" diff "$p" 1 "$plan" -o "$work/diff" --quiet
t "publish plan $plan" "$govgrid" plan publish "$p" "$plan" --json
cat "$work/out.txt" | tr -d '\n ' ; echo
# What the user receives, checked apart from the program's own figures.
"$python" - "$p" "$work/diff" "$plan" <<'PY'
import csv, sqlite3, sys
db, d, plan = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = sqlite3.connect(db); c.enable_load_extension(True); c.load_extension("mod_spatialite")
total = c.execute("SELECT sum(count) FROM household").fetchone()[0]
moves = list(csv.DictReader(open(d + "/moves.csv")))
msum = sum(int(m["households"]) for m in moves)
moved = sum(int(m["households"]) for m in moves if m["from_code"] != m["to_code"])
inb = sum(int(m["households"]) for m in moves if m["to_code"])
stored = c.execute("SELECT sum(households) FROM grid WHERE plan = ?", (plan,)).fetchone()[0]
print("transition table: %d households (the points hold %d); in plan %d's grids %d (stored %d)" % (msum, total, plan, inb, stored))
print("households whose grid changed: %d of %d (%.2f%%)" % (moved, total, 100.0 * moved / total))
grids = list(csv.DictReader(open(d + "/grids.csv")))
kinds = {}
for g in grids:
    kinds[g["change"]] = kinds.get(g["change"], 0) + 1
print("grids: %s" % ", ".join("%s %d" % kv for kv in sorted(kinds.items())))
# Grids of plan 1 not touched: same code, same bytes.
same = c.execute("SELECT count(*) FROM grid a JOIN grid b ON b.code = a.code AND b.plan = ? WHERE a.plan = 1 AND a.geom = b.geom", (plan,)).fetchone()[0]
print("grids with the same code and the same stored geometry: %d of %d" % (same, c.execute("SELECT count(*) FROM grid WHERE plan = 1").fetchone()[0]))
def out_of_window(plan):
    return c.execute("""SELECT count(*) FROM grid WHERE plan = ? AND type = 1
                        AND (flags LIKE '%over_max%' OR flags LIKE '%under_min%')
                        AND flags NOT LIKE '%indivisible%' AND flags NOT LIKE '%infeasible%'
                        AND flags NOT LIKE '%unreachable%' AND flags NOT LIKE '%small_community%'
                        AND flags NOT LIKE '%island%'""", (plan,)).fetchone()[0]
print("comprehensive grids out of their window that a partition could fix (by their flags): plan 1 (counted before the new households) %d, plan %d %d" % (out_of_window(1), plan, out_of_window(plan)))
PY
"$govgrid" check "$p" --plan "$plan" | tail -n 1
