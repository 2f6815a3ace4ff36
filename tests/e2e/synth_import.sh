#!/bin/sh
# End to end on a synthetic county: generate it, check it, import every
# layer with govgrid, compare what the project holds with what was made,
# then partition it and check the plan.
#   synth_import.sh GOVGRID SYNTH SYNTH_CHECK WORKDIR
set -eu
govgrid=$1 synth=$2 check=$3 work=$4
households=20000
rm -rf "$work" && mkdir -p "$work"
"$synth" --households $households --seed 11 --out "$work/data" --quiet >/dev/null
"$check" "$work/data" --households $households | tail -n 1 | grep -q " 0 failed"
p="$work/p.sqlite"
"$govgrid" init "$p" --quiet
for layer in divisions households roads waterways units; do
  "$govgrid" import "$p" $layer "$work/data/$layer.gpkg" --quiet
done
"$govgrid" import "$p" dept-grids "$work/data/dept_grids.gpkg" --quiet
"$govgrid" import "$p" grids "$work/data/grids.gpkg" --quiet
"$govgrid" import "$p" workers "$work/data/workers.csv" --quiet
"$govgrid" info "$p" --json > "$work/info.json"
fail=0
expect() { # name, pattern expected in info.json
  if ! tr -d ' \n' < "$work/info.json" | grep -q "$2"; then
    echo "FAIL $1: $2 not in info --json"; fail=1
  else
    echo "ok   $1"
  fi
}
expect households-total "\"total\":$households,"
expect no-household-outside '"points_outside_communities":0'
expect plan-imported '"source":"import"'
points=$(ogrinfo -so "$work/data/households.gpkg" households | sed -n 's/^Feature Count: //p')
expect household-points "\"households\":{\"features\":$points,"
# Partition the county (plan 2, after the imported one) and check the plan
# with SpatiaLite directly: grids tile every community (no overlap: area
# sums equal the union's; no gap: the union within 1e-7 degrees, about a
# centimetre, of the community), keep every household, each grid the
# households its own polygon holds (a dedicated grid first, then the
# lowest code, as locate decides), stay valid in UTM, and carry unique
# 16-digit codes.
"$govgrid" partition "$p" --quiet --jobs 2
q() { sqlite3 "$p" "SELECT load_extension('mod_spatialite');" "$1" | tail -n 1; }
check() { # name, sql, expected
  got=$(q "$2")
  if [ "$got" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: $got, expected $3"; fail=1; fi
}
check tiling-no-overlap "SELECT count(*) FROM division d WHERE level = 'community' AND abs((SELECT sum(ST_Area(g.geom)) FROM grid g WHERE g.plan = 2 AND g.community = d.code) - (SELECT ST_Area(ST_Union(g.geom)) FROM grid g WHERE g.plan = 2 AND g.community = d.code)) > 1e-12 * ST_Area(d.geom)" 0
check tiling-no-gap "SELECT count(*) FROM division d WHERE level = 'community' AND (SELECT HausdorffDistance(ST_Union(g.geom), d.geom) FROM grid g WHERE g.plan = 2 AND g.community = d.code) > 1e-7" 0
check households-held "SELECT count(*) FROM grid g LEFT JOIN (SELECT owner, sum(n) AS held FROM (SELECT h.count AS n, (SELECT o.code FROM grid o WHERE o.plan = 2 AND o.fid IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'grid_row' AND search_frame = h.geom) AND ST_Covers(o.geom, h.geom) ORDER BY o.type = 1, o.code LIMIT 1) AS owner FROM household h) GROUP BY owner) x ON x.owner = g.code WHERE g.plan = 2 AND g.households != coalesce(x.held, 0)" 0
check grids-valid-utm "SELECT count(*) FROM grid WHERE plan = 2 AND NOT ST_IsValid(ST_Transform(geom, 32600 + CAST(floor((MbrMinX(geom) + 180) / 6) AS INTEGER) + 1))" 0
check households-kept "SELECT sum(households) FROM grid WHERE plan = 2" $households
check codes-unique "SELECT count(*) - count(DISTINCT code) + sum(length(code) != 16) FROM grid WHERE plan = 2" 0
check grids-valid "SELECT count(*) FROM grid WHERE plan = 2 AND NOT ST_IsValid(geom)" 0
"$govgrid" report "$p" --json > "$work/report.json"
if tr -d ' \n' < "$work/report.json" | grep -q '"plan":2,'; then echo "ok   report-plan"; else echo "FAIL report-plan"; fail=1; fi
# Locate the synthetic incidents (on grid vertices, near houses, uniform,
# outside) on the imported plan (1) and on the partition (2), and check
# every located row with SpatiaLite: the grid is the covering grid the
# boundary rule picks (dedicated first, then the lowest code), and a row
# located in no grid is covered by none.
for plan in 1 2; do
  "$govgrid" locate "$p" "$work/data/incidents.csv" --plan $plan --jobs 2 -o "$work/located-$plan.csv" --overwrite --quiet
  sqlite3 "$p" "DROP TABLE IF EXISTS located;" ".import --csv $work/located-$plan.csv located"
  check located-rows-$plan "SELECT count(*) FROM located" $(($(wc -l < "$work/data/incidents.csv") - 1))
  check located-agree-covers-$plan "SELECT count(*) FROM located l WHERE l.status IN ('inside', 'near_boundary', 'outside') AND
    coalesce(l.grid_code, '') != coalesce((SELECT g.code FROM grid g WHERE g.plan = $plan AND g.fid IN
      (SELECT rowid FROM SpatialIndex WHERE f_table_name = 'grid_row' AND search_frame = MakePoint(CAST(l.lon AS REAL), CAST(l.lat AS REAL), 4326))
      AND ST_Covers(g.geom, MakePoint(CAST(l.lon AS REAL), CAST(l.lat AS REAL), 4326)) ORDER BY g.type = 1, g.code LIMIT 1), '')" 0
  check located-mostly-in-grids-$plan "SELECT count(*) FILTER (WHERE grid_code != '') * 10 > count(*) * 8 FROM located" 1
  check located-snapped-uncovered-$plan "SELECT count(*) FROM located l WHERE l.status = 'snapped' AND EXISTS (SELECT 1 FROM grid g WHERE g.plan = $plan AND
      ST_Covers(g.geom, MakePoint(CAST(l.lon AS REAL), CAST(l.lat AS REAL), 4326)))" 0
  # The roster names plan 1's grids: there every comprehensive grid has a worker.
  [ $plan -ne 1 ] || check located-workers "SELECT count(*) FROM located WHERE grid_type = '1' AND worker_id = ''" 0
done
if [ $fail -eq 0 ]; then echo "all passed"; else echo "some failed"; exit 1; fi
