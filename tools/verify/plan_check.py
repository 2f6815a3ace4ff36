#!/usr/bin/python3
"""An independent check of an exported grid plan, with GDAL, shapely and PROJ.

Nothing of govgrid's own code or bookkeeping is used: the grids are read
from the exported file, the household points and communities from the
project file through GDAL's SQLite driver, and every figure is measured on
those polygons, as a GIS user would see them after loading and reprojecting
them.

    tools/verify/plan_check.py GRIDS.gpkg PROJECT.sqlite [--json] [--strict]
                               [--min-in-window SHARE]

Checks, per grid and per community:
  - validity (GEOS, via shapely) in WGS-84 as exported, after reprojection
    to the local UTM zone and to the CGCS2000 3-degree Gauss-Krueger zone;
  - spikes (a ring that runs back along itself, its legs within 1 cm of
    each other over more than 2 cm), repeated
    points, polygon parts below 1 m2;
  - shared edges: every segment of a grid ring is either on the community's
    boundary or the exact reverse of one segment of one other grid of the
    community (no T-junctions, no near-coincident edges);
  - the union of a community's grids against the community (the largest
    distance between their boundaries, metres);
  - households: each point of the project goes to the grid whose polygon
    covers it (a dedicated grid before a comprehensive one, then the lowest
    code, as govgrid locate decides); every grid's households must equal
    the sum over its points;
  - the share of comprehensive grids in their household window, counted by
    the points each polygon holds (grids of communities below the minimum,
    single points above the maximum and communities no number of grids
    fits set apart, as the issue that asked for this check states).

Exit status 1 when an invariant breaks with --strict (or the share in the
window is below --min-in-window), else 0.
"""
import json
import math
import sys
from collections import defaultdict

from osgeo import ogr
from shapely import wkb
from shapely.geometry import Point, Polygon, MultiPolygon
from shapely.ops import transform, unary_union
from shapely.strtree import STRtree
import pyproj

ogr.UseExceptions()

SPIKE_M = 0.01
PART_MIN_M2 = 1.0
UNION_TOLERANCE_M = 0.01


def read_layer(path, layer, fields, where=None):
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName(layer)
    if where:
        lyr.SetAttributeFilter(where)
    rows = []
    for f in lyr:
        g = f.GetGeometryRef()
        geom = wkb.loads(bytes(g.ExportToWkb())) if g is not None else None
        rows.append(({k: f.GetField(k) for k in fields}, geom))
    lyr = None
    ds = None
    return rows


def utm_crs(lon, lat):
    zone = int(math.floor((lon + 180) / 6)) + 1
    return pyproj.CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def gk_crs(lon):
    cm = 3 * round(lon / 3)
    return pyproj.CRS.from_proj4(
        f"+proj=tmerc +lat_0=0 +lon_0={cm} +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs")


def rings(poly):
    yield poly.exterior
    yield from poly.interiors


def parts(geom):
    return list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]


def ring_defects(coords):
    """Repeated points and spikes of one ring in metric coordinates."""
    pts = coords[:-1]
    n = len(pts)
    repeated = spikes = 0
    for i in range(n):
        p, v, q = pts[i - 1], pts[i], pts[(i + 1) % n]
        if p == v:
            repeated += 1
            continue
        ax, ay = p[0] - v[0], p[1] - v[1]
        bx, by = q[0] - v[0], q[1] - v[1]
        la, lb = math.hypot(ax, ay), math.hypot(bx, by)
        if la == 0 or lb == 0:
            continue
        if ax * bx + ay * by <= 0:
            continue  # turns by less than 90 degrees either way: no spike
        # the shorter leg runs back along the longer one: its far end within
        # SPIKE_M of the longer leg's line, the leg longer than 2 SPIKE_M (a
        # step of a pixel at a sharp corner is not a spike)
        cross = abs(ax * by - ay * bx)
        if min(la, lb) > 2 * SPIKE_M and cross / max(la, lb) < SPIKE_M:
            spikes += 1
    return repeated, spikes


def main(argv):
    min_share = None
    rest = []
    it = iter(argv[1:])
    for a in it:
        if a == "--min-in-window":
            min_share = float(next(it))
        else:
            rest.append(a)
    args = [a for a in rest if not a.startswith("--")]
    as_json = "--json" in rest
    strict = "--strict" in rest
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    grids_path, project = args
    grids_ds = ogr.Open(grids_path)
    grids_layer = grids_ds.GetLayer(0).GetName()
    grids_ds = None
    grids = read_layer(grids_path, grids_layer, ["code", "type", "community", "households", "flags"])
    comms = {a["code"]: (a, g) for a, g in read_layer(project, "division", ["code", "urban_rural"],
                                                      "level = 'community'") if g is not None}
    households = read_layer(project, "household", ["count"])

    all_geoms = [g for _, g in grids]
    cx, cy = unary_union([g.envelope for g in all_geoms]).centroid.coords[0]
    wgs = pyproj.CRS.from_epsg(4326)
    targets = {"utm": utm_crs(cx, cy), "gk": gk_crs(cx)}
    project_to = {k: pyproj.Transformer.from_crs(wgs, crs, always_xy=True).transform
                  for k, crs in targets.items()}

    report = {"grids": len(grids), "invalid": {"wgs84": [], "utm": [], "gk": []},
              "spikes": [], "repeated_points": [], "small_parts": [], "unmatched_edges": {},
              "union_distance_m": {}, "household_mismatch": [], "households_unheld": 0}
    for attrs, g in grids:
        code = attrs["code"]
        if not g.is_valid:
            report["invalid"]["wgs84"].append(code)
        for k, fn in project_to.items():
            m = transform(fn, g)
            if not m.is_valid:
                report["invalid"][k].append(code)
            if k == "utm":
                for part in parts(m):
                    if part.area < PART_MIN_M2:
                        report["small_parts"].append(code)
                    for r in rings(part):
                        rep, spk = ring_defects(list(r.coords))
                        if spk:
                            report["spikes"].append(code)
                        if rep:
                            report["repeated_points"].append(code)

    # Shared edges and the union, per community.
    by_comm = defaultdict(list)
    for attrs, g in grids:
        by_comm[attrs["community"]].append((attrs, g))
    # Distances to the community are taken in the plan's own coordinates,
    # scaled to metres at the community's latitude: a segment is straight in
    # longitude and latitude (as the file defines it), and a long one,
    # projected, bows away from its chord by centimetres.
    for comm, members in by_comm.items():
        segs = defaultdict(list)
        for attrs, g in members:
            for part in parts(g):
                for r in rings(part):
                    c = list(r.coords)
                    for a, b in zip(c, c[1:]):
                        segs[(a, b)].append(attrs["code"])
        cgeom = comms.get(comm, (None, None))[1]
        lat = cgeom.centroid.y if cgeom is not None else 0.0
        mx, my = 111320.0 * math.cos(math.radians(lat)), 110574.0

        def to_m(x, y, z=None):
            return (x * mx, y * my)
        cbound = transform(to_m, cgeom).boundary if cgeom is not None else None
        unmatched = 0
        for (a, b), owners in segs.items():
            rev = segs.get((b, a), [])
            if len(owners) == 1 and len(rev) == 1 and rev[0] != owners[0]:
                continue
            if len(owners) == 1 and not rev and cbound is not None:
                mid = transform(to_m, Point((a[0] + b[0]) / 2, (a[1] + b[1]) / 2))
                pa, pb = transform(to_m, Point(a)), transform(to_m, Point(b))
                if max(cbound.distance(mid), cbound.distance(pa), cbound.distance(pb)) <= UNION_TOLERANCE_M:
                    continue
            unmatched += 1
        if unmatched:
            report["unmatched_edges"][comm] = unmatched
        if cgeom is not None:
            u = transform(to_m, unary_union([g for _, g in members]))
            cm = transform(to_m, cgeom)
            report["union_distance_m"][comm] = round(u.boundary.hausdorff_distance(cm.boundary), 4)

    # Households by the polygons that hold them.
    order = sorted(range(len(grids)), key=lambda i: (grids[i][0]["type"] == 1, grids[i][0]["code"]))
    ordered = [grids[i][1] for i in order]
    rank = {id(g): k for k, g in enumerate(ordered)}
    tree = STRtree(ordered)
    held = defaultdict(int)
    for attrs, p in households:
        hits = [rank[id(g)] for g in tree.query(p) if g.covers(p)]
        if not hits:
            report["households_unheld"] += attrs["count"]
            continue
        held[grids[order[min(hits)]][0]["code"]] += attrs["count"]
    for attrs, g in grids:
        if attrs["households"] != held.get(attrs["code"], 0):
            report["household_mismatch"].append(
                {"code": attrs["code"], "claims": attrs["households"], "holds": held.get(attrs["code"], 0)})

    # The share in the window, by the points held.
    comp_total = defaultdict(int)
    for attrs, g in grids:
        if attrs["type"] == 1:
            comp_total[attrs["community"]] += held.get(attrs["code"], 0)
    counted = in_window = 0
    for attrs, g in grids:
        if attrs["type"] != 1:
            continue
        flags = attrs["flags"] or ""
        if any(f in flags for f in ("small_community", "indivisible", "unreachable", "island")):
            continue
        ur = comms.get(attrs["community"], ({"urban_rural": ""}, None))[0]["urban_rural"] or ""
        lo, hi = (250, 350) if ur in ("210", "220") else (300, 500)
        counted += 1
        in_window += lo <= held.get(attrs["code"], 0) <= hi
    report["in_window"] = {"in": in_window, "of": counted,
                           "share": round(in_window / counted, 4) if counted else None}
    report["max_union_distance_m"] = max(report["union_distance_m"].values(), default=0)

    broken = (any(report["invalid"].values()) or report["spikes"] or report["small_parts"]
              or report["repeated_points"] or report["unmatched_edges"] or report["household_mismatch"]
              or report["households_unheld"] or report["max_union_distance_m"] > UNION_TOLERANCE_M)
    if as_json:
        print(json.dumps(report, indent=1, sort_keys=True))
    else:
        print(f"grids: {report['grids']}")
        for k, v in report["invalid"].items():
            print(f"invalid in {k}: {len(v)} {' '.join(v[:8])}")
        print(f"spikes: {len(report['spikes'])} {' '.join(report['spikes'][:8])}")
        print(f"repeated points: {len(report['repeated_points'])}")
        print(f"parts below {PART_MIN_M2} m2: {len(report['small_parts'])} {' '.join(report['small_parts'][:8])}")
        print(f"unmatched edges: {sum(report['unmatched_edges'].values())} in {len(report['unmatched_edges'])} communities")
        print(f"largest distance between a community and its grids' union: {report['max_union_distance_m']} m")
        print(f"grids whose households differ from the points they hold: {len(report['household_mismatch'])}")
        for m in report["household_mismatch"][:8]:
            print(f"  {m['code']}: claims {m['claims']}, holds {m['holds']}")
        print(f"households in no grid: {report['households_unheld']}")
        iw = report["in_window"]
        print(f"comprehensive grids in window by points held: {iw['in']} of {iw['of']} ({iw['share']})")
    if min_share is not None and (report["in_window"]["share"] or 0) < min_share:
        broken = True
        strict = True
    return 1 if (strict and broken) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
