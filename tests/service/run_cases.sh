#!/bin/bash
# Golden tests of the HTTP service: starts `govgrid serve` on a fresh
# project (four square grids, a roster, keys (one with the plan right); after a line
# "@project places" in cases.txt, a second service on places_project with
# --public-grids and --dedup), sends each request of
# cases.txt with curl (@BIG@: a body over the limit; @NDJSON10001@: one
# NDJSON point over the batch limit; @NUL@ in a body: a raw NUL byte), and
# compares the status and body (timestamps and
# keys masked) with expected/NAME. UPDATE_GOLDEN=1 rewrites the expected
# files. Then SIGTERM: the service must stop cleanly with every incident
# in the store, and a restarted service must continue the workers' turns.
#   run_cases.sh GOVGRID FIXTURES_DIR WORK_DIR
set -u
govgrid=$1 fixtures=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
rm -rf "$work" && mkdir -p "$work"
p="$work/p.sqlite"
square_project "$govgrid" "$fixtures" "$p" || exit 1
W=$("$govgrid" key new "$work/keys" --name hotline --rights read,write --quiet)
R=$("$govgrid" key new "$work/keys" --name viewer --rights read --quiet)
X=$("$govgrid" key new "$work/keys" --name old --rights read,write --quiet)
S=$("$govgrid" key new "$work/keys" --name sender --rights write --quiet)
PL=$("$govgrid" key new "$work/keys" --name planner --rights read,plan --quiet)
"$govgrid" key revoke "$work/keys" old --quiet
"$govgrid" config "$p" open311.jurisdiction_id 110108 --quiet

start() { start_service "$govgrid" "$p" "$work/keys" "$work/serve.log"; }

start
fail=0 n=0
mkdir -p "$work/actual"
# A body of 1.5 MiB, over the limit.
head -c 1572864 /dev/zero | tr '\0' 'a' > "$work/big.txt"
# 10,001 NDJSON points, the last without a newline after it.
{ for _ in $(seq 1 10000); do echo '{"lon":116.005,"lat":40.005}'; done; printf '%s' '{"lon":116.005,"lat":40.005}'; } > "$work/ndjson10001.txt"
# One case: NAME METHOD PATH HEADER BODY (headers separated by %0A).
run_case() {
  local name=$1 method=$2 path=$3 header=$4 body=$5
  body=${body//@WRITEKEY@/$W}; body=${body//@READKEY@/$R}; body=${body//@REVOKEDKEY@/$X}; body=${body//@SENDKEY@/$S}; body=${body//@PLANKEY@/$PL}
  header=${header//@WRITEKEY@/$W}; header=${header//@READKEY@/$R}; header=${header//@REVOKEDKEY@/$X}; header=${header//@PLANKEY@/$PL}
  path=${path//@READKEY@/$R}; path=${path//@SENDKEY@/$S}
  args=(-s -o "$work/body" -D "$work/headers" -w '%{http_code}' -X "$method" --path-as-is)
  local h rest=$header
  while [ -n "$rest" ]; do
    h=${rest%%\%0A*}
    args+=(-H "$h")
    [ "$h" = "$rest" ] && break
    rest=${rest#*%0A}
  done
  if [ "$body" = "@BIG@" ]; then args+=(--data-binary "@$work/big.txt")
  elif [ "$body" = "@NDJSON10001@" ]; then args+=(--data-binary "@$work/ndjson10001.txt")
  elif [[ "$body" == *@NUL@* ]]; then
    # A raw NUL byte where the case says @NUL@ (a shell string cannot hold one).
    printf '%s' "${body%%@NUL@*}" > "$work/nul.txt"; printf '\0' >> "$work/nul.txt"
    printf '%s' "${body#*@NUL@}" >> "$work/nul.txt"
    args+=(--data-binary "@$work/nul.txt")
  elif [ -n "$body" ]; then args+=(--data-binary "$body"); fi
  status=$(curl "${args[@]}" "http://127.0.0.1:${case_port:-$port}$path")
  # The status, the headers a client reads, and the body, with times,
  # keys and the version masked.
  { echo "$method $path"; echo "status: $status"
    tr -d '\r' < "$work/headers" | grep -iE '^(content-type|x-total-count|x-truncated|link|idempotent-replayed):' |
      sed -E 's/^([^:]*):/\L\1:/' | sort
    cat "$work/body"; } |
    sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/@TIME@/g; s/gg_[a-z2-7]{40}/@KEY@/g; s/"version":"[^"]*"/"version":"@VERSION@"/; s#<(url|changeset)>[^<]*</#<\1>@\1@</#g; s#"(url|changeset)":"[^"]*"#"\1":"@\1@"#g; s#"note":"[^"]*/#"note":"@FIXTURES@/#g' > "$work/actual/$name"
  n=$((n + 1))
  if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$work/actual/$name" "$here/expected/$name"
  elif ! diff -u "$here/expected/$name" "$work/actual/$name" > "$work/diff" 2>&1; then
    echo "FAIL $name"; cat "$work/diff"; fail=$((fail + 1))
  fi
}
while IFS= read -r line; do
  case "$line" in ''|'#'*) continue ;; esac
  if [ "$line" = "@project places" ]; then
    # The second project, served beside the first.
    places_project "$govgrid" "$fixtures" "$work/places.sqlite" "$work/places-dedup" || { echo "FAIL the places project"; exit 1; }
    main_pid=$pid main_port=$port
    start_service "$govgrid" "$work/places.sqlite" "$work/keys" "$work/places.log" --public-grids --dedup "$work/places-dedup"
    places_pid=$pid case_port=$port pid=$main_pid port=$main_port
    continue
  fi
  IFS='|' read -r name method path header body <<< "$line"
  run_case "$name" "$method" "$path" "$header" "$body"
  # Open311 answers the same in XML: the twin of each .json case.
  case "$path" in
    /open311/*.json|/open311/*.json\?*)
      run_case "$name.xml" "$method" "${path/.json/.xml}" "$header" "$body" ;;
  esac
done < "$here/cases.txt"
case_port=""
[ -n "${places_pid:-}" ] && { kill -TERM "$places_pid"; wait "$places_pid"; }
# Each XML answer read by Python's own parser says what its JSON twin says.
if ! /usr/bin/python3 "$here/compare_formats.py" "$work/actual" > "$work/compare" 2>&1; then
  echo "FAIL the XML and JSON answers differ:"; cat "$work/compare"; fail=$((fail + 1))
else
  cat "$work/compare"
fi
# Metrics count what was asked.
curl -s "http://127.0.0.1:$port/metrics" > "$work/metrics"
grep -q '^govgrid_incidents_stored_total [1-9]' "$work/metrics" || { echo "FAIL metrics: no incidents counted"; fail=$((fail + 1)); }
grep -q 'govgrid_http_requests_total{route="open311_requests_post",class="4xx"} [1-9]' "$work/metrics" ||
  { echo "FAIL metrics: no 4xx counted"; fail=$((fail + 1)); }
# SIGTERM: a clean stop, with everything committed.
kill -TERM $pid; wait $pid; rc=$?
[ $rc -eq 0 ] || { echo "FAIL serve exited $rc after SIGTERM"; cat "$work/serve.log"; fail=$((fail + 1)); }
grep -q "stopped;" "$work/serve.log" || { echo "FAIL no clean stop line"; fail=$((fail + 1)); }
# Every acknowledged id is stored, once: a resent request is acknowledged
# with the id it already has.
stored=$(sqlite3 "$p" "SELECT count(*) FROM incident")
acked=$(grep -l '^status: 201' "$work/actual/"* | xargs cat |
  grep -oE '"service_request_id":"[0-9]+"|<service_request_id>[0-9]+<' | grep -oE '[0-9]+' | sort -u | wc -l)
[ "$stored" = "$acked" ] || { echo "FAIL $acked ids acknowledged, $stored stored"; fail=$((fail + 1)); }
# The SQL text sent as a description is stored as text.
desc=$(sqlite3 "$p" "SELECT description FROM incident WHERE description LIKE '%DROP%'")
[ "$desc" = "x'); DROP TABLE incident; --" ] || { echo "FAIL description stored as '$desc'"; fail=$((fail + 1)); }
# SQL text in every field was stored as text, and the tables are whole.
row=$(sqlite3 "$p" "SELECT email || '|' || phone || '|' || first_name || '|' || address FROM incident WHERE first_name LIKE 'Robert%'")
[ "$row" = "a' OR 1=1--@x.cn|';--|Robert'); DROP TABLE worker;--|%' UNION SELECT * FROM grid--" ] ||
  { echo "FAIL fields stored as '$row'"; fail=$((fail + 1)); }
[ "$(sqlite3 "$p" "SELECT count(*) FROM worker")" = 9 ] || { echo "FAIL the worker table changed"; fail=$((fail + 1)); }
# A resent update is stored once; the reporter's reopening was rated "not"
# first, both in the history with the key's name and the reporter behind it.
[ "$(sqlite3 "$p" "SELECT count(*) FROM incident_event WHERE client_update_id = 'fms-101'")" = 1 ] ||
  { echo "FAIL update fms-101 not stored exactly once"; fail=$((fail + 1)); }
tail2=$(sqlite3 "$p" "SELECT group_concat(x, '|') FROM (SELECT action || ' ' || actor || ' ' || coalesce(note, reason) || ' ' || json_extract(author, '$.email') AS x FROM incident_event WHERE incident = 2 ORDER BY seq DESC LIMIT 2)")
[ "$tail2" = "reopen hotline the fire exit is blocked again wang@example.cn|rate hotline not wang@example.cn" ] ||
  { echo "FAIL the reporter's reopening recorded as '$tail2'"; fail=$((fail + 1)); }
# A restart continues the workers' balance from the open incidents they handle (not those of a
# department they are copied on).
start
worker=$(curl -s -X POST "http://127.0.0.1:$port/open311/v2/requests.json" -d "api_key=$W&service_code=CG0202&lat=40.004&long=116.004" |
  sed -n 's/.*worker \([A-Z0-9]*\)".*/\1/p')
f1=$(sqlite3 "$p" "SELECT count(*) FROM incident WHERE worker_id = 'F1' AND department IS NULL")
f2=$(sqlite3 "$p" "SELECT count(*) FROM incident WHERE worker_id = 'F2' AND department IS NULL")
[ $((f1 - f2)) -le 1 ] && [ $((f2 - f1)) -le 1 ] || { echo "FAIL workers unbalanced after a restart: F1 $f1, F2 $f2 (last: $worker)"; fail=$((fail + 1)); }
kill -TERM $pid; wait $pid
echo "$n cases; $fail failed"
[ $fail -eq 0 ]
