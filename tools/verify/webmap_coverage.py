#!/usr/bin/python3
"""The simplified grids as the web map receives them, checked with shapely:
for each zoom, GET /v1/grids?zoom=Z (the HTTP answer) against the stored
geometry (GET /v1/grids without zoom): invalid grids, the area where two
grids overlap, the union's area against the stored union's, and whether
each label point lies inside its grid.
    webmap_coverage.py BASE_URL [ZOOM ...]   (a service with --public-grids)
"""
import json
import sys
import urllib.request

from shapely.geometry import Point, shape
from shapely.ops import unary_union
from shapely.strtree import STRtree


def grids(url):
    d = json.load(urllib.request.urlopen(url, timeout=600))
    return d["features"], [shape(f["geometry"]) for f in d["features"]]


def main():
    base = sys.argv[1].rstrip("/")
    zooms = [int(z) for z in sys.argv[2:]] or [10, 12, 14]
    _, stored = grids(f"{base}/v1/grids?limit=50000")
    stored_area = unary_union(stored).area
    for z in zooms:
        feats, g = grids(f"{base}/v1/grids?zoom={z}&limit=50000")
        invalid = sum(not p.is_valid for p in g)
        tree = STRtree(g)
        index = {id(p): i for i, p in enumerate(g)}
        overlap = sum(p.intersection(q).area for i, p in enumerate(g) for q in tree.query(p) if index[id(q)] > i)
        inside = sum(g[i].contains(Point(*f["properties"]["label"])) for i, f in enumerate(feats))
        area = unary_union(g).area
        print(f"zoom {z}: {len(g)} grids, {invalid} invalid, overlap {overlap:.3g} deg2, union area {area:.9f}"
              f" against stored {stored_area:.9f} ({abs(area - stored_area) / stored_area:.2e}), labels inside {inside}")


if __name__ == "__main__":
    sys.exit(main())
