/* Fuzz target: the SpatiaLite BLOB reader the maps draw from
 * (gg_blob_lines, geo/blob.h) on arbitrary bytes.
 *
 * Besides not reading outside the bytes: a BLOB refused gives no line; a
 * BLOB read in place is one SpatiaLite reads too, with the same lines and
 * rings of the same points; gg_blob_to_geos gives no geometry for a
 * BLOB refused, and fails, if it does, with a message (SpatiaLite's
 * reader, given the kinds not read in place, sees only BLOBs found well
 * formed: it trusts a compressed line's count of points). */
#include "fuzz_check.h"

#include <sqlite3.h>
#include <spatialite/gaiageo.h>
#include <string.h>

#include "core/ctx.h"
#include "geo/blob.h"

static gg_ctx *fuzz_ctx(void)
{
    static gg_ctx *ctx;
    if (ctx == NULL) {
        gg_status st = gg_ctx_new(&ctx);
        FUZZ_CHECK(st == GG_OK && ctx != NULL, "gg_ctx_new: %s", gg_status_str(st));
    }
    return ctx;
}

typedef struct tally {
    size_t lines, points;
    double sum;
} tally;

static void count_line(void *user, const gg_blob_line *line)
{
    tally *t = user;
    t->lines++;
    t->points += line->n;
    for (uint32_t i = 0; i < line->n; i++) {
        double x, y;
        gg_blob_xy(line, i, &x, &y);
        t->sum += x == x ? x : 0; /* reads every point (NaN left out of the sum) */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tally t = {0, 0, 0};
    double box[4];
    gg_blob_kind kind = gg_blob_lines(data, size, box, count_line, &t);
    FUZZ_CHECK(kind == GG_BLOB_READ || kind == GG_BLOB_OTHER || kind == GG_BLOB_BAD, "kind %d", (int)kind);
    if (kind != GG_BLOB_READ) {
        FUZZ_CHECK(t.lines == 0, "%zu lines from a BLOB not read", t.lines);
    } else {
        double hbox[4];
        FUZZ_CHECK(gg_blob_box(data, size, hbox), "a BLOB read has no box");
        FUZZ_CHECK(memcmp(box, hbox, sizeof box) == 0, "two boxes");
        gaiaGeomCollPtr g = gaiaFromSpatiaLiteBlobWkb(data, (unsigned int)size);
        FUZZ_CHECK(g != NULL, "read in place, refused by SpatiaLite");
        size_t lines = 0, points = 0;
        for (gaiaLinestringPtr l = g->FirstLinestring; l != NULL; l = l->Next)
            lines++, points += (size_t)l->Points;
        for (gaiaPolygonPtr p = g->FirstPolygon; p != NULL; p = p->Next) {
            lines += 1 + (size_t)p->NumInteriors;
            points += (size_t)p->Exterior->Points;
            for (int i = 0; i < p->NumInteriors; i++)
                points += (size_t)p->Interiors[i].Points;
        }
        gaiaFreeGeomColl(g);
        FUZZ_CHECK(lines == t.lines && points == t.points, "%zu lines of %zu points here, %zu of %zu in SpatiaLite",
                   t.lines, t.points, lines, points);
    }
    {
        gg_ctx *ctx = fuzz_ctx();
        gg_ctx_clear_error(ctx);
        GEOSGeometry *g = NULL;
        gg_status st = gg_blob_to_geos(ctx, data, size, &g);
        FUZZ_CHECK((st == GG_OK) == (g != NULL), "status %d with%s a geometry", (int)st, g ? "" : "out");
        FUZZ_CHECK(kind != GG_BLOB_BAD || g == NULL, "a geometry from a BLOB refused");
        if (g != NULL)
            GEOSGeom_destroy_r(ctx->geos, g);
        else
            FUZZ_CHECK(gg_ctx_errmsg(ctx)[0] != '\0', "no message");
    }
    return 0;
}
