#!/bin/sh
# The main job on the bundled sample data: build govgrid, build a project
# for each sample area from data/, and show what it holds.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/build.sh" "$root/build"
out=${1:-"$root/out"}
"$root/data/build-sample.sh" "$root/build/src/cli/govgrid" "$out"
