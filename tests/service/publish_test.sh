#!/bin/bash
# A plan published while the service runs is served without a restart,
# while clients post Open311 requests and locate: /healthz and /metrics
# say which plan is served, /v1/locate answers from the new plan, every
# post is answered 201 and each stored incident names a grid of the plan
# it was located on. Under the sanitizer build, a plan freed while a
# request still used it would be reported.
#   publish_test.sh GOVGRID FIXTURES_DIR WORK_DIR
set -u
. "$(dirname "$0")/lib.sh"
govgrid=$1 fixtures=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
p="$work/p.sqlite"
square_project "$govgrid" "$fixtures" "$p" || exit 1
# Plan 2: 1001 and 1002 merged into 1001; a draft.
"$govgrid" import "$p" grids "$fixtures/square_grids_merged.csv" --quiet || exit 1
W=$("$govgrid" key new "$work/keys" --name load --rights write --quiet)
start_service "$govgrid" "$p" "$work/keys" "$work/serve.log"
fail=0
url="http://127.0.0.1:$port"
field() { # JSON text, key: the value of a top-level member
  python3 -c 'import json,sys; v=json.loads(sys.argv[1]).get(sys.argv[2]); print(v if not isinstance(v,str) else v)' "$1" "$2"
}
locate() { curl -s "$url/v1/locate?lon=116.015&lat=40.005"; }
# Waits up to 10 s for /healthz to name plan $1.
wait_plan() {
  for _ in $(seq 1 100); do
    [ "$(field "$(curl -s "$url/healthz")" plan)" = "$1" ] && return 0
    sleep 0.1
  done
  return 1
}
h=$(curl -s "$url/healthz")
[ "$(field "$h" plan)" = 2 ] && [ "$(field "$h" plan_state)" = newest ] ||
  { echo "FAIL with no plan published the newest (2) is served: $h"; fail=1; }
[ "$(field "$(locate)" grid_code)" = 1101080010011001 ] || { echo "FAIL plan 2 locates into 1001: $(locate)"; fail=1; }

client() { # out file
  for i in $(seq 1 60); do
    curl -s -m 10 -o /dev/null -w '%{http_code}\n' -X POST "$url/open311/v2/requests.json" \
      --data "api_key=$W&service_code=CG0202&lat=40.005&long=116.015&description=publish+$1+$i" >> "$1" || echo 000 >> "$1"
    curl -s -m 10 -o /dev/null "$url/v1/locate?lon=116.015&lat=40.005"
  done
}
client "$work/codes.a" & c1=$!
client "$work/codes.b" & c2=$!
# Drafts come and go without moving the service; a publication moves it.
"$govgrid" import "$p" grids "$fixtures/square_grids.csv" --quiet || fail=1
sleep 1.5
[ "$(field "$(curl -s "$url/healthz")" plan)" = 2 ] || { echo "FAIL a new draft (3) moved the service"; fail=1; }
"$govgrid" plan publish "$p" 3 --quiet || fail=1
wait_plan 3 || { echo "FAIL plan 3, published, is not served: $(curl -s "$url/healthz")"; fail=1; }
h=$(curl -s "$url/healthz")
[ "$(field "$h" plan_state)" = published ] && [ "$(field "$h" plan_switches)" = 1 ] ||
  { echo "FAIL /healthz after the publication: $h"; fail=1; }
[ "$(field "$(locate)" grid_code)" = 1101080010011002 ] || { echo "FAIL plan 3 locates into 1002: $(locate)"; fail=1; }
grep -q '^govgrid_plan{published="1"} 3$' <(curl -s "$url/metrics") || { echo "FAIL /metrics does not say plan 3"; fail=1; }
# Plan 2 again, made anew as plan 4 and published: 1002 retired.
"$govgrid" import "$p" grids "$fixtures/square_grids_merged.csv" --quiet || fail=1
"$govgrid" plan publish "$p" 4 --quiet || fail=1
wait_plan 4 || { echo "FAIL plan 4, published, is not served"; fail=1; }
[ "$(field "$(locate)" grid_code)" = 1101080010011001 ] || { echo "FAIL plan 4 locates into 1001: $(locate)"; fail=1; }
grep -q "plan 4 published: now serving it" "$work/serve.log" || { echo "FAIL the log does not say the switch"; fail=1; }
wait $c1 $c2
ok=$(cat "$work/codes.a" "$work/codes.b" | grep -c '^201$')
echo "120 posts during two publications: $ok answered 201"
[ "$ok" -eq 120 ] || { echo "FAIL not every post was answered 201: $(sort "$work/codes.a" "$work/codes.b" | uniq -c | tr '\n' ' ')"; fail=1; }
kill -TERM $pid; wait $pid; rc=$?
[ $rc -eq 0 ] || { echo "FAIL the service exited with $rc"; tail -20 "$work/serve.log"; fail=1; }
# Each incident's grid is one of the plan it names.
bad=$(sqlite3 "$p" "SELECT count(*) FROM incident i WHERE NOT EXISTS
  (SELECT 1 FROM grid g WHERE g.plan = i.plan AND g.code = i.grid_code)")
[ "$bad" -eq 0 ] || { echo "FAIL $bad incidents name a grid their plan does not have"; fail=1; }
plans=$(sqlite3 "$p" "SELECT group_concat(DISTINCT plan) FROM (SELECT plan FROM incident ORDER BY plan)")
echo "incidents located on plans: $plans"
grep -q "ERROR: AddressSanitizer\|runtime error\|ThreadSanitizer" "$work/serve.log" && { echo "FAIL the sanitizer reported"; grep -m5 "ERROR\|runtime error\|WARNING" "$work/serve.log"; fail=1; }
exit $fail
