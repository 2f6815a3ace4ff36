/* Basemap tiles: XYZ tiles in Web Mercator of the project's roads,
 * waterways, units and households, drawn with the maps' canvas (the same
 * geometry walk, read from SpatiaLite BLOBs in place) and written as
 * PNGs in memory.
 *
 * Each layer is read through its spatial index (SpatiaLite's idx_*_geom
 * R*Tree) for the tile's box widened by a margin of pixels, so that a
 * road stroked across a tile's edge is drawn on both tiles and joins. */
#include "core/ctx.h"
#include "geo/blob.h"
#include "govgrid/render.h"
#include "render/canvas.h"
#include "render/png.h"
#include "store/store.h"

#include <cairo.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* The land under everything, light and warm (as OpenStreetMap's). */
static const gg_colour land = {242, 239, 233};
static const gg_colour water = {170, 211, 223};
static const gg_colour unit_fill = {217, 208, 201}, unit_line = {190, 176, 165}, unit_point = {169, 139, 111};
static const gg_colour household_point = {110, 98, 88};

/* Roads by OpenStreetMap's highway classes, most important first; a
 * *_link is drawn as its road, narrower. Each class appears from its
 * zoom on, and the zooms never fall down the table, so the classes shown
 * at a zoom are a prefix of it. Widths are pixels at zoom 16. An unknown
 * or missing class is drawn as a residential street. */
static const struct road_style {
    const char *cls;
    int min_zoom;
    double width16;
    gg_colour fill, casing;
    int dashed;
} roads[] = {
    {"motorway", 5, 9.0, {232, 146, 162}, {220, 42, 103}, 0},
    {"trunk", 5, 8.5, {249, 178, 156}, {200, 78, 47}, 0},
    {"primary", 8, 8.0, {252, 214, 164}, {160, 107, 0}, 0},
    {"secondary", 9, 7.0, {247, 250, 191}, {112, 125, 5}, 0},
    {"tertiary", 11, 6.0, {255, 255, 255}, {143, 143, 143}, 0},
    {"residential", 13, 4.5, {255, 255, 255}, {187, 187, 187}, 0},
    {"service", 14, 2.5, {255, 255, 255}, {187, 187, 187}, 0},
    {"path", 15, 1.2, {250, 128, 114}, {0, 0, 0}, 1},
};
enum { ROAD_STYLES = sizeof roads / sizeof roads[0], ROAD_DEFAULT = 5 };

/* Other classes drawn as one of the table's. */
static const struct {
    const char *cls;
    int style;
} road_aliases[] = {
    {"unclassified", 5}, {"living_street", 5}, {"road", 5},    {"footway", 7},   {"cycleway", 7},
    {"track", 7},        {"steps", 7},         {"pedestrian", 7}, {"bridleway", 7},
};

/* The SQL CASE giving a road's style from its class (the table above),
 * so that the index query returns only the classes shown at the zoom. */
static void road_style_case(char *buf, size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "CASE replace(class, '_link', '')");
    for (int i = 0; i < ROAD_STYLES && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, " WHEN '%s' THEN %d", roads[i].cls, i);
    for (size_t i = 0; i < sizeof road_aliases / sizeof road_aliases[0] && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, " WHEN '%s' THEN %d", road_aliases[i].cls,
                                 road_aliases[i].style);
    if (used < size)
        snprintf(buf + used, size - used, " ELSE %d END", ROAD_DEFAULT);
}

static void set_colour(cairo_t *cr, gg_colour c)
{
    cairo_set_source_rgb(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0);
}

/* A width of width16 pixels at zoom 16, 1.5 times as wide a zoom closer
 * (a street is wider on the screen as one zooms in, if not in
 * proportion), at least 0.6 px. */
static double zoom_width(double width16, int z, int scale)
{
    double w = width16 * pow(1.5, z - 16);
    return (w < 0.6 ? 0.6 : w > 48 ? 48 : w) * scale;
}

gg_status gg_tile_bounds(gg_ctx *ctx, const gg_tile_request *req, double box[4])
{
    if (ctx == NULL)
        return GG_ERR_ARG;
    if (req == NULL || box == NULL)
        return gg_error(ctx, GG_ERR_ARG, "gg_tile_bounds: NULL argument");
    if (req->z < 0 || req->z > GG_TILE_MAX_ZOOM)
        return gg_error(ctx, GG_ERR_ARG, "zoom %d is out of range (0 to %d)", req->z, GG_TILE_MAX_ZOOM);
    int64_t n = (int64_t)1 << req->z;
    if (req->x < 0 || req->x >= n || req->y < 0 || req->y >= n)
        return gg_error(ctx, GG_ERR_ARG, "tile %d/%d/%d does not exist: x and y go from 0 to %lld at zoom %d",
                        req->z, req->x, req->y, (long long)(n - 1), req->z);
    if (req->scale < 0 || req->scale > 2)
        return gg_error(ctx, GG_ERR_ARG, "tile scale %d: only 1 or 2", req->scale);
    box[0] = (double)req->x / (double)n * 360 - 180;
    box[2] = (double)(req->x + 1) / (double)n * 360 - 180;
    box[3] = gg_mercator_lat(180 - (double)req->y / (double)n * 360);
    box[1] = gg_mercator_lat(180 - (double)(req->y + 1) / (double)n * 360);
    return GG_OK;
}

/* One tile being drawn. */
typedef struct tile_job {
    gg_ctx *ctx;
    gg_store *store;
    cairo_t *cr;
    gg_view view;
    gg_sink sink;
    int z, scale;
    double query[4];            /* the tile's box widened by the margin */
    int64_t features;           /* rows drawn: 0 is an empty tile */
} tile_job;

/* Adds a BLOB geometry's rings and lines to the path: in place, or
 * through GEOS for a BLOB that cannot be read so (compressed). */
static void path_blob(tile_job *job, const void *blob, int size)
{
    if (blob == NULL || size <= 0)
        return;
    if (gg_walk_blob(&job->sink, &job->view, blob, (size_t)size))
        return;
    GEOSGeometry *g = NULL;
    if (gg_blob_to_geos(job->ctx, blob, (size_t)size, &g) == GG_OK) {
        gg_walk_geom(&job->sink, job->ctx->geos, &job->view, g);
        GEOSGeom_destroy_r(job->ctx->geos, g);
    }
    gg_ctx_clear_error(job->ctx);
}

/* A point BLOB's position on the tile; 0 when it is not a point read. */
static int point_xy(tile_job *job, const void *blob, int size, double *x, double *y)
{
    double box[4];
    if (blob == NULL || size <= 0 || !gg_blob_box(blob, (size_t)size, box))
        return 0;
    gg_to_page(&job->view, box[0], box[1], x, y);
    return 1;
}

/* A query of one layer through its spatial index, its rows in the
 * tile's box (?1..?4); the statement is bound and ready to step. */
static gg_status layer_query(tile_job *job, const char *sql, sqlite3_stmt **stmt)
{
    gg_status st = gg_store_prepare(job->store, sql, stmt);
    if (st != GG_OK)
        return st;
    for (int i = 0; i < 4; i++)
        sqlite3_bind_double(*stmt, i + 1, job->query[i]);
    return GG_OK;
}

static gg_status finish_query(tile_job *job, sqlite3_stmt *stmt, int rc)
{
    gg_status st = rc == SQLITE_DONE ? GG_OK : gg_store_sql_error(job->store, "reading a tile's features");
    sqlite3_finalize(stmt);
    return st;
}

#define IN_BOX(table)                                                                                                  \
    " WHERE fid IN (SELECT pkid FROM idx_" table "_geom WHERE xmax >= ?1 AND xmin <= ?3 AND ymax >= ?2 AND ymin <= ?4)"

/* Water areas filled, then waterways stroked (rivers and canals wider). */
static gg_status draw_water(tile_job *job)
{
    sqlite3_stmt *stmt = NULL;
    gg_status st = layer_query(job,
                               "SELECT geom, GeometryType(geom) LIKE '%POLYGON%', kind IN ('river', 'canal')"
                               " FROM waterway" IN_BOX("waterway") " ORDER BY 2 DESC",
                               &stmt);
    if (st != GG_OK)
        return st;
    cairo_t *cr = job->cr;
    set_colour(cr, water);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        job->features++;
        cairo_new_path(cr);
        path_blob(job, sqlite3_column_blob(stmt, 0), sqlite3_column_bytes(stmt, 0));
        if (sqlite3_column_int(stmt, 1)) {
            cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
            cairo_fill(cr);
        } else {
            cairo_set_line_width(cr, zoom_width(sqlite3_column_int(stmt, 2) ? 6 : 3, job->z, job->scale));
            cairo_stroke(cr);
        }
    }
    return finish_query(job, stmt, rc);
}

/* Units: buildings and campuses as outlined areas, the others (points)
 * as dots from zoom 15. */
static gg_status draw_units(tile_job *job)
{
    sqlite3_stmt *stmt = NULL;
    gg_status st = layer_query(job, "SELECT geom, GeometryType(geom) LIKE '%POINT%' FROM unit" IN_BOX("unit"), &stmt);
    if (st != GG_OK)
        return st;
    cairo_t *cr = job->cr;
    cairo_set_line_width(cr, 0.8 * job->scale);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const void *blob = sqlite3_column_blob(stmt, 0);
        int size = sqlite3_column_bytes(stmt, 0);
        job->features++;
        cairo_new_path(cr);
        if (sqlite3_column_int(stmt, 1)) {
            double x, y;
            if (job->z < 15 || !point_xy(job, blob, size, &x, &y))
                continue;
            cairo_arc(cr, x, y, 2.5 * job->scale, 0, 2 * M_PI);
            set_colour(cr, unit_point);
            cairo_fill(cr);
            continue;
        }
        path_blob(job, blob, size);
        cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
        set_colour(cr, unit_fill);
        cairo_fill_preserve(cr);
        set_colour(cr, unit_line);
        cairo_stroke(cr);
    }
    return finish_query(job, stmt, rc);
}

typedef struct road_row {
    unsigned char *blob;
    int size, style, link;
} road_row;

static int road_order(const void *a, const void *b)
{
    const road_row *p = a, *q = b;
    return q->style - p->style; /* the least important first, drawn under */
}

/* Roads: every casing first, then every fill, the least important class
 * first in each, so that junctions join and main roads lie on top. The
 * rows are read once and kept, sorted by class. */
static gg_status draw_roads(tile_job *job)
{
    int shown = -1;
    for (int i = 0; i < ROAD_STYLES; i++)
        if (roads[i].min_zoom <= job->z)
            shown = i;
    if (shown < 0)
        return GG_OK;
    char style_case[1024], sql[1600];
    road_style_case(style_case, sizeof style_case);
    snprintf(sql, sizeof sql, "SELECT geom, %s AS style, class LIKE '%%\\_link' ESCAPE '\\' FROM road" IN_BOX("road")
             " AND style <= %d", style_case, shown);
    sqlite3_stmt *stmt = NULL;
    gg_status st = layer_query(job, sql, &stmt);
    if (st != GG_OK)
        return st;
    road_row *rows = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        int size = sqlite3_column_bytes(stmt, 0);
        const void *blob = sqlite3_column_blob(stmt, 0);
        if (blob == NULL || size <= 0)
            continue;
        if ((st = gg_grow(job->ctx, (void **)&rows, &cap, n + 1, sizeof *rows)) != GG_OK)
            break;
        road_row *r = &rows[n];
        if ((r->blob = gg_malloc(job->ctx, (size_t)size)) == NULL) {
            st = gg_error_nomem(job->ctx);
            break;
        }
        memcpy(r->blob, blob, (size_t)size);
        r->size = size;
        r->style = sqlite3_column_int(stmt, 1);
        r->link = sqlite3_column_int(stmt, 2);
        n++;
    }
    if (st == GG_OK)
        st = finish_query(job, stmt, rc);
    else
        sqlite3_finalize(stmt);
    if (st == GG_OK && n > 0) {
        job->features += (int64_t)n;
        qsort(rows, n, sizeof *rows, road_order);
        cairo_t *cr = job->cr;
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        /* casings from zoom 12, where roads are wide enough to have them */
        for (int pass = job->z >= 12 ? 0 : 1; pass < 2; pass++) {
            for (size_t i = 0; i < n; i++) {
                const struct road_style *s = &roads[rows[i].style];
                if (pass == 0 && s->dashed)
                    continue;
                double w = zoom_width(s->width16 * (rows[i].link ? 0.7 : 1.0), job->z, job->scale);
                cairo_new_path(cr);
                path_blob(job, rows[i].blob, rows[i].size);
                set_colour(cr, pass == 0 ? s->casing : s->fill);
                cairo_set_line_width(cr, pass == 0 ? w + 2.0 * job->scale : w);
                if (pass == 1 && s->dashed) {
                    double dash[2] = {3.0 * job->scale, 2.0 * job->scale};
                    cairo_set_dash(cr, dash, 2, 0);
                }
                cairo_stroke(cr);
                cairo_set_dash(cr, NULL, 0, 0);
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        gg_free(job->ctx, rows[i].blob);
    gg_free(job->ctx, rows);
    return st;
}

/* Household points from zoom 16, larger closer in. */
static gg_status draw_households(tile_job *job)
{
    if (job->z < 16)
        return GG_OK;
    sqlite3_stmt *stmt = NULL;
    gg_status st = layer_query(job, "SELECT geom FROM household" IN_BOX("household"), &stmt);
    if (st != GG_OK)
        return st;
    cairo_t *cr = job->cr;
    double r = (job->z >= 18 ? 2.5 : job->z >= 17 ? 2.0 : 1.5) * job->scale;
    cairo_new_path(cr);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        double x, y;
        if (!point_xy(job, sqlite3_column_blob(stmt, 0), sqlite3_column_bytes(stmt, 0), &x, &y))
            continue;
        job->features++;
        cairo_new_sub_path(cr);
        cairo_arc(cr, x, y, r, 0, 2 * M_PI);
    }
    set_colour(cr, household_point);
    cairo_fill(cr);
    return finish_query(job, stmt, rc);
}

static gg_status tile_surface(gg_ctx *ctx, int scale, cairo_surface_t **surface, cairo_t **cr)
{
    int size = GG_TILE_SIZE * scale;
    *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, size, size);
    if (cairo_surface_status(*surface) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(*surface);
        return gg_error_nomem(ctx);
    }
    *cr = cairo_create(*surface);
    set_colour(*cr, land);
    cairo_paint(*cr);
    return GG_OK;
}

gg_status gg_tile_background(gg_ctx *ctx, int scale, gg_tile *out)
{
    if (ctx == NULL)
        return GG_ERR_ARG;
    if (out == NULL)
        return gg_error(ctx, GG_ERR_ARG, "gg_tile_background: NULL argument");
    memset(out, 0, sizeof *out);
    if (scale == 0)
        scale = 1;
    if (scale < 1 || scale > 2)
        return gg_error(ctx, GG_ERR_ARG, "tile scale %d: only 1 or 2", scale);
    cairo_surface_t *surface = NULL;
    cairo_t *cr = NULL;
    gg_status st = tile_surface(ctx, scale, &surface, &cr);
    if (st != GG_OK)
        return st;
    cairo_destroy(cr);
    st = gg_png_encode(ctx, surface, &out->png, &out->len);
    cairo_surface_destroy(surface);
    out->empty = 1;
    return st;
}

gg_status gg_tile_render(gg_ctx *ctx, gg_store *store, const gg_tile_request *req, gg_tile *out)
{
    if (ctx == NULL)
        return GG_ERR_ARG;
    if (store == NULL || out == NULL)
        return gg_error(ctx, GG_ERR_ARG, "gg_tile_render: NULL argument");
    memset(out, 0, sizeof *out);
    double box[4];
    gg_status st = gg_tile_bounds(ctx, req, box);
    if (st != GG_OK)
        return st;
    tile_job job;
    memset(&job, 0, sizeof job);
    job.ctx = ctx;
    job.store = store;
    job.z = req->z;
    job.scale = req->scale ? req->scale : 1;
    int size = GG_TILE_SIZE * job.scale;
    /* pixels = degrees of longitude (or of Mercator's y) times scale */
    gg_view *v = &job.view;
    v->lon0 = box[0];
    v->lat0 = gg_mercator_deg(box[1]);
    v->kx = 1;
    v->scale = size / (box[2] - box[0]);
    v->x0 = 0;
    v->y0 = 0;
    v->height = size;
    v->mercator = 1;
    /* wider than the widest stroke's half and a dot */
    double margin = 24.0 * job.scale / v->scale;
    job.query[0] = box[0] - margin;
    job.query[2] = box[2] + margin;
    job.query[1] = gg_mercator_lat(v->lat0 - margin);
    job.query[3] = gg_mercator_lat(gg_mercator_deg(box[3]) + margin);

    cairo_surface_t *surface = NULL;
    st = tile_surface(ctx, job.scale, &surface, &job.cr);
    if (st != GG_OK)
        return st;
    job.sink = gg_cairo_sink(job.cr);
    st = draw_water(&job);
    if (st == GG_OK)
        st = draw_units(&job);
    if (st == GG_OK)
        st = draw_roads(&job);
    if (st == GG_OK)
        st = draw_households(&job);
    cairo_destroy(job.cr);
    if (st == GG_OK && job.features == 0)
        out->empty = 1;
    else if (st == GG_OK)
        st = gg_png_encode(ctx, surface, &out->png, &out->len);
    cairo_surface_destroy(surface);
    return st;
}

void gg_tile_free(gg_ctx *ctx, gg_tile *tile)
{
    if (tile == NULL)
        return;
    gg_free(ctx, tile->png);
    memset(tile, 0, sizeof *tile);
}
