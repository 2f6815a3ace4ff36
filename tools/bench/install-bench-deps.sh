#!/bin/sh
# Installs what the benchmarks need beyond tools/install-deps.sh: a
# PostgreSQL server with PostGIS (the reference of tools/bench/locate.sh),
# by name from the Debian bookworm archive. Run as root.
#   tools/bench/install-bench-deps.sh
set -eu
if [ "$(id -u)" -ne 0 ]; then
  echo "install-bench-deps.sh: run as root (apt-get install)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
# /usr/bin/time for peak RSS, gdal-bin for ogr2ogr/ogrinfo, sqlite3 for the
# extent query; the server's packaged cluster is not used (locate.sh starts
# its own on loopback), so it is not started here.
apt-get install -y --no-install-recommends \
  postgresql postgresql-15-postgis-3 postgresql-client \
  gdal-bin sqlite3 libsqlite3-mod-spatialite time
