/* Incidents as an Open311 GeoReport v2 list, the way the service answers
 * with them (include/govgrid/incident.h, gg_incidents_json). */
#include "core/ctx.h"
#include "govgrid/incident.h"
#include "store/json.h"
#include "store/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
