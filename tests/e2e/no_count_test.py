#!/usr/bin/python3
"""A plan imported without household counts, on Monaco's real community
polygons: its grids have no count (NULL), not 0 households. Checked in
the project (SQLite), in what govgrid export writes (GeoJSON read as JSON,
GeoPackage read by ogrinfo and by SQLite), in govgrid report (unknown, not
0), in the printed map (the palette's "no count" colour, not the "0
households" one), and in the service (/v1/grids, /v1/grids/CODE and the
zoomed /v1/grids answer null, which the web map draws in /v1/palette's
class with counted false). Then the same grids over household points that
cover only part of Monaco: grids of communities with points are counted,
the others keep no count, also in a plan maintained from it.

    no_count_test.py GOVGRID DATA_DIR WORK_DIR
"""
import http.client
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "service"))
import svc  # noqa: E402
from svc import check  # noqa: E402

govgrid, data, work = sys.argv[1:4]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)


def run(*args):
    return subprocess.run([govgrid, *args], check=True, capture_output=True, text=True).stdout


def tool(*args):
    return subprocess.run(list(args), check=True, capture_output=True, text=True).stdout


def scalar(path, sql):
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchone()[0]


# The grids: one per Monaco community, its real polygon, a 16-digit code
# (type digit 1, comprehensive) and no households or persons field.
grids_src = os.path.join(work, "grids.geojson")
tool("ogr2ogr", "-f", "GeoJSON", grids_src, os.path.join(data, "monaco", "communities.gpkg"), "-dialect", "SQLite",
     "-sql", "SELECT code || '1001' AS code, code AS community, name, geom FROM communities", "-nln", "grids")
fields = json.load(open(grids_src))["features"][0]["properties"]
check("households" not in fields and "persons" not in fields, "the grids layer has no households or persons field")

project = os.path.join(work, "p.sqlite")
run("init", project, "--quiet")
run("import", project, "divisions", os.path.join(data, "monaco", "communities.gpkg"), "--quiet")
run("import", project, "grids", grids_src, "--quiet")
n = scalar(project, "SELECT count(*) FROM grid")
check(n == 12, f"12 grids imported ({n})")
check(scalar(project, "SELECT count(*) FROM grid WHERE households IS NULL AND persons IS NULL") == n,
      "every grid stores households and persons NULL: " +
      str(scalar(project, "SELECT group_concat(coalesce(households, 'NULL')) FROM grid")))

# Export, reopened by other readers.
out_json = os.path.join(work, "out.geojson")
out_gpkg = os.path.join(work, "out.gpkg")
run("export", project, "grids", out_json, "--quiet")
run("export", project, "grids", out_gpkg, "--quiet")
features = json.load(open(out_json))["features"]
check(len(features) == n and all("households" in f["properties"] and f["properties"]["households"] is None
                                 and f["properties"]["persons"] is None for f in features),
      "the exported GeoJSON says households: null and persons: null for every grid")
listing = tool("ogrinfo", "-al", "-q", out_gpkg)
nulls = len(re.findall(r"^\s*households \(Integer64\) = \(null\)$", listing, re.M))
check(nulls == n, f"ogrinfo reads households (null) in every exported GeoPackage feature ({nulls} of {n})")
check(scalar(out_gpkg, "SELECT count(*) FROM grids WHERE households IS NULL AND persons IS NULL") == n,
      "the exported GeoPackage holds NULL households and persons")

# The report: unknown, not 0; no grid listed as out of its window.
report = json.loads(run("report", project, "--json"))
check(report.get("uncounted_grids") == n and report["in_window"] == 0 and report["out_of_window"] == 0,
      f"report --json: {n} grids without a count, none in or out of the window "
      f"({report.get('uncounted_grids')}, {report['in_window']}, {report['out_of_window']})")
check(set(report["households_per_grid"].values()) == {None}, "report --json: households per grid null")
check(all(g["households"] is None for g in report["grid_list"]), "report --json: every grid's households null")
check(all(c["households"] is None and c.get("uncounted_grids") == c["grids"] for c in report["communities"]),
      "report --json: every community's households null, its grids counted apart")
text = run("report", project)
check("households per comprehensive grid: unknown" in text and "grids out of their window" not in text,
      "report: households per grid unknown, no grid out of its window")

# The printed map: each grid in the palette's "no count" colour; the "0
# households" colour is the legend's swatch alone.
svg = os.path.join(work, "map.svg")
run("map", project, svg, "--quiet")
picture = open(svg).read()
no_count, zero = "rgb(72.156863%,76.862745%,80%)", "rgb(90.196078%,90.196078%,90.196078%)"
check(picture.count(no_count) == n + 1 and picture.count(zero) == 1,
      f"map: {n} grids and the legend in the no-count colour ({picture.count(no_count)}), "
      f"the 0-households colour only in the legend ({picture.count(zero)})")

# The service.
keys = os.path.join(work, "keys")
key = run("key", "new", keys, "--name", "test", "--rights", "read", "--quiet").strip()
service = svc.Service(govgrid, project, keys, os.path.join(work, "serve.log"))


def get(path):
    c = http.client.HTTPConnection("127.0.0.1", service.port, timeout=10)
    c.request("GET", path, headers={"X-API-Key": key})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, json.loads(body)


palette = get("/v1/palette")[1]
none_class = [c for c in palette["classes"] if not c["counted"]]
check(len(none_class) == 1 and none_class[0]["key"] == "none", "/v1/palette has one class for grids without a count")


def class_of(p):
    """The palette class the web map draws a grid in (web/app.js fillColour)."""
    if p["households"] is None:
        return none_class[0]["key"]
    for c in palette["classes"]:
        if c["counted"] and c["min"] <= p["households"] and (c["max"] is None or p["households"] <= c["max"]):
            return c["key"]


for path in ("/v1/grids", "/v1/grids?zoom=14"):
    status, body = get(path)
    props = [f["properties"] for f in body.get("features", [])]
    check(status == 200 and len(props) == n and all(p["households"] is None and p["persons"] is None for p in props),
          f"{path}: households and persons null for all {n} grids")
    check({class_of(p) for p in props} == {"none"}, f"{path}: every grid in the palette's no-count class")
code = features[0]["properties"]["code"]
status, one = get("/v1/grids/" + code)
check(status == 200 and one["households"] is None and one["persons"] is None, f"/v1/grids/{code}: households null")
rc, _ = service.stop()
check(rc == 0, "the service stops cleanly")

# Household points over the west of Monaco only: the grids of the
# communities with points are counted (by the points they hold), the others
# keep no count.
west = os.path.join(work, "households_west.gpkg")
tool("ogr2ogr", "-f", "GPKG", west, os.path.join(data, "monaco", "households.gpkg"), "-spat", "7.40", "43.72",
     "7.418", "43.76")
partial = os.path.join(work, "partial.sqlite")
run("init", partial, "--quiet")
run("import", partial, "divisions", os.path.join(data, "monaco", "communities.gpkg"), "--quiet")
run("import", partial, "households", west, "--map", "id=hh_id", "--map", "count=households", "--quiet")
run("import", partial, "grids", grids_src, "--quiet")
covered = scalar(partial, "SELECT count(DISTINCT community) FROM household")
counted = scalar(partial, "SELECT count(*) FROM grid WHERE households IS NOT NULL")
check(0 < covered < n, f"the western points lie in {covered} of {n} communities")
check(counted == covered and scalar(partial, "SELECT count(*) FROM grid WHERE households IS NOT NULL AND community"
                                             " NOT IN (SELECT community FROM household)") == 0,
      f"only the grids of those communities are counted ({counted})")
inside = scalar(partial, "SELECT coalesce(sum(households), 0) FROM grid")
total = scalar(partial, "SELECT sum(count) FROM household")
outside = scalar(partial, "SELECT coalesce(sum(count), 0) FROM household WHERE community IS NULL")
check(inside + outside == total, f"the counted grids hold the points' {total} households ({inside} + {outside} outside)")
report = json.loads(run("report", partial, "--json"))
check(report.get("uncounted_grids") == n - covered, f"report: {n - covered} grids without a count")
# A plan made from it keeps the grids it carries over uncounted where no
# point tells, rather than counting them again as 0.
run("partition", partial, "--from", "1", "--maintain", "--quiet")
kept = scalar(partial, "SELECT count(*) FROM grid WHERE plan = 2 AND households IS NULL")
zero = scalar(partial, "SELECT count(*) FROM grid WHERE plan = 2 AND households = 0")
check(kept == n - covered and zero == 0, f"partition --from 1 --maintain: {kept} grids still without a count, "
      f"{zero} with 0 households")
svc.finish()
