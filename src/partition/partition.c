/* gg_partition: every community of the project divided into grids, stored
 * as a new plan in one transaction. */
#include "partition/partition.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo/blob.h"
#include "govgrid/code.h"
#include "govgrid/geo.h"

void gg_partition_options_init(gg_partition_options *opts)
{
    memset(opts, 0, sizeof *opts);
}

const char *gg_grid_flags_text(int flags, char *buf, size_t size)
{
    static const struct {
        int flag;
        const char *word;
    } words[] = {{GG_GRID_OVER_MAX, "over_max"},     {GG_GRID_UNDER_MIN, "under_min"},
                 {GG_GRID_ISLAND, "island"},         {GG_GRID_INDIVISIBLE, "indivisible"},
                 {GG_GRID_SMALL_COMMUNITY, "small_community"},
                 {GG_GRID_NO_HOUSEHOLDS, "no_households"}, {GG_GRID_MULTIPART, "multipart"},
                 {GG_GRID_INFEASIBLE, "infeasible"}};
    if (size == 0)
        return buf;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (!(flags & words[i].flag))
            continue;
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s%s", used ? "," : "", words[i].word);
    }
    return buf;
}

static void defaults(gg_partition_options *o)
{
    if (o->urban_min == 0)
        o->urban_min = 300;
    if (o->urban_max == 0)
        o->urban_max = 500;
    if (o->urban_target == 0)
        o->urban_target = (o->urban_min + o->urban_max) / 2;
    if (o->rural_min == 0)
        o->rural_min = 250;
    if (o->rural_max == 0)
        o->rural_max = 350;
    if (o->rural_target == 0)
        o->rural_target = (o->rural_min + o->rural_max) / 2;
    if (o->dedicated_min_m2 <= 0)
        o->dedicated_min_m2 = 10000.0;
}

void pt_community_free(pt_community *c)
{
    gg_ctx *ctx = c->ctx;
    GEOSContextHandle_t h = ctx->geos;
    if (c->geom)
        GEOSGeom_destroy_r(h, c->geom);
    if (c->lines)
        GEOSGeom_destroy_r(h, c->lines);
    for (size_t i = 0; i < c->n_parcels; i++) {
        GEOSGeom_destroy_r(h, c->parcels[i]);
        gg_free(ctx, c->parcel_names[i]);
    }
    for (size_t i = 0; i < c->n_units; i++)
        if (c->units[i].geom)
            GEOSGeom_destroy_r(h, c->units[i].geom);
    for (size_t i = 0; i < c->n_grids; i++) {
        if (c->grids[i].geom)
            GEOSGeom_destroy_r(h, c->grids[i].geom);
        gg_free(ctx, c->grids[i].name);
    }
    gg_transform_free(c->to_metric);
    gg_free(ctx, c->name);
    gg_free(ctx, c->px);
    gg_free(ctx, c->py);
    gg_free(ctx, c->ph);
    gg_free(ctx, c->pp);
    gg_free(ctx, c->parcels);
    gg_free(ctx, c->parcel_types);
    gg_free(ctx, c->parcel_names);
    gg_free(ctx, c->units);
    gg_free(ctx, c->edges);
    gg_free(ctx, c->grids);
    memset(c, 0, sizeof *c);
}

static gg_status list_communities(gg_ctx *ctx, gg_store *store, const gg_partition_options *o,
                                  char (**codes)[13], size_t *n)
{
    *codes = NULL;
    *n = 0;
    size_t cap = 0;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT code FROM division WHERE level = 'community' AND geom IS NOT NULL"
                                    " ORDER BY code",
                                    &stmt);
    if (st != GG_OK)
        return st;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(stmt, 0);
        int wanted = o->n_communities == 0;
        for (size_t i = 0; i < o->n_communities && !wanted; i++)
            wanted = strcmp(o->communities[i], code) == 0;
        if (!wanted)
            continue;
        st = gg_grow(ctx, (void **)codes, &cap, *n + 1, sizeof **codes);
        if (st != GG_OK)
            break;
        snprintf((*codes)[(*n)++], 13, "%s", code);
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "listing communities");
    sqlite3_finalize(stmt);
    if (st != GG_OK)
        return st;
    for (size_t i = 0; i < o->n_communities; i++) {
        int found = 0;
        for (size_t k = 0; k < *n && !found; k++)
            found = strcmp((*codes)[k], o->communities[i]) == 0;
        if (!found)
            return gg_error(ctx, GG_ERR_NOT_FOUND, "%s: no community with code '%s' and a polygon",
                            store->path, o->communities[i]);
    }
    if (*n == 0)
        return gg_error(ctx, GG_ERR_NOT_FOUND,
                        "%s: no communities to partition (import divisions with 12-digit codes and polygons first)",
                        store->path);
    return GG_OK;
}

static gg_status create_plan(gg_store *store, const gg_partition_options *o, int64_t *plan)
{
    char now[32], params[512];
    gg_utc_now(now, sizeof now);
    snprintf(params, sizeof params,
             "{\"urban\":[%d,%d,%d],\"rural\":[%d,%d,%d],\"class122\":\"%s\",\"class123\":\"%s\","
             "\"dedicated_min_m2\":%.0f,\"seed\":%llu}",
             o->urban_min, o->urban_target, o->urban_max, o->rural_min, o->rural_target, o->rural_max,
             o->class122_rural ? "rural" : "urban", o->class123_rural ? "rural" : "urban",
             o->dedicated_min_m2, (unsigned long long)o->seed);
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "INSERT INTO plan(created, source, note, params) VALUES (?1, 'partition', ?2, ?3)",
                                    &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_text(stmt, 1, now, -1, SQLITE_TRANSIENT);
    if (o->note)
        sqlite3_bind_text(stmt, 2, o->note, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(stmt, 2);
    sqlite3_bind_text(stmt, 3, params, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        st = gg_store_sql_error(store, "creating a plan");
    sqlite3_finalize(stmt);
    *plan = sqlite3_last_insert_rowid(store->db);
    return st;
}

static gg_status write_grids(pt_community *c, sqlite3_stmt *insert, int64_t plan)
{
    for (size_t i = 0; i < c->n_grids; i++) {
        const pt_grid *g = &c->grids[i];
        unsigned char *blob = NULL;
        int size = 0;
        gg_status st = gg_geom_to_blob(c->ctx, g->geom, &blob, &size);
        if (st != GG_OK)
            return st;
        char flags[128];
        gg_grid_flags_text(g->flags, flags, sizeof flags);
        sqlite3_bind_int64(insert, 1, plan);
        sqlite3_bind_text(insert, 2, g->code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(insert, 3, g->type);
        sqlite3_bind_text(insert, 4, c->code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 5, g->name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(insert, 6, g->households);
        sqlite3_bind_int64(insert, 7, g->persons);
        sqlite3_bind_double(insert, 8, g->area_m2);
        if (flags[0])
            sqlite3_bind_text(insert, 9, flags, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(insert, 9);
        sqlite3_bind_blob(insert, 10, blob, size, free);
        if (g->beidou[0])
            sqlite3_bind_text(insert, 11, g->beidou, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(insert, 11);
        int rc = sqlite3_step(insert);
        sqlite3_reset(insert);
        if (rc != SQLITE_DONE)
            return gg_store_sql_error(c->store, "writing grids");
    }
    return GG_OK;
}

/* One community from start to finish; a failure specific to it is kept as
 * its problem (GG_OK returned), a failure of the store or of memory is
 * returned. */
static gg_status partition_one(gg_ctx *ctx, gg_store *store, const gg_partition_options *o,
                               const char *code, sqlite3_stmt *insert, int64_t plan,
                               gg_partition_community *item)
{
    pt_community c;
    memset(&c, 0, sizeof c);
    c.ctx = ctx;
    c.store = store;
    snprintf(c.code, sizeof c.code, "%s", code);
    c.dedicated_min_m2 = o->dedicated_min_m2;
    c.seed = o->seed;
    gg_status st = pt_load(&c);
    if (st == GG_OK) {
        c.rural = strcmp(c.urban_rural, "210") == 0 || strcmp(c.urban_rural, "220") == 0 ||
                  (strcmp(c.urban_rural, "122") == 0 && o->class122_rural) ||
                  (strcmp(c.urban_rural, "123") == 0 && o->class123_rural);
        c.window.min = c.rural ? o->rural_min : o->urban_min;
        c.window.max = c.rural ? o->rural_max : o->urban_max;
        c.window.target = c.rural ? o->rural_target : o->urban_target;
        for (size_t i = 0; i < c.n_points; i++)
            c.total_households += c.ph[i];
        double lon = 0, lat = 0;
        GEOSGeometry *p = GEOSPointOnSurface_r(ctx->geos, c.geom);
        if (p != NULL) {
            GEOSGeomGetX_r(ctx->geos, p, &lon);
            GEOSGeomGetY_r(ctx->geos, p, &lat);
            GEOSGeom_destroy_r(ctx->geos, p);
        }
        char crs[16];
        snprintf(crs, sizeof crs, "EPSG:%d", gg_local_metric_epsg(lon, lat));
        if (gg_transform_new(ctx, "EPSG:4326", crs, &c.to_metric) != GG_OK)
            gg_ctx_clear_error(ctx); /* areas then come from the degree-based estimate */
        st = pt_build_units(&c);
    }
    if (st == GG_OK)
        st = pt_aggregate(&c);
    if (st == GG_OK)
        st = pt_make_grids(&c);
    snprintf(item->code, sizeof item->code, "%s", code);
    item->rural = c.rural;
    item->households = c.total_households;
    if (st == GG_OK) {
        for (size_t i = 0; i < c.n_grids; i++) {
            const pt_grid *g = &c.grids[i];
            item->grids++;
            if (g->type != 1) {
                item->dedicated++;
            } else if (g->households >= c.window.min && g->households <= c.window.max) {
                item->grids_in_range++;
            } else if (!(g->flags & GG_GRID_SMALL_COMMUNITY)) {
                item->grids_out_of_range++;
            }
        }
        st = write_grids(&c, insert, plan);
    } else if (st == GG_ERR_GEOMETRY || st == GG_ERR_INVALID_INPUT || st == GG_ERR_NOT_FOUND) {
        item->problem = gg_strdup(ctx, gg_ctx_errmsg(ctx));
        st = item->problem ? GG_OK : gg_error_nomem(ctx);
        gg_ctx_clear_error(ctx);
    }
    pt_community_free(&c);
    return st;
}

gg_status gg_partition(gg_ctx *ctx, gg_store *store, const gg_partition_options *opts,
                       gg_partition_report **out)
{
    if (ctx == NULL)
        return GG_ERR_ARG;
    if (store == NULL || opts == NULL || out == NULL)
        return gg_error(ctx, GG_ERR_ARG, "gg_partition: NULL argument");
    *out = NULL;
    gg_partition_options o = *opts;
    defaults(&o);
    if (o.urban_min > o.urban_max || o.rural_min > o.rural_max || o.urban_min < 1 || o.rural_min < 1)
        return gg_error(ctx, GG_ERR_ARG, "a household window needs 1 <= MIN <= MAX (urban %d-%d, rural %d-%d)",
                        o.urban_min, o.urban_max, o.rural_min, o.rural_max);
    char(*codes)[13] = NULL;
    size_t n = 0;
    gg_status st = list_communities(ctx, store, &o, &codes, &n);
    if (st != GG_OK) {
        gg_free(ctx, codes);
        return st;
    }
    gg_partition_report *r = gg_calloc(ctx, 1, sizeof *r);
    if (r == NULL || (r->items = gg_calloc(ctx, n, sizeof *r->items)) == NULL) {
        gg_free(ctx, r);
        gg_free(ctx, codes);
        return gg_error_nomem(ctx);
    }
    r->n_items = n;
    sqlite3_stmt *insert = NULL;
    st = gg_store_begin(store);
    if (st == GG_OK)
        st = create_plan(store, &o, &r->plan);
    if (st == GG_OK)
        st = gg_store_prepare(store,
                              "INSERT INTO grid(plan, code, type, community, name, households, persons,"
                              " area_m2, flags, geom, beidou) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                              &insert);
    for (size_t i = 0; i < n && st == GG_OK; i++) {
        st = partition_one(ctx, store, &o, codes[i], insert, r->plan, &r->items[i]);
        if (st == GG_OK)
            st = gg_progress(ctx, "partition", i + 1, n);
    }
    sqlite3_finalize(insert);
    for (size_t i = 0; i < r->n_items; i++) {
        const gg_partition_community *it = &r->items[i];
        r->communities++;
        r->grids += it->grids;
        r->dedicated += it->dedicated;
        r->households += it->households;
        r->grids_in_range += it->grids_in_range;
        r->grids_out_of_range += it->grids_out_of_range;
        r->failed += it->problem != NULL;
    }
    if (st == GG_OK && r->failed > 0) {
        const gg_partition_community *first = NULL;
        for (size_t i = 0; i < r->n_items && first == NULL; i++)
            if (r->items[i].problem)
                first = &r->items[i];
        st = gg_error(ctx, GG_ERR_INVALID_INPUT, "%s%s; no plan was stored",
                      first->problem, r->failed > 1 ? " (and other communities failed)" : "");
    }
    if (st == GG_OK)
        st = gg_store_commit(store);
    if (st != GG_OK) {
        gg_store_rollback(store);
        r->plan = 0;
    }
    gg_free(ctx, codes);
    *out = r;
    return st;
}

void gg_partition_report_free(gg_ctx *ctx, gg_partition_report *report)
{
    if (report == NULL)
        return;
    for (size_t i = 0; i < report->n_items; i++)
        gg_free(ctx, report->items[i].problem);
    gg_free(ctx, report->items);
    gg_free(ctx, report);
}
