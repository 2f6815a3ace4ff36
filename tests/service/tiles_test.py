#!/usr/bin/python3
"""The basemap tiles and the answers' caching and compression: a tile over
a road is a PNG (256 px, 512 px @2x) unlike an empty one, with an ETag and
Cache-Control: public, asked again with If-None-Match it is a 304 with no
body; every empty tile is the same background; tiles out of range are JSON
404s; a JSON answer over 1 KiB comes gzip-compressed when the client
accepts it (Vary: Accept-Encoding), decoding to the plain answer, and
plain when it refuses gzip (q=0); JSON answers get ETags and 304s too.

    tiles_test.py GOVGRID FIXTURES_DIR WORK_DIR
"""
import gzip
import http.client
import json
import math
import os
import struct
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import svc  # noqa: E402
from svc import check  # noqa: E402

govgrid, fixtures, work = sys.argv[1:4]
project, keys, key = svc.make_project(govgrid, fixtures, work)
# A primary road east-west across the square grids, a street north-south.
roads = os.path.join(work, "roads.csv")
with open(roads, "w") as f:
    f.write('id,class,name,wkt\n'
            'r1,primary,长安街,"LINESTRING(115.99 40.005,116.03 40.005)"\n'
            'r2,residential,胡同,"LINESTRING(116.005 39.99,116.005 40.02)"\n')
subprocess.run([govgrid, "import", project, "roads", roads, "--quiet"], check=True)
service = svc.Service(govgrid, project, keys, os.path.join(work, "serve.log"))


def get(path, *headers):
    c = http.client.HTTPConnection("127.0.0.1", service.port, timeout=10)
    c.request("GET", path, headers=dict(h.split(": ", 1) for h in headers))
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body


def tile_of(lon, lat, z):
    n = 2 ** z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def png_size(body):
    return struct.unpack(">II", body[16:24]) if body[:8] == b"\x89PNG\r\n\x1a\n" else (0, 0)


x, y = tile_of(116.01, 40.005, 16)
status, h, road = get(f"/tiles/16/{x}/{y}.png")
check(status == 200, f"a tile over the road: 200 (got {status})")
check(h.get("content-type") == "image/png", f"content-type image/png (got {h.get('content-type')})")
check(png_size(road) == (256, 256), f"a PNG of 256 x 256 (got {png_size(road)})")
check(h.get("cache-control") == "public, max-age=86400", f"cacheable a day (got {h.get('cache-control')})")
etag = h.get("etag", "")
check(etag.startswith('"') and etag.endswith('"') and len(etag) > 2, f"a strong ETag (got {etag!r})")
check("content-encoding" not in h, "a PNG is not compressed again")

status, h, again = get(f"/tiles/16/{x}/{y}.png")
check(status == 200 and again == road and h.get("etag") == etag, "asked again: the same tile and ETag (kept)")
status, h, body = get(f"/tiles/16/{x}/{y}.png", f"If-None-Match: {etag}")
check(status == 304 and body == b"", f"If-None-Match with its ETag: 304, no body (got {status}, {len(body)} bytes)")
check(h.get("etag") == etag, "the 304 names the ETag")
status, _, _ = get(f"/tiles/16/{x}/{y}.png", 'If-None-Match: "0000000000000000"')
check(status == 200, f"If-None-Match with another ETag: 200 (got {status})")

status, h, big = get(f"/tiles/16/{x}/{y}@2x.png")
check(status == 200 and png_size(big) == (512, 512), f"@2x: a PNG of 512 x 512 (got {status}, {png_size(big)})")

ex, ey = tile_of(10.0, 50.0, 16)  # far from the project
status, h, empty = get(f"/tiles/16/{ex}/{ey}.png")
check(status == 200 and png_size(empty) == (256, 256), f"an empty tile: 200, a PNG (got {status})")
check(empty != road, "an empty tile differs from the road's")
status, h2, empty2 = get(f"/tiles/16/{ex + 1}/{ey}.png")
check(empty2 == empty and h2.get("etag") == h.get("etag"), "every empty tile is the one background, one ETag")
status, _, world = get("/tiles/0/0/0.png")
check(status == 200 and png_size(world) == (256, 256), f"the world at zoom 0: 200 (got {status})")

for path, what in [("/tiles/20/0/0.png", "zoom 20"), (f"/tiles/3/8/0.png", "x 8 at zoom 3"),
                   ("/tiles/3/0/8.png", "y 8 at zoom 3"), ("/tiles/3/0/0.webp", "not .png")]:
    status, h, body = get(path)
    ok = status == 404 and h.get("content-type", "").startswith("application/json")
    try:
        ok = ok and json.loads(body)["error"]["code"] == 404
    except (ValueError, KeyError):
        ok = False
    check(ok, f"{what}: a JSON 404 (got {status} {body[:80]!r})")

# gzip of JSON: the grids with a key are well over 1 KiB.
auth = f"X-API-Key: {key}"
status, h, plain = get("/v1/grids", auth)
check(status == 200 and len(plain) > 1024, f"/v1/grids: 200 and over 1 KiB (got {status}, {len(plain)} bytes)")
check("content-encoding" not in h, "not asked for gzip: plain")
check("accept-encoding" in h.get("vary", "").lower(), f"Vary: Accept-Encoding (got {h.get('vary')})")
status, hz, packed = get("/v1/grids", auth, "Accept-Encoding: gzip, deflate")
check(status == 200 and hz.get("content-encoding") == "gzip", f"Accept-Encoding gzip: gzip (got {hz.get('content-encoding')})")
check(len(packed) < len(plain), f"smaller ({len(packed)} < {len(plain)} bytes)")
try:
    check(gzip.decompress(packed) == plain, "gzip decodes to the plain answer")
except OSError as e:
    check(False, f"gzip decodes: {e}")
check("accept-encoding" in hz.get("vary", "").lower(), "Vary: Accept-Encoding on the compressed answer")
check(hz.get("cache-control") == "no-store", f"a keyed answer stays no-store (got {hz.get('cache-control')})")
status, h, body = get("/v1/grids", auth, "Accept-Encoding: gzip;q=0, identity")
check("content-encoding" not in h and body == plain, "gzip;q=0: plain")
# ETags of JSON: either representation's tag revalidates.
plain_tag, gz_tag = get("/v1/grids", auth)[1].get("etag"), hz.get("etag")
check(plain_tag is not None and gz_tag is not None and plain_tag != gz_tag,
      f"plain and gzip answers have their own ETags ({plain_tag}, {gz_tag})")
status, _, body = get("/v1/grids", auth, f"If-None-Match: {plain_tag}")
check(status == 304 and body == b"", f"/v1/grids with its ETag: 304 (got {status})")
status, _, body = get("/v1/grids", auth, "Accept-Encoding: gzip", f"If-None-Match: W/{gz_tag}")
check(status == 304 and body == b"", f"/v1/grids with the weak gzip ETag: 304 (got {status})")
status, _, body = get("/v1/grids", f"If-None-Match: {plain_tag}")
check(status == 401, f"without a key, If-None-Match earns nothing: 401 (got {status})")

status, h, body = get("/v1/palette", "Accept-Encoding: gzip")
try:
    palette = json.loads(gzip.decompress(body) if h.get("content-encoding") == "gzip" else body)
    check(palette["classes"][0]["key"] == "none" and palette["dedicated"]["colour"].startswith("#"),
          "the palette: the no-count class first, the dedicated colour")
except (ValueError, KeyError, OSError) as e:
    check(False, f"the palette reads as JSON: {e}")

rc, _ = service.stop()
check(rc == 0, f"stopped cleanly (exit {rc})")
svc.finish()
