#!/bin/sh
# Incident geolocation benchmark: the same plan (about 20,000 grids of 30-200
# vertices, tools/synth) and the same POINTS points located, side by side, by
#   - govgrid's library (gg_locator_find / gg_locator_query, one core) and a
#     C reference on a GEOS STRtree of prepared grids (govgrid-bench-locate,
#     which also checks every answer against GEOS covers and the boundary rule);
#   - govgrid locate, CSV in -> CSV out, --jobs 1 and 2 (its output is checked
#     against the reference too);
#   - PostGIS: a cluster started here on loopback, GiST index on the grids,
#     CREATE TABLE AS ... LEFT JOIN ... ON ST_Covers, one core and parallel.
# Points: a tenth exactly on grid vertices (the boundary rule), the rest
# uniform over the plan's extent. Prints a Markdown table of medians over
# RUNS runs. Needs tools/bench/install-bench-deps.sh (PostgreSQL, PostGIS);
# without PostGIS its rows are left out.
#   tools/bench/locate.sh [POINTS] [RUNS]    (default 2000000 points, 3 runs)
# Environment: BENCH_DIR (work directory, default /tmp/govgrid-bench),
# BUILD_DIR (default build-bench/ in the sources, so that build/ is left as
# it is), PGPORT (default 55432), PG_MAX_S (PostGIS runs on the first
# 200,000 points only when the whole set would take longer: default 300).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
npoints=${1:-2000000}
runs=${2:-3}
work=${BENCH_DIR:-/tmp/govgrid-bench}
build=${BUILD_DIR:-"$root/build-bench"}
port=${PGPORT:-55432}
pg_max_s=${PG_MAX_S:-300}
mkdir -p "$work"
"$root/tools/build.sh" "$build" >/dev/null
govgrid="$build/src/cli/govgrid"
synth="$build/tools/synth/govgrid-synth"
bench="$build/tools/bench/govgrid-bench-locate"

say() { echo "locate.sh: $*" >&2; }
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.3f", b-a}'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN{printf "%.0f", (s > 0 ? n/s : 0)}'; }
group() { awk '{s=sprintf("%.0f",$1); o=""; while (length(s) > 3) {o="," substr(s, length(s)-2) o; s=substr(s, 1, length(s)-3)} print s o}'; }

# ---- data: about 20,000 grids (2M households, 28 grids per community) ----
data="$work/synth-locate"
if [ ! -f "$data/grids.gpkg" ]; then
  rm -rf "$data"
  say "generating the synthetic county"
  "$synth" --households 2000000 --grids-per-community 28 --out "$data" --quiet >/dev/null
fi
project="$work/locate.sqlite"
rm -f "$project" "$project-wal" "$project-shm"
"$govgrid" init "$project" --quiet
# grids (fields code, type, community, name as in the gpkg), and divisions
# and the roster so that govgrid locate fills every column it writes
"$govgrid" import "$project" grids "$data/grids.gpkg" --quiet
"$govgrid" import "$project" divisions "$data/divisions.gpkg" --quiet
"$govgrid" import "$project" workers "$data/workers.csv" --quiet
grids=$(sqlite3 "$project" "SELECT count(*) FROM grid WHERE plan = (SELECT max(id) FROM plan)")
[ "$grids" -ge 19000 ] && [ "$grids" -le 21000 ] || say "warning: the plan has $grids grids, not 19,000-21,000"
vstats=$(sqlite3 -cmd ".load mod_spatialite" "$project" \
  "SELECT min(ST_NPoints(geom)) || ' ' || max(ST_NPoints(geom)) || ' ' || sum(ST_NPoints(geom)) FROM grid")
extent=$(sqlite3 -cmd ".load mod_spatialite" "$project" \
  "SELECT printf('%.5f %.5f %.5f %.5f', min(MbrMinX(geom)), min(MbrMinY(geom)), max(MbrMaxX(geom)), max(MbrMaxY(geom))) FROM grid")

# ---- points ----
points="$work/locate-points-$npoints.csv"
"$bench" --make-points "$project" "$npoints" "$points" > "$work/locate-points.txt"
on_vertex=$(awk '$1=="points_on_vertex"{print $2}' "$work/locate-points.txt")

# ---- library and GEOS reference (medians inside) ----
say "library and GEOS reference"
"$bench" "$project" "$points" --runs "$runs" --geos-runs "$runs" --ref "$work/locate-ref.csv" > "$work/locate-bench.txt"
val() { awk -v k="$1" '$1==k{print $2; exit}' "$work/locate-bench.txt"; }

# ---- PostGIS cluster on loopback ----
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
pg=""
if [ -n "$pgbin" ] && [ -x "$pgbin/initdb" ] && ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
  pg="$work/pg-locate"
else
  say "no PostgreSQL server with PostGIS (tools/bench/install-bench-deps.sh): PostGIS is left out"
fi
pgrun() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  if [ -n "$pg" ] && [ -f "$pg/data/postmaster.pid" ]; then
    pgrun "$pgbin/pg_ctl" -D "$pg/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  [ -z "$pg" ] || rm -rf "$pg"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
conn="host=127.0.0.1 port=$port user=postgres dbname=postgres"
psqlq() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -t -A -v ON_ERROR_STOP=1 "$conn" "$@"; }
if [ -n "$pg" ]; then
  rm -rf "$pg"
  mkdir -p "$pg"
  [ "$(id -u)" -ne 0 ] || chown postgres "$pg"
  pgrun "$pgbin/initdb" -D "$pg/data" -A trust -U postgres --no-sync >/dev/null
  pgrun "$pgbin/pg_ctl" -D "$pg/data" -l "$pg/log" -w \
    -o "-p $port -k $pg -c listen_addresses=127.0.0.1 -c shared_buffers=1GB -c work_mem=256MB -c fsync=off" start >/dev/null
  psqlq -c "CREATE EXTENSION postgis"
  pg_version=$(psqlq -c "SELECT 'PostgreSQL ' || split_part(version(), ' ', 2) || ', PostGIS ' || postgis_lib_version()")
  say "loading PostGIS"
  t0=$(now)
  ogr2ogr -f PostgreSQL "PG:$conn" "$project" \
    -sql "SELECT code, type, geom FROM grid WHERE plan = (SELECT max(id) FROM plan)" \
    -nln grid -nlt MULTIPOLYGON -a_srs EPSG:4326 -lco GEOMETRY_NAME=geom -lco SPATIAL_INDEX=GIST -overwrite
  psqlq -c "ANALYZE grid"
  pg_grid_s=$(since "$t0")
  t0=$(now)
  psqlq <<EOF
CREATE UNLOGGED TABLE pts_raw (id bigint, lon double precision, lat double precision);
\copy pts_raw FROM '$points' WITH (FORMAT csv, HEADER true)
CREATE UNLOGGED TABLE pts AS SELECT id, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS geom FROM pts_raw ORDER BY id;
CREATE UNLOGGED TABLE pts_first AS SELECT * FROM pts ORDER BY id LIMIT 200000;
DROP TABLE pts_raw;
ANALYZE pts; ANALYZE pts_first;
EOF
  pg_pts_s=$(since "$t0")
  # One timed join: prints seconds. $1 = points table, $2 = parallel workers.
  pg_join() {
    psqlq -c "DROP TABLE IF EXISTS r"
    t0=$(now)
    psqlq -c "SET max_parallel_workers_per_gather = $2" \
      -c "CREATE UNLOGGED TABLE r AS SELECT p.id, g.code FROM $1 p LEFT JOIN grid g ON ST_Covers(g.geom, p.geom)"
    since "$t0"
  }
  # Parallel workers the planner takes for the join when it may.
  pg_workers=$(psqlq -c "SET max_parallel_workers_per_gather = 2" \
    -c "EXPLAIN SELECT p.id, g.code FROM pts p LEFT JOIN grid g ON ST_Covers(g.geom, p.geom)" |
    sed -n 's/.*Workers Planned: *\([0-9]*\).*/\1/p' | head -n 1)
  # The whole set, or the first 200,000 points when it would take too long.
  probe=$(pg_join pts_first 0)
  pg_table=pts; pg_n=$npoints
  if awk -v p="$probe" -v n="$npoints" -v m="$pg_max_s" 'BEGIN{exit !(p * n / 200000 > m)}'; then
    pg_table=pts_first; pg_n=200000
    say "PostGIS would take about $(awk -v p="$probe" -v n="$npoints" 'BEGIN{printf "%.0f", p*n/200000}') s: timing the first 200,000 points"
  fi
fi

# ---- govgrid locate end to end, and PostGIS, interleaved run by run ----
: > "$work/locate-results.txt"
for r in $(seq "$runs"); do
  for jobs in 1 2; do
    say "run $r: govgrid locate --jobs $jobs"
    out="$work/locate-out-j$jobs.csv"
    rm -f "$out"
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$govgrid" locate "$project" "$points" -o "$out" --quiet --jobs "$jobs"
    echo "cli$jobs $(cat "$work/time.txt")" >> "$work/locate-results.txt"
  done
  if [ -n "$pg" ]; then
    for par in 0 2; do
      say "run $r: PostGIS, $par parallel workers"
      echo "pg$par $(pg_join "$pg_table" "$par")" >> "$work/locate-results.txt"
    done
  fi
done

# ---- agreement of govgrid locate's output and of PostGIS with the reference ----
# govgrid locate: inside and near_boundary rows carry the reference's grid;
# snapped and outside rows have none in the reference (a snapped row is
# given the nearest grid on purpose).
check_cli() {
  awk -F, -v ref="$work/locate-ref.csv" '
    NR == 1 { next }
    { if ((getline line < ref) <= 0) { bad++; next }
      split(line, a, ",")
      st = $(NF - 2)
      ok = a[1] == $1 && ((st == "inside" || st == "near_boundary") ? $4 "" == a[2] "" : (st == "snapped" || st == "outside") && a[2] == "")
      if (!ok) { bad++; if (bad <= 5) printf "locate.sh: govgrid locate row %s (%s %s): %s %s, reference %s\n", $1, $2, $3, st, $4, a[2] > "/dev/stderr" } }
    END { print bad + 0 }' "$1"
}
cli_bad1=$(check_cli "$work/locate-out-j1.csv")
cli_bad2=$(check_cli "$work/locate-out-j2.csv")
cmp -s "$work/locate-out-j1.csv" "$work/locate-out-j2.csv" && cli_same=yes || cli_same=NO
if [ -n "$pg" ]; then
  # PostGIS's choice by the same rule, compared point by point.
  psqlq -c "\\copy (SELECT r.id, (array_agg(r.code ORDER BY g.type <> 1 DESC, r.code))[1] AS code, count(r.code) FROM r LEFT JOIN grid g ON g.code = r.code GROUP BY r.id ORDER BY r.id) TO '$work/locate-pg.csv' WITH (FORMAT csv)"
  pg_check=$(awk -F, -v n="$pg_n" 'NR == FNR { if (FNR <= n) { code[$1] = $2; cov[$1] = $3 }; next }
    { seen++; if (code[$1] "" != $2 "") bad++; if ($3 != cov[$1]) badcount++; multi += $3 >= 2 }
    END { printf "%d %d %d %d", seen, bad + 0, badcount + 0, multi }' "$work/locate-ref.csv" "$work/locate-pg.csv")
  set -- $pg_check
  pg_seen=$1; pg_bad=$2; pg_badcount=$3; pg_multi=$4
fi

# ---- the table ----
n=$(val points)
build_s=$(val locator_build_s); bytes=$(val locator_bytes); vertices=$(val locator_vertices)
bpv=$(val locator_bytes_per_vertex); mb=$(awk -v b="$bytes" 'BEGIN{printf "%.0f", b/1048576}')
find_s=$(val find_s); query_s=$(val query_s); geos_s=$(val geos_s)
find_r=$(val find_points_per_s); query_r=$(val query_points_per_s); geos_r=$(val geos_points_per_s)
median_of() { awk -v t="$1" -v c="$2" '$1==t{print $c}' "$work/locate-results.txt" | median; }
max_of() { awk -v t="$1" -v c="$2" '$1==t{print $c}' "$work/locate-results.txt" | sort -n | tail -n 1; }
cli1_s=$(median_of cli1 2); cli2_s=$(median_of cli2 2)
cli1_mb=$(( $(max_of cli1 3) / 1024 )); cli2_mb=$(( $(max_of cli2 3) / 1024 ))

echo "Plan: $grids grids of $(echo "$vstats" | awk '{print $1 "-" $2}') vertices each (ST_NPoints, closing points counted), $(echo "$vstats" | awk '{print $3}' | group) in all; extent $extent (EPSG:4326)."
echo "Points: $(echo "$n" | group), of which $(echo "$on_vertex" | group) exactly on grid vertices; $(nproc) cores, $(date -u +%Y-%m-%d); medians of $runs runs."
echo
echo "| method | what is timed | points | seconds | points/s | notes |"
echo "|---|---|---|---|---|---|"
echo "| govgrid \`gg_locator_find\`, 1 core | the grid of each point, arrays in memory | $(echo "$n" | group) | $find_s | $(echo "$find_r" | group) | index build (\`gg_locator_new\`, from the project) $build_s s; $mb MB for $(echo "$vertices" | group) vertices = $bpv B/vertex; points off every edge $(val find_off_edge_points_per_s | group)/s, on an edge $(val find_on_edge_points_per_s | group)/s |"
echo "| govgrid \`gg_locator_query\`, 1 core | grid, status and distance of each point | $(echo "$n" | group) | $query_s | $(echo "$query_r" | group) | µs a point: inside $(val query_us_inside), near boundary $(val query_us_near_boundary), snapped $(val query_us_snapped), outside $(val query_us_outside) ($(awk -v s="$(val query_share_outside)" 'BEGIN{printf "%.0f%%", 100*s}') of the time on the $(val query_outside | group) points outside) |"
echo "| GEOS STRtree of prepared grids, 1 core | point, STRtree query, \`GEOSPreparedCovers\` on each candidate, boundary rule | $(echo "$n" | group) | $geos_s | $(echo "$geos_r" | group) | read + prepare + tree $(awk -v a="$(val geos_read_s)" -v b="$(val geos_build_s)" 'BEGIN{printf "%.2f", a+b}') s; first run $(val geos_first_run_s) s (builds the prepared indexes) |"
echo "| \`govgrid locate --jobs 1\` | CSV in -> CSV out (16 columns), end to end | $(echo "$n" | group) | $cli1_s | $(rate "$n" "$cli1_s" | group) | peak RSS $cli1_mb MB; includes opening the project and building the index |"
echo "| \`govgrid locate --jobs 2\` | same | $(echo "$n" | group) | $cli2_s | $(rate "$n" "$cli2_s" | group) | peak RSS $cli2_mb MB |"
if [ -n "$pg" ]; then
  pg0_s=$(median_of pg0 2); pg2_s=$(median_of pg2 2)
  subset=""; [ "$pg_n" = "$npoints" ] || subset=" (the first 200,000 points only: the whole set would take over $pg_max_s s)"
  echo "| PostGIS, 1 core (\`max_parallel_workers_per_gather = 0\`) | \`CREATE TABLE r AS SELECT p.id, g.code FROM pts p LEFT JOIN grid g ON ST_Covers(g.geom, p.geom)\`, GiST on grids$subset | $(echo "$pg_n" | group) | $pg0_s | $(rate "$pg_n" "$pg0_s" | group) | $pg_version; loading grids + GiST + ANALYZE $pg_grid_s s, points (COPY, ST_MakePoint) $pg_pts_s s, not timed |"
  echo "| PostGIS, parallel (\`max_parallel_workers_per_gather = 2\`) | same | $(echo "$pg_n" | group) | $pg2_s | $(rate "$pg_n" "$pg2_s" | group) | workers planned: ${pg_workers:-0} |"
fi
echo
echo "Agreement with GEOS covers and the boundary rule: $(val agree | group) of $(echo "$n" | group) points agree, $(val disagree) disagree;" \
  "$(val covered | group) covered, $(val not_covered | group) in no grid, $(val covered_by_2_or_more | group) covered by 2 or more grids" \
  "($(val covered_by_2 | group) by 2, $(val covered_by_3 | group) by 3, $(val covered_by_4_or_more) by 4+), where the rule chose;" \
  "\`on_boundary\` set on $(val on_boundary_flagged | group) points, missing on $(val multi_cover_without_on_boundary) of those 2+ grids cover;" \
  "\`gg_locator_query\` inconsistent with \`gg_locator_find\` on $(val query_inconsistent);" \
  "\`govgrid locate\` rows off the reference: $cli_bad1 (--jobs 1), $cli_bad2 (--jobs 2); outputs identical: $cli_same."
if [ -n "$pg" ]; then
  echo "PostGIS by the same rule: $pg_bad of $(echo "$pg_seen" | group) points differ from the reference, $pg_badcount differ in how many grids cover them ($(echo "$pg_multi" | group) covered by 2 or more)."
fi
echo
echo "Ratios: \`gg_locator_find\` $(awk -v a="$find_r" -v b="$geos_r" 'BEGIN{printf "%.1f", a/b}')x the GEOS STRtree$(
  [ -z "$pg" ] || awk -v a="$find_r" -v b="$(rate "$pg_n" "$pg0_s")" 'BEGIN{printf ", %.0fx PostGIS on one core", a/b}');" \
  "\`govgrid locate --jobs 1\` $(awk -v a="$(rate "$n" "$cli1_s")" -v b="$geos_r" 'BEGIN{printf "%.2f", a/b}')x the GEOS STRtree (in memory)$(
  [ -z "$pg" ] || awk -v a="$(rate "$n" "$cli1_s")" -v b="$(rate "$pg_n" "$pg0_s")" 'BEGIN{printf ", %.2fx PostGIS on one core", a/b}')$(
  [ -z "$pg" ] || awk -v a="$(rate "$n" "$cli2_s")" -v b="$(rate "$pg_n" "$pg2_s")" 'BEGIN{printf "; --jobs 2 %.2fx parallel PostGIS", a/b}')."
if [ "$(val disagree)" != 0 ]; then
  say "DISAGREEMENTS with the GEOS reference (first ones):"
  grep '^# disagree' "$work/locate-bench.txt" >&2 || true
fi
