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
