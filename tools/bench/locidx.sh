#!/bin/sh
# The locator index file of a published plan: start-up and govgrid locate
# with it and without it, against the GEOS STRtree reference.
#   - govgrid-bench-locidx: gg_locator_new (opening the project included)
#     with the plan's index file mapped, and built in memory, RUNS times
#     each, interleaved; the two locators' answers compared on POINTS points;
#   - govgrid locate --jobs 2, CSV in -> CSV out, on the same POINTS points
#     (a tenth on grid vertices, tools/bench/locate_bench.c --make-points),
#     with the file and with it moved away (built in memory), RUNS runs
#     each, interleaved, outputs compared;
#   - the GEOS STRtree of prepared grids (govgrid-bench-locate's reference)
#     on the same points: in each round, after the two runs above, the
#     median of 3 runs in one process; the median of the rounds'.
# The plan: the synthetic county of tools/bench/locate.sh (about 20,000
# grids), imported and published here. Prints a Markdown table.
# Each timed run starts after a sync (not timed): a run's 122 MB of output
# is otherwise written back by the kernel during the runs after it, which
# then pay for it (on two cores, the writeback takes CPU time from them).
# The GEOS reference runs in every round, between the locate runs, so that
# a machine whose load changes during the script weighs on both alike.
#   tools/bench/locidx.sh [POINTS] [RUNS]    (default 1000000 points, 5 runs)
# Environment: BENCH_DIR (default /tmp/govgrid-bench), BUILD_DIR (default
# build-bench/ in the sources).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
npoints=${1:-1000000}
runs=${2:-5}
work=${BENCH_DIR:-/tmp/govgrid-bench}
build=${BUILD_DIR:-"$root/build-bench"}
mkdir -p "$work"
[ -n "${NO_BUILD:-}" ] || "$root/tools/build.sh" "$build" >/dev/null
govgrid="$build/src/cli/govgrid"
synth="$build/tools/synth/govgrid-synth"
bench="$build/tools/bench/govgrid-bench-locate"
locidx="$build/tools/bench/govgrid-bench-locidx"
say() { echo "locidx.sh: $*" >&2; }
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

data="$work/synth-locate"
if [ ! -f "$data/grids.gpkg" ]; then
  say "generating the synthetic county"
  "$synth" --households 2000000 --grids-per-community 28 --out "$data" --quiet >/dev/null
fi
project="$work/locidx.sqlite"
if [ ! -f "$project-locate/plan-1.ggloc" ]; then
  rm -rf "$project" "$project-wal" "$project-shm" "$project-locate"
  "$govgrid" init "$project" --quiet
  "$govgrid" import "$project" grids "$data/grids.gpkg" --quiet
  "$govgrid" import "$project" divisions "$data/divisions.gpkg" --quiet
  "$govgrid" import "$project" workers "$data/workers.csv" --quiet
  t0=$(date +%s.%N)
  "$govgrid" plan publish "$project" 1 --quiet
  say "published (index file written) in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}') s"
fi
index="$project-locate/plan-1.ggloc"
extent=$(sqlite3 -cmd ".load mod_spatialite" "$project" \
  "SELECT printf('%.5f %.5f %.5f %.5f', min(MbrMinX(geom)), min(MbrMinY(geom)), max(MbrMaxX(geom)), max(MbrMaxY(geom))) FROM grid")

say "start-up, $runs runs each"
GG_EXTENT="$extent" "$locidx" "$project" --runs "$runs" --points "$npoints" --threads 2 > "$work/locidx-startup.txt"
GG_EXTENT="$extent" "$locidx" "$project" --runs "$runs" --points 1000 --threads 1 > "$work/locidx-startup1.txt"
val() { awk -v k="$1" '$1==k{print $2; exit}' "$2"; }

points="$work/locate-points-$npoints.csv"
[ -f "$points" ] || "$bench" --make-points "$project" "$npoints" "$points" > /dev/null

: > "$work/locidx-runs.txt"
for r in $(seq "$runs"); do
  say "run $r: govgrid locate --jobs 2 with and without the index file"
  sync
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$govgrid" locate "$project" "$points" -o "$work/locidx-with.csv" \
    --overwrite --quiet --jobs 2
  echo "with $(cat "$work/time.txt")" >> "$work/locidx-runs.txt"
  mv "$index" "$index.away"
  sync
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$govgrid" locate "$project" "$points" -o "$work/locidx-without.csv" \
    --overwrite --quiet --jobs 2
  echo "without $(cat "$work/time.txt")" >> "$work/locidx-runs.txt"
  mv "$index.away" "$index"
  say "run $r: the GEOS STRtree reference, 3 runs"
  sync
  "$bench" "$project" "$points" --runs 1 --geos-runs 3 > "$work/locidx-geos.txt"
  echo "geos $(awk '$1=="geos_s"{print $2}' "$work/locidx-geos.txt")" >> "$work/locidx-runs.txt"
done
cmp -s "$work/locidx-with.csv" "$work/locidx-without.csv" && same=yes || same=NO
echo 'id,lon,lat' > "$work/locidx-header.csv"
: > "$work/locidx-empty.txt"
for r in $(seq "$runs"); do
  sync
  /usr/bin/time -f "%e" -o "$work/time.txt" "$govgrid" locate "$project" "$work/locidx-header.csv" \
    -o "$work/locidx-empty.csv" --overwrite --quiet --jobs 2
  echo "with $(cat "$work/time.txt")" >> "$work/locidx-empty.txt"
done

m() { awk -v t="$1" -v c="$2" '$1==t{print $c}' "$3" | median; }
with_s=$(m with 2 "$work/locidx-runs.txt"); without_s=$(m without 2 "$work/locidx-runs.txt")
with_mb=$(( $(m with 3 "$work/locidx-runs.txt") / 1024 )); without_mb=$(( $(m without 3 "$work/locidx-runs.txt") / 1024 ))
empty_s=$(m with 2 "$work/locidx-empty.txt")
geos_s=$(m geos 2 "$work/locidx-runs.txt")
file_s=$(val new_file_s "$work/locidx-startup.txt"); build_s=$(val new_build_s "$work/locidx-startup.txt")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
echo "Plan: $(val grids "$work/locidx-startup.txt") grids, $(val vertices "$work/locidx-startup.txt") vertices; index file $(wc -c < "$index") bytes."
echo "Points: $npoints; $(nproc) cores, $(date -u +%Y-%m-%d); medians of $runs runs."
echo
echo "| what | with the index file | built in memory | ratio |"
echo "|---|---|---|---|"
file1_s=$(val new_file_s "$work/locidx-startup1.txt"); build1_s=$(val new_build_s "$work/locidx-startup1.txt")
echo "| \`gg_locator_new\`, 2 threads (opening the project included), s | $file_s | $build_s | $(ratio "$build_s" "$file_s")x faster |"
echo "| \`gg_locator_new\`, 1 thread, s | $file1_s | $build1_s | $(ratio "$build1_s" "$file1_s")x faster |"
echo "| \`govgrid locate --jobs 2\`, header-only input, s | $empty_s | | |"
echo "| \`govgrid locate --jobs 2\`, $npoints points, s | $with_s | $without_s | $(ratio "$without_s" "$with_s")x faster |"
echo "| peak RSS, MB | $with_mb | $without_mb | |"
echo "| GEOS STRtree reference, same points, s (each round: median of 3) | $geos_s | | |"
echo "| \`govgrid locate\` vs GEOS STRtree | $(ratio "$geos_s" "$with_s")x | $(ratio "$geos_s" "$without_s")x | |"
echo
echo "Answers of the two locators: $(val points_differ "$work/locidx-startup.txt") of $(val points_compared "$work/locidx-startup.txt") differ; govgrid locate outputs identical: $same."
