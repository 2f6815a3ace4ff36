#!/bin/sh
# govgrid locate with and without a published plan's locator index file:
# the same output, byte for byte, on Monaco's grids and on points at
# their vertices, the middles of their edges and over their extent; the
# file written at publication and by `govgrid plan index`; a missing,
# corrupt or truncated file named in a warning, never used.
#   locate_index.sh GOVGRID DATA_DIR WORK_DIR
set -eu
govgrid=$1
data=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
cd "$work"
fail() { echo "locate_index.sh: $*" >&2; exit 1; }

# Monaco partitioned, as tests/e2e/sample_plans.sh does
area=$data/monaco
"$govgrid" init p.sqlite --quiet
"$govgrid" import p.sqlite divisions "$area/communities.gpkg" --quiet
"$govgrid" import p.sqlite households "$area/households.gpkg" --map id=hh_id --map count=households --quiet
"$govgrid" import p.sqlite roads "$area/roads.gpkg" --src-layer roads --map id=road_id --map class=highway --quiet
"$govgrid" import p.sqlite waterways "$area/waterways.gpkg" --src-layer waterway_lines --map id=water_id --quiet
"$govgrid" import p.sqlite waterways "$area/waterways.gpkg" --src-layer water_areas --map id=water_id --append --quiet
"$govgrid" import p.sqlite units "$area/pois.gpkg" --src-layer poi_areas --map id=poi_id --quiet
"$govgrid" partition p.sqlite --quiet
plan=$(sqlite3 p.sqlite "SELECT max(id) FROM plan")

# points: every vertex, every edge's middle, and a lattice over the extent
sqlite3 -cmd ".load mod_spatialite" -csv p.sqlite "
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400)
  SELECT 'id', 'lon', 'lat'
  UNION ALL SELECT 'v' || g.fid || '_' || n.i, X(PointN(ExteriorRing(GeometryN(g.geom, 1)), n.i)),
                   Y(PointN(ExteriorRing(GeometryN(g.geom, 1)), n.i))
    FROM grid g JOIN n ON n.i <= NumPoints(ExteriorRing(GeometryN(g.geom, 1)))
  UNION ALL SELECT 'm' || g.fid || '_' || n.i,
                   (X(PointN(ExteriorRing(GeometryN(g.geom, 1)), n.i)) + X(PointN(ExteriorRing(GeometryN(g.geom, 1)), n.i + 1))) / 2,
                   (Y(PointN(ExteriorRing(GeometryN(g.geom, 1)), n.i)) + Y(PointN(ExteriorRing(GeometryN(g.geom, 1)), n.i + 1))) / 2
    FROM grid g JOIN n ON n.i < NumPoints(ExteriorRing(GeometryN(g.geom, 1)))" > points.csv
sqlite3 -cmd ".load mod_spatialite" -csv p.sqlite "
  WITH e AS (SELECT min(MbrMinX(geom)) x0, min(MbrMinY(geom)) y0, max(MbrMaxX(geom)) x1, max(MbrMaxY(geom)) y1 FROM grid)
  SELECT 'r' || (a.i * 100 + b.i), e.x0 + (e.x1 - e.x0) * a.i / 60.0, e.y0 + (e.y1 - e.y0) * b.i / 60.0
  FROM e, (WITH RECURSIVE n(i) AS (SELECT -2 UNION ALL SELECT i + 1 FROM n WHERE i < 62) SELECT i FROM n) a,
          (WITH RECURSIVE n(i) AS (SELECT -2 UNION ALL SELECT i + 1 FROM n WHERE i < 62) SELECT i FROM n) b" >> points.csv
[ "$(wc -l < points.csv)" -gt 1000 ] || fail "too few points: $(wc -l < points.csv)"

# a draft: built, no warning, no file
"$govgrid" locate p.sqlite points.csv -o draft.csv --quiet 2> err.txt
[ ! -s err.txt ] || fail "a draft's locate warned: $(cat err.txt)"
"$govgrid" plan publish p.sqlite "$plan" --quiet
index="p.sqlite-locate/plan-$plan.ggloc"
[ -s "$index" ] || fail "publication wrote no $index"

"$govgrid" locate p.sqlite points.csv -o with.csv 2> err.txt
grep -q ggloc err.txt && fail "locate warned with a good index file: $(cat err.txt)"
cmp -s draft.csv with.csv || fail "the output with the index file differs from the draft's"

cp "$index" good.ggloc
rm "$index"
"$govgrid" locate p.sqlite points.csv -o without.csv 2> err.txt
grep -q "warning: .*plan-$plan.ggloc" err.txt || fail "no warning for a missing index file: $(cat err.txt)"
cmp -s with.csv without.csv || fail "the output without the index file differs"

# corrupt: one byte in the middle
size=$(wc -c < good.ggloc)
cp good.ggloc "$index"
printf 'X' | dd of="$index" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
"$govgrid" locate p.sqlite points.csv -o corrupt.csv 2> err.txt
grep -q "checksum" err.txt || fail "no checksum warning for a corrupt file: $(cat err.txt)"
cmp -s with.csv corrupt.csv || fail "the output with a corrupt index file differs"
# truncated
head -c $((size - 64)) good.ggloc > "$index"
"$govgrid" locate p.sqlite points.csv -o cut.csv 2> err.txt
grep -q "truncated" err.txt || fail "no warning for a truncated file: $(cat err.txt)"
cmp -s with.csv cut.csv || fail "the output with a truncated index file differs"
# --quiet keeps the warning quiet
"$govgrid" locate p.sqlite points.csv -o cut.csv --overwrite --quiet 2> err.txt
[ ! -s err.txt ] || fail "--quiet printed: $(cat err.txt)"

# made again, read-only project, by govgrid plan index
chmod a-w p.sqlite
"$govgrid" plan index p.sqlite --json > index.json
chmod u+w p.sqlite
grep -q '"index_file"' index.json || fail "plan index --json: $(cat index.json)"
cmp -s good.ggloc "$index" || fail "plan index made another file than the publication did"
"$govgrid" locate p.sqlite points.csv -o again.csv 2> err.txt
grep -q ggloc err.txt && fail "locate warned after plan index: $(cat err.txt)"
cmp -s with.csv again.csv || fail "the output after plan index differs"
# a draft cannot be indexed
"$govgrid" plan index p.sqlite 99 > /dev/null 2>&1 && fail "plan index of a missing plan succeeded"
# publishing the next plan writes its file and removes the superseded one's
code=$(sqlite3 p.sqlite "SELECT min(code) FROM grid WHERE plan = $plan")
"$govgrid" edit p.sqlite --plan "$plan" lock "$code" --quiet
next=$(sqlite3 p.sqlite "SELECT max(id) FROM plan")
"$govgrid" plan publish p.sqlite "$next" --quiet
[ -f "p.sqlite-locate/plan-$next.ggloc" ] || fail "publishing plan $next wrote no index file"
[ -f "$index" ] && fail "the superseded plan's index file $index is still there"
"$govgrid" locate p.sqlite points.csv -o next.csv 2> err.txt
grep -q ggloc err.txt && fail "locate warned with the new plan's index file: $(cat err.txt)"
# the superseded plan can still be located (built in memory) and indexed again
"$govgrid" locate p.sqlite points.csv --plan "$plan" -o old.csv 2> err.txt
grep -q ggloc err.txt && fail "locate warned for the superseded plan, whose file is removed: $(cat err.txt)"
cmp -s with.csv old.csv || fail "locating the superseded plan gives other answers"
"$govgrid" plan index p.sqlite "$plan" --quiet
cmp -s good.ggloc "$index" || fail "plan index of the superseded plan made another file"
echo "locate_index.sh: $(($(wc -l < points.csv) - 1)) points, the same output with and without the index file"
