/* The web map's layers and lookups: /v1/plans, /v1/search, /v1/depts,
 * /v1/dept-grids and /v1/conflicts. Each reads like /v1/grids: a read key
 * unless the service runs with --public-grids. */
#include "service/service.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Degrees to 1e-7 (a centimetre), or null. */
static json_t *degrees(double v)
{
    return isfinite(v) ? json_real(round(v * 1e7) / 1e7) : json_null();
}

static json_t *text_or_null(const char *text)
{
    return text && text[0] ? json_string(text) : json_null();
}

/* GET /v1/plans: every plan with its state (draft, published,
 * superseded), the one the service locates on marked newest (the name
 * predates published plans: it is the plan served). */
static void plans(gg_request *r, gg_reply *out)
{
    gg_ctx *ctx = NULL;
    gg_store *store = gg_request_store_or_503(r, out, &ctx);
    if (store == NULL)
        return;
    gg_plan_info *list = NULL;
    size_t n = 0;
    if (gg_store_plans(ctx, store, &list, &n) != GG_OK) {
        gg_reply_error(out, 500, "%s", gg_ctx_errmsg(ctx));
        return;
    }
    int64_t serving = r->plan->plan;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        const gg_plan_info *p = &list[i];
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(p->id));
        json_object_set_new(o, "parent", p->parent ? json_integer(p->parent) : json_null());
        json_object_set_new(o, "source", text_or_null(p->source));
        json_object_set_new(o, "created", text_or_null(p->created));
        json_object_set_new(o, "note", text_or_null(p->note));
        json_object_set_new(o, "grids", json_integer(p->grids));
        json_object_set_new(o, "communities", json_integer(p->communities));
        json_object_set_new(o, "state", text_or_null(p->state));
        json_object_set_new(o, "made_by", text_or_null(p->made_by));
        json_object_set_new(o, "published", text_or_null(p->published));
        json_object_set_new(o, "newest", json_boolean(p->id == serving));
        json_array_append_new(a, o);
    }
    gg_plans_free(ctx, list, n);
    gg_reply_json(out, 200, a);
}

/* A grid's people as /v1/grids/CODE lists them (id, name, role, phone):
 * the leader, then the workers the locator dispatches to. */
static json_t *workers_json(const gg_located_grid *g)
{
    json_t *a = json_array();
    const gg_roster_person *people[1 + 64];
    int n = 0;
    if (g->leader)
        people[n++] = g->leader;
    for (int i = 0; i < g->n_workers && n < (int)(sizeof people / sizeof people[0]); i++)
        people[n++] = g->workers[i];
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:o, s:o, s:o, s:o}", "id", text_or_null(people[i]->id), "name",
                                           text_or_null(people[i]->name), "role", text_or_null(people[i]->role),
                                           "phone", text_or_null(people[i]->phone)));
    return a;
}

static json_t *result_json(const gg_served_plan *plan, const gg_search_result *res, int contacts)
{
    const gg_located_grid *g = res->grid >= 0 ? gg_locator_grid(plan->loc, res->grid) : NULL;
    json_t *o = json_object();
    json_object_set_new(o, "kind", json_string(gg_search_kind_name(res->kind)));
    json_object_set_new(o, "name", text_or_null(res->name));
    json_object_set_new(o, "code", text_or_null(res->code));
    json_object_set_new(o, "lon", degrees(res->lon));
    json_object_set_new(o, "lat", degrees(res->lat));
    json_object_set_new(o, "bbox", res->has_bbox ? json_pack("[o, o, o, o]", degrees(res->bbox[0]),
                                                             degrees(res->bbox[1]), degrees(res->bbox[2]),
                                                             degrees(res->bbox[3]))
                                                 : json_null());
    json_object_set_new(o, "grid_code", g ? json_string(g->code) : json_null());
    json_object_set_new(o, "community", g ? text_or_null(g->community) : json_null());
    json_object_set_new(o, "community_name", g ? text_or_null(g->community_name) : json_null());
    if (g && contacts)
        json_object_set_new(o, "workers", workers_json(g));
    else if (g)
        json_object_set_new(o, "contacts_withheld", json_true());
    return o;
}

/* GET /v1/search?q=TEXT&limit=N&bbox=w,s,e,n&crs=wgs84|gcj02|bd09 */
static void search(gg_request *r, gg_reply *out)
{
    char why[160];
    const char *q = gg_request_arg(r, "q");
    if (q == NULL || q[0] == '\0') {
        gg_reply_error(out, 400, "q: the text to search for is missing");
        return;
    }
    if (strlen(q) > GG_SEARCH_MAX_QUERY) {
        gg_reply_error(out, 400, "q: at most %d bytes", GG_SEARCH_MAX_QUERY);
        return;
    }
    long long limit = 10;
    const char *t = gg_request_arg(r, "limit");
    if (t != NULL && !gg_param_long("limit", t, 1, GG_SEARCH_MAX_RESULTS, &limit, why, sizeof why)) {
        gg_reply_error(out, 400, "%s", why);
        return;
    }
    double box[4];
    const char *bbox = gg_request_arg(r, "bbox");
    if (bbox != NULL && !gg_param_bbox(bbox, box, why, sizeof why)) {
        gg_reply_error(out, 400, "%s", why);
        return;
    }
    int crs = GG_COORD_WGS84;
    t = gg_request_arg(r, "crs");
    if (t != NULL && !gg_param_crs(t, &crs)) {
        gg_reply_error(out, 400, "crs: expected wgs84, cgcs2000, gcj02 or bd09");
        return;
    }
    gg_ctx *ctx = NULL;
    if (gg_request_store_or_503(r, out, &ctx) == NULL)
        return;
    gg_search_result results[GG_SEARCH_MAX_RESULTS];
    size_t n = 0;
    gg_status st = gg_search_query(ctx, r->plan->search, q, (gg_coord_system)crs, bbox ? box : NULL, (size_t)limit,
                                   results, &n);
    if (st != GG_OK) {
        gg_reply_error(out, st == GG_ERR_ARG ? 400 : 500, "q: %s", gg_ctx_errmsg(ctx));
        return;
    }
    int contacts = gg_request_contacts_allowed(r);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, result_json(r->plan, &results[i], contacts));
    gg_reply_json(out, 200, a);
}

/* GET /v1/depts: the departments and their grid counts. */
static void depts(gg_request *r, gg_reply *out)
{
    gg_ctx *ctx = NULL;
    gg_store *store = gg_request_store_or_503(r, out, &ctx);
    if (store == NULL)
        return;
    gg_dept_info *list = NULL;
    size_t n = 0;
    if (gg_store_depts(ctx, store, &list, &n) != GG_OK) {
        gg_reply_error(out, 500, "%s", gg_ctx_errmsg(ctx));
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s, s:I}", "dept", list[i].dept, "grids", (json_int_t)list[i].grids));
    gg_depts_free(ctx, list, n);
    gg_reply_json(out, 200, a);
}

/* bbox and limit (1 to 50000, default 10000), shared by the two GeoJSON
 * layers; 0 with the answer made when one is wrong. */
static int layer_args(gg_request *r, gg_reply *out, double box[4], int *has_box, long long *limit)
{
    char why[160];
    const char *bbox = gg_request_arg(r, "bbox");
    *has_box = bbox != NULL;
    if (bbox != NULL && !gg_param_bbox(bbox, box, why, sizeof why)) {
        gg_reply_error(out, 400, "%s", why);
        return 0;
    }
    *limit = 10000;
    const char *t = gg_request_arg(r, "limit");
    if (t != NULL && !gg_param_long("limit", t, 1, 50000, limit, why, sizeof why)) {
        gg_reply_error(out, 400, "%s", why);
        return 0;
    }
    return 1;
}

/* GET /v1/dept-grids?dept=&bbox=&limit=: GeoJSON with dept, id, name. */
static void dept_grids(gg_request *r, gg_reply *out)
{
    double box[4];
    int has_box;
    long long limit;
    if (!layer_args(r, out, box, &has_box, &limit))
        return;
    const char *dept = gg_request_arg(r, "dept");
    if (dept != NULL && (dept[0] == '\0' || strlen(dept) > 200)) {
        gg_reply_error(out, 400, "dept: expected a department's name (1 to 200 bytes)");
        return;
    }
    gg_ctx *ctx = NULL;
    gg_store *store = gg_request_store_or_503(r, out, &ctx);
    if (store == NULL)
        return;
    char *text = NULL;
    size_t len = 0;
    if (gg_dept_grids_geojson(ctx, store, dept, has_box ? box : NULL, limit, &text, &len) != GG_OK)
        gg_reply_error(out, 500, "%s", gg_ctx_errmsg(ctx));
    else
        gg_reply_text(out, 200, "application/geo+json; charset=utf-8", text, len);
}

/* GET /v1/conflicts?bbox=&kind=&limit=: govgrid dedup's conflicts. */
static void conflicts(gg_request *r, gg_reply *out)
{
    if (r->svc->conflicts == NULL) {
        gg_reply_error(out, 404, "no dedup conflicts: start the service with --dedup DIR (the output of govgrid dedup)");
        return;
    }
    double box[4];
    int has_box;
    long long limit;
    if (!layer_args(r, out, box, &has_box, &limit))
        return;
    gg_ctx *ctx = NULL;
    if (gg_request_store_or_503(r, out, &ctx) == NULL)
        return;
    char *text = NULL;
    size_t len = 0;
    gg_status st = gg_conflict_layer_geojson(ctx, r->svc->conflicts, has_box ? box : NULL,
                                             gg_request_arg(r, "kind"), limit, &text, &len);
    if (st != GG_OK)
        gg_reply_error(out, st == GG_ERR_ARG ? 400 : 500, "%s", gg_ctx_errmsg(ctx));
    else
        gg_reply_text(out, 200, "application/geo+json; charset=utf-8", text, len);
}

int gg_route_layers(gg_request *r, gg_reply *out)
{
    static const struct {
        const char *path;
        int route;
        void (*handler)(gg_request *, gg_reply *);
    } routes[] = {
        {"/v1/plans", ROUTE_PLANS, plans},           {"/v1/search", ROUTE_SEARCH, search},
        {"/v1/depts", ROUTE_DEPTS, depts},           {"/v1/dept-grids", ROUTE_DEPT_GRIDS, dept_grids},
        {"/v1/conflicts", ROUTE_CONFLICTS, conflicts},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (strcmp(r->path, routes[i].path) != 0)
            continue;
        if (strcmp(r->method, "GET") != 0)
            gg_reply_error(out, 405, "use GET");
        else if (gg_request_grids_allowed(r, out))
            routes[i].handler(r, out);
        return routes[i].route;
    }
    return ROUTE_NONE;
}
