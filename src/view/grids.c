/* A plan's grids and the departments' grids as JSON, the way the service
 * answers with them (include/govgrid/view.h). */
#define _GNU_SOURCE /* open_memstream */
#include "core/ctx.h"
#include "govgrid/view.h"
#include "store/json.h"
#include "store/store.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A FeatureCollection of s's rows (finalized here): columns 0 to
 * n_props - 1 are the properties named, column n_props the geometry as
 * GeoJSON text; trailer (members with a comma after each) goes before the
 * count. */
static gg_status features_json(gg_ctx *ctx, gg_store *store, sqlite3_stmt *s, const char *const *names, int n_props,
                               const char *trailer, const char *what, char **json, size_t *len)
{
    gg_status st = GG_OK;
    FILE *mem = open_memstream(json, len);
    if (mem == NULL) {
        sqlite3_finalize(s);
        return gg_error_nomem(ctx);
    }
    fputs("{\"type\":\"FeatureCollection\",\"features\":[", mem);
    int n = 0, rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        json_t *props = json_object();
        for (int k = 0; k < n_props; k++)
            json_object_set_new(props, names[k], gg_column_json(s, k));
        char *p = json_dumps(props, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(props);
        const char *geom = (const char *)sqlite3_column_text(s, n_props);
        fprintf(mem, "%s{\"type\":\"Feature\",\"properties\":%s,\"geometry\":%s}", n ? "," : "", p ? p : "{}",
                geom ? geom : "null");
        free(p);
        n++;
    }
    if (rc != SQLITE_DONE)
        st = gg_store_sql_error(store, what);
    sqlite3_finalize(s);
    fprintf(mem, "],%s\"count\":%d}\n", trailer, n);
    if (fclose(mem) != 0 && st == GG_OK)
        st = gg_error_nomem(ctx);
    if (st != GG_OK) {
        free(*json);
        *json = NULL;
        *len = 0;
    }
    return st;
}

gg_status gg_grids_geojson(gg_ctx *ctx, gg_store *store, int64_t plan, const double *bbox, const char *community,
                           int64_t limit, char **json, size_t *len)
{
    *json = NULL;
    *len = 0;
    gg_status st = gg_store_resolve_plan(store, plan, &plan);
    if (st != GG_OK)
        return st;
    sqlite3_stmt *s = NULL;
    st = gg_store_prepare(store,
                          "SELECT code, type, community, name, households, persons, area_m2, flags,"
                          " AsGeoJSON(geom, 7) FROM grid WHERE plan = ?1 AND (?2 IS NULL OR community = ?2) AND fid IN"
                          " (SELECT pkid FROM idx_grid_row_geom WHERE xmax >= ?3 AND xmin <= ?5 AND ymax >= ?4 AND"
                          " ymin <= ?6) ORDER BY code LIMIT ?7",
                          &s);
    if (st != GG_OK)
        return st;
    static const double all[4] = {-180, -90, 180, 90};
    if (bbox == NULL)
        bbox = all;
    sqlite3_bind_int64(s, 1, plan);
    if (community)
        sqlite3_bind_text(s, 2, community, -1, SQLITE_TRANSIENT);
    for (int k = 0; k < 4; k++)
        sqlite3_bind_double(s, 3 + k, bbox[k]);
    sqlite3_bind_int64(s, 7, limit > 0 ? limit : INT64_MAX);
    static const char *const names[] = {"code", "type", "community", "name", "households", "persons", "area_m2",
                                        "flags"};
    char trailer[64];
    snprintf(trailer, sizeof trailer, "\"plan\":%lld,", (long long)plan);
    return features_json(ctx, store, s, names, 8, trailer, "reading grids", json, len);
}

/* The same FeatureCollection writer as gg_grids_geojson, over the
 * departmental grids' own table. */
gg_status gg_dept_grids_geojson(gg_ctx *ctx, gg_store *store, const char *dept, const double *bbox, int64_t limit,
                                char **json, size_t *len)
{
    *json = NULL;
    *len = 0;
    sqlite3_stmt *s = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT dept, id, name, AsGeoJSON(geom, 7) FROM dept_grid WHERE (?1 IS NULL OR"
                                    " dept = ?1) AND fid IN (SELECT pkid FROM idx_dept_grid_geom WHERE xmax >= ?2 AND"
                                    " xmin <= ?4 AND ymax >= ?3 AND ymin <= ?5) ORDER BY dept, id LIMIT ?6",
                                    &s);
    if (st != GG_OK)
        return st;
    static const double all[4] = {-180, -90, 180, 90};
    if (bbox == NULL)
        bbox = all;
    if (dept)
        sqlite3_bind_text(s, 1, dept, -1, SQLITE_TRANSIENT);
    for (int k = 0; k < 4; k++)
        sqlite3_bind_double(s, 2 + k, bbox[k]);
    sqlite3_bind_int64(s, 6, limit > 0 ? limit : INT64_MAX);
    static const char *const names[] = {"dept", "id", "name"};
    return features_json(ctx, store, s, names, 3, "", "reading departmental grids", json, len);
}

gg_status gg_grid_json(gg_ctx *ctx, gg_store *store, int64_t plan, const char *code, char **json)
{
    *json = NULL;
    gg_status st = gg_store_resolve_plan(store, plan, &plan);
    if (st != GG_OK)
        return st;
    sqlite3_stmt *s = NULL;
    st = gg_store_prepare(store,
                          "SELECT g.code, g.type, g.name, g.community, c.name, c.parent, t.parent, g.households,"
                          " g.persons, g.area_m2, g.flags, g.beidou, AsGeoJSON(g.geom, 7), g.locked FROM grid g"
                          " LEFT JOIN division c ON c.code = g.community LEFT JOIN division t ON t.code = c.parent"
                          " WHERE g.plan = ?1 AND g.code = ?2",
                          &s);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(s, 1, plan);
    sqlite3_bind_text(s, 2, code, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_finalize(s);
        return gg_error(ctx, GG_ERR_NOT_FOUND, "no grid %.40s in plan %lld", code, (long long)plan);
    }
    static const char *const names[] = {"code",      "type",       "name",     "community", "community_name",
                                        "township",  "county",     "households", "persons", "area_m2",
                                        "flags",     "beidou"};
    json_t *o = json_object();
    json_object_set_new(o, "plan", json_integer(plan));
    for (int k = 0; k < 12; k++)
        json_object_set_new(o, names[k], gg_column_json(s, k));
    json_error_t err;
    const char *geom = (const char *)sqlite3_column_text(s, 12);
    json_t *g = geom ? json_loads(geom, 0, &err) : NULL;
    json_object_set_new(o, "geometry", g ? g : json_null());
    json_object_set_new(o, "locked", json_boolean(sqlite3_column_int(s, 13)));
    sqlite3_finalize(s);
    json_t *people = json_array();
    if (gg_store_prepare(store, "SELECT id, name, role, phone FROM worker WHERE grid_code = ?1 ORDER BY"
                                " CASE role WHEN 'leader' THEN 0 WHEN 'fulltime' THEN 1 WHEN 'parttime' THEN 2"
                                " WHEN 'volunteer' THEN 3 ELSE 4 END, id",
                         &s) == GG_OK) {
        sqlite3_bind_text(s, 1, code, -1, SQLITE_TRANSIENT);
        while (sqlite3_step(s) == SQLITE_ROW) {
            json_t *p = json_object();
            static const char *const cols[] = {"id", "name", "role", "phone"};
            for (int k = 0; k < 4; k++)
                json_object_set_new(p, cols[k], gg_column_json(s, k));
            json_array_append_new(people, p);
        }
        sqlite3_finalize(s);
    }
    json_object_set_new(o, "workers", people);
    *json = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(o);
    return *json ? GG_OK : gg_error_nomem(ctx);
}

/* The neighbours through the spatial index: the grids of any plan whose
 * box touches the grid's, then those of its plan sharing more than a
 * metre of boundary (a corner alone is not a neighbour). */
gg_status gg_grid_neighbours_json(gg_ctx *ctx, gg_store *store, int64_t plan, const char *code, char **json)
{
    *json = NULL;
    gg_status st = gg_store_resolve_plan(store, plan, &plan);
    if (st != GG_OK)
        return st;
    sqlite3_stmt *s = NULL;
    st = gg_store_prepare(store, "SELECT count(*) FROM grid WHERE plan = ?1 AND code = ?2", &s);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(s, 1, plan);
    sqlite3_bind_text(s, 2, code, -1, SQLITE_TRANSIENT);
    int found = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int64(s, 0) > 0;
    sqlite3_finalize(s);
    if (!found)
        return gg_error(ctx, GG_ERR_NOT_FOUND, "no grid %.40s in plan %lld", code, (long long)plan);
    st = gg_store_prepare(store,
                          "SELECT code, type, name, community, households, locked, shared_m FROM ("
                          " SELECT b.code, b.type, b.name, b.community, b.households, b.locked,"
                          "  GLength(Intersection(a.geom, b.geom), 1) AS shared_m"
                          " FROM grid a JOIN grid b ON b.plan = a.plan AND b.code <> a.code"
                          " WHERE a.plan = ?1 AND a.code = ?2 AND b.fid IN (SELECT pkid FROM idx_grid_row_geom"
                          "  WHERE xmin <= MbrMaxX(a.geom) AND xmax >= MbrMinX(a.geom)"
                          "  AND ymin <= MbrMaxY(a.geom) AND ymax >= MbrMinY(a.geom)))"
                          " WHERE shared_m > 1.0 ORDER BY code",
                          &s);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(s, 1, plan);
    sqlite3_bind_text(s, 2, code, -1, SQLITE_TRANSIENT);
    static const char *const names[] = {"code", "type", "name", "community", "households", "locked", "shared_m"};
    json_t *a = json_array();
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        json_t *o = json_object();
        for (int k = 0; k < 7; k++)
            json_object_set_new(o, names[k], k == 5 ? json_boolean(sqlite3_column_int(s, k)) : gg_column_json(s, k));
        json_array_append_new(a, o);
    }
    if (rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading a grid's neighbours");
    sqlite3_finalize(s);
    if (st == GG_OK) {
        *json = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
        if (*json == NULL)
            st = gg_error_nomem(ctx);
    }
    json_decref(a);
    return st;
}
