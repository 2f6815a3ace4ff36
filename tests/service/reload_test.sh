#!/bin/bash
# API keys reloaded (SIGHUP) again and again while two clients post Open311
# requests: every request is answered 201, every stored incident names the
# key it came with, and the service is still well afterwards. The key's
# name used to be read after the keyring's lock was released, while a
# reload could free it: under the sanitizer build that is a crash.
#   reload_test.sh GOVGRID FIXTURES_DIR WORK_DIR [POSTS_PER_CLIENT] [RELOADS]
set -u
. "$(dirname "$0")/lib.sh"
govgrid=$1 fixtures=$2 work=$3 posts=${4:-150} reloads=${5:-150}
rm -rf "$work" && mkdir -p "$work"
p="$work/p.sqlite"
square_project "$govgrid" "$fixtures" "$p" || exit 1
W=$("$govgrid" key new "$work/keys" --name load --rights write --quiet)
start_service "$govgrid" "$p" "$work/keys" "$work/serve.log"
client() { # out file
  # Each description its own: the same request twice would be a resend.
  for i in $(seq 1 "$posts"); do
    curl -s -m 10 -o /dev/null -w '%{http_code}\n' -X POST "http://127.0.0.1:$port/open311/v2/requests.json" \
      --data "api_key=$W&service_code=CG0202&lat=40.005&long=116.005&description=reload+$1+$i" >> "$1" || echo 000 >> "$1"
  done
}
client "$work/codes.a" & c1=$!
client "$work/codes.b" & c2=$!
# Reload while they post; each reload reads a keyring with one more key,
# so every SIGHUP really replaces (and frees) the one in use.
for i in $(seq 1 "$reloads"); do
  "$govgrid" key new "$work/keys" --name "extra$i" --rights read --quiet > /dev/null
  kill -HUP $pid 2>/dev/null || break
  sleep 0.02
done
wait $c1 $c2
fail=0
total=$((2 * posts))
ok=$(cat "$work/codes.a" "$work/codes.b" | grep -c '^201$')
echo "$reloads reloads, $total posts: $ok answered 201"
[ "$ok" -eq "$total" ] || { echo "FAIL not every post was answered 201: $(sort "$work/codes.a" "$work/codes.b" | uniq -c | tr '\n' ' ')"; fail=1; }
health=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")
[ "$health" = 200 ] || { echo "FAIL /healthz answers $health after the reloads"; fail=1; }
kill -TERM $pid; wait $pid; rc=$?
[ $rc -eq 0 ] || { echo "FAIL the service exited with $rc"; tail -20 "$work/serve.log"; fail=1; }
named=$(sqlite3 "$p" "SELECT count(*) FROM incident WHERE api_key_name = 'load'")
[ "$named" -eq "$total" ] || { echo "FAIL $named of $total incidents name their key"; fail=1; }
grep -q "ERROR: AddressSanitizer\|runtime error" "$work/serve.log" && { echo "FAIL the sanitizer reported"; grep -m5 "ERROR\|runtime error" "$work/serve.log"; fail=1; }
exit $fail
