/* /v1/grids, /v1/grids/CODE and /v1/communities: a plan's grids and
 * divisions for the web map, simplified per zoom from a cache of the
 * library's grid maps (gg_gridmap). */
#include "service/service.h"

#include <stdlib.h>
#include <string.h>

/* ---- the cache of grid maps ---- */

typedef struct cached_map {
    int64_t plan;
    int bucket;             /* gg_gridmap_bucket's zoom; GG_GRIDMAP_FULL for the loaded map */
    gg_gridmap *map;        /* NULL: free slot */
    int refs;               /* answers being written from it */
    int dropped;            /* out of the cache: freed by its last release */
    uint64_t used;
} cached_map;

struct gg_gridmap_cache {
    pthread_mutex_t lock;   /* the slots */
    pthread_mutex_t build;  /* one map built at a time: two requests never build the same */
    cached_map slot[GG_SERVICE_GRIDMAPS];
    cached_map *dropped[64];/* dropped while in use */
    size_t n_dropped;
    uint64_t clock;
    pthread_t warmer;
    int warming;            /* the warmer was started: joined by gg_gridmap_cache_free */
    int stopping;           /* the warmer stops before its next map */
};

struct gg_gridmap_cache *gg_gridmap_cache_new(void)
{
    struct gg_gridmap_cache *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    pthread_mutex_init(&c->lock, NULL);
    pthread_mutex_init(&c->build, NULL);
    return c;
}

void gg_gridmap_cache_free(struct gg_gridmap_cache *c, gg_ctx *ctx)
{
    if (c == NULL)
        return;
    if (c->warming) {
        __atomic_store_n(&c->stopping, 1, __ATOMIC_RELEASE);
        pthread_join(c->warmer, NULL);
    }
    for (int k = 0; k < GG_SERVICE_GRIDMAPS; k++)
        gg_gridmap_free(ctx, c->slot[k].map);
    for (size_t k = 0; k < c->n_dropped; k++) {
        gg_gridmap_free(ctx, c->dropped[k]->map);
        free(c->dropped[k]);
    }
    pthread_mutex_destroy(&c->lock);
    pthread_mutex_destroy(&c->build);
    free(c);
}

static int drop(struct gg_gridmap_cache *c, gg_ctx *ctx, cached_map *s);

void gg_gridmap_cache_forget(struct gg_gridmap_cache *c, gg_ctx *ctx, int64_t plan)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&c->lock);
    for (int k = 0; k < GG_SERVICE_GRIDMAPS; k++)
        if (c->slot[k].map != NULL && c->slot[k].plan == plan)
            drop(c, ctx, &c->slot[k]);
    pthread_mutex_unlock(&c->lock);
}

/* Empties slot s (under c->lock): its map freed now, or by its last
 * release when answers still use it. 0 when it cannot be kept for them. */
static int drop(struct gg_gridmap_cache *c, gg_ctx *ctx, cached_map *s)
{
    if (s->refs == 0) {
        gg_gridmap_free(ctx, s->map);
    } else {
        cached_map *old = c->n_dropped < 64 ? malloc(sizeof *old) : NULL;
        if (old == NULL)
            return 0;
        *old = *s;
        old->dropped = 1;
        c->dropped[c->n_dropped++] = old;
    }
    s->map = NULL;
    return 1;
}

/* The map of (plan, bucket) if cached, with a reference taken; the caller
 * holds c->lock. */
static gg_gridmap *find_locked(struct gg_gridmap_cache *c, int64_t plan, int bucket)
{
    for (int k = 0; k < GG_SERVICE_GRIDMAPS; k++) {
        cached_map *s = &c->slot[k];
        if (s->map && s->plan == plan && s->bucket == bucket) {
            s->refs++;
            s->used = ++c->clock;
            return s->map;
        }
    }
    return NULL;
}

/* Puts map in a free slot, or in the least recently used one (whose map
 * is freed now, or by its last release when answers still use it), and
 * returns 1; the reference the caller holds stays taken. 0 when there is
 * no room: the caller keeps map. */
static int insert(struct gg_gridmap_cache *c, gg_ctx *ctx, int64_t plan, int bucket, gg_gridmap *map)
{
    pthread_mutex_lock(&c->lock);
    cached_map *victim = NULL;
    for (int k = 0; k < GG_SERVICE_GRIDMAPS && victim == NULL; k++)
        if (c->slot[k].map == NULL)
            victim = &c->slot[k];
    if (victim == NULL) {
        victim = &c->slot[0];
        for (int k = 1; k < GG_SERVICE_GRIDMAPS; k++)
            if (c->slot[k].used < victim->used)
                victim = &c->slot[k];
        if (!drop(c, ctx, victim)) {
            pthread_mutex_unlock(&c->lock);
            return 0;
        }
    }
    victim->plan = plan;
    victim->bucket = bucket;
    victim->map = map;
    victim->refs = 1;
    victim->dropped = 0;
    victim->used = ++c->clock;
    /* over the bytes allowed: the least recently used others go */
    for (;;) {
        size_t bytes = 0;
        cached_map *oldest = NULL;
        for (int k = 0; k < GG_SERVICE_GRIDMAPS; k++) {
            cached_map *s = &c->slot[k];
            if (s->map == NULL)
                continue;
            bytes += gg_gridmap_bytes(s->map);
            if (s != victim && (oldest == NULL || s->used < oldest->used))
                oldest = s;
        }
        if (bytes <= GG_SERVICE_GRIDMAP_BYTES || oldest == NULL || !drop(c, ctx, oldest))
            break;
    }
    pthread_mutex_unlock(&c->lock);
    return 1;
}

static void release(struct gg_gridmap_cache *c, gg_ctx *ctx, gg_gridmap *map, int owned)
{
    if (owned) {
        gg_gridmap_free(ctx, map);
        return;
    }
    pthread_mutex_lock(&c->lock);
    for (int k = 0; k < GG_SERVICE_GRIDMAPS; k++)
        if (c->slot[k].map == map) {
            c->slot[k].refs--;
            pthread_mutex_unlock(&c->lock);
            return;
        }
    for (size_t k = 0; k < c->n_dropped; k++)
        if (c->dropped[k]->map == map && --c->dropped[k]->refs == 0) {
            gg_gridmap_free(ctx, c->dropped[k]->map);
            free(c->dropped[k]);
            c->dropped[k] = c->dropped[--c->n_dropped];
            break;
        }
    pthread_mutex_unlock(&c->lock);
}

/* The map of plan for zoom (a reference; give it back with release). A
 * map the cache could not keep is *owned by the caller. */
static gg_status acquire(struct gg_gridmap_cache *c, gg_ctx *ctx, gg_store *store, int64_t plan, int zoom,
                         gg_gridmap **out, int *owned)
{
    int bucket = gg_gridmap_bucket(zoom);
    *owned = 0;
    pthread_mutex_lock(&c->lock);
    *out = find_locked(c, plan, bucket);
    pthread_mutex_unlock(&c->lock);
    if (*out)
        return GG_OK;
    pthread_mutex_lock(&c->build);
    pthread_mutex_lock(&c->lock);
    *out = find_locked(c, plan, bucket);
    gg_gridmap *base = *out ? NULL : find_locked(c, plan, GG_GRIDMAP_FULL);
    pthread_mutex_unlock(&c->lock);
    gg_status st = GG_OK;
    int base_owned = 0;
    if (*out == NULL && base == NULL) {
        st = gg_gridmap_load(ctx, store, plan, &base);
        if (st == GG_OK)
            base_owned = !insert(c, ctx, plan, GG_GRIDMAP_FULL, base);
    }
    if (*out == NULL && st == GG_OK) {
        if (bucket == GG_GRIDMAP_FULL) {
            *out = base;
            *owned = base_owned;
            base = NULL;
        } else {
            gg_gridmap *map = NULL;
            st = gg_gridmap_simplify(ctx, base, zoom, &map);
            if (st == GG_OK) {
                *owned = !insert(c, ctx, plan, bucket, map);
                *out = map;
            }
        }
    }
    if (base != NULL)
        release(c, ctx, base, base_owned);
    pthread_mutex_unlock(&c->build);
    return st;
}

/* The maps a web map opens with, of the served plan, built by a thread
 * of its own with its own connection: the first visitor finds them made
 * (a county's takes seconds). A failure leaves them to be built on use. */
static void *warm(void *arg)
{
    gg_service *svc = arg;
    struct gg_gridmap_cache *c = svc->gridmaps;
    gg_ctx *ctx = NULL;
    gg_store *store = NULL;
    gg_served_plan *served = gg_served_get(svc);
    int64_t plan = served->plan;
    gg_served_put(svc, served);
    if (gg_ctx_new(&ctx) == GG_OK && gg_store_open(ctx, svc->o.project, 0, &store) == GG_OK) {
        static const int zooms[] = {10, 12, 14, 16};
        for (size_t k = 0; k < sizeof zooms / sizeof zooms[0]; k++) {
            if (__atomic_load_n(&c->stopping, __ATOMIC_ACQUIRE))
                break;
            gg_gridmap *map = NULL;
            int owned = 0;
            if (acquire(c, ctx, store, plan, zooms[k], &map, &owned) != GG_OK)
                break;
            release(c, ctx, map, owned);
        }
    }
    gg_store_close(store);
    gg_ctx_free(ctx);
    return NULL;
}

void gg_gridmap_cache_warm(gg_service *svc)
{
    struct gg_gridmap_cache *c = svc->gridmaps;
    if (c->warming)
        pthread_join(c->warmer, NULL); /* a plan published while the last was warming */
    c->warming = pthread_create(&c->warmer, NULL, warm, svc) == 0;
}

/* ---- the routes ---- */

/* The plan, bbox and zoom parameters every map route takes: 0 with an
 * answer made when one is wrong. *zoom is -1 when none is given. */
static int map_params(gg_request *r, gg_reply *out, int64_t *plan, double box[4], int *has_box, int *zoom)
{
    char why[160];
    const char *bbox = gg_request_arg(r, "bbox");
    *has_box = bbox != NULL;
    if (bbox != NULL && !gg_param_bbox(bbox, box, why, sizeof why)) {
        gg_reply_error(out, 400, "%s", why);
        return 0;
    }
    long long p = gg_locator_plan(r->plan->loc), z = -1;
    const char *t = gg_request_arg(r, "plan");
    if (t != NULL && !gg_param_long("plan", t, 1, INT64_MAX, &p, why, sizeof why)) {
        gg_reply_error(out, 400, "%s", why);
        return 0;
    }
    t = gg_request_arg(r, "zoom");
    if (t != NULL && !gg_param_long("zoom", t, 0, 22, &z, why, sizeof why)) {
        gg_reply_error(out, 400, "%s", why);
        return 0;
    }
    *plan = p;
    *zoom = (int)z;
    return 1;
}

/* The answer for st: text (taken) when GG_OK, as GeoJSON or, the polyline
 * form not being GeoJSON, as plain JSON. */
static void reply_status(gg_reply *out, gg_ctx *ctx, gg_status st, char *text, size_t len, gg_gridmap_form form)
{
    if (st == GG_ERR_NOT_FOUND)
        gg_reply_error(out, 404, "%s", gg_ctx_errmsg(ctx));
    else if (st == GG_ERR_NOMEM)
        gg_reply_error(out, 500, "out of memory");
    else if (st != GG_OK)
        gg_reply_error(out, 500, "%s", gg_ctx_errmsg(ctx));
    else
        gg_reply_text(out, 200,
                      form == GG_GRIDMAP_POLYLINE ? "application/json; charset=utf-8"
                                                  : "application/geo+json; charset=utf-8",
                      text, len);
}

/* The encoding parameter of the map routes: 0 with an answer made when it
 * is wrong. */
static int form_param(gg_request *r, gg_reply *out, gg_gridmap_form *form)
{
    const char *t = gg_request_arg(r, "encoding");
    *form = GG_GRIDMAP_GEOJSON;
    if (t == NULL || strcmp(t, "geojson") == 0)
        return 1;
    if (strcmp(t, "polyline") == 0) {
        *form = GG_GRIDMAP_POLYLINE;
        return 1;
    }
    gg_reply_error(out, 400, "encoding: expected geojson or polyline");
    return 0;
}

/* The grids (or, divisions set, the communities and townships) of the
 * map of plan for zoom, from the cache, in form. */
static void answer_from_map(gg_request *r, gg_reply *out, gg_ctx *ctx, gg_store *store, int64_t plan, int zoom,
                            const double *bbox, const char *community, long long limit, int divisions,
                            gg_gridmap_form form)
{
    gg_gridmap *map = NULL;
    int owned = 0;
    char *text = NULL;
    size_t len = 0;
    gg_status st = acquire(r->svc->gridmaps, ctx, store, plan, zoom, &map, &owned);
    if (st == GG_OK) {
        st = divisions ? gg_gridmap_divisions_geojson(ctx, map, bbox, form, &text, &len)
                       : gg_gridmap_grids_geojson(ctx, map, bbox, community, limit, form, &text, &len);
        release(r->svc->gridmaps, ctx, map, owned);
    }
    reply_status(out, ctx, st, text, len, form);
}

/* GET /v1/grids?bbox=w,s,e,n&community=CODE&plan=N&limit=N&zoom=Z&encoding=E: a
 * FeatureCollection; with zoom, the map's (simplified, with labels and
 * the roster check), as GeoJSON or (encoding=polyline) in the web map's
 * compact form (gg_gridmap_form), else the stored geometry as it is. */
static void grids_list(gg_request *r, gg_reply *out)
{
    if (!gg_request_grids_allowed(r, out))
        return;
    char why[160];
    double box[4];
    int has_box, zoom;
    int64_t plan;
    if (!map_params(r, out, &plan, box, &has_box, &zoom))
        return;
    long long limit = 10000;
    const char *t = gg_request_arg(r, "limit");
    if (t != NULL && !gg_param_long("limit", t, 1, 50000, &limit, why, sizeof why)) {
        gg_reply_error(out, 400, "%s", why);
        return;
    }
    const char *community = gg_request_arg(r, "community");
    if (community != NULL && (!gg_text_clean(community) || strlen(community) > 32)) {
        gg_reply_error(out, 400, "community: not a division code");
        return;
    }
    gg_gridmap_form form;
    if (!form_param(r, out, &form))
        return;
    if (zoom < 0 && form != GG_GRIDMAP_GEOJSON) {
        gg_reply_error(out, 400, "encoding=polyline: give a zoom too (the stored grids are GeoJSON only)");
        return;
    }
    gg_ctx *ctx = NULL;
    gg_store *store = gg_request_store_or_503(r, out, &ctx);
    if (store == NULL)
        return;
    if (zoom >= 0) {
        answer_from_map(r, out, ctx, store, plan, zoom, has_box ? box : NULL, community, limit, 0, form);
        return;
    }
    char *text = NULL;
    size_t len = 0;
    gg_status st = gg_grids_geojson(ctx, store, plan, has_box ? box : NULL, community, limit, &text, &len);
    reply_status(out, ctx, st, text, len, GG_GRIDMAP_GEOJSON);
}

/* GET /v1/communities?plan=N&bbox=w,s,e,n&zoom=Z&encoding=E: the communities of the
 * plan's grids and their townships (level, code, name, label). */
static void communities_list(gg_request *r, gg_reply *out)
{
    if (!gg_request_grids_allowed(r, out))
        return;
    double box[4];
    int has_box, zoom;
    int64_t plan;
    if (!map_params(r, out, &plan, box, &has_box, &zoom))
        return;
    gg_gridmap_form form;
    if (!form_param(r, out, &form))
        return;
    gg_ctx *ctx = NULL;
    gg_store *store = gg_request_store_or_503(r, out, &ctx);
    if (store == NULL)
        return;
    answer_from_map(r, out, ctx, store, plan, zoom < 0 ? 22 : zoom, has_box ? box : NULL, NULL, 0, 1, form);
}

/* A grid's JSON (text, taken) without its people's names and phones. */
static void reply_without_people(gg_reply *out, gg_ctx *ctx, char *text)
{
    json_error_t err;
    json_t *o = json_loads(text, 0, &err);
    gg_text_free(ctx, text);
    if (o == NULL) {
        gg_reply_error(out, 500, "cannot write the answer");
        return;
    }
    json_object_del(o, "workers");
    json_object_set_new(o, "contacts_withheld", json_true());
    gg_reply_json(out, 200, o);
}

/* GET /v1/grids/CODE: one grid with its households, area and people (the
 * people as gg_request_contacts_allowed says). */
static void grid_one(gg_request *r, const char *code, gg_reply *out)
{
    gg_ctx *ctx = NULL;
    gg_store *store = gg_request_grids_store(r, out, &ctx);
    if (store == NULL)
        return;
    char *text = NULL;
    gg_status st = gg_grid_json(ctx, store, gg_locator_plan(r->plan->loc), code, &text);
    if (st == GG_ERR_NOT_FOUND)
        gg_reply_error(out, 404, "%s", gg_ctx_errmsg(ctx));
    else if (st != GG_OK)
        gg_reply_error(out, 500, "%s", gg_ctx_errmsg(ctx));
    else if (gg_request_contacts_allowed(r))
        gg_reply_text(out, 200, "application/json; charset=utf-8", text, strlen(text));
    else
        reply_without_people(out, ctx, text);
}

int gg_route_grids(gg_request *r, gg_reply *out)
{
    const char *p = r->path;
    int get = strcmp(r->method, "GET") == 0;
    if (strcmp(p, "/v1/grids") == 0) {
        if (!get)
            gg_reply_error(out, 405, "use GET");
        else
            grids_list(r, out);
        return ROUTE_GRIDS;
    }
    if (strncmp(p, "/v1/grids/", 10) == 0) {
        const char *code = p + 10;
        if (!get)
            gg_reply_error(out, 405, "use GET");
        else if (strlen(code) == 0 || strlen(code) > 32 || strchr(code, '/') != NULL)
            gg_reply_error(out, 404, "no such grid");
        else
            grid_one(r, code, out);
        return ROUTE_GRID;
    }
    if (strcmp(p, "/v1/communities") == 0) {
        if (!get)
            gg_reply_error(out, 405, "use GET");
        else
            communities_list(r, out);
        return ROUTE_COMMUNITIES;
    }
    return ROUTE_NONE;
}
