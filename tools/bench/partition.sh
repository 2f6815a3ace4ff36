#!/bin/sh
# Partition benchmark: synthetic counties of several sizes (tools/synth),
# imported, then partitioned; prints a Markdown table.
#   tools/bench/partition.sh [HOUSEHOLDS[:PER_COMMUNITY] ...]
#       (default 100000 1000000 4000000; 1000000:480 makes a county of 1M
#        households in about 2,080 communities of 480 households on average)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${BENCH_DIR:-/tmp/govgrid-bench}
mkdir -p "$work"
"$root/tools/build.sh" "$root/build" >/dev/null
govgrid="$root/build/src/cli/govgrid"
synth="$root/build/tools/synth/govgrid-synth"
[ $# -gt 0 ] || set -- 100000 1000000 4000000
echo "| households | communities | household points | grids (dedicated) | comprehensive in window | out: indivisible / island / unreachable / infeasible | attainable in window | wall s | user s | max RSS MB | households/s |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for arg in "$@"; do
  n=${arg%%:*}
  per=""; [ "$n" = "$arg" ] || per=${arg#*:}
  tag=$n${per:+-c$per}
  data="$work/synth-$tag"
  [ -f "$data/households.gpkg" ] || { rm -rf "$data"; "$synth" --households "$n" ${per:+--community-households "$per"} --out "$data" --quiet >/dev/null; }
  p="$work/partition-$tag.sqlite"
  rm -f "$p" "$p-wal" "$p-shm"
  "$govgrid" init "$p" --quiet
  for layer in divisions households roads waterways units; do
    "$govgrid" import "$p" $layer "$data/$layer.gpkg" --quiet
  done
  /usr/bin/time -f "%e %U %M" -o "$work/time.txt" "$govgrid" partition "$p" --json > "$work/partition.json"
  read -r wall user rss < "$work/time.txt"
  tr -d ' \n' < "$work/partition.json" | sed 's/"by_community".*//' > "$work/p.min.json"
  field() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$work/p.min.json" | head -n 1; }
  communities=$(field communities); grids=$(field grids); dedicated=$(field dedicated)
  inw=$(field comprehensive_in_window); outw=$(field comprehensive_out_of_window)
  points=$(ogrinfo -so "$data/households.gpkg" households | sed -n 's/^Feature Count: //p')
  share=$(awk -v a="$inw" -v b="$outw" 'BEGIN{printf "%.1f%%", 100*a/(a+b)}')
  # Why grids are out of their window, from their flags; the attainable
  # share leaves out indivisible grids, islands and unreachable communities.
  reasons=$(sqlite3 "$p" "WITH g AS (SELECT community, households, coalesce(flags, '') AS f FROM grid
      WHERE plan = (SELECT max(id) FROM plan) AND type = 1 AND coalesce(flags, '') NOT LIKE '%small_community%'),
    u AS (SELECT DISTINCT community FROM g WHERE f LIKE '%unreachable%'),
    a AS (SELECT * FROM g WHERE community NOT IN u AND f NOT LIKE '%indivisible%' AND f NOT LIKE '%island%')
    SELECT sum(f LIKE '%indivisible%') || ' / ' || sum(f LIKE '%island%' AND f NOT LIKE '%indivisible%') || ' / ' ||
      sum(f LIKE '%unreachable%') || ' / ' || sum(f LIKE '%infeasible%'),
      (SELECT count(*) FROM a WHERE f NOT LIKE '%over_max%' AND f NOT LIKE '%under_min%'), (SELECT count(*) FROM a) FROM g")
  why=${reasons%%|*}; rest=${reasons#*|}; ain=${rest%%|*}; aall=${rest#*|}
  ashare=$(awk -v a="$ain" -v b="$aall" 'BEGIN{printf "%.1f%%", b ? 100*a/b : 100}')
  echo "| $n | $communities | $points | $grids ($dedicated) | $inw of $((inw + outw)) ($share) | $why | $ain of $aall ($ashare) | $wall | $user | $((rss / 1024)) | $(awk -v n=$n -v w=$wall 'BEGIN{printf "%.0f", n/w}') |"
done
