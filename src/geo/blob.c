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

/* The dimensions (2, 3, 4) and elementary kind (1..7) of a class;
 * 0 for a compressed or unknown one. */
static int class_dims(uint32_t cls, uint32_t *kind)
{
    uint32_t base = cls % 1000, flavour = cls / 1000;
    *kind = base;
    if (base < 1 || base > 7 || flavour > 3)
        return 0;
    return flavour == 0 ? 2 : flavour == 3 ? 4 : 3;
}

/* A body of the given class; lines to fn when fn is not NULL. Returns
 * GG_BLOB_READ, _OTHER or _BAD. */
static gg_blob_kind body(blob_reader *r, uint32_t cls, int depth, void (*fn)(void *, const gg_blob_line *),
                         void *user)
{
    uint32_t kind;
    int dims = class_dims(cls, &kind);
    if (dims == 0)
        return cls >= 1000000 && cls <= 1003007 ? GG_BLOB_OTHER : GG_BLOB_BAD;
    size_t stride = (size_t)dims * 8;
    if (kind == 1) {
        if ((size_t)(r->end - r->p) < stride)
            return GG_BLOB_BAD;
        r->p += stride;
        return GG_BLOB_READ;
    }
    uint32_t n;
    if (!take_u32(r, &n))
        return GG_BLOB_BAD;
    if (kind == 2 || kind == 3) {
        uint32_t rings = kind == 2 ? 1 : n;
        for (uint32_t k = 0; k < rings; k++) {
            uint32_t points = n;
            if (kind == 3 && !take_u32(r, &points))
                return GG_BLOB_BAD;
            if ((size_t)(r->end - r->p) / stride < points)
                return GG_BLOB_BAD;
            if (fn != NULL) {
                gg_blob_line line = {r->p, points, (int)stride, r->swap, kind == 2 ? 0 : k == 0 ? 1 : -1};
                fn(user, &line);
            }
            r->p += points * stride;
        }
        return GG_BLOB_READ;
    }
    /* multi kinds: parts of their elementary kind (a collection: of any),
     * with the collection's dimensions */
    if (depth > 0)
        return GG_BLOB_BAD;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t part, part_kind;
        if (r->p >= r->end || *r->p != 0x69)
            return GG_BLOB_BAD;
        r->p++;
        if (!take_u32(r, &part))
            return GG_BLOB_BAD;
        int part_dims = class_dims(part, &part_kind);
        if (part_dims != 0 && (part_dims != dims || part_kind > 3 || (kind != 7 && part_kind != kind - 3)))
            return GG_BLOB_BAD;
        gg_blob_kind got = body(r, part, depth + 1, fn, user);
        if (got != GG_BLOB_READ)
            return got;
    }
    return GG_BLOB_READ;
}

gg_blob_kind gg_blob_lines(const unsigned char *blob, size_t size, double box[4],
                           void (*fn)(void *user, const gg_blob_line *line), void *user)
{
    if (blob == NULL || size < 44 || blob[0] != 0x00)
        return size >= 1 && blob != NULL && blob[0] == 0x80 ? GG_BLOB_OTHER : GG_BLOB_BAD; /* 0x80: TinyPoint */
    if ((blob[1] != 0x00 && blob[1] != 0x01) || blob[38] != 0x7C || blob[size - 1] != 0xFE)
        return GG_BLOB_BAD;
    blob_reader r = {blob + 39, blob + size - 1, (blob[1] == 0x01) != host_is_little_endian()};
    uint32_t cls = 0;
    take_u32(&r, &cls); /* 4 bytes there: size >= 44 */
    /* the whole first, so that a bad BLOB gives no line */
    gg_blob_kind got = body(&r, cls, 0, NULL, NULL);
    if (got == GG_BLOB_READ && r.p != r.end)
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

GEOSGeometry *gg_blob_to_geos(gg_ctx *ctx, const unsigned char *blob, size_t size)
{
    if (blob == NULL || size == 0 || size > 0x7fffffff) {
        gg_error(ctx, GG_ERR_GEOMETRY, "not a SpatiaLite geometry");
        return NULL;
    }
    gaiaGeomCollPtr gaia = gaiaFromSpatiaLiteBlobWkb(blob, (unsigned int)size);
    if (gaia == NULL) {
        gg_error(ctx, GG_ERR_GEOMETRY, "not a SpatiaLite geometry");
        return NULL;
    }
    unsigned char *wkb = NULL;
    int wkb_size = 0;
    gaiaToWkb(gaia, &wkb, &wkb_size);
    gaiaFreeGeomColl(gaia);
    if (wkb == NULL) {
        gg_error(ctx, GG_ERR_GEOMETRY, "cannot convert a SpatiaLite geometry to WKB");
        return NULL;
    }
    GEOSGeometry *g = GEOSGeomFromWKB_buf_r(ctx->geos, wkb, (size_t)wkb_size);
    free(wkb);
    if (g == NULL)
        gg_error(ctx, GG_ERR_GEOMETRY, "cannot read a SpatiaLite geometry's WKB: %s", ctx->geos_msg);
    return g;
}
