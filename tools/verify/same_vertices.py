#!/usr/bin/python3
"""Whether exported grid files carry the same polygons vertex for vertex.

    tools/verify/same_vertices.py REFERENCE OTHER...

Each file is read with GDAL; every grid (by its code) is made a
MultiPolygon and normalised (ring order and orientation, which Shapefile
changes), and its WKT compared with the reference's at full precision.
Prints the codes that differ; exit status 1 when any does.
"""
import sys

from osgeo import ogr

ogr.UseExceptions()


def polygons(path):
    ds = ogr.Open(path)
    layer = ds.GetLayer(0)
    out = {}
    for f in layer:
        g = f.GetGeometryRef()
        if g is None and "WKT" in f.keys():
            g = ogr.CreateGeometryFromWkt(f.GetField("WKT"))
        g = ogr.ForceToMultiPolygon(g.Clone())
        g.Normalize()
        out[f.GetField("code")] = g.ExportToIsoWkt()
    layer = None
    ds = None
    return out


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    reference = polygons(argv[1])
    bad = 0
    for path in argv[2:]:
        other = polygons(path)
        differ = [code for code in reference if other.get(code) != reference[code]]
        differ += [code for code in other if code not in reference]
        if differ:
            bad = 1
            print(f"{path}: {len(differ)} grid(s) differ from {argv[1]}: {' '.join(differ[:8])}")
    return bad


if __name__ == "__main__":
    sys.exit(main(sys.argv))
