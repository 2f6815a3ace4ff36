#!/bin/sh
# Installs what govgrid needs to build and test, from Debian's archive by
# package name. Runs apt-get through sudo when not root. Idempotent.
set -eu
packages="build-essential cmake pkg-config
  libgeos-dev libproj-dev proj-data libgdal-dev gdal-bin
  libsqlite3-dev libspatialite-dev libsqlite3-mod-spatialite sqlite3
  libjansson-dev libcairo2-dev libpng-dev libpango1.0-dev fonts-wqy-microhei
  libmicrohttpd-dev libxml2-dev libssl-dev zlib1g-dev libgoogle-perftools-dev curl wrk chromium
  python3 python3-gdal python3-shapely python3-pyproj"
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# Node.js and npm for the web map: any install that provides the commands
# (Debian's packages, or another Node.js build that brings its own npm).
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
  echo "installing:$missing"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
else
  echo "all build and test dependencies are installed"
fi
# The web map's JavaScript packages, exactly as web/package-lock.json says.
root=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -f "$root/web/node_modules/.package-lock.json" ] ||
   ! cmp -s "$root/web/package-lock.json" "$root/web/node_modules/.govgrid-lock"; then
  (cd "$root/web" && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.govgrid-lock)
fi
