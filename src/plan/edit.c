/* Planners' edits (govgrid/plan.h): each makes a new draft from a plan, in
 * one transaction, after checking what the edit would break. */
#include "govgrid/plan.h"

#include <stdio.h>
#include <string.h>

#include "core/ctx.h"
#include "store/plan.h"
#include "store/stage.h"
#include "store/versions.h"

static gg_status check_codes(gg_ctx *ctx, const char *const *codes, size_t n, size_t least, const char *what)
{
    if (codes == NULL || n < least)
        return gg_error(ctx, GG_ERR_ARG, "%s needs at least %zu grid code%s", what, least, least == 1 ? "" : "s");
    for (size_t i = 0; i < n; i++) {
        if (codes[i] == NULL || codes[i][0] == '\0')
            return gg_error(ctx, GG_ERR_ARG, "%s: an empty grid code", what);
        for (size_t k = 0; k < i; k++)
            if (strcmp(codes[i], codes[k]) == 0)
                return gg_error(ctx, GG_ERR_ARG, "%s: grid %s is named twice", what, codes[i]);
    }
    return GG_OK;
}

/* The flags a merged grid carries: those its households give it against
 * the plan's windows (the rest described its parts). */
static void merged_flags(const gg_plan_windows *w, int rural, const gg_edit_grid *g, char *out, size_t size)
{
    int min = rural ? w->rural_min : w->urban_min, max = rural ? w->rural_max : w->urban_max;
    out[0] = '\0';
    if (!g->counted)
        return;
    if (g->households > max)
        snprintf(out, size, "over_max");
    else if (g->households < min)
        snprintf(out, size, "under_min");
    if (g->households == 0)
        snprintf(out + strlen(out), size - strlen(out), "%sno_households", out[0] ? "," : "");
}

static gg_status merge(gg_ctx *ctx, gg_store *store, int64_t plan, const char *const *codes, size_t n,
                       const char *note, gg_edit_result *r)
{
    GEOSContextHandle_t h = ctx->geos;
    gg_plan_row row;
    gg_status st = gg_store_plan_row(store, plan, &row);
    if (st != GG_OK)
        return st;
    gg_edit_grid *parts = NULL;
    st = gg_store_edit_grids(store, plan, codes, n, &parts);
    if (st != GG_OK)
        return st;
    size_t keep = 0;
    for (size_t i = 0; i < n && st == GG_OK; i++) {
        const gg_edit_grid *g = &parts[i];
        if (strcmp(g->community, parts[0].community) != 0)
            st = gg_error(ctx, GG_ERR_INVALID_INPUT,
                          "%s: grids %s (community %s) and %s (community %s) are in different communities: a grid "
                          "lies in one community",
                          store->path, parts[0].code, parts[0].community, g->code, g->community);
        else if (g->type != parts[0].type)
            st = gg_error(ctx, GG_ERR_INVALID_INPUT,
                          "%s: grids %s (type %d) and %s (type %d) are of different types: merge grids of one type",
                          store->path, parts[0].code, parts[0].type, g->code, g->type);
        else if (g->locked)
            st = gg_error(ctx, GG_ERR_INVALID_INPUT, "%s: grid %s is locked (govgrid edit unlock first)", store->path,
                          g->code);
        /* The grid that keeps its code: the most households, then area,
         * then the lower code (as codes stay in a partition). */
        else if (i > 0 && (g->households > parts[keep].households ||
                           (g->households == parts[keep].households &&
                            (g->area_m2 > parts[keep].area_m2 ||
                             (g->area_m2 == parts[keep].area_m2 && strcmp(g->code, parts[keep].code) < 0)))))
            keep = i;
    }
    GEOSGeometry *merged = NULL;
    if (st == GG_OK) {
        GEOSGeometry **geoms = gg_calloc(ctx, n, sizeof *geoms);
        if (geoms == NULL)
            st = gg_error_nomem(ctx);
        for (size_t i = 0; st == GG_OK && i < n; i++)
            geoms[i] = GEOSGeom_clone_r(h, parts[i].geom);
        GEOSGeometry *all =
            st == GG_OK ? GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, geoms, (unsigned)n) : NULL;
        gg_free(ctx, geoms);
        merged = all ? GEOSCoverageUnion_r(h, all) : NULL;
        if (all)
            GEOSGeom_destroy_r(h, all);
        if (st == GG_OK && merged == NULL)
            st = gg_error(ctx, GG_ERR_GEOMETRY, "%s: merging grids %s and %s: %s", store->path, codes[0], codes[1],
                          ctx->geos_msg);
    }
    /* One piece: each part must touch the others. */
    int pieces_before = 0;
    for (size_t i = 0; st == GG_OK && i < n; i++)
        pieces_before = GEOSGetNumGeometries_r(h, parts[i].geom) > pieces_before
                            ? GEOSGetNumGeometries_r(h, parts[i].geom)
                            : pieces_before;
    if (st == GG_OK && GEOSGetNumGeometries_r(h, merged) > (pieces_before > 1 ? pieces_before : 1)) {
        char list[256] = "";
        size_t len = 0;
        for (size_t i = 0; i < n && len + 40 < sizeof list; i++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ",
                                    codes[i]);
        st = gg_error(ctx, GG_ERR_INVALID_INPUT,
                      "%s: grids %s do not make one piece: a merged grid must be contiguous (each grid must share "
                      "an edge with another)",
                      store->path, list);
    }
    gg_edit_grid g;
    memset(&g, 0, sizeof g);
    if (st == GG_OK) {
        g = parts[keep];
        g.geom = merged;
        g.households = g.persons = 0;
        g.area_m2 = 0;
        g.counted = 1;
        for (size_t i = 0; i < n; i++) {
            g.households += parts[i].households;
            g.persons += parts[i].persons;
            g.area_m2 += parts[i].area_m2;
            g.counted &= parts[i].counted;
        }
        gg_plan_windows w;
        st = gg_store_plan_windows(store, plan, &w);
        char ur[8] = "";
        if (st == GG_OK)
            st = gg_store_community_class(store, g.community, ur, sizeof ur);
        if (st == GG_OK)
            merged_flags(&w, gg_plan_windows_rural(&w, ur), &g, g.flags, sizeof g.flags);
        if (st == GG_OK && g.counted && strstr(g.flags, "over_max") != NULL)
            snprintf(r->warning, sizeof r->warning, "grid %s holds %lld households, over the maximum %d", g.code,
                     (long long)g.households, gg_plan_windows_rural(&w, ur) ? w.rural_max : w.urban_max);
    }
    char params[256];
    snprintf(params, sizeof params, "{\"edit\":\"merge\",\"from\":%lld}", (long long)plan);
    if (st == GG_OK)
        st = gg_store_plan_new_edit(store, plan, note, params, &r->plan);
    if (st == GG_OK)
        st = gg_store_copy_grids_except(store, plan, r->plan, codes, n);
    if (st == GG_OK)
        st = gg_store_grid_insert(store, r->plan, &g);
    if (st == GG_OK) {
        snprintf(r->code, sizeof r->code, "%s", g.code);
        r->households = g.households;
        r->counted = g.counted;
        r->grids_changed = (int64_t)n;
    }
    if (merged)
        GEOSGeom_destroy_r(h, merged);
    gg_edit_grids_free(ctx, parts, n);
    return st;
}

static gg_status lock(gg_ctx *ctx, gg_store *store, int64_t plan, const char *const *codes, size_t n, int locked,
                      const char *note, gg_edit_result *r)
{
    gg_plan_row row;
    gg_status st = gg_store_plan_row(store, plan, &row);
    gg_edit_grid *grids = NULL;
    if (st == GG_OK)
        st = gg_store_edit_grids(store, plan, codes, n, &grids); /* each must exist */
    gg_edit_grids_free(ctx, grids, n);
    char params[256];
    snprintf(params, sizeof params, "{\"edit\":\"%s\",\"from\":%lld}", locked ? "lock" : "unlock", (long long)plan);
    if (st == GG_OK)
        st = gg_store_plan_new_edit(store, plan, note, params, &r->plan);
    if (st == GG_OK)
        st = gg_store_copy_grids_except(store, plan, r->plan, NULL, 0);
    if (st == GG_OK)
        st = gg_store_grids_lock(store, r->plan, codes, n, locked);
    if (st == GG_OK)
        r->grids_changed = (int64_t)n;
    return st;
}

/* Runs an edit in one transaction. */
static gg_status run(gg_ctx *ctx, gg_store *store, gg_edit_result *out,
                     gg_status (*edit)(gg_ctx *, gg_store *, void *, gg_edit_result *), void *arg)
{
    gg_edit_result r;
    memset(&r, 0, sizeof r);
    gg_status st = gg_store_begin(store);
    if (st != GG_OK)
        return st;
    st = edit(ctx, store, arg, &r);
    if (st == GG_OK) {
        static const char *const changed[] = {"plan", "grid"};
        st = gg_store_changes_bump(store, changed, 2);
    }
    if (st == GG_OK)
        st = gg_store_commit(store);
    else
        gg_store_rollback(store);
    if (st == GG_OK && out != NULL)
        *out = r;
    return st;
}

typedef struct edit_args {
    int64_t plan;
    const char *const *codes;
    size_t n;
    int locked;
    const char *note;
} edit_args;

static gg_status do_merge(gg_ctx *ctx, gg_store *store, void *arg, gg_edit_result *r)
{
    edit_args *a = arg;
    return merge(ctx, store, a->plan, a->codes, a->n, a->note, r);
}

static gg_status do_lock(gg_ctx *ctx, gg_store *store, void *arg, gg_edit_result *r)
{
    edit_args *a = arg;
    return lock(ctx, store, a->plan, a->codes, a->n, a->locked, a->note, r);
}

gg_status gg_plan_merge(gg_ctx *ctx, gg_store *store, int64_t plan, const char *const *codes, size_t n,
                        const char *note, gg_edit_result *out)
{
    if (ctx == NULL || store == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_plan_merge: NULL store") : GG_ERR_ARG;
    gg_status st = check_codes(ctx, codes, n, 2, "merge");
    if (st != GG_OK)
        return st;
    edit_args a = {plan, codes, n, 0, note};
    return run(ctx, store, out, do_merge, &a);
}

gg_status gg_plan_lock(gg_ctx *ctx, gg_store *store, int64_t plan, const char *const *codes, size_t n, int locked,
                       const char *note, gg_edit_result *out)
{
    if (ctx == NULL || store == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_plan_lock: NULL store") : GG_ERR_ARG;
    gg_status st = check_codes(ctx, codes, n, 1, locked ? "lock" : "unlock");
    if (st != GG_OK)
        return st;
    edit_args a = {plan, codes, n, locked, note};
    return run(ctx, store, out, do_lock, &a);
}
