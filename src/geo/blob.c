/* SpatiaLite BLOBs of GEOS geometries. */
#include "geo/blob.h"

#include <sqlite3.h>
#include <spatialite/gaiageo.h>
#include <stdlib.h>
#include <string.h>

#include "govgrid/store.h"

static void put_u32(unsigned char *p, uint32_t v)
{
    memcpy(p, &v, 4); /* SpatiaLite blobs here are little-endian (flag 0x01) */
}

static void put_f64(unsigned char *p, double v)
{
    memcpy(p, &v, 8);
}

static int host_is_little_endian(void)
{
    const uint16_t probe = 1;
    return *(const unsigned char *)&probe == 1;
}

/* A point's SpatiaLite BLOB is 60 bytes of fixed layout; building it here
 * spares the WKB round trip for the most numerous layer (households). */
static gg_status point_blob(gg_ctx *ctx, double x, double y, unsigned char **blob, int *size)
{
    unsigned char *b = malloc(60);
    if (b == NULL)
        return gg_error_nomem(ctx);
    b[0] = 0x00;
    b[1] = 0x01;
    put_u32(b + 2, GG_STORAGE_SRID);
    put_f64(b + 6, x);
    put_f64(b + 14, y);
    put_f64(b + 22, x);
    put_f64(b + 30, y);
    b[38] = 0x7C;
    put_u32(b + 39, 1);
    put_f64(b + 43, x);
    put_f64(b + 51, y);
    b[59] = 0xFE;
    *blob = b;
    *size = 60;
    return GG_OK;
}

gg_status gg_geom_to_blob(gg_ctx *ctx, const GEOSGeometry *geom, unsigned char **blob, int *size)
{
    GEOSContextHandle_t h = ctx->geos;
    *blob = NULL;
    *size = 0;
    if (GEOSGeomTypeId_r(h, geom) == GEOS_POINT && host_is_little_endian()) {
        double x, y;
        if (GEOSGeomGetX_r(h, geom, &x) != 1 || GEOSGeomGetY_r(h, geom, &y) != 1)
            return gg_error(ctx, GG_ERR_GEOMETRY, "cannot read a point's coordinates");
        return point_blob(ctx, x, y, blob, size);
    }
    size_t wkb_size = 0;
    unsigned char *wkb = GEOSGeomToWKB_buf_r(h, geom, &wkb_size);
    if (wkb == NULL)
        return gg_error(ctx, GG_ERR_GEOMETRY, "cannot encode geometry: %s", ctx->geos_msg);
    gaiaGeomCollPtr gaia = gaiaFromWkb(wkb, (unsigned int)wkb_size);
    GEOSFree_r(h, wkb);
    if (gaia == NULL)
        return gg_error(ctx, GG_ERR_GEOMETRY, "cannot convert geometry to SpatiaLite");
    gaia->Srid = GG_STORAGE_SRID;
    unsigned char *raw = NULL;
    int raw_size = 0;
    gaiaToSpatiaLiteBlobWkb(gaia, &raw, &raw_size);
    gaiaFreeGeomColl(gaia);
    if (raw == NULL)
        return gg_error_nomem(ctx);
    *blob = raw; /* SpatiaLite allocates with malloc, as this file does */
    *size = raw_size;
    return GG_OK;
}

/* Reading a BLOB in place. Its layout: 0x00, the byte order (0x01
 * little-endian, 0x00 big), the SRID (int32), the box (4 doubles), 0x7C,
 * the class (int32), the body, 0xFE. Classes: 1 point, 2 linestring, 3
 * polygon, 4..7 the multi kinds and collections, each part 0x69 then its
 * class and body; + 1000 with z, + 2000 with m, + 3000 with both; from
 * 1,000,000 the compressed kinds (not read here). */
typedef struct blob_reader {
    const unsigned char *p, *end;
    int swap;
} blob_reader;

static uint32_t swap32(uint32_t v)
{
    return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
}

static double get_f64(const unsigned char *p, int swap)
{
    uint64_t u;
    memcpy(&u, p, 8);
    if (swap)
        u = ((uint64_t)swap32((uint32_t)u) << 32) | swap32((uint32_t)(u >> 32));
    double v;
    memcpy(&v, &u, 8);
    return v;
}

void gg_blob_xy(const gg_blob_line *line, uint32_t i, double *x, double *y)
{
    const unsigned char *p = line->xy + (size_t)i * (size_t)line->stride;
    *x = get_f64(p, line->swap);
    *y = get_f64(p + 8, line->swap);
}

static int take_u32(blob_reader *r, uint32_t *v)
{
    if (r->end - r->p < 4)
        return 0;
    memcpy(v, r->p, 4);
    if (r->swap)
        *v = swap32(*v);
    r->p += 4;
    return 1;
}

/* A class: its elementary kind (1..7), dimensions (2, 3, 4), whether
 * it has m, and whether compressed (linestrings and polygons only: the
 * first and last point of a line in doubles, those between as float
 * offsets, m kept a double). 0 for a class SpatiaLite does not write. */
typedef struct blob_class {
    uint32_t kind;
    int dims, has_m, compressed;
} blob_class;

static int class_of(uint32_t cls, blob_class *c)
{
    c->compressed = cls >= 1000000;
    if (c->compressed)
        cls -= 1000000;
    uint32_t flavour = cls / 1000;
    c->kind = cls % 1000;
    if (c->kind < 1 || c->kind > 7 || flavour > 3 || (c->compressed && c->kind != 2 && c->kind != 3))
        return 0;
    c->dims = flavour == 0 ? 2 : flavour == 3 ? 4 : 3;
    c->has_m = flavour >= 2;
    return 1;
}

/* Steps over a line of n points of class c: GG_BLOB_BAD when the bytes
 * are short; a compressed line is left to SpatiaLite (GG_BLOB_OTHER). */
static gg_blob_kind line_bytes(blob_reader *r, const blob_class *c, uint32_t n, size_t *stride)
{
    size_t full = (size_t)c->dims * 8, avail = (size_t)(r->end - r->p);
    *stride = full;
    if (!c->compressed) {
        if (avail / full < n)
            return GG_BLOB_BAD;
        r->p += n * full;
        return GG_BLOB_READ;
    }
    size_t inner = (size_t)(c->dims - c->has_m) * 4 + (c->has_m ? 8 : 0);
    if (n < 2 || avail < 2 * full || (avail - 2 * full) / inner < n - 2)
        return GG_BLOB_BAD;
    r->p += 2 * full + (n - 2) * inner;
    return GG_BLOB_OTHER;
}

/* A body of the given class; when fn is not NULL (and the whole was found
 * GG_BLOB_READ), its lines to fn. Returns GG_BLOB_READ, _OTHER (somewhere
 * a compressed line, all else well formed) or _BAD. */
static gg_blob_kind body(blob_reader *r, uint32_t cls, int depth, void (*fn)(void *, const gg_blob_line *),
                         void *user)
{
    blob_class c;
    if (!class_of(cls, &c))
        return GG_BLOB_BAD;
    if (c.kind == 1) {
        if ((size_t)(r->end - r->p) < (size_t)c.dims * 8)
            return GG_BLOB_BAD;
        r->p += (size_t)c.dims * 8;
        return GG_BLOB_READ;
    }
    uint32_t n;
    if (!take_u32(r, &n))
        return GG_BLOB_BAD;
    gg_blob_kind all = GG_BLOB_READ;
    if (c.kind == 2 || c.kind == 3) {
        uint32_t rings = c.kind == 2 ? 1 : n;
        for (uint32_t k = 0; k < rings; k++) {
            uint32_t points = n;
            if (c.kind == 3 && !take_u32(r, &points))
                return GG_BLOB_BAD;
            const unsigned char *xy = r->p;
            size_t stride;
            gg_blob_kind got = line_bytes(r, &c, points, &stride);
            if (got == GG_BLOB_BAD)
                return GG_BLOB_BAD;
            if (got == GG_BLOB_OTHER)
                all = GG_BLOB_OTHER;
            else if (fn != NULL) {
                gg_blob_line line = {xy, points, (int)stride, r->swap, c.kind == 2 ? 0 : k == 0 ? 1 : -1};
                fn(user, &line);
            }
        }
        return all;
    }
    /* multi kinds: parts of their elementary kind (a collection: of any),
     * with the collection's dimensions */
    if (depth > 0)
        return GG_BLOB_BAD;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t part;
        blob_class pc;
        if (r->p >= r->end || *r->p != 0x69)
            return GG_BLOB_BAD;
        r->p++;
        if (!take_u32(r, &part) || !class_of(part, &pc))
            return GG_BLOB_BAD;
        if (pc.dims != c.dims || pc.has_m != c.has_m || pc.kind > 3 || (c.kind != 7 && pc.kind != c.kind - 3))
            return GG_BLOB_BAD;
        gg_blob_kind got = body(r, part, depth + 1, fn, user);
        if (got == GG_BLOB_BAD)
            return GG_BLOB_BAD;
        if (got == GG_BLOB_OTHER)
            all = GG_BLOB_OTHER;
    }
    return all;
}

/* A TinyPoint: 0x00, 0x81 (little-endian) or 0x80, the SRID, the class
 * (1 XY, 2 XYZ, 3 XYM, 4 XYZM), the doubles, 0xFE. */
static gg_blob_kind tiny_point(const unsigned char *blob, size_t size)
{
    if (size < 7)
        return GG_BLOB_BAD;
    int dims = blob[6] == 1 ? 2 : blob[6] == 2 || blob[6] == 3 ? 3 : blob[6] == 4 ? 4 : 0;
    return dims != 0 && size == 8 + 8 * (size_t)dims && blob[size - 1] == 0xFE ? GG_BLOB_OTHER : GG_BLOB_BAD;
}

gg_blob_kind gg_blob_lines(const unsigned char *blob, size_t size, double box[4],
                           void (*fn)(void *user, const gg_blob_line *line), void *user)
{
    if (blob != NULL && size >= 2 && blob[0] == 0x00 && (blob[1] == 0x80 || blob[1] == 0x81))
        return tiny_point(blob, size);
    if (blob == NULL || size < 44 || blob[0] != 0x00)
        return GG_BLOB_BAD;
    if ((blob[1] != 0x00 && blob[1] != 0x01) || blob[38] != 0x7C || blob[size - 1] != 0xFE)
        return GG_BLOB_BAD;
    blob_reader r = {blob + 39, blob + size - 1, (blob[1] == 0x01) != host_is_little_endian()};
    uint32_t cls = 0;
    take_u32(&r, &cls); /* 4 bytes there: size >= 44 */
    /* the whole first, so that a bad BLOB gives no line */
    gg_blob_kind got = body(&r, cls, 0, NULL, NULL);
    if (got != GG_BLOB_BAD && r.p != r.end)
        got = GG_BLOB_BAD;
    if (got != GG_BLOB_READ)
        return got;
    if (box != NULL)
        for (int k = 0; k < 4; k++)
            box[k] = get_f64(blob + 6 + 8 * k, r.swap);
    if (fn != NULL) {
        r.p = blob + 43;
        body(&r, cls, 0, fn, user);
    }
    return GG_BLOB_READ;
}

int gg_blob_box(const unsigned char *blob, size_t size, double box[4])
{
    if (blob == NULL || size < 44 || blob[0] != 0x00 || (blob[1] != 0x00 && blob[1] != 0x01) || blob[38] != 0x7C)
        return 0;
    int swap = (blob[1] == 0x01) != host_is_little_endian();
    for (int k = 0; k < 4; k++)
        box[k] = get_f64(blob + 6 + 8 * k, swap);
    return 1;
}

/* Building GEOS geometries from a BLOB found well formed and read in
 * place: coordinates copied through buf (x, y only). */
typedef struct blob_builder {
    gg_ctx *ctx;
    blob_reader r;
    double *buf;
    size_t cap;
    int oom;
} blob_builder;

static GEOSCoordSequence *build_seq(blob_builder *b, const blob_class *c)
{
    uint32_t n = 0;
    take_u32(&b->r, &n);
    if (gg_grow(b->ctx, (void **)&b->buf, &b->cap, 2 * (size_t)n + 2, sizeof *b->buf) != GG_OK) {
        b->oom = 1;
        return NULL;
    }
    gg_blob_line line = {b->r.p, n, c->dims * 8, b->r.swap, 0};
    for (uint32_t i = 0; i < n; i++)
        gg_blob_xy(&line, i, &b->buf[2 * i], &b->buf[2 * i + 1]);
    b->r.p += (size_t)n * (size_t)line.stride;
    return GEOSCoordSeq_copyFromBuffer_r(b->ctx->geos, b->buf, n, 0, 0);
}

static GEOSGeometry *build(blob_builder *b, uint32_t cls)
{
    GEOSContextHandle_t h = b->ctx->geos;
    blob_class c;
    class_of(cls, &c);
    if (c.kind == 1) {
        gg_blob_line line = {b->r.p, 1, c.dims * 8, b->r.swap, 0};
        double x, y;
        gg_blob_xy(&line, 0, &x, &y);
        b->r.p += (size_t)line.stride;
        return GEOSGeom_createPointFromXY_r(h, x, y);
    }
    if (c.kind == 2) {
        GEOSCoordSequence *seq = build_seq(b, &c);
        return seq ? GEOSGeom_createLineString_r(h, seq) : NULL;
    }
    uint32_t n = 0;
    take_u32(&b->r, &n);
    static const int types[] = {GEOS_MULTIPOINT, GEOS_MULTILINESTRING, GEOS_MULTIPOLYGON, GEOS_GEOMETRYCOLLECTION};
    if (n == 0)
        return c.kind == 3 ? GEOSGeom_createEmptyPolygon_r(h) : GEOSGeom_createEmptyCollection_r(h, types[c.kind - 4]);
    GEOSGeometry **parts = gg_calloc(b->ctx, n, sizeof *parts);
    if (parts == NULL) {
        b->oom = 1;
        return NULL;
    }
    uint32_t made = 0;
    for (; made < n; made++) {
        if (c.kind == 3) {
            GEOSCoordSequence *seq = build_seq(b, &c);
            parts[made] = seq ? GEOSGeom_createLinearRing_r(h, seq) : NULL;
        } else {
            uint32_t part = 0;
            b->r.p++; /* 0x69 */
            take_u32(&b->r, &part);
            parts[made] = build(b, part);
        }
        if (parts[made] == NULL)
            break;
    }
    GEOSGeometry *g = NULL;
    if (made == n) {
        g = c.kind == 3 ? GEOSGeom_createPolygon_r(h, parts[0], parts + 1, n - 1)
                        : GEOSGeom_createCollection_r(h, types[c.kind - 4], parts, n);
        made = 0; /* taken over (or, on GEOS's failure, freed by it) */
    }
    for (uint32_t i = 0; i < made; i++)
        GEOSGeom_destroy_r(h, parts[i]);
    gg_free(b->ctx, parts);
    return g;
}

gg_status gg_blob_to_geos(gg_ctx *ctx, const unsigned char *blob, size_t size, GEOSGeometry **out)
{
    *out = NULL;
    gg_blob_kind kind = gg_blob_lines(blob, size, NULL, NULL, NULL);
    if (kind == GG_BLOB_BAD)
        return gg_error(ctx, GG_ERR_GEOMETRY, "not a SpatiaLite geometry, or a truncated one");
    if (kind == GG_BLOB_READ) {
        blob_builder b = {ctx, {blob + 43, blob + size - 1, (blob[1] == 0x01) != host_is_little_endian()}, NULL, 0, 0};
        uint32_t cls = 0;
        memcpy(&cls, blob + 39, 4);
        if (b.r.swap)
            cls = swap32(cls);
        ctx->geos_msg[0] = '\0';
        GEOSGeometry *g = build(&b, cls);
        gg_free(ctx, b.buf);
        if (g == NULL)
            return b.oom ? gg_error_nomem(ctx)
                         : gg_error(ctx, GG_ERR_GEOMETRY, "cannot build a geometry from a SpatiaLite BLOB: %s",
                                    ctx->geos_msg);
        *out = g;
        return GG_OK;
    }
    /* compressed and TinyPoint BLOBs, found well formed: SpatiaLite's own reader */
    if (size > 0x7fffffff)
        return gg_error(ctx, GG_ERR_GEOMETRY, "a SpatiaLite geometry of more than 2 GB");
    gaiaGeomCollPtr gaia = gaiaFromSpatiaLiteBlobWkb(blob, (unsigned int)size);
    if (gaia == NULL)
        return gg_error(ctx, GG_ERR_GEOMETRY, "not a SpatiaLite geometry");
    unsigned char *wkb = NULL;
    int wkb_size = 0;
    gaiaToWkb(gaia, &wkb, &wkb_size);
    gaiaFreeGeomColl(gaia);
    if (wkb == NULL)
        return gg_error(ctx, GG_ERR_GEOMETRY, "cannot convert a SpatiaLite geometry to WKB");
    ctx->geos_msg[0] = '\0';
    GEOSGeometry *g = GEOSGeomFromWKB_buf_r(ctx->geos, wkb, (size_t)wkb_size);
    free(wkb);
    if (g == NULL)
        return gg_error(ctx, GG_ERR_GEOMETRY, "cannot read a SpatiaLite geometry's WKB: %s", ctx->geos_msg);
    *out = g;
    return GG_OK;
}
