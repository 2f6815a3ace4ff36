/* Loading one community for partitioning: its polygon, its household
 * points, the roads and waterways that may bound its grids, and the unit
 * parcels that may become dedicated grids. */
#include "partition/partition.h"
#include "store/plan.h"
#include "store/versions.h"

#include <math.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#include <stdio.h>
#include <string.h>


static const struct {
    const char *kind;
    int type;
} dedicated_kinds[] = {
    {"government", 2}, {"industrial", 3}, {"enterprise", 4}, {"school", 4},
    {"hospital", 4},   {"institution", 4}, {"office", 5},    {"market", 6},
    {"scenic", 7},     {"other", 9},
};

static gg_status load_community(pt_community *c)
{
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(c->store,
                                    "SELECT AsBinary(geom), name, coalesce(urban_rural, '') FROM division"
                                    " WHERE code = ?1 AND level = 'community'",
                                    &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_text(stmt, 1, c->code, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        c->geom = gg_store_column_geom(c->ctx, stmt, 0);
        const unsigned char *name = sqlite3_column_text(stmt, 1);
        if (name != NULL)
            c->name = gg_strdup(c->ctx, (const char *)name);
        snprintf(c->urban_rural, sizeof c->urban_rural, "%s", (const char *)sqlite3_column_text(stmt, 2));
    }
    sqlite3_finalize(stmt);
    if (c->geom == NULL)
        return gg_error(c->ctx, GG_ERR_NOT_FOUND, "community %s: no polygon in the project", c->code);
    GEOSGeom_getXMin_r(c->ctx->geos, c->geom, &c->minx);
    GEOSGeom_getYMin_r(c->ctx->geos, c->geom, &c->miny);
    GEOSGeom_getXMax_r(c->ctx->geos, c->geom, &c->maxx);
    GEOSGeom_getYMax_r(c->ctx->geos, c->geom, &c->maxy);
    double lat = (c->miny + c->maxy) / 2 * M_PI / 180.0;
    c->mx = 111320.0 * cos(lat);
    c->my = 110574.0;
    return GG_OK;
}

static gg_status load_households(pt_community *c)
{
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(c->store,
                                    "SELECT X(geom), Y(geom), count, persons FROM household"
                                    " WHERE community = ?1 ORDER BY fid",
                                    &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_text(stmt, 1, c->code, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        size_t n = c->n_points;
        if (n == c->cap_points) {
            size_t cap = c->cap_points;
            st = gg_grow(c->ctx, (void **)&c->px, &cap, n + 1, sizeof *c->px);
            cap = c->cap_points;
            if (st == GG_OK)
                st = gg_grow(c->ctx, (void **)&c->py, &cap, n + 1, sizeof *c->py);
            cap = c->cap_points;
            if (st == GG_OK)
                st = gg_grow(c->ctx, (void **)&c->ph, &cap, n + 1, sizeof *c->ph);
            cap = c->cap_points;
            if (st == GG_OK)
                st = gg_grow(c->ctx, (void **)&c->pp, &cap, n + 1, sizeof *c->pp);
            if (st != GG_OK)
                break;
            c->cap_points = cap;
        }
        c->px[n] = sqlite3_column_double(stmt, 0);
        c->py[n] = sqlite3_column_double(stmt, 1);
        c->ph[n] = sqlite3_column_int64(stmt, 2);
        c->pp[n] = sqlite3_column_type(stmt, 3) == SQLITE_NULL
                       ? (int64_t)llround((double)c->ph[n] * GG_PERSONS_PER_HOUSEHOLD)
                       : sqlite3_column_int64(stmt, 3);
        c->n_points++;
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(c->store, "reading households");
    sqlite3_finalize(stmt);
    return st;
}

static gg_status load_lines(pt_community *c)
{
    const double box[4] = {c->minx, c->miny, c->maxx, c->maxy};
    gg_status st = gg_store_block_lines(c->store, box, c->rural, &c->lines);
    if (st == GG_ERR_GEOMETRY)
        st = gg_error(c->ctx, GG_ERR_GEOMETRY, "community %s: %s", c->code, gg_ctx_errmsg(c->ctx));
    return st;
}

static int dedicated_type_of(const char *kind)
{
    for (size_t i = 0; kind && i < sizeof dedicated_kinds / sizeof dedicated_kinds[0]; i++)
        if (strcmp(kind, dedicated_kinds[i].kind) == 0)
            return dedicated_kinds[i].type;
    return 0;
}

static gg_status load_parcels(pt_community *c)
{
    GEOSContextHandle_t h = c->ctx->geos;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(
        c->store,
        "SELECT kind, name, AsBinary(geom) FROM unit WHERE fid IN (SELECT pkid FROM idx_unit_geom"
        " WHERE xmax >= ?1 AND xmin <= ?2 AND ymax >= ?3 AND ymin <= ?4)"
        " AND GeometryType(geom) IN ('POLYGON', 'MULTIPOLYGON') ORDER BY fid",
        &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_double(stmt, 1, c->minx);
    sqlite3_bind_double(stmt, 2, c->maxx);
    sqlite3_bind_double(stmt, 3, c->miny);
    sqlite3_bind_double(stmt, 4, c->maxy);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        int type = dedicated_type_of((const char *)sqlite3_column_text(stmt, 0));
        if (type == 0)
            continue;
        GEOSGeometry *g = gg_store_column_geom(c->ctx, stmt, 2);
        if (g == NULL)
            continue;
        GEOSGeometry *inside = GEOSIntersection_r(h, g, c->geom);
        GEOSGeom_destroy_r(h, g);
        if (inside == NULL) {
            st = gg_error(c->ctx, GG_ERR_GEOMETRY, "community %s: clipping a parcel: %s", c->code,
                          c->ctx->geos_msg);
            break;
        }
        if (pt_area_m2(c, inside) < c->dedicated_min_m2) {
            GEOSGeom_destroy_r(h, inside);
            continue;
        }
        size_t cap = c->cap_parcels;
        st = gg_grow(c->ctx, (void **)&c->parcels, &cap, c->n_parcels + 1, sizeof *c->parcels);
        cap = c->cap_parcels;
        if (st == GG_OK)
            st = gg_grow(c->ctx, (void **)&c->parcel_types, &cap, c->n_parcels + 1, sizeof *c->parcel_types);
        cap = c->cap_parcels;
        if (st == GG_OK)
            st = gg_grow(c->ctx, (void **)&c->parcel_names, &cap, c->n_parcels + 1, sizeof *c->parcel_names);
        if (st != GG_OK) {
            GEOSGeom_destroy_r(h, inside);
            break;
        }
        c->cap_parcels = cap;
        const unsigned char *name = sqlite3_column_text(stmt, 1);
        c->parcels[c->n_parcels] = inside;
        c->parcel_types[c->n_parcels] = type;
        c->parcel_names[c->n_parcels] = name ? gg_strdup(c->ctx, (const char *)name) : NULL;
        c->n_parcels++;
    }
    if (st == GG_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        st = gg_store_sql_error(c->store, "reading units");
    sqlite3_finalize(stmt);
    return st;
}

gg_status pt_load(pt_community *c)
{
    gg_status st = load_community(c);
    if (st == GG_OK)
        st = load_households(c);
    if (st == GG_OK)
        st = load_lines(c);
    if (st == GG_OK)
        st = load_parcels(c);
    if (st == GG_OK)
        st = gg_store_codes_highest(c->store, c->code, c->issued);
    return st;
}

double pt_area_m2(const pt_community *c, const GEOSGeometry *g)
{
    double a = 0;
    if (GEOSArea_r(c->ctx->geos, g, &a) != 1)
        return 0;
    return a * c->mx * c->my;
}
