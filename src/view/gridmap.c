/* A plan's grids and divisions as a web map draws them: read once,
 * simplified per zoom as coverages, each feature's GeoJSON written once
 * so that an answer is a filter over boxes and a concatenation. */
#define _GNU_SOURCE /* open_memstream */
#include "govgrid/view.h"
#include "govgrid/incident.h"

#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "store/json.h"
#include "geo/blob.h"
#include "geo/simplify.h"
#include "govgrid/dispatch.h"
#include "govgrid/locate.h"
#include "store/store.h"

typedef struct feature {
    char *code, *community;     /* community: grids only */
    char *props;                /* the properties object, JSON */
    char *mini;                 /* the polyline form's properties (NULL: props) */
    char *text;                 /* the whole Feature, JSON */
    char *compact;              /* the Feature in the polyline form */
    double box[4];
    size_t vertices;
} feature;

enum { LEVEL_GRID, LEVEL_COMMUNITY, LEVEL_TOWNSHIP, LEVELS };

struct gg_gridmap {
    int64_t plan;
    int zoom;
    feature *f[LEVELS];
    size_t n[LEVELS];
    gg_ringset rings[LEVELS];   /* the unsimplified rings (loaded maps only) */
    double lat_mid;
    size_t bytes;
};

int gg_gridmap_bucket(int zoom)
{
    if (zoom >= 17)
        return GG_GRIDMAP_FULL;
    if (zoom <= 10)
        return 10;
    return zoom + (zoom & 1);
}

/* The decimals of a coordinate at zoom: a step of at most a quarter of a
 * pixel (256-pixel tiles). */
static int zoom_digits(int zoom)
{
    if (zoom >= GG_GRIDMAP_FULL)
        return 7;
    double pixel = 360.0 / (256.0 * ldexp(1.0, zoom));
    int d = (int)ceil(-log10(pixel / 4));
    return d < 0 ? 0 : d > 7 ? 7 : d;
}

static void feature_clear(feature *f)
{
    free(f->code);
    free(f->community);
    free(f->props);
    free(f->mini);
    free(f->text);
    free(f->compact);
}

void gg_gridmap_free(gg_ctx *ctx, gg_gridmap *map)
{
    if (map == NULL)
        return;
    for (int l = 0; l < LEVELS; l++) {
        for (size_t k = 0; k < map->n[l]; k++)
            feature_clear(&map->f[l][k]);
        gg_free(ctx, map->f[l]);
        gg_ringset_clear(ctx, &map->rings[l]);
    }
    gg_free(ctx, map);
}

int64_t gg_gridmap_plan(const gg_gridmap *map) { return map->plan; }
int gg_gridmap_zoom(const gg_gridmap *map) { return map->zoom; }
size_t gg_gridmap_grid_count(const gg_gridmap *map) { return map->n[LEVEL_GRID]; }
size_t gg_gridmap_bytes(const gg_gridmap *map) { return map->bytes; }

size_t gg_gridmap_vertices(const gg_gridmap *map)
{
    size_t n = 0;
    for (size_t k = 0; k < map->n[LEVEL_GRID]; k++)
        n += map->f[LEVEL_GRID][k].vertices;
    return n;
}

static void put_number(FILE *mem, double v, int digits)
{
    char b[48];
    int n = snprintf(b, sizeof b, "%.*f", digits, v);
    if (digits > 0) {
        while (n > 0 && b[n - 1] == '0')
            n--;
        if (n > 0 && b[n - 1] == '.')
            n--;
    }
    b[n] = 0;
    if (strcmp(b, "-0") == 0)
        strcpy(b, "0");
    fputs(b, mem);
}

/* One value of Google's Encoded Polyline Algorithm Format: the signed
 * integer delta, zigzagged, in 5-bit chunks from the lowest, each chunk
 * plus 63 (0x20 set on all but the last), written as JSON string content
 * (the backslash, 92, escaped). */
static void put_polyline_value(FILE *mem, long long delta)
{
    unsigned long long v = delta < 0 ? ~((unsigned long long)delta << 1) : (unsigned long long)delta << 1;
    do {
        unsigned c = (unsigned)(v & 0x1f);
        v >>= 5;
        if (v)
            c |= 0x20;
        c += 63;
        if (c == '\\')
            fputc('\\', mem);
        fputc((int)c, mem);
    } while (v);
}

/* The feature in the polyline form (see gg_gridmap_form) from its rings
 * [first, last) of set: each ring one encoded polyline of (lat, lon) at
 * digits decimals, the points left out as in write_feature. */
static gg_status write_compact(gg_ctx *ctx, feature *f, const gg_ringset *set, size_t first, size_t last, int digits)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (mem == NULL)
        return gg_error_nomem(ctx);
    /* the box of the points as written (integers of 1e-7 degree), rounded
     * outwards to 1e-6 */
    double scale = pow(10, digits);
    long long box[4] = {LLONG_MAX, LLONG_MAX, LLONG_MIN, LLONG_MIN};
    for (size_t r = first; r < last; r++)
        for (size_t k = set->start[r]; k < set->start[r + 1]; k++) {
            long long x = llround(set->xy[2 * k] * 1e7), y = llround(set->xy[2 * k + 1] * 1e7);
            box[0] = x < box[0] ? x : box[0];
            box[1] = y < box[1] ? y : box[1];
            box[2] = x > box[2] ? x : box[2];
            box[3] = y > box[3] ? y : box[3];
        }
    fputs("{\"type\":\"Feature\",\"bbox\":[", mem);
    for (int k = 0; k < 4; k++) {
        if (k)
            fputc(',', mem);
        if (last == first) {
            put_number(mem, f->box[k], 6);
            continue;
        }
        long long v = box[k], q = v / 10, rem = v % 10; /* q truncated towards zero */
        if (k < 2 && rem < 0)
            q--;
        if (k >= 2 && rem > 0)
            q++;
        put_number(mem, (double)q / 1e6, 6);
    }
    fprintf(mem, "],\"properties\":%s,\"geometry\":{\"type\":\"MultiPolygon\",\"encoding\":\"polyline\","
            "\"precision\":%d,\"polylines\":[",
            f->mini ? f->mini : f->props, digits);
    for (size_t r = first; r < last; r++) {
        if (!set->hole[r])
            fputs(r > first ? "\"],[\"" : "[\"", mem);
        else
            fputs("\",\"", mem);
        long long px = 0, py = 0;
        int n = 0;
        for (size_t k = set->start[r]; k < set->start[r + 1]; k++) {
            long long x = llround(set->xy[2 * k] * scale), y = llround(set->xy[2 * k + 1] * scale);
            if (n && x == px && y == py)
                continue;
            put_polyline_value(mem, y - py);
            put_polyline_value(mem, x - px);
            px = x;
            py = y;
            n++;
        }
    }
    fputs(last > first ? "\"]]}}" : "]}}", mem);
    if (fclose(mem) != 0) {
        free(text);
        return gg_error_nomem(ctx);
    }
    free(f->compact);
    f->compact = text;
    return GG_OK;
}

/* A feature's text from its properties and rings [first, last) of set,
 * coordinates with digits decimals (a point equal, once rounded, to the
 * one before it is left out; both neighbours of a shared edge leave out
 * the same ones). */
static gg_status write_feature(gg_ctx *ctx, feature *f, const gg_ringset *set, size_t first, size_t last,
                               int digits)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (mem == NULL)
        return gg_error_nomem(ctx);
    fprintf(mem, "{\"type\":\"Feature\",\"properties\":%s,\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[",
            f->props);
    double scale = pow(10, digits);
    size_t vertices = 0;
    for (size_t r = first; r < last; r++) {
        if (!set->hole[r])
            fputs(r > first ? "]],[[" : "[[", mem);
        else
            fputs("],[", mem);
        double px = NAN, py = NAN;
        int n = 0;
        for (size_t k = set->start[r]; k < set->start[r + 1]; k++) {
            double x = round(set->xy[2 * k] * scale) / scale, y = round(set->xy[2 * k + 1] * scale) / scale;
            if (x == px && y == py)
                continue;
            fputs(n ? ",[" : "[", mem);
            put_number(mem, x, digits);
            fputc(',', mem);
            put_number(mem, y, digits);
            fputc(']', mem);
            px = x;
            py = y;
            n++;
        }
        vertices += (size_t)n;
    }
    fputs(last > first ? "]]]}}" : "]}}", mem);
    if (fclose(mem) != 0) {
        free(text);
        return gg_error_nomem(ctx);
    }
    free(f->text);
    f->text = text;
    f->vertices = vertices;
    return GG_OK;
}

static void rings_box(const gg_ringset *set, size_t first, size_t last, double box[4])
{
    box[0] = box[1] = INFINITY;
    box[2] = box[3] = -INFINITY;
    for (size_t k = first < last ? set->start[first] : 0; first < last && k < set->start[last]; k++) {
        double x = set->xy[2 * k], y = set->xy[2 * k + 1];
        box[0] = fmin(box[0], x);
        box[1] = fmin(box[1], y);
        box[2] = fmax(box[2], x);
        box[3] = fmax(box[3], y);
    }
}

/* The centre of g's largest inscribed circle (the pole of inaccessibility),
 * to a hundredth of its box's larger side; the box's centre when GEOS
 * finds none. */
static void label_point(gg_ctx *ctx, const GEOSGeometry *g, const double box[4], double *lon, double *lat)
{
    GEOSContextHandle_t h = ctx->geos;
    *lon = (box[0] + box[2]) / 2;
    *lat = (box[1] + box[3]) / 2;
    double size = fmax(box[2] - box[0], box[3] - box[1]);
    GEOSGeometry *mic = GEOSMaximumInscribedCircle_r(h, g, size > 0 ? size / 100 : 1e-7);
    if (mic == NULL)
        return;
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, mic);
    double x, y;
    if (seq && GEOSCoordSeq_getXY_r(h, seq, 0, &x, &y)) {
        *lon = x;
        *lat = y;
    }
    GEOSGeom_destroy_r(h, mic);
}

static gg_status add_feature(gg_ctx *ctx, gg_gridmap *map, int level, size_t *cap, feature **out)
{
    if (gg_grow(ctx, (void **)&map->f[level], cap, map->n[level] + 1, sizeof *map->f[level]) != GG_OK)
        return GG_ERR_NOMEM;
    *out = &map->f[level][map->n[level]++];
    memset(*out, 0, sizeof **out);
    return GG_OK;
}

/* Reads a feature's geometry into map->rings[level] and sets its box and
 * label (into props). */
static gg_status read_geometry(gg_ctx *ctx, gg_gridmap *map, int level, feature *f, const void *blob, int size,
                               json_t *props)
{
    GEOSGeometry *g = NULL;
    gg_status st = gg_blob_to_geos(ctx, blob, (size_t)size, &g);
    if (st != GG_OK)
        return gg_error(ctx, st, "%s: its geometry cannot be read", f->code);
    gg_ringset *set = &map->rings[level];
    size_t first = set->n_rings;
    st = gg_ringset_add(ctx, set, g, (uint32_t)(map->n[level] - 1));
    if (st == GG_OK) {
        rings_box(set, first, set->n_rings, f->box);
        double lon, lat;
        label_point(ctx, g, f->box, &lon, &lat);
        json_object_set_new(props, "label",
                            json_pack("[f, f]", round(lon * 1e6) / 1e6, round(lat * 1e6) / 1e6));
    }
    GEOSGeom_destroy_r(ctx->geos, g);
    return st;
}

static char *dup_column(sqlite3_stmt *s, int k)
{
    const char *t = (const char *)sqlite3_column_text(s, k);
    return t ? strdup(t) : NULL;
}

/* Sets f->props from props, and for a grid f->mini: the properties the
 * polyline form keeps (what a map draws and labels a grid with). */
static gg_status set_props(gg_ctx *ctx, feature *f, json_t *props, int grid)
{
    static const char *const kept[] = {"code", "type", "households", "flags", "short_staffed", "label"};
    size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10);
    f->props = json_dumps(props, flags);
    if (f->props == NULL)
        return gg_error_nomem(ctx);
    if (!grid)
        return GG_OK;
    json_t *mini = json_object();
    for (size_t k = 0; mini && k < sizeof kept / sizeof kept[0]; k++) {
        json_t *v = json_object_get(props, kept[k]);
        if (v)
            json_object_set(mini, kept[k], v);
    }
    f->mini = mini ? json_dumps(mini, flags) : NULL;
    json_decref(mini);
    return f->mini ? GG_OK : gg_error_nomem(ctx);
}

static gg_status load_grids(gg_ctx *ctx, gg_store *store, gg_gridmap *map)
{
    sqlite3_stmt *s = NULL;
    gg_status st = gg_store_prepare(
        store,
        "SELECT g.code, g.type, g.community, c.name, g.name, g.households, g.persons, g.area_m2, g.flags,"
        " coalesce(w.leaders, 0), coalesce(w.fulltime, 0), coalesce(w.parttime, 0), g.geom,"
        " coalesce(w.volunteers, 0), substr(coalesce(c.urban_rural, '1'), 1, 1) = '2'"
        " FROM grid g LEFT JOIN division c ON c.code = g.community"
        " LEFT JOIN (SELECT grid_code, sum(role = 'leader') AS leaders, sum(role = 'fulltime') AS fulltime,"
        " sum(role = 'parttime') AS parttime, sum(role = 'volunteer') AS volunteers FROM worker"
        " GROUP BY grid_code) w ON w.grid_code = g.code"
        " WHERE g.plan = ?1 AND g.geom IS NOT NULL ORDER BY g.code",
        &s);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(s, 1, map->plan);
    /* Short-staffed by the project's staffing rule for the community's
     * class (urban-rural class 2xx rural, else urban). */
    gg_staffing_rule rules[2];
    st = gg_staffing_rules(ctx, store, rules);
    if (st != GG_OK) {
        sqlite3_finalize(s);
        return st;
    }
    static const char *const names[] = {"code", "type", "community", "community_name", "name",
                                        "households", "persons", "area_m2", "flags"};
    size_t cap = 0;
    int rc;
    while (st == GG_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        feature *f;
        if ((st = add_feature(ctx, map, LEVEL_GRID, &cap, &f)) != GG_OK)
            break;
        f->code = dup_column(s, 0);
        f->community = dup_column(s, 2);
        json_t *props = json_object();
        for (int k = 0; k < 9; k++)
            json_object_set_new(props, names[k], gg_column_json(s, k));
        json_object_set_new(props, "short_staffed",
                            json_boolean(gg_staffing_short(&rules[sqlite3_column_int(s, 14) != 0],
                                                           sqlite3_column_int(s, 9), sqlite3_column_int(s, 10),
                                                           sqlite3_column_int(s, 11), sqlite3_column_int(s, 13))));
        if (f->code == NULL)
            st = gg_error_nomem(ctx);
        else
            st = read_geometry(ctx, map, LEVEL_GRID, f, sqlite3_column_blob(s, 12), sqlite3_column_bytes(s, 12),
                               props);
        if (st == GG_OK)
            st = set_props(ctx, f, props, 1);
        json_decref(props);
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading grids");
    sqlite3_finalize(s);
    return st;
}

/* The communities the plan's grids are in, and their townships. */
static gg_status load_divisions(gg_ctx *ctx, gg_store *store, gg_gridmap *map)
{
    sqlite3_stmt *s = NULL;
    gg_status st = gg_store_prepare(
        store,
        "WITH c AS (SELECT DISTINCT community AS code FROM grid WHERE plan = ?1),"
        " t AS (SELECT DISTINCT d.parent AS code FROM division d JOIN c ON c.code = d.code)"
        " SELECT d.level, d.code, d.name, d.geom FROM division d WHERE d.geom IS NOT NULL AND"
        " ((d.level = 'community' AND d.code IN (SELECT code FROM c)) OR"
        " (d.level = 'township' AND d.code IN (SELECT code FROM t))) ORDER BY d.code",
        &s);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(s, 1, map->plan);
    size_t cap[LEVELS] = {0};
    int rc;
    while (st == GG_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        int level = strcmp((const char *)sqlite3_column_text(s, 0), "township") == 0 ? LEVEL_TOWNSHIP
                                                                                     : LEVEL_COMMUNITY;
        feature *f;
        if ((st = add_feature(ctx, map, level, &cap[level], &f)) != GG_OK)
            break;
        f->code = dup_column(s, 1);
        json_t *props = json_object();
        json_object_set_new(props, "level", gg_column_json(s, 0));
        json_object_set_new(props, "code", gg_column_json(s, 1));
        json_object_set_new(props, "name", gg_column_json(s, 2));
        if (f->code == NULL)
            st = gg_error_nomem(ctx);
        else
            st = read_geometry(ctx, map, level, f, sqlite3_column_blob(s, 3), sqlite3_column_bytes(s, 3), props);
        if (st == GG_OK)
            st = set_props(ctx, f, props, 0);
        json_decref(props);
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading divisions");
    sqlite3_finalize(s);
    return st;
}

/* Each feature's text from set (the rings of its level, polygon k being
 * feature k). */
static gg_status write_level(gg_ctx *ctx, gg_gridmap *map, int level, const gg_ringset *set, int digits)
{
    size_t r = 0;
    for (size_t k = 0; k < map->n[level]; k++) {
        size_t end = r;
        while (end < set->n_rings && set->poly[end] == k)
            end++;
        feature *f = &map->f[level][k];
        gg_status st = write_feature(ctx, f, set, r, end, digits);
        if (st == GG_OK)
            st = write_compact(ctx, f, set, r, end, digits);
        if (st != GG_OK)
            return st;
        map->bytes += strlen(f->text) + strlen(f->compact) + strlen(f->props) + (f->mini ? strlen(f->mini) : 0) +
                      sizeof(feature);
        r = end;
    }
    return GG_OK;
}

gg_status gg_gridmap_load(gg_ctx *ctx, gg_store *store, int64_t plan, gg_gridmap **out)
{
    *out = NULL;
    gg_gridmap *map = gg_calloc(ctx, 1, sizeof *map);
    if (map == NULL)
        return gg_error_nomem(ctx);
    map->zoom = GG_GRIDMAP_FULL;
    gg_status st = gg_store_resolve_plan(store, plan, &map->plan);
    if (st == GG_ERR_NOT_FOUND)
        st = plan > 0 ? gg_error(ctx, st, "no plan %lld", (long long)plan) : gg_error(ctx, st, "the project has no plan");
    if (st == GG_OK)
        st = load_grids(ctx, store, map);
    if (st == GG_OK)
        st = load_divisions(ctx, store, map);
    double s = 0, n = 0;
    for (size_t k = 0; k < map->n[LEVEL_GRID]; k++) {
        s += (map->f[LEVEL_GRID][k].box[1] + map->f[LEVEL_GRID][k].box[3]) / 2;
        n++;
    }
    map->lat_mid = n > 0 ? s / n : 0;
    for (int l = 0; st == GG_OK && l < LEVELS; l++) {
        st = write_level(ctx, map, l, &map->rings[l], 7);
        map->bytes += map->rings[l].n_points * 2 * sizeof(double);
    }
    if (st != GG_OK) {
        gg_gridmap_free(ctx, map);
        return st;
    }
    *out = map;
    return GG_OK;
}

gg_status gg_gridmap_simplify(gg_ctx *ctx, const gg_gridmap *base, int zoom, gg_gridmap **out)
{
    *out = NULL;
    if (zoom < 0 || zoom > 22)
        return gg_error(ctx, GG_ERR_ARG, "zoom %d: expected 0-22", zoom);
    int bucket = gg_gridmap_bucket(zoom);
    gg_gridmap *map = gg_calloc(ctx, 1, sizeof *map);
    if (map == NULL)
        return gg_error_nomem(ctx);
    map->plan = base->plan;
    map->zoom = bucket;
    map->lat_mid = base->lat_mid;
    double kx = cos(base->lat_mid * M_PI / 180);
    double tolerance = bucket >= GG_GRIDMAP_FULL ? 0 : 360.0 / (256.0 * ldexp(1.0, bucket)) * kx / 2;
    gg_status st = GG_OK;
    for (int l = 0; st == GG_OK && l < LEVELS; l++) {
        map->f[l] = gg_calloc(ctx, base->n[l] + 1, sizeof *map->f[l]);
        if (map->f[l] == NULL) {
            st = gg_error_nomem(ctx);
            break;
        }
        map->n[l] = base->n[l];
        for (size_t k = 0; k < base->n[l]; k++) {
            const feature *b = &base->f[l][k];
            feature *f = &map->f[l][k];
            memcpy(f->box, b->box, sizeof f->box);
            f->code = b->code ? strdup(b->code) : NULL;
            f->community = b->community ? strdup(b->community) : NULL;
            f->props = strdup(b->props);
            f->mini = b->mini ? strdup(b->mini) : NULL;
            if ((b->code && !f->code) || (b->community && !f->community) || !f->props || (b->mini && !f->mini))
                st = gg_error_nomem(ctx);
        }
        gg_ringset simple;
        if (st == GG_OK)
            st = gg_coverage_simplify(ctx, &base->rings[l], tolerance, kx, bucket >= GG_GRIDMAP_FULL ? 0 : pow(10, -zoom_digits(bucket)), &simple, NULL);
        if (st == GG_OK) {
            st = write_level(ctx, map, l, &simple, 7);
            gg_ringset_clear(ctx, &simple);
        }
    }
    if (st != GG_OK) {
        gg_gridmap_free(ctx, map);
        return st;
    }
    *out = map;
    return GG_OK;
}

static int box_meets(const double a[4], const double *b)
{
    return b == NULL || (a[2] >= b[0] && a[0] <= b[2] && a[3] >= b[1] && a[1] <= b[3]);
}

static gg_status collection(gg_ctx *ctx, const gg_gridmap *map, const int *levels, int n_levels,
                            const double *bbox, const char *community, int64_t limit, gg_gridmap_form form,
                            char **json, size_t *len)
{
    *json = NULL;
    *len = 0;
    FILE *mem = open_memstream(json, len);
    if (mem == NULL)
        return gg_error_nomem(ctx);
    fputs("{\"type\":\"FeatureCollection\",\"features\":[", mem);
    int64_t n = 0;
    for (int i = 0; i < n_levels; i++) {
        int l = levels[i];
        for (size_t k = 0; k < map->n[l] && (limit <= 0 || n < limit); k++) {
            const feature *f = &map->f[l][k];
            if (!box_meets(f->box, bbox) ||
                (community && (f->community == NULL || strcmp(f->community, community) != 0)))
                continue;
            if (n++)
                fputc(',', mem);
            fputs(form == GG_GRIDMAP_POLYLINE ? f->compact : f->text, mem);
        }
    }
    fprintf(mem, "],\"plan\":%lld,\"zoom\":", (long long)map->plan);
    if (map->zoom >= GG_GRIDMAP_FULL)
        fputs("null", mem);
    else
        fprintf(mem, "%d", map->zoom);
    fprintf(mem, ",\"count\":%lld}\n", (long long)n);
    if (fclose(mem) != 0) {
        free(*json);
        *json = NULL;
        *len = 0;
        return gg_error_nomem(ctx);
    }
    return GG_OK;
}

gg_status gg_gridmap_grids_geojson(gg_ctx *ctx, const gg_gridmap *map, const double *bbox, const char *community,
                                   int64_t limit, gg_gridmap_form form, char **json, size_t *len)
{
    static const int levels[] = {LEVEL_GRID};
    return collection(ctx, map, levels, 1, bbox, community, limit, form, json, len);
}

gg_status gg_gridmap_divisions_geojson(gg_ctx *ctx, const gg_gridmap *map, const double *bbox, gg_gridmap_form form,
                                       char **json, size_t *len)
{
    static const int levels[] = {LEVEL_TOWNSHIP, LEVEL_COMMUNITY};
    return collection(ctx, map, levels, 2, bbox, NULL, 0, form, json, len);
}
