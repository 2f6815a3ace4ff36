#!/bin/sh
# The sample areas partitioned with the govgrid command, exported, and the
# exported plans measured by an independent reader (tools/verify/plan_check.py:
# GDAL reads the files, shapely (GEOS) and pyproj (PROJ) measure them): no
# grid invalid in WGS-84, in UTM or in CGCS2000 Gauss-Krueger, no spike,
# repeated point or part below 1 m2, every edge on the community's boundary
# or shared exactly, each community's grids within 1 cm of it, every grid's
# households equal to the points its polygon holds, and 95% or more of the
# comprehensive grids in their window by those points. The export to
# GeoJSON, Shapefile and CSV carries the same vertices as the GeoPackage.
#   sample_plans.sh GOVGRID DATA_DIR VERIFY_DIR WORKDIR
set -eu
govgrid=$1 data=$2 verify=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
fail=0
for area in monaco beijing-haidian-cau; do
  p="$work/$area.sqlite"
  "$govgrid" init "$p" --quiet
  "$govgrid" import "$p" divisions "$data/$area/communities.gpkg" --quiet
  "$govgrid" import "$p" households "$data/$area/households.gpkg" --map id=hh_id --map count=households --quiet
  "$govgrid" import "$p" roads "$data/$area/roads.gpkg" --src-layer roads --map id=road_id --map class=highway --quiet
  "$govgrid" import "$p" waterways "$data/$area/waterways.gpkg" --src-layer waterway_lines --map id=water_id --quiet
  "$govgrid" import "$p" waterways "$data/$area/waterways.gpkg" --src-layer water_areas --map id=water_id --append --quiet
  "$govgrid" import "$p" units "$data/$area/pois.gpkg" --src-layer poi_areas --map id=poi_id --quiet
  "$govgrid" partition "$p" --quiet
  for ext in gpkg geojson shp csv; do
    "$govgrid" export "$p" grids "$work/$area.$ext" --quiet
  done
  if /usr/bin/python3 "$verify/plan_check.py" "$work/$area.gpkg" "$p" --strict --min-in-window 0.95 > "$work/$area.txt" 2>&1; then
    echo "ok   $area: $(grep 'in window' "$work/$area.txt")"
  else
    echo "FAIL $area:"; cat "$work/$area.txt"; fail=1
  fi
  if /usr/bin/python3 "$verify/same_vertices.py" "$work/$area.gpkg" "$work/$area.geojson" "$work/$area.shp" "$work/$area.csv"; then
    echo "ok   $area: the four formats carry the same vertices"
  else
    fail=1
  fi
done
[ $fail -eq 0 ] && echo "all passed" || { echo "some failed"; exit 1; }
