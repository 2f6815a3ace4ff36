/* /healthz, /metrics and /v1/locate. */
#define _GNU_SOURCE /* fmemopen, open_memstream */
#include "service/service.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>



/* The located fields of a point as a JSON object (the CLI's columns); the
 * people as nulls, and contacts_withheld, when contacts is 0. */
static json_t *located_json(const gg_served_plan *plan, double lon, double lat, const gg_locate_result *res,
                            int contacts)
{
    const gg_located_grid *g = gg_locator_grid(plan->loc, res->grid);
    json_t *o = json_object();
    json_object_set_new(o, "lon", json_real(lon));
    json_object_set_new(o, "lat", json_real(lat));
    json_object_set_new(o, "grid_code", g ? json_string(g->code) : json_null());
    json_object_set_new(o, "grid_type", g ? json_integer(g->type) : json_null());
    json_object_set_new(o, "community", g && g->community[0] ? json_string(g->community) : json_null());
    json_object_set_new(o, "township", g && g->township[0] ? json_string(g->township) : json_null());
    json_object_set_new(o, "county", g && g->county[0] ? json_string(g->county) : json_null());
    /* The worker a new incident here would go to first (no assignment is
     * made by a lookup), and the leader. */
    const gg_roster_person *w = g && g->n_workers ? g->workers[0] : g ? g->leader : NULL;
    const gg_roster_person *leader = g ? g->leader : NULL;
    if (!contacts)
        w = leader = NULL;
    json_object_set_new(o, "worker_id", w ? json_string(w->id) : json_null());
    json_object_set_new(o, "worker_name", w ? json_string(w->name) : json_null());
    json_object_set_new(o, "worker_phone", w && w->phone[0] ? json_string(w->phone) : json_null());
    json_object_set_new(o, "leader_id", leader ? json_string(leader->id) : json_null());
    json_object_set_new(o, "leader_name", leader ? json_string(leader->name) : json_null());
    json_object_set_new(o, "status", json_string(gg_locate_status_name(res->status)));
    json_object_set_new(o, "distance_m",
                        isfinite(res->distance_m) ? json_real(round(res->distance_m * 10) / 10) : json_null());
    json_object_set_new(o, "on_boundary", json_boolean(res->on_boundary));
    if (!contacts && g != NULL)
        json_object_set_new(o, "contacts_withheld", json_true());
    return o;
}

/* The crs parameter; none is WGS 84. */
static int parse_crs(const char *text, gg_coord_system *crs)
{
    int c = GG_COORD_WGS84;
    if (text != NULL && !gg_param_crs(text, &c))
        return 0;
    *crs = (gg_coord_system)c;
    return 1;
}

static void locate_get(gg_request *r, gg_reply *out)
{
    char why[160];
    double lon, lat;
    gg_coord_system crs;
    if (!parse_crs(gg_request_arg(r, "crs"), &crs)) {
        gg_reply_error(out, 400, "crs: expected wgs84, cgcs2000, gcj02 or bd09");
        return;
    }
    if (!gg_param_double("lon", gg_request_arg(r, "lon"), -180, 180, &lon, why, sizeof why) ||
        !gg_param_double("lat", gg_request_arg(r, "lat"), -90, 90, &lat, why, sizeof why)) {
        gg_reply_error(out, 400, "%s", why);
        return;
    }
    if (crs == GG_COORD_GCJ02)
        gg_gcj02_to_wgs84(lon, lat, &lon, &lat);
    else if (crs == GG_COORD_BD09)
        gg_bd09_to_wgs84(lon, lat, &lon, &lat);
    gg_locate_result res;
    gg_locator_query(r->plan->loc, lon, lat, &res);
    json_t *o = located_json(r->plan, lon, lat, &res, gg_request_contacts_allowed(r));
    json_object_set_new(o, "plan", json_integer(gg_locator_plan(r->plan->loc)));
    gg_reply_json(out, 200, o);
}

/* POST /v1/locate: a JSON array of {lon, lat, ...} objects or NDJSON, at
 * most GG_SERVICE_MAX_BATCH; the answer is a JSON array of the same
 * objects with the located fields added (invalid ones with a reason). */
static void locate_post(gg_request *r, gg_reply *out)
{
    /* A batch names every worker of a district at once: keys only. */
    if (!gg_request_authorise(r, GG_RIGHT_READ, out, NULL, 0))
        return;
    gg_locate_batch_options o;
    gg_locate_batch_options_init(&o);
    o.output_format = GG_TABLE_NDJSON;
    if (!parse_crs(gg_request_arg(r, "crs"), &o.crs)) {
        gg_reply_error(out, 400, "crs: expected wgs84, cgcs2000, gcj02 or bd09");
        return;
    }
    size_t i = 0;
    while (i < r->body_len && (r->body[i] == ' ' || r->body[i] == '\n' || r->body[i] == '\r' || r->body[i] == '\t'))
        i++;
    if (i == r->body_len) {
        gg_reply_error(out, 400, "an empty body: send a JSON array of {\"lon\":..,\"lat\":..} objects, or NDJSON");
        return;
    }
    if (r->body[i] != '[' && r->body[i] != '{') {
        gg_reply_error(out, 400, "the body is not JSON (a JSON array of objects, or NDJSON)");
        return;
    }
    o.input_format = r->body[i] == '[' ? GG_TABLE_GEOJSON : GG_TABLE_NDJSON;
    if (r->body[i] == '[') {
        /* count before doing any work */
        json_error_t err;
        json_t *all = json_loadb(r->body, r->body_len, 0, &err);
        if (!json_is_array(all)) {
            json_decref(all);
            gg_reply_error(out, 400, "JSON: line %d, column %d: %s", err.line, err.column,
                           all ? "expected an array" : err.text);
            return;
        }
        size_t n = json_array_size(all);
        json_decref(all);
        if (n > GG_SERVICE_MAX_BATCH) {
            gg_reply_error(out, 413, "%zu points: at most %d in one request", n, GG_SERVICE_MAX_BATCH);
            return;
        }
    } else {
        /* Records, not newlines: the last line needs no newline after it. */
        size_t lines = 0;
        int blank = 1;
        for (size_t k = 0; k < r->body_len; k++) {
            char ch = r->body[k];
            if (ch == '\n') {
                lines += !blank;
                blank = 1;
            } else if (ch != ' ' && ch != '\t' && ch != '\r') {
                blank = 0;
            }
        }
        lines += !blank;
        if (lines > GG_SERVICE_MAX_BATCH) {
            gg_reply_error(out, 413, "%zu lines: at most %d points in one request", lines, GG_SERVICE_MAX_BATCH);
            return;
        }
    }
    FILE *in = fmemopen((void *)(uintptr_t)r->body, r->body_len, "rb");
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    gg_ctx *ctx = NULL;
    gg_request_store(r, &ctx);
    if (in == NULL || mem == NULL || ctx == NULL) {
        if (in)
            fclose(in);
        if (mem)
            fclose(mem);
        free(text);
        gg_reply_error(out, 500, "out of memory");
        return;
    }
    /* The workers by a balance of the request's own, as a batch file's. */
    gg_dispatcher *d = NULL;
    gg_status st = gg_dispatcher_new(ctx, r->plan->loc, &d);
    if (st == GG_OK) {
        o.pick = gg_dispatcher_as_pick(d);
        st = gg_locate_batch(ctx, r->plan->loc, &o, in, "body", mem, NULL);
        gg_dispatcher_free(d);
    }
    fclose(in);
    fclose(mem);
    if (st != GG_OK) {
        free(text);
        gg_reply_error(out, st == GG_ERR_NOMEM ? 500 : 400, "%s", gg_ctx_errmsg(ctx));
        return;
    }
    /* NDJSON lines into one array. */
    char *body = malloc(len + 4);
    if (body == NULL) {
        free(text);
        gg_reply_error(out, 500, "out of memory");
        return;
    }
    size_t n = 0;
    body[n++] = '[';
    for (size_t k = 0; k < len; k++) {
        if (text[k] == '\n') {
            if (k + 1 < len)
                body[n++] = ',';
        } else {
            body[n++] = text[k];
        }
    }
    body[n++] = ']';
    body[n++] = '\n';
    free(text);
    gg_reply_text(out, 200, "application/json; charset=utf-8", body, n);
}

static void health(gg_request *r, gg_reply *out)
{
    gg_ctx *ctx = NULL;
    gg_store *store = gg_request_store(r, &ctx);
    int64_t v = 0;
    int ok = store != NULL && gg_catalogue_current(ctx, store, &v) == GG_OK;
    gg_reply_json(out, ok ? 200 : 503,
                  json_pack("{s:s, s:I, s:s, s:s, s:I, s:I, s:I, s:s}", "status", ok ? "ok" : "store unavailable",
                            "plan", (json_int_t)r->plan->plan, "plan_state", r->plan->published ? "published" : "newest",
                            "serving_since", r->plan->since, "plan_switches",
                            (json_int_t)__atomic_load_n(&r->svc->plan_switches, __ATOMIC_RELAXED), "grids",
                            (json_int_t)gg_locator_grid_count(r->plan->loc), "catalogue_version",
                            (json_int_t)gg_catalogue_version(r->svc->cat), "version", gg_version()));
}

int gg_route_api(gg_request *r, gg_reply *out)
{
    const char *p = r->path;
    int get = strcmp(r->method, "GET") == 0, post = strcmp(r->method, "POST") == 0;
    if (strcmp(p, "/healthz") == 0) {
        if (!get) {
            gg_reply_error(out, 405, "use GET");
            return ROUTE_HEALTH;
        }
        health(r, out);
        return ROUTE_HEALTH;
    }
    if (strcmp(p, "/metrics") == 0) {
        gg_metrics_text(r->svc, out);
        return ROUTE_METRICS;
    }
    if (strcmp(p, "/v1/locate") == 0) {
        if (get) {
            locate_get(r, out);
            return ROUTE_LOCATE_GET;
        }
        if (post) {
            locate_post(r, out);
            return ROUTE_LOCATE_POST;
        }
        gg_reply_error(out, 405, "use GET or POST");
        return ROUTE_LOCATE_GET;
    }
    return ROUTE_NONE;
}
