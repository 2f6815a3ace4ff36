/* Typed readers of a plan, the communities and the household points. */
#include "store/plan.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

gg_status gg_store_plan_windows(gg_store *store, int64_t plan, gg_plan_windows *w)
{
    *w = (gg_plan_windows){300, 500, 250, 350, 0, 0};
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store, "SELECT params FROM plan WHERE id = ?1", &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, plan);
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != NULL) {
        const char *p = (const char *)sqlite3_column_text(stmt, 0);
        int a, b, c;
        const char *u = strstr(p, "\"urban\":[");
        if (u && sscanf(u, "\"urban\":[%d,%d,%d]", &a, &b, &c) == 3)
            w->urban_min = a, w->urban_max = c;
        const char *r = strstr(p, "\"rural\":[");
        if (r && sscanf(r, "\"rural\":[%d,%d,%d]", &a, &b, &c) == 3)
            w->rural_min = a, w->rural_max = c;
        w->class122_rural = strstr(p, "\"class122\":\"rural\"") != NULL;
        w->class123_rural = strstr(p, "\"class123\":\"rural\"") != NULL;
    }
    sqlite3_finalize(stmt);
    return GG_OK;
}

gg_status gg_store_plan_imported(gg_store *store, int64_t plan, int *imported)
{
    *imported = 0;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store, "SELECT source = 'import' FROM plan WHERE id = ?1", &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, plan);
    *imported = sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_int(stmt, 0) == 1;
    sqlite3_finalize(stmt);
    return GG_OK;
}

int gg_plan_windows_rural(const gg_plan_windows *w, const char *ur)
{
    return strcmp(ur, "210") == 0 || strcmp(ur, "220") == 0 || (strcmp(ur, "122") == 0 && w->class122_rural) ||
           (strcmp(ur, "123") == 0 && w->class123_rural);
}


gg_status gg_store_plan_grids(gg_store *store, int64_t plan, int with_geom, gg_plan_grid **out, size_t *n)
{
    gg_ctx *ctx = store->ctx;
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT code, coalesce(type, 0), coalesce(community, ''), households, persons,"
                                    " coalesce(flags, ''), CASE WHEN ?2 THEN AsBinary(geom) END, locked FROM grid"
                                    " WHERE plan = ?1"
                                    " ORDER BY community, code",
                                    &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, plan);
    sqlite3_bind_int(stmt, 2, with_geom != 0);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        st = gg_grow(ctx, (void **)out, &cap, *n + 1, sizeof **out);
        if (st != GG_OK)
            break;
        gg_plan_grid *g = &(*out)[(*n)++];
        memset(g, 0, sizeof *g);
        gg_store_column_text(stmt, 0, g->code, sizeof g->code);
        g->type = sqlite3_column_int(stmt, 1);
        gg_store_column_text(stmt, 2, g->community, sizeof g->community);
        g->counted = sqlite3_column_type(stmt, 3) != SQLITE_NULL;
        g->households = sqlite3_column_int64(stmt, 3);
        g->persons = sqlite3_column_int64(stmt, 4);
        gg_store_column_text(stmt, 5, g->flags, sizeof g->flags);
        g->geom = gg_store_column_geom(ctx, stmt, 6);
        g->locked = sqlite3_column_int(stmt, 7);
        gg_ctx_clear_error(ctx);
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading the plan's grids");
    sqlite3_finalize(stmt);
    if (st != GG_OK) {
        gg_plan_grids_free(ctx, *out, *n);
        *out = NULL;
        *n = 0;
    }
    return st;
}

void gg_plan_grids_free(gg_ctx *ctx, gg_plan_grid *grids, size_t n)
{
    for (size_t i = 0; grids != NULL && i < n; i++)
        if (grids[i].geom)
            GEOSGeom_destroy_r(ctx->geos, grids[i].geom);
    gg_free(ctx, grids);
}

gg_status gg_store_community_grids(gg_store *store, int64_t plan, const char *community, gg_community_grid **out,
                                   size_t *n)
{
    gg_ctx *ctx = store->ctx;
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT code, coalesce(type, 0), coalesce(name, ''), AsBinary(geom), locked FROM main.grid"
                                    " WHERE plan = ?1 AND community = ?2 ORDER BY code",
                                    &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, plan);
    sqlite3_bind_text(stmt, 2, community, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        st = gg_grow(ctx, (void **)out, &cap, *n + 1, sizeof **out);
        if (st != GG_OK)
            break;
        gg_community_grid *g = &(*out)[(*n)++];
        memset(g, 0, sizeof *g);
        gg_store_column_text(stmt, 0, g->code, sizeof g->code);
        g->type = sqlite3_column_int(stmt, 1);
        gg_store_column_text(stmt, 2, g->name, sizeof g->name);
        g->geom = gg_store_column_geom(ctx, stmt, 3);
        g->locked = sqlite3_column_int(stmt, 4);
        gg_ctx_clear_error(ctx);
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading a community's grids");
    sqlite3_finalize(stmt);
    if (st != GG_OK) {
        gg_community_grids_free(ctx, *out, *n);
        *out = NULL;
        *n = 0;
    }
    return st;
}

void gg_community_grids_free(gg_ctx *ctx, gg_community_grid *grids, size_t n)
{
    for (size_t i = 0; grids != NULL && i < n; i++)
        if (grids[i].geom)
            GEOSGeom_destroy_r(ctx->geos, grids[i].geom);
    gg_free(ctx, grids);
}

gg_status gg_store_share_other_grids(gg_store *store, int64_t from, int64_t to, const char *const *communities,
                                    size_t n)
{
    /* The communities kept out, as a JSON array bound once. */
    size_t len = 3;
    for (size_t i = 0; i < n; i++)
        len += strlen(communities[i]) + 3;
    char *list = gg_malloc(store->ctx, len);
    if (list == NULL)
        return gg_error_nomem(store->ctx);
    size_t at = 0;
    list[at++] = '[';
    for (size_t i = 0; i < n; i++)
        at += (size_t)sprintf(list + at, "%s\"%s\"", i ? "," : "", communities[i]);
    list[at++] = ']';
    list[at] = '\0';
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "INSERT INTO main.plan_grid(plan, code, fid) SELECT ?2, m.code, m.fid"
                                    " FROM main.plan_grid m JOIN main.grid_row r ON r.fid = m.fid WHERE m.plan = ?1"
                                    " AND coalesce(r.community, '') NOT IN (SELECT value FROM json_each(?3))",
                                    &stmt);
    if (st == GG_OK) {
        sqlite3_bind_int64(stmt, 1, from);
        sqlite3_bind_int64(stmt, 2, to);
        sqlite3_bind_text(stmt, 3, list, -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            st = gg_store_sql_error(store, "carrying the other communities' grids over");
        sqlite3_finalize(stmt);
    }
    gg_free(store->ctx, list);
    return st;
}

gg_status gg_store_community_name(gg_store *store, const char *community, char *out, size_t size)
{
    out[0] = '\0';
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store, "SELECT coalesce(name, '') FROM division WHERE code = ?1", &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_text(stmt, 1, community, -1, SQLITE_STATIC);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        gg_store_column_text(stmt, 0, out, size);
    else if (rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading a community's name");
    sqlite3_finalize(stmt);
    return st;
}

gg_status gg_store_community_class(gg_store *store, const char *community, char *out, size_t size)
{
    out[0] = '\0';
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store, "SELECT coalesce(urban_rural, '') FROM division WHERE code = ?1", &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_text(stmt, 1, community, -1, SQLITE_STATIC);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        gg_store_column_text(stmt, 0, out, size);
    else if (rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading a community's class");
    sqlite3_finalize(stmt);
    return st;
}

gg_status gg_store_communities(gg_store *store, gg_community_row **out, size_t *n)
{
    gg_ctx *ctx = store->ctx;
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT code, coalesce(urban_rural, ''), AsBinary(geom) FROM division"
                                    " WHERE level = 'community' AND geom IS NOT NULL ORDER BY code",
                                    &stmt);
    if (st != GG_OK)
        return st;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        GEOSGeometry *g = gg_store_column_geom(ctx, stmt, 2);
        gg_ctx_clear_error(ctx);
        if (g == NULL)
            continue;
        st = gg_grow(ctx, (void **)out, &cap, *n + 1, sizeof **out);
        if (st != GG_OK) {
            GEOSGeom_destroy_r(ctx->geos, g);
            break;
        }
        gg_community_row *c = &(*out)[(*n)++];
        gg_store_column_text(stmt, 0, c->code, sizeof c->code);
        gg_store_column_text(stmt, 1, c->urban_rural, sizeof c->urban_rural);
        c->geom = g;
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading the communities");
    sqlite3_finalize(stmt);
    if (st != GG_OK) {
        gg_community_rows_free(ctx, *out, *n);
        *out = NULL;
        *n = 0;
    }
    return st;
}

void gg_community_rows_free(gg_ctx *ctx, gg_community_row *rows, size_t n)
{
    for (size_t i = 0; rows != NULL && i < n; i++)
        if (rows[i].geom)
            GEOSGeom_destroy_r(ctx->geos, rows[i].geom);
    gg_free(ctx, rows);
}

gg_status gg_store_households_each(gg_store *store, gg_household_fn fn, void *user)
{
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store, "SELECT id, X(geom), Y(geom), count, persons FROM household ORDER BY fid",
                                    &stmt);
    if (st != GG_OK)
        return st;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(stmt, 0);
        int64_t households = sqlite3_column_int64(stmt, 3);
        int64_t persons = sqlite3_column_type(stmt, 4) == SQLITE_NULL
                              ? (int64_t)llround((double)households * GG_PERSONS_PER_HOUSEHOLD)
                              : sqlite3_column_int64(stmt, 4);
        if (fn(user, id ? id : "", sqlite3_column_double(stmt, 1), sqlite3_column_double(stmt, 2),
               households, persons) != 0) {
            sqlite3_finalize(stmt);
            return GG_ERR_CANCELLED;
        }
    }
    if (rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading household points");
    sqlite3_finalize(stmt);
    return st;
}

gg_status gg_store_households_in_box(gg_store *store, const double box[4], gg_household_fn fn, void *user)
{
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT id, X(geom), Y(geom), count, persons FROM household WHERE fid IN"
                                    " (SELECT pkid FROM idx_household_geom WHERE xmax >= ?1 AND xmin <= ?3"
                                    " AND ymax >= ?2 AND ymin <= ?4) ORDER BY fid",
                                    &stmt);
    if (st != GG_OK)
        return st;
    for (int i = 0; i < 4; i++)
        sqlite3_bind_double(stmt, i + 1, box[i]);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(stmt, 0);
        int64_t households = sqlite3_column_int64(stmt, 3);
        int64_t persons = sqlite3_column_type(stmt, 4) == SQLITE_NULL
                              ? (int64_t)llround((double)households * GG_PERSONS_PER_HOUSEHOLD)
                              : sqlite3_column_int64(stmt, 4);
        if (fn(user, id ? id : "", sqlite3_column_double(stmt, 1), sqlite3_column_double(stmt, 2), households,
               persons) != 0) {
            sqlite3_finalize(stmt);
            return GG_ERR_CANCELLED;
        }
    }
    if (rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading household points");
    sqlite3_finalize(stmt);
    return st;
}

gg_status gg_store_set_grid_counts(gg_store *store, int64_t plan, size_t n, const char *const *codes,
                                   const int64_t *households, const int64_t *persons, const char *const *flags,
                                   int only_missing, int64_t *changed)
{
    *changed = 0;
    /* A grid is written only where its figures differ: a row the plan
     * shares with another stays shared (the grid view writes a new row
     * for a changed one), and an update of the view has no count of its
     * own (sqlite3_changes), so the grids are found first. */
    sqlite3_stmt *find = NULL, *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT households IS NOT ?3 OR persons IS NOT ?4 OR (?5 AND flags IS NOT nullif(?6, ''))"
                                    " FROM grid WHERE plan = ?1 AND code = ?2 AND (NOT ?7 OR households IS NULL)",
                                    &find);
    if (st == GG_OK)
        st = gg_store_prepare(store,
                              "UPDATE grid SET households = ?3, persons = ?4,"
                              " flags = CASE WHEN ?5 THEN nullif(?6, '') ELSE flags END"
                              " WHERE plan = ?1 AND code = ?2",
                              &stmt);
    for (size_t i = 0; i < n && st == GG_OK; i++) {
        sqlite3_stmt *both[2] = {find, stmt};
        for (int k = 0; k < 2; k++) {
            sqlite3_bind_int64(both[k], 1, plan);
            sqlite3_bind_text(both[k], 2, codes[i], -1, SQLITE_STATIC);
            sqlite3_bind_int64(both[k], 3, households[i]);
            sqlite3_bind_int64(both[k], 4, persons[i]);
            sqlite3_bind_int(both[k], 5, flags != NULL);
            if (flags != NULL)
                sqlite3_bind_text(both[k], 6, flags[i], -1, SQLITE_STATIC);
            else
                sqlite3_bind_null(both[k], 6);
        }
        sqlite3_bind_int(find, 7, only_missing != 0);
        int rc = sqlite3_step(find);
        int differs = rc == SQLITE_ROW && sqlite3_column_int(find, 0);
        if (rc == SQLITE_ROW)
            (*changed)++;
        else if (rc != SQLITE_DONE)
            st = gg_store_sql_error(store, "reading grid household counts");
        sqlite3_reset(find);
        if (st == GG_OK && differs && sqlite3_step(stmt) != SQLITE_DONE)
            st = gg_store_sql_error(store, "storing grid household counts");
        sqlite3_reset(stmt);
    }
    sqlite3_finalize(find);
    sqlite3_finalize(stmt);
    return st;
}

/* Road classes (OSM highway values) that bound urban grids: streets and
 * lanes, not footpaths. Rural grids follow main roads only. */
static const char *const urban_road_classes =
    "'motorway','trunk','primary','secondary','tertiary','unclassified','residential',"
    "'living_street','service','pedestrian','motorway_link','trunk_link','primary_link',"
    "'secondary_link','tertiary_link','road'";
static const char *const rural_road_classes =
    "'motorway','trunk','primary','secondary','tertiary','unclassified','motorway_link',"
    "'trunk_link','primary_link','secondary_link','tertiary_link'";

/* Collects the line geometries (and polygon boundaries) stmt reads into
 * *list, with its ?1-?4 bound to box (west, east, south, north order of
 * the R*Tree's columns). */
static gg_status collect_lines(gg_store *store, sqlite3_stmt *stmt, const double box[4], GEOSGeometry ***list,
                               size_t *n, size_t *cap)
{
    GEOSContextHandle_t h = store->ctx->geos;
    sqlite3_bind_double(stmt, 1, box[0]);
    sqlite3_bind_double(stmt, 2, box[2]);
    sqlite3_bind_double(stmt, 3, box[1]);
    sqlite3_bind_double(stmt, 4, box[3]);
    gg_status st = GG_OK;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        GEOSGeometry *g = gg_store_column_geom(store->ctx, stmt, 0);
        if (g == NULL)
            continue;
        int type = GEOSGeomTypeId_r(h, g);
        if (type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON) {
            GEOSGeometry *b = GEOSBoundary_r(h, g);
            GEOSGeom_destroy_r(h, g);
            g = b;
            if (g == NULL)
                continue;
        }
        st = gg_grow(store->ctx, (void **)list, cap, *n + 1, sizeof **list);
        if (st != GG_OK) {
            GEOSGeom_destroy_r(h, g);
            break;
        }
        (*list)[(*n)++] = g;
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading roads and waterways");
    return st;
}

gg_status gg_store_block_lines(gg_store *store, const double box[4], int rural, GEOSGeometry **out)
{
    GEOSContextHandle_t h = store->ctx->geos;
    *out = NULL;
    GEOSGeometry **list = NULL;
    size_t n = 0, cap = 0;
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT AsBinary(geom) FROM road WHERE fid IN (SELECT pkid FROM idx_road_geom WHERE"
             " xmax >= ?1 AND xmin <= ?2 AND ymax >= ?3 AND ymin <= ?4)"
             " AND (class IN (%s)%s) ORDER BY fid",
             rural ? rural_road_classes : urban_road_classes, rural ? "" : " OR class IS NULL");
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store, sql, &stmt);
    if (st == GG_OK)
        st = collect_lines(store, stmt, box, &list, &n, &cap);
    sqlite3_finalize(stmt);
    stmt = NULL;
    if (st == GG_OK)
        st = gg_store_prepare(store,
                              "SELECT AsBinary(geom) FROM waterway WHERE fid IN (SELECT pkid FROM"
                              " idx_waterway_geom WHERE xmax >= ?1 AND xmin <= ?2 AND ymax >= ?3 AND"
                              " ymin <= ?4) AND coalesce(kind, '') NOT IN ('drain', 'ditch', 'coastline')"
                              " ORDER BY fid",
                              &stmt);
    if (st == GG_OK)
        st = collect_lines(store, stmt, box, &list, &n, &cap);
    sqlite3_finalize(stmt);
    if (st == GG_OK && n > 0) {
        /* One collection; GEOS takes the parts over. */
        GEOSGeometry *all = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, list, (unsigned)n);
        if (all == NULL) {
            st = gg_error(store->ctx, GG_ERR_GEOMETRY, "cannot collect roads and waterways: %s",
                          store->ctx->geos_msg);
        } else {
            n = 0; /* owned by the collection now */
            *out = all;
        }
    }
    for (size_t i = 0; i < n; i++)
        GEOSGeom_destroy_r(h, list[i]);
    gg_free(store->ctx, list);
    return st;
}
