/* Grids and incidents as JSON, the way the service answers with them. */
#define _GNU_SOURCE /* open_memstream */
#include "core/ctx.h"
#include "govgrid/dispatch.h"
#include "dispatch/views.h"
#include "store/store.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gg_text_free(gg_ctx *ctx, char *text)
{
    (void)ctx;
    free(text); /* made by jansson or open_memstream: the C library's heap */
}

json_t *gg_column_json(sqlite3_stmt *s, int k)
{
    switch (sqlite3_column_type(s, k)) {
    case SQLITE_NULL: return json_null();
    case SQLITE_INTEGER: return json_integer(sqlite3_column_int64(s, k));
    case SQLITE_FLOAT: return json_real(round(sqlite3_column_double(s, k) * 10) / 10);
    default: return json_string((const char *)sqlite3_column_text(s, k));
    }
}

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

/* The WHERE clause of a filter, with only the conditions it sets (so that
 * a date range reads the index on requested, also for the count); ?1-?5
 * its values. A list of ids (?1, as a JSON array) decides alone, as the
 * spec says. A list of service codes is matched with instr over
 * ',' || list || ','. */
static void where_clause(const gg_incident_filter *f, char *sql, size_t size)
{
    if (f->request_ids != NULL) {
        /* through the unique index on request_id, not a scan */
        snprintf(sql, size, " WHERE i.request_id IN (SELECT value FROM json_each(?1))");
        return;
    }
    snprintf(sql, size, " WHERE 1");
    const struct {
        const char *value, *clause;
    } parts[] = {{f->service_codes, " AND instr(',' || ?2 || ',', ',' || i.service_code || ',') > 0"},
                 {f->status, " AND instr(?3, i.status) > 0"},
                 {f->start, " AND i.requested >= ?4"},
                 {f->end, " AND i.requested <= ?5"}};
    for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++)
        if (parts[k].value != NULL) {
            size_t used = strlen(sql);
            snprintf(sql + used, size - used, "%s", parts[k].clause);
        }
}

/* A comma list as a JSON array of its items, for json_each. */
static char *ids_json(const char *list)
{
    json_t *a = json_array();
    const char *p = list;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        json_array_append_new(a, json_stringn(p, n));
        p += n + (comma != NULL);
    }
    char *text = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return text;
}

/* Binds what the clause uses; the others are not in the statement. */
static void bind_filter(sqlite3_stmt *s, const gg_incident_filter *f)
{
    if (f->request_ids != NULL) {
        char *ids = ids_json(f->request_ids);
        if (ids != NULL)
            sqlite3_bind_text(s, 1, ids, -1, free);
        return;
    }
    const char *binds[4] = {f->service_codes, f->status, f->start, f->end};
    for (int k = 0; k < 4; k++)
        if (binds[k])
            sqlite3_bind_text(s, k + 2, binds[k], -1, SQLITE_TRANSIENT);
}

gg_status gg_incidents_count(gg_ctx *ctx, gg_store *store, const gg_incident_filter *f, int64_t *n)
{
    (void)ctx;
    *n = 0;
    char where[400], sql[512];
    where_clause(f, where, sizeof where);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM incident i%s", where);
    sqlite3_stmt *s = NULL;
    gg_status st = gg_store_prepare(store, sql, &s);
    if (st != GG_OK)
        return st;
    bind_filter(s, f);
    if (sqlite3_step(s) == SQLITE_ROW)
        *n = sqlite3_column_int64(s, 0);
    else
        st = gg_store_sql_error(store, "counting incidents");
    sqlite3_finalize(s);
    return st;
}

static json_t *real_or_null(sqlite3_stmt *s, int k)
{
    return sqlite3_column_type(s, k) == SQLITE_NULL ? json_null() : json_real(sqlite3_column_double(s, k));
}

/* The stored answers ({"code": "value" or ["v", ...]}) as a list of
 * {code, value}, one per value, which reads the same in XML. */
static json_t *attributes_list(const char *stored)
{
    json_t *out = json_array();
    json_error_t err;
    json_t *o = stored ? json_loads(stored, 0, &err) : NULL;
    const char *code;
    json_t *v;
    json_object_foreach(o, code, v) {
        if (json_is_array(v)) {
            size_t i;
            json_t *one;
            json_array_foreach(v, i, one)
                json_array_append_new(out, json_pack("{s:s, s:O}", "code", code, "value", one));
        } else {
            json_array_append_new(out, json_pack("{s:s, s:O}", "code", code, "value", v));
        }
    }
    json_decref(o);
    return out;
}

gg_status gg_incidents_json(gg_ctx *ctx, gg_store *store, const gg_catalogue *cat, const gg_incident_filter *f,
                            char **json, size_t *len)
{
    *json = NULL;
    *len = 0;
    /* Newest first as the index on requested holds them (the rowid breaks
     * ties), so a page is read from the index with no sort. */
    char where[400], sql[1200];
    where_clause(f, where, sizeof where);
    snprintf(sql, sizeof sql,
             "SELECT i.request_id, i.status, i.status_notes, i.service_code, i.description, i.requested, i.updated,"
             " i.expected, i.address, i.lat, i.lon, i.media_url, i.grid_code, i.community, i.locate_status, i.stage,"
             " i.worker_id, w.name, w.phone, i.leader_id,"
             " i.email, i.phone, i.first_name, i.last_name, i.device_id, i.account_id, i.attributes"
             " FROM incident i LEFT JOIN worker w ON w.id = i.worker_id%s"
             " ORDER BY i.requested DESC, i.id DESC LIMIT ?6 OFFSET ?7",
             where);
    sqlite3_stmt *s = NULL;
    gg_status st = gg_store_prepare(store, sql, &s);
    if (st != GG_OK)
        return st;
    bind_filter(s, f);
    sqlite3_bind_int(s, 6, f->limit > 0 ? f->limit : 1000);
    sqlite3_bind_int64(s, 7, f->offset > 0 ? f->offset : 0);
    json_t *a = json_array();
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const gg_catalogue_item *it = cat ? gg_catalogue_find(cat, (const char *)sqlite3_column_text(s, 3)) : NULL;
        json_t *o = json_object();
        json_object_set_new(o, "service_request_id", gg_column_json(s, 0));
        json_object_set_new(o, "status", gg_column_json(s, 1));
        json_object_set_new(o, "status_notes", gg_column_json(s, 2));
        json_object_set_new(o, "service_name", it ? json_string(it->name) : json_null());
        json_object_set_new(o, "service_code", gg_column_json(s, 3));
        json_object_set_new(o, "description", gg_column_json(s, 4));
        json_object_set_new(o, "agency_responsible", it ? json_string(it->department) : json_null());
        json_object_set_new(o, "service_notice", json_null());
        json_object_set_new(o, "requested_datetime", gg_column_json(s, 5));
        json_object_set_new(o, "updated_datetime", gg_column_json(s, 6));
        json_object_set_new(o, "expected_datetime", gg_column_json(s, 7));
        json_object_set_new(o, "address", gg_column_json(s, 8));
        json_object_set_new(o, "address_id", json_null());
        json_object_set_new(o, "zipcode", json_null());
        json_object_set_new(o, "lat", real_or_null(s, 9));
        json_object_set_new(o, "long", real_or_null(s, 10));
        json_object_set_new(o, "media_url", gg_column_json(s, 11));
        static const char *const place[] = {"grid_code", "community", "locate_status", "stage"};
        for (int k = 0; k < 4; k++)
            json_object_set_new(o, place[k], gg_column_json(s, 12 + k));
        if (f->view >= GG_VIEW_STAFF) {
            static const char *const staff[] = {"worker_id", "worker_name", "worker_phone", "leader_id"};
            for (int k = 0; k < 4; k++)
                json_object_set_new(o, staff[k], gg_column_json(s, 16 + k));
        }
        if (f->view >= GG_VIEW_FULL) {
            static const char *const reporter[] = {"email", "phone", "first_name", "last_name", "device_id",
                                                   "account_id"};
            for (int k = 0; k < 6; k++)
                json_object_set_new(o, reporter[k], gg_column_json(s, 20 + k));
            json_object_set_new(o, "attributes", attributes_list((const char *)sqlite3_column_text(s, 26)));
        }
        json_array_append_new(a, o);
    }
    if (rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading incidents");
    sqlite3_finalize(s);
    if (st == GG_OK) {
        *json = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
        *len = *json ? strlen(*json) : 0;
        if (*json == NULL)
            st = gg_error_nomem(ctx);
    }
    json_decref(a);
    return st;
}
