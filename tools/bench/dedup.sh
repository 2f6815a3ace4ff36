#!/bin/sh
# Departmental-overlay benchmark: five departments of about 19,000 grids
# each, traced grid by grid from a plan of about 20,000 grids (tools/synth
# --grid-departments: copies, unions, halves, grids cutting into a
# neighbour, left-out grids, 3 m of vertex noise), compared with that plan
# by gg_dedup_run (govgrid-bench-dedup, stage by stage) and by govgrid dedup
# end to end (its files and maps written), RUNS times each; prints medians
# and peak RSS.
#   tools/bench/dedup.sh [RUNS]    (default 3)
# Environment: BENCH_DIR (default /tmp/govgrid-bench), BUILD_DIR (default
# build-bench/ in the sources), JOBS (default: nproc).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-3}
work=${BENCH_DIR:-/tmp/govgrid-bench}/dedup
build=${BUILD_DIR:-"$root/build-bench"}
jobs=${JOBS:-$(nproc)}
mkdir -p "$work"
"$root/tools/build.sh" "$build" -DGOVGRID_BUILD_TOOLS=ON >/dev/null
govgrid="$build/src/cli/govgrid"
synth="$build/tools/synth/govgrid-synth"
bench="$build/tools/bench/govgrid-bench-dedup"
say() { echo "dedup.sh: $*" >&2; }
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

project="$work/p.sqlite"
if [ ! -f "$project" ]; then
  say "generating and importing the synthetic county (a few minutes)"
  rm -rf "$work/s"
  "$synth" --households 2000000 --grids-per-community 28 --departments 0 --grid-departments 5 \
    --out "$work/s" --quiet >/dev/null
  "$govgrid" init "$project" --quiet
  for layer in divisions households grids dept-grids; do
    file=$(echo "$layer" | tr - _)
    "$govgrid" import "$project" "$layer" "$work/s/$file.gpkg" --quiet
  done
fi
: > "$work/results.txt"
for r in $(seq "$runs"); do
  say "run $r: gg_dedup_run, --jobs $jobs"
  "$bench" "$project" --jobs "$jobs" > "$work/bench-$r.txt"
  awk "{print \"lib\", \$0}" "$work/bench-$r.txt" >> "$work/results.txt"
  say "run $r: govgrid dedup --jobs $jobs"
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$govgrid" dedup "$project" -o "$work/out" --overwrite \
    --jobs "$jobs" --quiet
  echo "cli $(cat "$work/time.txt")" >> "$work/results.txt"
done
val() { awk -v k="$1" '$2==k{print $3}' "$work/results.txt" | median; }
stage() { awk -v k="$1" '$2=="stage_s" && $0 ~ k {print $NF}' "$work/results.txt" | median; }
echo "Machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -n 1); $(date -u +%Y-%m-%d); medians of $runs runs, --jobs $jobs."
echo "Data: $(val unified_grids) unified grids; $(val dept_grids) departmental grids in $(val departments) departments."
echo
echo "| what | seconds |"
echo "|---|---|"
echo "| gg_dedup_run, whole | $(val run_s) |"
for s in "open" "reading" "locating" "eroding" "checking" "crosswalk" "overlaps" "coverage" "gathering"; do
  echo "| stage: $s | $(stage "$s") |"
done
echo "| govgrid dedup, end to end (files and 5 maps) | $(awk '$1=="cli"{print $2}' "$work/results.txt" | median) |"
echo
echo "Peak RSS: gg_dedup_run $(val peak_rss_mb) MB; govgrid dedup $(( $(awk '$1=="cli"{print $3}' "$work/results.txt" | sort -n | tail -n 1) / 1024 )) MB."
echo "Found: $(awk '$1=="relation"{printf "%s %s, ", $2, $3}' "$work/bench-1.txt")conflicts: $(awk '$1=="conflicts"{printf "%s %s, ", $2, $3}' "$work/bench-1.txt")duplicates $(val duplicates), noise pieces $(val noise_pieces)."
