#!/bin/bash
# An acknowledged incident is never lost: 20 times, the service is killed
# with SIGKILL while two clients post Open311 requests as fast as they can;
# every service_request_id that was answered 201 must be in the store.
#   kill_test.sh GOVGRID FIXTURES_DIR WORK_DIR [ROUNDS]
set -u
. "$(dirname "$0")/lib.sh"
govgrid=$1 fixtures=$2 work=$3 rounds=${4:-20}
rm -rf "$work" && mkdir -p "$work"
p="$work/p.sqlite"
square_project "$govgrid" "$fixtures" "$p" || exit 1
W=$("$govgrid" key new "$work/keys" --name load --rights write --quiet)
: > "$work/acked"
client() { # port, out file: post until the service is gone
  # Each description its own: the same request again would be a resend.
  local n=0
  while :; do
    n=$((n + 1))
    body=$(curl -s -m 2 -w '\n%{http_code}' -X POST "http://127.0.0.1:$1/open311/v2/requests.json" \
      --data "api_key=$W&service_code=CG0202&lat=40.005&long=116.005&description=load+$2+$n") || break
    code=${body##*$'\n'}
    [ "$code" = 201 ] || continue
    echo "$body" | sed -n 's/.*"service_request_id":"\([0-9]*\)".*/\1/p' >> "$2"
  done
}
fail=0
for round in $(seq 1 "$rounds"); do
  start_service "$govgrid" "$p" "$work/keys" "$work/serve.log"
  client "$port" "$work/acked.$round.a" & c1=$!
  client "$port" "$work/acked.$round.b" & c2=$!
  sleep "0.$((RANDOM % 5 + 2))"
  kill -KILL $pid
  wait $pid 2>/dev/null
  wait $c1 $c2
  cat "$work/acked.$round".* >> "$work/acked" 2>/dev/null
done
acked=$(sort -u "$work/acked" | wc -l)
sort -u "$work/acked" > "$work/acked.sorted"
sqlite3 "$p" "SELECT request_id FROM incident" | sort -u > "$work/stored.sorted"
missing=$(comm -23 "$work/acked.sorted" "$work/stored.sorted" | wc -l)
echo "$rounds kills: $acked requests acknowledged, $missing of them missing from the store"
[ "$acked" -gt 0 ] || { echo "FAIL nothing was acknowledged"; fail=1; }
[ "$missing" -eq 0 ] || { echo "FAIL lost: $(comm -23 "$work/acked.sorted" "$work/stored.sorted" | head -5 | tr '\n' ' ')"; fail=1; }
[ "$(sqlite3 "$p" 'PRAGMA integrity_check')" = ok ] || { echo "FAIL the store is damaged"; fail=1; }
exit $fail
