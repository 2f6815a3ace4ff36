#!/bin/sh
# govgrid-synth-year reads the catalogue's routes as the library does: an
# item sent to the district at once (the shipped catalogue's CG0101,
# level:district, the top of a new project's four levels) is never
# escalated in the year it writes; a route to no level is refused, naming
# the line and the item.
#   synth_year_routes.sh GOVGRID-SYNTH-YEAR DATA-DIR WORK-DIR
set -eu
year=$1
data=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
printf 'lon,lat,weight\n116.001,40.001,1\n116.002,40.003,2\n116.004,40.002,1\n' > "$work/points.csv"
"$year" --catalogue "$data/catalogue.csv" --points "$work/points.csv" --incidents 20000 --seed 3 \
  --out "$work/year.tsv" --summary "$work/year.json" >/dev/null
awk -F'\t' '
  $3 == "report" && $5 == "item=CG0101" { top[$2] = 1; n++ }
  $3 == "escalate" && ($2 in top) { bad++; if (bad == 1) first = $0 }
  $3 == "escalate" { escalations++ }
  END {
    if (n == 0) { print "FAIL no CG0101 incident in the year"; exit 1 }
    if (escalations == 0) { print "FAIL no escalation at all in the year"; exit 1 }
    if (bad > 0) { print "FAIL " bad " escalations of incidents that start at the top level, first: " first; exit 1 }
    print "ok " n " CG0101 incidents, none escalated; " escalations " escalations of others"
  }' "$work/year.tsv"
sed 's/,level:district,/,level:9,/' "$data/catalogue.csv" > "$work/bad.csv"
if "$year" --catalogue "$work/bad.csv" --points "$work/points.csv" --incidents 10 --seed 3 \
  --out "$work/bad.tsv" --summary "$work/bad.json" 2> "$work/bad.err"; then
  echo "FAIL a route to level 9 was accepted"
  exit 1
fi
grep -q "line 2 (item CG0101): route 'level:9' is not a level" "$work/bad.err" || {
  echo "FAIL the refusal does not name the line and item:"
  cat "$work/bad.err"
  exit 1
}
echo "ok level:9 refused"
