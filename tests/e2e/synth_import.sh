#!/bin/sh
# End to end on a synthetic county: generate it, check it, import every
# layer with govgrid, and compare what the project holds with what was made.
#   synth_import.sh GOVGRID SYNTH SYNTH_CHECK WORKDIR
set -eu
govgrid=$1 synth=$2 check=$3 work=$4
households=20000
rm -rf "$work" && mkdir -p "$work"
"$synth" --households $households --seed 11 --out "$work/data" --quiet >/dev/null
"$check" "$work/data" --households $households | tail -n 1 | grep -q " 0 failed"
p="$work/p.sqlite"
"$govgrid" init "$p" --quiet
for layer in divisions households roads waterways units; do
  "$govgrid" import "$p" $layer "$work/data/$layer.gpkg" --quiet
done
"$govgrid" import "$p" dept-grids "$work/data/dept_grids.gpkg" --quiet
"$govgrid" import "$p" grids "$work/data/grids.gpkg" --quiet
"$govgrid" import "$p" workers "$work/data/workers.csv" --quiet
"$govgrid" info "$p" --json > "$work/info.json"
fail=0
expect() { # name, pattern expected in info.json
  if ! tr -d ' \n' < "$work/info.json" | grep -q "$2"; then
    echo "FAIL $1: $2 not in info --json"; fail=1
  else
    echo "ok   $1"
  fi
}
expect households-total "\"total\":$households,"
expect no-household-outside '"points_outside_communities":0'
expect plan-imported '"source":"import"'
points=$(ogrinfo -so "$work/data/households.gpkg" households | sed -n 's/^Feature Count: //p')
expect household-points "\"households\":{\"features\":$points,"
if [ $fail -eq 0 ]; then echo "4 passed, 0 failed"; else echo "some failed"; exit 1; fi
