#!/bin/bash
# The Open311 path of a reporting front end, by a client written from the
# spec alone (open311_client.py), in XML and in JSON.
#   client_test.sh GOVGRID FIXTURES_DIR WORK_DIR
set -u
. "$(dirname "$0")/lib.sh"
govgrid=$1 fixtures=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
p="$work/p.sqlite"
square_project "$govgrid" "$fixtures" "$p" || exit 1
W=$("$govgrid" key new "$work/keys" --name app --rights write --quiet)
R=$("$govgrid" key new "$work/keys" --name desk --rights read --quiet)
start_service "$govgrid" "$p" "$work/keys" "$work/serve.log"
/usr/bin/python3 "$(dirname "$0")/open311_client.py" "http://127.0.0.1:$port" "$W" "$R"; rc=$?
kill -TERM $pid; wait $pid
[ "$(sqlite3 "$p" "SELECT count(*) FROM incident")" = 2 ] || { echo "FAIL not one incident per format"; rc=1; }
# Workers' contacts: withheld without a key, until the project publishes
# them (contacts.public, 上岗公示).
start_service "$govgrid" "$p" "$work/keys" "$work/serve.log"
curl -s "http://127.0.0.1:$port/v1/locate?lon=116.005&lat=40.005" | grep -q '"worker_name":null' ||
  { echo "FAIL a keyless locate names a worker"; rc=1; }
kill -TERM $pid; wait $pid
"$govgrid" config "$p" contacts.public yes --quiet
start_service "$govgrid" "$p" "$work/keys" "$work/serve.log"
curl -s "http://127.0.0.1:$port/v1/locate?lon=116.005&lat=40.005" | grep -q '"worker_name":"[^"]' ||
  { echo "FAIL contacts.public yes: a keyless locate names no worker"; rc=1; }
curl -s "http://127.0.0.1:$port/open311/v2/requests/1.json" | grep -q '"worker_name":' ||
  { echo "FAIL contacts.public yes: a public request shows no worker"; rc=1; }
curl -s "http://127.0.0.1:$port/open311/v2/requests/1.json" | grep -q '"email":' &&
  { echo "FAIL contacts.public yes: a public request shows the reporter"; rc=1; }
kill -TERM $pid; wait $pid
[ $rc = 0 ] && echo "contacts: withheld without a key, published with contacts.public yes"
exit $rc
