#!/bin/sh
# Import benchmark: N synthetic household points (tools/synth) into a
# project, with govgrid import (--jobs 1 and 2) and, side by side, GDAL's
# ogr2ogr writing the same points into a SpatiaLite file with a spatial
# index. Prints a Markdown table of medians over RUNS runs.
#   tools/bench/import.sh [HOUSEHOLDS] [RUNS]   (default 2350000 households = 1,139,400 points, 3 runs)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
households=${1:-2350000}
runs=${2:-3}
work=${BENCH_DIR:-/tmp/govgrid-bench}
mkdir -p "$work"
"$root/tools/build.sh" "$root/build" >/dev/null
govgrid="$root/build/src/cli/govgrid"
synth="$root/build/tools/synth/govgrid-synth"
data="$work/synth-$households"
if [ ! -f "$data/households.gpkg" ]; then
  rm -rf "$data"
  "$synth" --households "$households" --out "$data" --quiet >/dev/null
fi
points=$(ogrinfo -so "$data/households.gpkg" households | sed -n 's/^Feature Count: //p')

base="$work/base.sqlite"
rm -f "$base" "$base-wal" "$base-shm"
"$govgrid" init "$base" --quiet
"$govgrid" import "$base" divisions "$data/divisions.gpkg" --quiet

# One timed run: prints "wall user sys maxrss_kb".
timed() {
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$@" >/dev/null 2>&1 || {
    echo "failed: $*" >&2; exit 1; }
  cat "$work/time.txt"
}

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

: > "$work/results.txt"
for r in $(seq "$runs"); do
  for jobs in 1 2; do
    rm -f "$work/p.sqlite" "$work/p.sqlite-wal" "$work/p.sqlite-shm"
    cp "$base" "$work/p.sqlite"
    echo "govgrid-jobs$jobs $(timed "$govgrid" import "$work/p.sqlite" households "$data/households.gpkg" --quiet --jobs "$jobs")" >> "$work/results.txt"
  done
  rm -f "$work/o.sqlite"
  echo "ogr2ogr $(timed ogr2ogr -f SQLite -dsco SPATIALITE=YES -lco SPATIAL_INDEX=YES -t_srs EPSG:4326 \
    -gt 65536 "$work/o.sqlite" "$data/households.gpkg" households)" >> "$work/results.txt"
done

echo "households.gpkg: $points points ($households households), $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
echo "| tool | median wall s | median user s | median sys s | max RSS MB | points/s | vs ogr2ogr |"
echo "|---|---|---|---|---|---|---|"
ogr_wall=$(awk '$1=="ogr2ogr"{print $2}' "$work/results.txt" | median)
for tool in govgrid-jobs1 govgrid-jobs2 ogr2ogr; do
  wall=$(awk -v t=$tool '$1==t{print $2}' "$work/results.txt" | median)
  user=$(awk -v t=$tool '$1==t{print $3}' "$work/results.txt" | median)
  sys=$(awk -v t=$tool '$1==t{print $4}' "$work/results.txt" | median)
  rss=$(awk -v t=$tool '$1==t{print $5}' "$work/results.txt" | sort -n | tail -1)
  echo "| $tool | $wall | $user | $sys | $((rss / 1024)) | $(awk -v p=$points -v w=$wall 'BEGIN{printf "%.0f", p/w}') | $(awk -v a=$ogr_wall -v w=$wall 'BEGIN{printf "%.2fx faster", a/w}') |"
done
