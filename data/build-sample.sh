#!/bin/sh
# Builds one project per sample area from the files in data/ with the
# govgrid command, divides its communities into grids, then prints what
# each project holds.
#   data/build-sample.sh GOVGRID [OUT_DIR]
set -eu
govgrid=${1:?usage: build-sample.sh GOVGRID [OUT_DIR]}
here=$(cd "$(dirname "$0")" && pwd)
out=${2:-out}
mkdir -p "$out"

# The layers both sample areas carry, in the same files and fields.
import_common_layers() { # project folder
  "$govgrid" import "$1" households "$2/households.gpkg" --map id=hh_id --map count=households
  "$govgrid" import "$1" roads "$2/roads.gpkg" --src-layer roads --map id=road_id --map class=highway
  "$govgrid" import "$1" waterways "$2/waterways.gpkg" --src-layer waterway_lines --map id=water_id
  "$govgrid" import "$1" waterways "$2/waterways.gpkg" --src-layer water_areas --map id=water_id --append
  "$govgrid" import "$1" units "$2/pois.gpkg" --src-layer poi_areas --map id=poi_id
  "$govgrid" import "$1" units "$2/pois.gpkg" --src-layer poi_points --map id=poi_id --append
}

# Monaco: 9 quartiers + 3 French communes, 44,128 households (estimated).
m="$out/monaco.sqlite"
d="$here/monaco"
rm -f "$m" "$m-wal" "$m-shm"
"$govgrid" init "$m"
"$govgrid" import "$m" divisions "$d/communities.gpkg"
import_common_layers "$m" "$d"
"$govgrid" partition "$m" --note "sample: Monaco"
echo
"$govgrid" info "$m"
echo
"$govgrid" report "$m"
"$govgrid" map "$m" "$out/monaco.png"
echo
# The sample incidents (100,000 points placed by the data set's own script:
# near homes, uniform, on boundaries), each to its grid.
"$govgrid" locate "$m" "$d/incidents.csv" -o "$out/monaco-incidents-located.csv" --overwrite
echo

# Beijing, Haidian: the real division code table (county and streets),
# then 6 road-bounded blocks as communities, 7,824 households.
b="$out/beijing-haidian-cau.sqlite"
d="$here/beijing-haidian-cau"
rm -f "$b" "$b-wal" "$b-shm"
"$govgrid" init "$b"
"$govgrid" import "$b" divisions "$d/china_division_codes.csv" --map parent=parent_code \
  --where "level <> 'village_or_community'"
"$govgrid" import "$b" divisions "$d/communities.gpkg" --append
import_common_layers "$b" "$d"
"$govgrid" partition "$b" --note "sample: Beijing Haidian"
echo
"$govgrid" info "$b"
echo
"$govgrid" report "$b"
"$govgrid" export "$b" grids "$out/beijing-haidian-cau-grids.gpkg" --overwrite
"$govgrid" map "$b" "$out/beijing-haidian-cau.png"
echo
"$govgrid" locate "$b" "$d/incidents.csv" -o "$out/beijing-haidian-cau-incidents-located.csv" --overwrite
