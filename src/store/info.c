/* gg_store_info_get: counts, extents and summaries of a project. */
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static gg_status query_int64(gg_store *store, const char *sql, int64_t *out)
{
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store, sql, &stmt);
    if (st != GG_OK)
        return st;
    *out = 0;
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(stmt, 0);
    else if (rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading the project");
    sqlite3_finalize(stmt);
    return st;
}

static gg_status layer_info(gg_store *store, gg_layer layer, gg_layer_info *info)
{
    const gg_layer_table *t = gg_layer_table_of(layer);
    char sql[512];
    info->layer = layer;
    if (t->geom_type == NULL) {
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", t->table);
        return query_int64(store, sql, &info->features);
    }
    snprintf(sql, sizeof sql,
             "SELECT count(*), min(MbrMinX(geom)), min(MbrMinY(geom)), max(MbrMaxX(geom)),"
             " max(MbrMaxY(geom)), count(geom) FROM %s",
             t->table);
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store, sql, &stmt);
    if (st != GG_OK)
        return st;
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        info->features = sqlite3_column_int64(stmt, 0);
        info->has_extent = sqlite3_column_int64(stmt, 5) > 0;
        if (info->has_extent) {
            info->min_lon = sqlite3_column_double(stmt, 1);
            info->min_lat = sqlite3_column_double(stmt, 2);
            info->max_lon = sqlite3_column_double(stmt, 3);
            info->max_lat = sqlite3_column_double(stmt, 4);
        }
    } else {
        st = gg_store_sql_error(store, "reading the project");
    }
    sqlite3_finalize(stmt);
    return st;
}

static gg_status class_info(gg_store *store, gg_store_info *info)
{
    gg_ctx *ctx = store->ctx;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(
        store,
        "SELECT coalesce(d.urban_rural, ''), count(*),"
        " coalesce(sum(h.points), 0), coalesce(sum(h.households), 0)"
        " FROM division d LEFT JOIN (SELECT community, count(*) AS points, sum(count) AS households"
        " FROM household GROUP BY community) h ON h.community = d.code"
        " WHERE d.level = 'community' GROUP BY 1 ORDER BY 1",
        &stmt);
    if (st != GG_OK)
        return st;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        st = gg_grow(ctx, (void **)&info->classes, &cap, info->n_classes + 1, sizeof *info->classes);
        if (st != GG_OK)
            break;
        gg_class_info *c = &info->classes[info->n_classes++];
        memset(c, 0, sizeof *c);
        snprintf(c->urban_rural, sizeof c->urban_rural, "%s", (const char *)sqlite3_column_text(stmt, 0));
        c->communities = sqlite3_column_int64(stmt, 1);
        c->household_points = sqlite3_column_int64(stmt, 2);
        c->households = sqlite3_column_int64(stmt, 3);
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading divisions");
    sqlite3_finalize(stmt);
    return st;
}

static gg_status dept_rows(gg_store *store, gg_dept_info **depts, size_t *n_depts)
{
    gg_ctx *ctx = store->ctx;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(
        store, "SELECT dept, count(*) FROM dept_grid GROUP BY dept ORDER BY dept", &stmt);
    if (st != GG_OK)
        return st;
    size_t cap = 0;
    int rc, nomem = 0;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        st = gg_grow(ctx, (void **)depts, &cap, *n_depts + 1, sizeof **depts);
        if (st != GG_OK)
            break;
        gg_dept_info *d = &(*depts)[(*n_depts)++];
        d->dept = gg_store_column_strdup(ctx, stmt, 0, &nomem);
        d->grids = sqlite3_column_int64(stmt, 1);
        if (nomem) {
            st = gg_error_nomem(ctx);
            break;
        }
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading departmental grids");
    sqlite3_finalize(stmt);
    return st;
}

static gg_status plan_rows(gg_store *store, gg_plan_info **plans, size_t *n_plans)
{
    gg_ctx *ctx = store->ctx;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(
        store,
        "SELECT p.id, coalesce(p.parent, 0), p.created, p.source, p.note,"
        " (SELECT count(*) FROM grid g WHERE g.plan = p.id),"
        " (SELECT count(DISTINCT community) FROM grid g WHERE g.plan = p.id),"
        " p.state, p.made_by, p.published, p.published_by, p.superseded, p.params,"
        " (SELECT coalesce(sum(households), 0) FROM grid g WHERE g.plan = p.id),"
        " (SELECT count(*) FROM grid g WHERE g.plan = p.id AND households IS NULL)"
        " FROM plan p ORDER BY p.id",
        &stmt);
    if (st != GG_OK)
        return st;
    size_t cap = 0;
    int rc, nomem = 0;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        st = gg_grow(ctx, (void **)plans, &cap, *n_plans + 1, sizeof **plans);
        if (st != GG_OK)
            break;
        gg_plan_info *p = &(*plans)[(*n_plans)++];
        memset(p, 0, sizeof *p);
        p->id = sqlite3_column_int64(stmt, 0);
        p->parent = sqlite3_column_int64(stmt, 1);
        p->created = gg_store_column_strdup(ctx, stmt, 2, &nomem);
        p->source = gg_store_column_strdup(ctx, stmt, 3, &nomem);
        p->note = gg_store_column_strdup(ctx, stmt, 4, &nomem);
        p->grids = sqlite3_column_int64(stmt, 5);
        p->communities = sqlite3_column_int64(stmt, 6);
        p->state = gg_store_column_strdup(ctx, stmt, 7, &nomem);
        p->made_by = gg_store_column_strdup(ctx, stmt, 8, &nomem);
        p->published = gg_store_column_strdup(ctx, stmt, 9, &nomem);
        p->published_by = gg_store_column_strdup(ctx, stmt, 10, &nomem);
        p->superseded = gg_store_column_strdup(ctx, stmt, 11, &nomem);
        p->params = gg_store_column_strdup(ctx, stmt, 12, &nomem);
        p->households = sqlite3_column_int64(stmt, 13);
        p->uncounted = sqlite3_column_int64(stmt, 14);
        if (nomem) {
            st = gg_error_nomem(ctx);
            break;
        }
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading plans");
    sqlite3_finalize(stmt);
    return st;
}

gg_status gg_store_info_get(gg_ctx *ctx, gg_store *store, gg_store_info **out)
{
    if (ctx == NULL || store == NULL || out == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_store_info_get: NULL argument") : GG_ERR_ARG;
    *out = NULL;
    gg_store_info *info = gg_calloc(ctx, 1, sizeof *info);
    if (info == NULL)
        return gg_error_nomem(ctx);
    info->schema_version = store->schema_version;
    info->storage_srid = GG_STORAGE_SRID;
    gg_status st = GG_OK;
    for (int i = 0; i < GG_LAYER_COUNT && st == GG_OK; i++)
        st = layer_info(store, (gg_layer)i, &info->layers[i]);
    if (st == GG_OK)
        st = query_int64(store, "SELECT count(*) FROM division WHERE level='county'", &info->counties);
    if (st == GG_OK)
        st = query_int64(store, "SELECT count(*) FROM division WHERE level='township'", &info->townships);
    if (st == GG_OK)
        st = query_int64(store, "SELECT count(*) FROM division WHERE level='community'", &info->communities);
    if (st == GG_OK)
        st = query_int64(store, "SELECT count(*) FROM household", &info->household_points);
    if (st == GG_OK)
        st = query_int64(store, "SELECT coalesce(sum(count), 0) FROM household", &info->households);
    if (st == GG_OK)
        st = query_int64(store, "SELECT coalesce(sum(persons), 0) FROM household", &info->persons);
    if (st == GG_OK)
        st = query_int64(store, "SELECT count(*) FROM household WHERE community IS NULL",
                         &info->households_outside);
    if (st == GG_OK)
        st = class_info(store, info);
    if (st == GG_OK)
        st = dept_rows(store, &info->depts, &info->n_depts);
    if (st == GG_OK)
        st = plan_rows(store, &info->plans, &info->n_plans);
    if (st != GG_OK) {
        gg_store_info_free(ctx, info);
        return st;
    }
    *out = info;
    return GG_OK;
}

void gg_store_info_free(gg_ctx *ctx, gg_store_info *info)
{
    if (info == NULL)
        return;
    gg_depts_free(ctx, info->depts, info->n_depts);
    gg_plans_free(ctx, info->plans, info->n_plans);
    gg_free(ctx, info->classes);
    gg_free(ctx, info);
}

/* The plans and departments alone: what a service lists on every request,
 * without the counts over every household that gg_store_info_get makes. */
gg_status gg_store_plans(gg_ctx *ctx, gg_store *store, gg_plan_info **plans, size_t *n_plans)
{
    if (ctx == NULL || store == NULL || plans == NULL || n_plans == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_store_plans: NULL argument") : GG_ERR_ARG;
    *plans = NULL;
    *n_plans = 0;
    gg_status st = plan_rows(store, plans, n_plans);
    if (st != GG_OK) {
        gg_plans_free(ctx, *plans, *n_plans);
        *plans = NULL;
        *n_plans = 0;
    }
    return st;
}

void gg_plans_free(gg_ctx *ctx, gg_plan_info *plans, size_t n_plans)
{
    for (size_t i = 0; i < n_plans; i++) {
        gg_free(ctx, plans[i].created);
        gg_free(ctx, plans[i].source);
        gg_free(ctx, plans[i].note);
        gg_free(ctx, plans[i].state);
        gg_free(ctx, plans[i].made_by);
        gg_free(ctx, plans[i].published);
        gg_free(ctx, plans[i].published_by);
        gg_free(ctx, plans[i].superseded);
        gg_free(ctx, plans[i].params);
    }
    gg_free(ctx, plans);
}

gg_status gg_store_depts(gg_ctx *ctx, gg_store *store, gg_dept_info **depts, size_t *n_depts)
{
    if (ctx == NULL || store == NULL || depts == NULL || n_depts == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_store_depts: NULL argument") : GG_ERR_ARG;
    *depts = NULL;
    *n_depts = 0;
    gg_status st = dept_rows(store, depts, n_depts);
    if (st != GG_OK) {
        gg_depts_free(ctx, *depts, *n_depts);
        *depts = NULL;
        *n_depts = 0;
    }
    return st;
}

void gg_depts_free(gg_ctx *ctx, gg_dept_info *depts, size_t n_depts)
{
    for (size_t i = 0; i < n_depts; i++)
        gg_free(ctx, depts[i].dept);
    gg_free(ctx, depts);
}
