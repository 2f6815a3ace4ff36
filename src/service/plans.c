/* Editing plans over HTTP, for the web map: /v1/key, /v1/plans/{N}/edits,
 * /v1/plans/{N}/grids/{CODE}, /v1/plans/{A}/diff/{B},
 * /v1/plans/{N}/publish and DELETE /v1/plans/{N}. A thin layer over
 * gg_plan_edit, gg_plan_diff_get, gg_plan_publish and gg_plan_delete.
 *
 * Reading (a grid with its neighbours, a diff) takes what /v1/grids takes:
 * a read key, or none with --public-grids. Writing (an edit, publish,
 * delete) takes a key with the plan right, and goes through a store
 * connection of its own, opened for the request and closed after it: the
 * library does each write in one transaction, and the request threads'
 * read connections and the incident writer are left alone. The key's name
 * is recorded as the new plan's made_by (or published_by). A project whose
 * write lock another process holds past the store's busy timeout is
 * answered 503 with Retry-After. */
#include "service/service.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EDIT_CODES 64
#define MAX_LINE_VERTICES 1000
#define MAX_NOTE_BYTES 500

/* A plan number of the path: 1 and *end after its digits, or 0. */
static int path_plan(const char *p, int64_t *plan, const char **end)
{
    int64_t v = 0;
    int digits = 0;
    while (isdigit((unsigned char)p[digits]) && digits < 18)
        v = v * 10 + (p[digits++] - '0');
    if (digits == 0 || v == 0 || isdigit((unsigned char)p[digits]))
        return 0;
    *plan = v;
    *end = p + digits;
    return 1;
}

/* The GeoJSON positions coords as WKT "lon lat, ..." appended at wkt +
 * *len (room for 52 bytes a point); 0, or the 1-based number of the first
 * position that is not [lon, lat] in degrees. */
static size_t put_points(json_t *coords, char *wkt, size_t cap, size_t *len)
{
    for (size_t i = 0; i < json_array_size(coords); i++) {
        json_t *pt = json_array_get(coords, i);
        double lon = json_number_value(json_array_get(pt, 0)), lat = json_number_value(json_array_get(pt, 1));
        if (!json_is_array(pt) || json_array_size(pt) < 2 || !json_is_number(json_array_get(pt, 0)) ||
            !json_is_number(json_array_get(pt, 1)) || lon < -180 || lon > 180 || lat < -90 || lat > 90)
            return i + 1;
        *len += (size_t)snprintf(wkt + *len, cap - *len, "%s%.10g %.10g", i ? ", " : "", lon, lat);
    }
    return 0;
}

/* "line": WKT text, or a GeoJSON LineString, into WKT (malloc'd); NULL
 * with the refusal made. */
static char *line_wkt(json_t *line, gg_reply *out)
{
    if (json_is_string(line)) {
        if (json_string_length(line) > 64 * 1024) {
            gg_refuse(out, 400, "line", "over 64 KiB");
            return NULL;
        }
        return strdup(json_string_value(line));
    }
    json_t *type = json_object_get(line, "type"), *coords = json_object_get(line, "coordinates");
    if (!json_is_object(line) || !json_is_string(type) || strcmp(json_string_value(type), "LineString") != 0 ||
        !json_is_array(coords)) {
        gg_refuse(out, 400, "line", "give WKT (LINESTRING(lon lat, ...)) or a GeoJSON LineString");
        return NULL;
    }
    size_t n = json_array_size(coords);
    if (n < 2 || n > MAX_LINE_VERTICES) {
        gg_refuse(out, 400, "line", "a line of 2 to %d points, lon/lat in EPSG:4326", MAX_LINE_VERTICES);
        return NULL;
    }
    size_t cap = 16 + n * 52, len = 0;
    char *wkt = malloc(cap);
    if (wkt == NULL) {
        gg_refuse(out, 503, NULL, "out of memory");
        return NULL;
    }
    len += (size_t)snprintf(wkt, cap, "LINESTRING(");
    size_t bad = put_points(coords, wkt, cap, &len);
    if (bad) {
        free(wkt);
        gg_refuse(out, 400, "line", "point %zu is not [lon, lat] in degrees", bad);
        return NULL;
    }
    snprintf(wkt + len, cap - len, ")");
    return wkt;
}

/* "polygon": WKT text, or a GeoJSON Polygon, into WKT (malloc'd); NULL
 * with the refusal made. */
static char *polygon_wkt(json_t *polygon, gg_reply *out)
{
    if (json_is_string(polygon)) {
        if (json_string_length(polygon) > 1024 * 1024) {
            gg_refuse(out, 400, "polygon", "over 1 MiB");
            return NULL;
        }
        return strdup(json_string_value(polygon));
    }
    json_t *type = json_object_get(polygon, "type"), *rings = json_object_get(polygon, "coordinates");
    if (!json_is_object(polygon) || !json_is_string(type) || strcmp(json_string_value(type), "Polygon") != 0 ||
        !json_is_array(rings) || json_array_size(rings) == 0) {
        gg_refuse(out, 400, "polygon", "give WKT (POLYGON((lon lat, ...))) or a GeoJSON Polygon");
        return NULL;
    }
    size_t points = 0;
    for (size_t k = 0; k < json_array_size(rings); k++)
        points += json_array_size(json_array_get(rings, k));
    if (points > 64 * MAX_LINE_VERTICES) {
        gg_refuse(out, 400, "polygon", "over %d points", 64 * MAX_LINE_VERTICES);
        return NULL;
    }
    size_t cap = 32 + points * 52 + json_array_size(rings) * 4, len = 0;
    char *wkt = malloc(cap);
    if (wkt == NULL) {
        gg_refuse(out, 503, NULL, "out of memory");
        return NULL;
    }
    len += (size_t)snprintf(wkt, cap, "POLYGON(");
    for (size_t k = 0; k < json_array_size(rings); k++) {
        json_t *ring = json_array_get(rings, k);
        if (!json_is_array(ring) || json_array_size(ring) < 4) {
            free(wkt);
            gg_refuse(out, 400, "polygon", "ring %zu: a closed ring of at least 4 [lon, lat] points", k + 1);
            return NULL;
        }
        len += (size_t)snprintf(wkt + len, cap - len, "%s(", k ? ", " : "");
        size_t bad = put_points(ring, wkt, cap, &len);
        if (bad) {
            free(wkt);
            gg_refuse(out, 400, "polygon", "ring %zu, point %zu is not [lon, lat] in degrees", k + 1, bad);
            return NULL;
        }
        len += (size_t)snprintf(wkt + len, cap - len, ")");
    }
    snprintf(wkt + len, cap - len, ")");
    return wkt;
}

static json_t *edited_json(const gg_edited_grid *g)
{
    json_t *o = json_object();
    json_object_set_new(o, "code", json_string(g->code));
    json_object_set_new(o, "community", json_string(g->community));
    json_object_set_new(o, "change", json_string(g->change));
    json_object_set_new(o, "households", g->counted ? json_integer(g->households) : json_null());
    json_object_set_new(o, "persons", g->counted ? json_integer(g->persons) : json_null());
    json_object_set_new(o, "area_m2", json_real((double)(long long)(g->area_m2 * 10 + 0.5) / 10));
    json_object_set_new(o, "flags", g->flags[0] ? json_string(g->flags) : json_null());
    json_object_set_new(o, "locked", json_boolean(g->locked));
    return o;
}

/* The rule checks of an edit's grids: the library's warning, then each
 * changed grid the windows flag (over_max, under_min, no_households) that
 * the warning does not already name. */
static json_t *warnings_json(const gg_edit_result *res, const gg_edited_grid *grids, size_t n)
{
    json_t *a = json_array();
    if (res->warning[0])
        json_array_append_new(a, json_string(res->warning));
    static const char *const rules[] = {"over_max", "under_min", "no_households"};
    for (size_t i = 0; i < n; i++) {
        if (strcmp(grids[i].change, "retired") == 0)
            continue;
        for (size_t k = 0; k < sizeof rules / sizeof rules[0]; k++)
            if (strstr(grids[i].flags, rules[k]) != NULL) {
                char text[96];
                snprintf(text, sizeof text, "grid %s: %s", grids[i].code, rules[k]);
                if (strstr(res->warning, grids[i].code) == NULL)
                    json_array_append_new(a, json_string(text));
            }
    }
    return a;
}

/* POST /v1/plans/{N}/edits with {"kind", "code" | "codes", "line" |
 * "polygon" | "block", "note", "dry_run"}: 201 with the new draft, 200 for
 * a dry run (nothing saved). */
static void edit(gg_request *r, int64_t plan, gg_reply *out)
{
    char key_name[GG_KEY_NAME_BUF];
    if (!gg_request_authorise(r, GG_RIGHT_PLAN, out, key_name, sizeof key_name))
        return;
    json_t *body = gg_request_body_object(r, out);
    if (body == NULL)
        return;
    const char *codes[MAX_EDIT_CODES];
    char *wkt = NULL;
    gg_edit_request req;
    memset(&req, 0, sizeof req);
    req.codes = codes;
    json_t *kind = json_object_get(body, "kind"), *code = json_object_get(body, "code"),
           *list = json_object_get(body, "codes"), *line = json_object_get(body, "line"),
           *note = json_object_get(body, "note"), *dry = json_object_get(body, "dry_run"),
           *polygon = json_object_get(body, "polygon"), *block = json_object_get(body, "block");
    const char *known[] = {"kind", "code", "codes", "line", "polygon", "block", "note", "dry_run"};
    const char *key;
    json_t *value;
    int bad = 0;
    json_object_foreach(body, key, value) {
        size_t k = 0;
        while (k < sizeof known / sizeof known[0] && strcmp(key, known[k]) != 0)
            k++;
        if (k == sizeof known / sizeof known[0] && !bad) {
            gg_refuse(out, 400, key,
                   "unknown member '%.60s' (give kind, code or codes, line, polygon or block, note, dry_run)", key);
            bad = 1;
        }
    }
    gg_ctx *ctx = NULL;
    if (!bad && !json_is_string(kind)) {
        gg_refuse(out, 400, "kind", "missing or not text: give merge, split, reshape, move, lock or unlock");
        bad = 1;
    }
    if (!bad) {
        gg_ctx *kctx = NULL;
        if (gg_ctx_new(&kctx) != GG_OK) {
            gg_refuse(out, 503, NULL, "out of memory");
            bad = 1;
        } else if (gg_edit_kind_parse(kctx, json_string_value(kind), &req.kind) != GG_OK) {
            gg_refuse(out, 400, "kind", "%s", gg_ctx_errmsg(kctx));
            bad = 1;
        }
        gg_ctx_free(kctx);
    }
    if (!bad && code != NULL && list != NULL) {
        gg_refuse(out, 400, "codes", "give code or codes, not both");
        bad = 1;
    } else if (!bad && code != NULL) {
        if (!json_is_string(code) || json_string_length(code) == 0 || json_string_length(code) > 23) {
            gg_refuse(out, 400, "code", "a grid code (text, at most 23 characters)");
            bad = 1;
        } else {
            codes[req.n++] = json_string_value(code);
        }
    } else if (!bad && list != NULL) {
        if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > MAX_EDIT_CODES) {
            gg_refuse(out, 400, "codes", "an array of 1 to %d grid codes", MAX_EDIT_CODES);
            bad = 1;
        }
        for (size_t i = 0; !bad && i < json_array_size(list); i++) {
            json_t *c = json_array_get(list, i);
            if (!json_is_string(c) || json_string_length(c) == 0 || json_string_length(c) > 23) {
                gg_refuse(out, 400, "codes", "item %zu is not a grid code (text, at most 23 characters)", i + 1);
                bad = 1;
            } else {
                codes[req.n++] = json_string_value(c);
            }
        }
    } else if (!bad) {
        gg_refuse(out, 400, "codes", "missing: name the grid (code) or grids (codes)");
        bad = 1;
    }
    if (!bad && req.kind == GG_EDIT_SPLIT) {
        if (line == NULL) {
            gg_refuse(out, 400, "line", "missing: a split needs the line to cut along");
            bad = 1;
        } else if ((wkt = line_wkt(line, out)) == NULL) {
            bad = 1;
        }
        req.line_wkt = wkt;
    } else if (!bad && line != NULL) {
        gg_refuse(out, 400, "line", "only a split takes a line");
        bad = 1;
    }
    char *pwkt = NULL;
    if (!bad && block != NULL && req.kind != GG_EDIT_MOVE) {
        gg_refuse(out, 400, "block", "only a move takes a block");
        bad = 1;
    } else if (!bad && block != NULL) {
        if (polygon != NULL) {
            gg_refuse(out, 400, "block", "give a block or a polygon, not both");
            bad = 1;
        } else if (!json_is_string(block) || json_string_length(block) == 0 || json_string_length(block) > 47) {
            gg_refuse(out, 400, "block", "a block id (CODE/k, as GET /v1/plans/N/grids/CODE/blocks gives them)");
            bad = 1;
        } else {
            req.block = json_string_value(block);
        }
    } else if (!bad && (req.kind == GG_EDIT_RESHAPE || req.kind == GG_EDIT_MOVE)) {
        if (polygon == NULL) {
            gg_refuse(out, 400, "polygon", "missing: a %s needs the polygon%s", gg_edit_kind_name(req.kind),
                   req.kind == GG_EDIT_MOVE ? " or a block" : "");
            bad = 1;
        } else if ((pwkt = polygon_wkt(polygon, out)) == NULL) {
            bad = 1;
        }
        req.polygon_wkt = pwkt;
    } else if (!bad && polygon != NULL) {
        gg_refuse(out, 400, "polygon", "only a reshape or a move takes a polygon");
        bad = 1;
    }
    if (!bad && note != NULL && !json_is_null(note)) {
        if (!json_is_string(note) || json_string_length(note) > MAX_NOTE_BYTES) {
            gg_refuse(out, 400, "note", "text of at most %d bytes", MAX_NOTE_BYTES);
            bad = 1;
        } else {
            req.note = json_string_value(note);
        }
    }
    if (!bad && dry != NULL) {
        if (!json_is_boolean(dry)) {
            gg_refuse(out, 400, "dry_run", "true or false");
            bad = 1;
        } else {
            req.dry_run = json_is_true(dry);
        }
    }
    gg_store *store = bad ? NULL : gg_request_writer(r, out, &ctx, key_name);
    if (store != NULL) {
        gg_edit_result res;
        gg_edited_grid *grids = NULL;
        size_t n = 0;
        gg_status st = gg_plan_edit(ctx, store, plan, &req, &res, &grids, &n);
        if (st != GG_OK) {
            const char *msg = gg_ctx_errmsg(ctx);
            gg_refuse_status(r, out, ctx, st,
                          st == GG_ERR_NOT_FOUND ? (req.block && strstr(msg, "block") ? "block"
                                                    : strstr(msg, "no grid")        ? "codes"
                                                                                    : "plan")
                          : st == GG_ERR_ARG     ? (req.kind == GG_EDIT_SPLIT ? "line"
                                                    : req.block                ? "block"
                                                    : req.polygon_wkt          ? "polygon"
                                                                               : "codes")
                                                 : "edit");
        } else {
            json_t *o = json_object();
            json_object_set_new(o, "plan", json_integer(res.plan));
            json_object_set_new(o, "parent", json_integer(plan));
            json_object_set_new(o, "kind", json_string(gg_edit_kind_name(req.kind)));
            json_object_set_new(o, "dry_run", json_boolean(req.dry_run));
            json_object_set_new(o, "saved", json_boolean(!req.dry_run));
            json_object_set_new(o, "grids_changed", json_integer(res.grids_changed));
            json_object_set_new(o, "code", res.code[0] ? json_string(res.code) : json_null());
            json_object_set_new(o, "households", res.code[0] && res.counted ? json_integer(res.households)
                                                                            : json_null());
            json_object_set_new(o, "warning", res.warning[0] ? json_string(res.warning) : json_null());
            json_object_set_new(o, "warnings", warnings_json(&res, grids, n));
            json_t *a = json_array();
            for (size_t i = 0; i < n; i++)
                json_array_append_new(a, edited_json(&grids[i]));
            json_object_set_new(o, "grids", a);
            gg_reply_json(out, req.dry_run ? 200 : 201, o);
        }
        gg_edited_grids_free(ctx, grids);
        gg_request_writer_close(ctx, store);
    }
    free(wkt);
    free(pwkt);
    json_decref(body);
}

/* POST /v1/plans/{N}/publish: the draft becomes the plan served (the
 * service's watcher switches to it within a second or two). */
static void publish(gg_request *r, int64_t plan, gg_reply *out)
{
    char key_name[GG_KEY_NAME_BUF];
    if (!gg_request_authorise(r, GG_RIGHT_PLAN, out, key_name, sizeof key_name))
        return;
    gg_ctx *ctx = NULL;
    gg_store *store = gg_request_writer(r, out, &ctx, key_name);
    if (store == NULL)
        return;
    gg_publish_report rep;
    gg_status st = gg_plan_publish(ctx, store, plan, &rep);
    if (st != GG_OK)
        gg_refuse_status(r, out, ctx, st, "plan");
    else
        gg_reply_json(out, 200,
                      json_pack("{s:I, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:s}", "plan", (json_int_t)rep.plan,
                                "superseded", rep.superseded ? json_integer(rep.superseded) : json_null(), "grids",
                                (json_int_t)rep.grids, "codes_kept", (json_int_t)rep.codes_kept, "codes_reshaped",
                                (json_int_t)rep.codes_reshaped, "codes_issued", (json_int_t)rep.codes_issued,
                                "codes_retired", (json_int_t)rep.codes_retired, "lineage", (json_int_t)rep.lineage,
                                "published", rep.published));
    gg_request_writer_close(ctx, store);
}

/* DELETE /v1/plans/{N}: a draft and its grids. */
static void delete_plan(gg_request *r, int64_t plan, gg_reply *out)
{
    char key_name[GG_KEY_NAME_BUF];
    if (!gg_request_authorise(r, GG_RIGHT_PLAN, out, key_name, sizeof key_name))
        return;
    gg_ctx *ctx = NULL;
    gg_store *store = gg_request_writer(r, out, &ctx, key_name);
    if (store == NULL)
        return;
    gg_status st = gg_plan_delete(ctx, store, plan);
    if (st != GG_OK) {
        gg_refuse_status(r, out, ctx, st, "plan");
    } else {
        /* Plan numbers come back after the newest is deleted: no map of
         * this one may be served for the next. */
        gg_gridmap_cache_forget(r->svc->gridmaps, r->svc->ctx, plan);
        gg_reply_json(out, 200, json_pack("{s:I}", "deleted", (json_int_t)plan));
    }
    gg_request_writer_close(ctx, store);
}

/* "published" (the plan published now), or a plan number. */
static int diff_side(gg_reply *out, gg_ctx *ctx, gg_store *store, const char *text, size_t len, const char *name,
                     int64_t *plan)
{
    if (len == 9 && strncmp(text, "published", 9) == 0) {
        int published = 0;
        if (gg_plan_active(ctx, store, plan, &published) != GG_OK || !published) {
            gg_refuse(out, 404, name, "no plan is published");
            return 0;
        }
        return 1;
    }
    const char *end = NULL;
    if (!path_plan(text, plan, &end) || end != text + len) {
        gg_refuse(out, 404, name, "not a plan number (or 'published'): %.*s", (int)(len > 40 ? 40 : len), text);
        return 0;
    }
    return 1;
}

/* GET /v1/plans/{A}/diff/{B}: gg_plan_diff_get as `govgrid diff --json`
 * writes it, with the unchanged grids and the households that stay left
 * out of the lists (the counts hold them). */
static void diff(gg_request *r, const char *a_text, size_t a_len, const char *b_text, gg_reply *out)
{
    gg_ctx *ctx = NULL;
    gg_store *store = gg_request_grids_store(r, out, &ctx);
    if (store == NULL)
        return;
    int64_t a = 0, b = 0;
    if (!diff_side(out, ctx, store, a_text, a_len, "a", &a) ||
        !diff_side(out, ctx, store, b_text, strlen(b_text), "b", &b))
        return;
    gg_plan_diff *d = NULL;
    gg_status st = gg_plan_diff_get(ctx, store, a, b, &d);
    char *text = NULL;
    json_t *o = NULL;
    if (st == GG_OK && gg_plan_diff_json(ctx, d, GG_DIFF_JSON_CHANGES, &text) == GG_OK)
        o = json_loads(text, 0, NULL);
    if (st != GG_OK)
        gg_refuse_status(r, out, ctx, st, "plan");
    else if (o != NULL)
        gg_reply_json(out, 200, o);
    else
        gg_reply_error(out, 500, "out of memory");
    gg_text_free(ctx, text);
    gg_plan_diff_free(ctx, d);
}

/* GET /v1/plans/{N}/grids/{CODE}: the grid as /v1/grids/CODE gives it, of
 * plan N (drafts too), with its neighbours. */
static void grid_with_neighbours(gg_request *r, int64_t plan, const char *code, gg_reply *out)
{
    if (!gg_request_grids_allowed(r, out))
        return;
    if (code[0] == '\0' || strlen(code) > 32 || strchr(code, '/') != NULL) {
        gg_refuse(out, 404, "code", "no such grid");
        return;
    }
    gg_ctx *ctx = NULL;
    gg_store *store = gg_request_store_or_503(r, out, &ctx);
    if (store == NULL)
        return;
    char *text = NULL, *around = NULL;
    gg_status st = gg_grid_json(ctx, store, plan, code, &text);
    if (st == GG_OK)
        st = gg_grid_neighbours_json(ctx, store, plan, code, &around);
    json_error_t err;
    json_t *o = st == GG_OK ? json_loads(text, 0, &err) : NULL;
    json_t *n = st == GG_OK ? json_loads(around, 0, &err) : NULL;
    gg_text_free(ctx, text);
    gg_text_free(ctx, around);
    if (st != GG_OK) {
        gg_refuse_status(r, out, ctx, st, strstr(gg_ctx_errmsg(ctx), "no grid") ? "code" : "plan");
    } else if (o == NULL || n == NULL) {
        json_decref(o);
        json_decref(n);
        gg_refuse(out, 500, NULL, "cannot write the answer");
    } else {
        json_object_set_new(o, "neighbours", n);
        if (!gg_request_contacts_allowed(r)) {
            json_object_del(o, "workers");
            json_object_set_new(o, "contacts_withheld", json_true());
        }
        gg_reply_json(out, 200, o);
    }
}

/* GET /v1/plans/{N}/grids/{CODE}/blocks: the grid's street blocks
 * (gg_plan_grid_blocks) as GeoJSON, with the grids of its community each
 * touches, for the web map's "move a block". The same keys as the grid. */
static void grid_blocks(gg_request *r, int64_t plan, const char *code, gg_reply *out)
{
    gg_ctx *ctx = NULL;
    gg_store *store = gg_request_grids_store(r, out, &ctx);
    if (store == NULL)
        return;
    gg_grid_block *b = NULL;
    size_t n = 0;
    gg_status st = gg_plan_grid_blocks(ctx, store, plan, code, &b, &n);
    if (st != GG_OK) {
        gg_refuse_status(r, out, ctx, st, strstr(gg_ctx_errmsg(ctx), "no grid") ? "code" : "plan");
        return;
    }
    json_t *features = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *touches = json_array();
        for (size_t k = 0; k < b[i].n_touches; k++)
            json_array_append_new(touches, json_string(b[i].touches[k]));
        json_t *geometry = json_loads(b[i].geojson, 0, NULL);
        json_array_append_new(
            features, json_pack("{s:s, s:s, s:{s:s, s:I, s:I, s:f, s:[f, f], s:o}, s:o}", "type", "Feature", "id",
                                b[i].id, "properties", "grid", code, "households", (json_int_t)b[i].households,
                                "persons", (json_int_t)b[i].persons, "area_m2", round(b[i].area_m2 * 10) / 10,
                                "point", b[i].x, b[i].y, "touches", touches, "geometry",
                                geometry ? geometry : json_null()));
    }
    gg_grid_blocks_free(ctx, b, n);
    gg_reply_json(out, 200, json_pack("{s:s, s:I, s:s, s:o}", "type", "FeatureCollection", "plan", (json_int_t)plan,
                                      "grid", code, "features", features));
}

/* GET /v1/key: the presented key's rights and the edits this service
 * has, so that the web map offers editing only where it will be taken. */
static void key_info(gg_request *r, gg_reply *out)
{
    char name[GG_KEY_NAME_BUF];
    int rights = gg_request_rights(r, name, sizeof name);
    if (rights < 0) {
        gg_refuse(out, 401, "api_key", "this needs an API key (api_key, X-API-Key or Authorization: Bearer)");
        return;
    }
    if (rights == 0) {
        gg_refuse(out, 401, "api_key", "the API key is not valid (unknown or revoked)");
        return;
    }
    json_t *kinds = json_array();
    static const gg_edit_kind all[] = {GG_EDIT_MERGE, GG_EDIT_SPLIT,  GG_EDIT_LOCK,
                                       GG_EDIT_UNLOCK, GG_EDIT_RESHAPE, GG_EDIT_MOVE};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        json_array_append_new(kinds, json_string(gg_edit_kind_name(all[i])));
    gg_reply_json(out, 200,
                  json_pack("{s:s, s:{s:b, s:b, s:b}, s:o}", "name", name, "rights", "read",
                            (rights & GG_RIGHT_READ) != 0, "write", (rights & GG_RIGHT_WRITE) != 0, "plan",
                            (rights & GG_RIGHT_PLAN) != 0, "edit_kinds", kinds));
}

int gg_route_plans(gg_request *r, gg_reply *out)
{
    const char *p = r->path, *m = r->method;
    if (strcmp(p, "/v1/key") == 0) {
        if (strcmp(m, "GET") != 0)
            gg_refuse(out, 405, NULL, "use GET");
        else
            key_info(r, out);
        return ROUTE_KEY;
    }
    if (strncmp(p, "/v1/plans/", 10) != 0)
        return ROUTE_NONE;
    int64_t plan = 0;
    const char *rest = NULL;
    if (!path_plan(p + 10, &plan, &rest)) {
        gg_refuse(out, 404, "plan", "not a plan number: %.40s", p + 10);
        return ROUTE_PLAN;
    }
    if (rest[0] == '\0') {
        if (strcmp(m, "DELETE") != 0)
            gg_refuse(out, 405, NULL, "use DELETE (the plans: GET /v1/plans)");
        else
            delete_plan(r, plan, out);
        return ROUTE_PLAN;
    }
    if (strcmp(rest, "/edits") == 0) {
        if (strcmp(m, "POST") != 0)
            gg_refuse(out, 405, NULL, "use POST");
        else
            edit(r, plan, out);
        return ROUTE_PLAN_EDIT;
    }
    if (strcmp(rest, "/publish") == 0) {
        if (strcmp(m, "POST") != 0)
            gg_refuse(out, 405, NULL, "use POST");
        else
            publish(r, plan, out);
        return ROUTE_PLAN;
    }
    if (strncmp(rest, "/diff/", 6) == 0) {
        if (strcmp(m, "GET") != 0)
            gg_refuse(out, 405, NULL, "use GET");
        else
            diff(r, p + 10, (size_t)(rest - (p + 10)), rest + 6, out);
        return ROUTE_PLAN_DIFF;
    }
    if (strncmp(rest, "/grids/", 7) == 0) {
        const char *code = rest + 7, *slash = strchr(code, '/');
        char one[33];
        if (strcmp(m, "GET") != 0) {
            gg_refuse(out, 405, NULL, "use GET");
        } else if (slash == NULL) {
            grid_with_neighbours(r, plan, code, out);
        } else if (strcmp(slash, "/blocks") == 0 && slash > code && (size_t)(slash - code) < sizeof one) {
            snprintf(one, sizeof one, "%.*s", (int)(slash - code), code);
            grid_blocks(r, plan, one, out);
        } else {
            gg_refuse(out, 404, NULL, "no such resource: %s %.200s", m, p);
        }
        return ROUTE_PLAN_GRID;
    }
    gg_refuse(out, 404, NULL, "no such resource: %s %.200s", m, p);
    return ROUTE_PLAN;
}
