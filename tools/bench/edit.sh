#!/bin/sh
# One planner's edit on a 1M-household county: merge, split and lock, each
# run on the published plan and timed two ways, then the draft it made
# deleted (untimed) so that every run starts from the same project:
#   - the command, `govgrid edit` (process start, the store opened, the
#     checks, the new draft, one transaction);
#   - the service, `POST /v1/plans/N/edits` with a plan key (curl's
#     time_total), as the web map's edit mode sends it.
# With GOVGRID_BEFORE (another govgrid binary, e.g. an older build) the
# same edits run with it too, interleaved, on its own copy of the project.
# The drafts of the last run are checked with an independent reader
# (python3's sqlite3 with SpatiaLite): every grid the edit did not touch is
# the parent's, byte for byte, and the households add up; and with
# `govgrid check`.
#   tools/bench/edit.sh [PROJECT] [RUNS]
# PROJECT: a project whose newest plan is published, by default the one
# tools/bench/maintain.sh leaves ($BENCH_DIR/maintain-1000000.sqlite).
# Environment: BENCH_DIR (default /tmp/govgrid-bench), BUILD_DIR (default
# build/), GOVGRID (the binary to measure), GOVGRID_BEFORE, PORT (default
# 8942; the before service takes PORT + 1), WARM_S (seconds left to the
# services to build their web map grids before the runs, default 10).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${BENCH_DIR:-/tmp/govgrid-bench}
src=${1:-"$work/maintain-1000000.sqlite"}
runs=${2:-5}
build=${BUILD_DIR:-"$root/build"}
port=${PORT:-8942}
python=/usr/bin/python3
[ -n "${GOVGRID:-}" ] || "$root/tools/build.sh" "$build" >/dev/null
after=${GOVGRID:-"$build/src/cli/govgrid"}
before=${GOVGRID_BEFORE:-}
[ -f "$src" ] || { echo "edit.sh: no project $src (run tools/bench/maintain.sh first)" >&2; exit 1; }
say() { echo "edit.sh: $*" >&2; }
now() { date +%s%N; }
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
export GOVGRID_USER=bench

sides="after"
[ -z "$before" ] || sides="after before"
bin() { if [ "$1" = after ]; then echo "$after"; else echo "$before"; fi; }
proj() { echo "$work/edit-$1.sqlite"; }
for side in $sides; do
  rm -f "$(proj $side)" "$(proj $side)-wal" "$(proj $side)-shm"
  cp "$src" "$(proj $side)"
done
plan=$(sqlite3 "$src" "SELECT id FROM plan WHERE state = 'published'")
[ -n "$plan" ] || { echo "edit.sh: $src has no published plan" >&2; exit 1; }

# The edits: two comprehensive grids of one community sharing an edge (the
# pair with the lowest codes), a grid of 400-500 households cut north-south
# through its centroid, a grid locked.
"$python" - "$src" "$plan" "$work/edit-args.txt" <<'PY'
import sqlite3, sys
db, plan, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
c = sqlite3.connect(db); c.enable_load_extension(True); c.load_extension("mod_spatialite")
a, b = c.execute("""SELECT x.code, y.code FROM grid x JOIN grid y ON y.plan = x.plan AND y.community = x.community
  AND y.code > x.code AND y.type = 1 WHERE x.plan = ?1 AND x.type = 1
  AND GLength(ST_Intersection(x.geom, y.geom)) > 0 ORDER BY x.code, y.code LIMIT 1""", (plan,)).fetchone()
s, x, y0, y1 = c.execute("""SELECT code, X(ST_Centroid(geom)), MbrMinY(geom), MbrMaxY(geom) FROM grid
  WHERE plan = ?1 AND type = 1 AND households BETWEEN 400 AND 500 ORDER BY code LIMIT 1""", (plan,)).fetchone()
line = "LINESTRING(%.7f %.7f, %.7f %.7f)" % (x, y0 - 0.001, x, y1 + 0.001)
with open(out, "w") as f:
    f.write("%s %s\n%s\n%s\n%s\n" % (a, b, s, line, a))
PY
merge=$(sed -n 1p "$work/edit-args.txt")
split=$(sed -n 2p "$work/edit-args.txt")
line=$(sed -n 3p "$work/edit-args.txt")
lock=$(sed -n 4p "$work/edit-args.txt")
say "plan $plan: merge $merge; split $split along $line; lock $lock"

json_of() { # KIND: the request body
  case $1 in
    merge) set -- $merge; printf '{"kind":"merge","codes":["%s","%s"],"note":"bench"}' "$1" "$2" ;;
    split) printf '{"kind":"split","code":"%s","line":"%s","note":"bench"}' "$split" "$line" ;;
    lock) printf '{"kind":"lock","codes":["%s"],"note":"bench"}' "$lock" ;;
  esac
}
edit_cli() { # SIDE KIND
  g=$(bin "$1"); p=$(proj "$1")
  case $2 in
    merge) "$g" edit "$p" --plan "$plan" merge $merge --quiet ;;
    split) "$g" edit "$p" --plan "$plan" split "$split" --line "$line" --quiet ;;
    lock) "$g" edit "$p" --plan "$plan" lock "$lock" --quiet ;;
  esac
}
newest() { sqlite3 "$(proj "$1")" "SELECT max(id) FROM plan"; }

# Services, one per side, each with a plan key; a first edit on each side
# (untimed, deleted) upgrades an older project's schema and warms the cache.
pids=""
keys="$work/edit.keys"
rm -f "$keys"
key=$("$after" key new "$keys" --name bench --rights read,plan --quiet)
i=0
for side in $sides; do
  edit_cli $side lock > /dev/null 2>&1
  "$(bin $side)" plan delete "$(proj $side)" "$(newest $side)" --quiet
  "$(bin $side)" serve "$(proj $side)" --listen 127.0.0.1:$((port + i)) --keys "$keys" --quiet \
    > "$work/edit-serve-$side.log" 2>&1 &
  pids="$pids $!"
  i=$((i + 1))
done
trap 'kill $pids 2>/dev/null || true' EXIT
sleep 1
port_of() { if [ "$1" = after ]; then echo $port; else echo $((port + 1)); fi; }
for side in $sides; do
  until curl -sf "http://127.0.0.1:$(port_of $side)/healthz" > /dev/null; do sleep 0.2; done
done
# A service starts by building the web map's grids of the served plan on a
# thread of its own (a few seconds for a county): let it finish first.
sleep "${WARM_S:-10}"

: > "$work/edit-times.txt"
for r in $(seq 1 "$runs"); do
  say "run $r of $runs"
  for kind in merge split lock; do
    for side in $sides; do
      t0=$(now)
      edit_cli $side $kind > /dev/null 2>&1 || { echo "edit.sh: govgrid edit $kind failed ($side)" >&2; exit 1; }
      t1=$(now)
      echo "$side cli $kind $(( (t1 - t0) / 1000 ))" >> "$work/edit-times.txt"
      made_cli=$(newest $side)
      out=$(curl -s -o "$work/edit-answer-$side.json" -w '%{http_code} %{time_total}' \
        -H "X-API-Key: $key" -H 'Content-Type: application/json' -d "$(json_of $kind)" \
        "http://127.0.0.1:$(port_of $side)/v1/plans/$plan/edits")
      [ "${out%% *}" = 201 ] || { echo "edit.sh: POST $kind answered $out ($side)" >&2; cat "$work/edit-answer-$side.json" >&2; exit 1; }
      echo "$side http $kind $(echo "${out#* }" | awk '{printf "%d", $1 * 1000000}')" >> "$work/edit-times.txt"
      made_http=$(newest $side)
      if [ "$r" -eq "$runs" ] && [ "$side" = after ]; then
        echo "$kind $made_cli $made_http" >> "$work/edit-made.txt.new"
      else
        "$(bin $side)" plan delete "$(proj $side)" "$made_cli" --quiet
        "$(bin $side)" plan delete "$(proj $side)" "$made_http" --quiet
      fi
    done
  done
done
mv "$work/edit-made.txt.new" "$work/edit-made.txt"

# What the planner receives, read back independently.
"$python" - "$(proj after)" "$plan" "$work/edit-made.txt" <<'PY'
import sqlite3, sys
db, parent, made = sys.argv[1], int(sys.argv[2]), sys.argv[3]
c = sqlite3.connect(db); c.enable_load_extension(True); c.load_extension("mod_spatialite")
def grids(p):
    return {code: (bytes(g), h) for code, g, h in
            c.execute("SELECT code, AsBinary(geom), coalesce(households, 0) FROM grid WHERE plan = ?", (p,))}
base = grids(parent)
total = sum(h for _, h in base.values())
bad = 0
for line in open(made):
    kind, *plans = line.split()
    for p in map(int, plans):
        g = grids(p)
        same = sum(1 for code, v in g.items() if base.get(code, (None,))[0] == v[0])
        changed = len(g) - same
        gone = sum(1 for code in base if code not in g)
        s = sum(h for _, h in g.values())
        ok = s == total and changed + gone <= 12
        if kind == "lock":  # the lock is the draft's own, and only there
            ok = ok and c.execute("SELECT count(*) FROM grid WHERE plan = ? AND locked", (p,)).fetchone()[0] \
                > c.execute("SELECT count(*) FROM grid WHERE plan = ? AND locked", (parent,)).fetchone()[0]
        bad += not ok
        print("plan %d (%s): %d grids, %d identical to plan %d, %d changed, %d gone; households %d of %d%s"
              % (p, kind, len(g), same, parent, changed, gone, s, total, "" if ok else "  <-- WRONG"))
sys.exit(1 if bad else 0)
PY
for p in $(awk '{print $2, $3}' "$work/edit-made.txt"); do
  "$after" check "$(proj after)" --plan "$p" --quiet > "$work/edit-check.txt" 2>&1 \
    || { echo "edit.sh: govgrid check --plan $p failed" >&2; cat "$work/edit-check.txt" >&2; exit 1; }
done
echo "govgrid check: every invariant holds on the $(wc -l < "$work/edit-made.txt") x 2 drafts of the last run"

grids=$(sqlite3 "$src" "SELECT count(*) FROM plan_grid WHERE plan = $plan" 2>/dev/null \
  || sqlite3 "$src" "SELECT count(*) FROM grid WHERE plan = $plan")
echo
echo "Plan $plan: $grids grids. $(nproc) cores, $(date -u +%Y-%m-%d); medians of $runs runs, ms."
echo
if [ -n "$before" ]; then
  echo "| edit | command, before | command, after | service, before | service, after |"
  echo "|---|---|---|---|---|"
else
  echo "| edit | command | service |"
  echo "|---|---|---|"
fi
for kind in merge split lock; do
  m() { awk -v s="$1" -v w="$2" -v k="$kind" '$1 == s && $2 == w && $3 == k {print $4}' "$work/edit-times.txt" \
    | median | awk '{printf "%.0f", $1 / 1000}'; }
  if [ -n "$before" ]; then
    echo "| $kind | $(m before cli) | $(m after cli) | $(m before http) | $(m after http) |"
  else
    echo "| $kind | $(m after cli) | $(m after http) |"
  fi
done
