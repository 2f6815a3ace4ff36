#!/bin/bash
# Resent Open311 requests across SIGKILLs (retry_test.py): a project with
# four grids and a roster, a write key, then COUNT submissions sent twice.
#   retry_test.sh GOVGRID FIXTURES_DIR WORK_DIR [COUNT] [KILLS]
set -u
. "$(dirname "$0")/lib.sh"
govgrid=$1 fixtures=$2 work=$3 count=${4:-1000} kills=${5:-10}
rm -rf "$work" && mkdir -p "$work"
p="$work/p.sqlite"
square_project "$govgrid" "$fixtures" "$p" || exit 1
W=$("$govgrid" key new "$work/keys" --name hotline --rights write --quiet)
exec /usr/bin/python3 "$(dirname "$0")/retry_test.py" "$govgrid" "$p" "$work/keys" "$W" "$work" "$count" "$kills"
