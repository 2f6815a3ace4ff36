/* Publishing a plan, deleting a draft, the active plan: the rules of plan
 * versions and of the code register (govgrid/plan.h), over the typed
 * store functions of store/versions.h. */
#include "govgrid/plan.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/ctx.h"
#include "geo/shapes.h"
#include "govgrid/locate.h"
#include "store/stage.h"
#include "store/versions.h"

/* Overlaps under this many square metres are slivers of two versions of
 * the same edge, not lineage (the coverage's own smallest part is 1 m²). */
#define LINEAGE_MIN_M2 1.0

typedef struct lineage_query {
    GEOSContextHandle_t h;
    const GEOSGeometry *to;
    const GEOSPreparedGeometry *prepared;
    int *hits;
    size_t n_hits, cap_hits;
    int failed;
    gg_ctx *ctx;
} lineage_query;

static void collect_hit(void *item, void *user)
{
    lineage_query *q = user;
    if (q->failed)
        return;
    if (gg_grow(q->ctx, (void **)&q->hits, &q->cap_hits, q->n_hits + 1, sizeof *q->hits) != GG_OK) {
        q->failed = 1;
        return;
    }
    q->hits[q->n_hits++] = (int)(intptr_t)item - 1;
}

/* The lineage of every grid that changed between the superseded plan old
 * and the published plan new: each pair of a grid of old that plan new does
 * not hold as it was and a grid of new that old did not hold as it is,
 * that share more than LINEAGE_MIN_M2. */
static gg_status record_lineage(gg_ctx *ctx, gg_store *store, int64_t old, int64_t new, int64_t *links)
{
    GEOSContextHandle_t h = ctx->geos;
    gg_plan_grid *from = NULL, *to = NULL;
    size_t n_from = 0, n_to = 0;
    gg_status st = gg_store_grids_changed(store, old, new, &from, &n_from);
    if (st == GG_OK)
        st = gg_store_grids_changed(store, new, old, &to, &n_to);
    GEOSSTRtree *tree = NULL;
    if (st == GG_OK && n_from > 0 && n_to > 0) {
        tree = GEOSSTRtree_create_r(h, 10);
        if (tree == NULL)
            st = gg_error(ctx, GG_ERR_GEOMETRY, "indexing the superseded grids: %s", ctx->geos_msg);
        for (size_t i = 0; i < n_from && st == GG_OK; i++)
            if (from[i].geom != NULL)
                GEOSSTRtree_insert_r(h, tree, from[i].geom, (void *)(intptr_t)(i + 1));
    }
    lineage_query q = {h, NULL, NULL, NULL, 0, 0, 0, ctx};
    for (size_t j = 0; tree != NULL && j < n_to && st == GG_OK; j++) {
        if (to[j].geom == NULL) {
            st = gg_error(ctx, GG_ERR_GEOMETRY, "plan %lld: grid %s has no readable geometry", (long long)new,
                          to[j].code);
            break;
        }
        q.to = to[j].geom;
        q.n_hits = 0;
        GEOSSTRtree_query_r(h, tree, to[j].geom, collect_hit, &q);
        if (q.failed) {
            st = gg_error_nomem(ctx);
            break;
        }
        const GEOSPreparedGeometry *prep = q.n_hits > 0 ? GEOSPrepare_r(h, to[j].geom) : NULL;
        for (size_t k = 0; k < q.n_hits && st == GG_OK; k++) {
            const gg_plan_grid *f = &from[q.hits[k]];
            if (prep == NULL || !GEOSPreparedIntersects_r(h, prep, f->geom))
                continue;
            GEOSGeometry *common = GEOSIntersection_r(h, to[j].geom, f->geom);
            if (common == NULL) {
                st = gg_error(ctx, GG_ERR_GEOMETRY, "plan %lld: intersecting grids %s and %s: %s", (long long)new,
                              f->code, to[j].code, ctx->geos_msg);
                break;
            }
            double a = gg_geom_area_m2(h, common);
            GEOSGeom_destroy_r(h, common);
            if (a <= LINEAGE_MIN_M2)
                continue;
            st = gg_store_lineage_add(store, new, f->code, to[j].code, a);
            if (st == GG_OK)
                (*links)++;
        }
        if (prep != NULL)
            GEOSPreparedGeom_destroy_r(h, prep);
    }
    gg_free(ctx, q.hits);
    if (tree != NULL)
        GEOSSTRtree_destroy_r(h, tree);
    gg_plan_grids_free(ctx, from, n_from);
    gg_plan_grids_free(ctx, to, n_to);
    return st;
}

/* The rules, inside the transaction: everything is read and checked
 * before anything is written. */
static gg_status publish(gg_ctx *ctx, gg_store *store, int64_t plan, gg_publish_report *r)
{
    gg_plan_row row;
    gg_status st = gg_store_plan_row(store, plan, &row);
    if (st != GG_OK)
        return st;
    if (strcmp(row.state, "published") == 0)
        return gg_error(ctx, GG_ERR_EXISTS, "%s: plan %lld is already the published plan (since %s)", store->path,
                        (long long)plan, row.published);
    if (strcmp(row.state, "superseded") == 0)
        return gg_error(ctx, GG_ERR_INVALID_INPUT,
                        "%s: plan %lld was superseded by plan %lld on %s and is not published again: codes it "
                        "carries were retired then, and a retired code is never issued again; make a new draft "
                        "instead",
                        store->path, (long long)plan, (long long)row.superseded_by, row.superseded);
    if (row.grids == 0)
        return gg_error(ctx, GG_ERR_INVALID_INPUT, "%s: plan %lld has no grids", store->path, (long long)plan);
    int64_t current = 0;
    st = gg_store_published_plan(store, &current);
    if (st != GG_OK)
        return st;
    /* A draft made from drafts (an edit of an edit) holds what the plan
     * they were made from held: its line of drafts must go back to the
     * published plan, not to one published before it or never. */
    int reaches = current == 0 || row.parent == 0 || row.parent == current;
    for (int64_t up = row.parent, depth = 0; !reaches && up != 0 && depth < 100000; depth++) {
        gg_plan_row ancestor;
        st = gg_store_plan_row(store, up, &ancestor);
        if (st != GG_OK)
            return st;
        if (strcmp(ancestor.state, "draft") != 0)
            break;
        up = ancestor.parent;
        reaches = up == current;
    }
    if (!reaches)
        return gg_error(ctx, GG_ERR_INVALID_INPUT,
                        "%s: plan %lld was made from plan %lld, but plan %lld has been published since: plan "
                        "%lld does not hold what plan %lld changed; make it again from plan %lld",
                        store->path, (long long)plan, (long long)row.parent, (long long)current, (long long)plan,
                        (long long)current, (long long)current);
    gg_plan_code *codes = NULL;
    size_t n = 0;
    st = gg_store_plan_codes(store, plan, &codes, &n);
    if (st != GG_OK)
        return st;
    /* Codes the register retired are refused, all of them named (up to a
     * few); new codes are moved to the front of the array to be issued. */
    char refused[512] = "";
    size_t n_refused = 0, n_new = 0, len = 0;
    for (size_t i = 0; i < n; i++) {
        if (codes[i].registered && codes[i].retired_by != 0) {
            if (n_refused < 5) {
                int w = snprintf(refused + len, sizeof refused - len, "%s%s (retired by plan %lld on %s)",
                                 n_refused ? ", " : "", codes[i].code, (long long)codes[i].retired_by,
                                 codes[i].valid_to);
                if (w > 0 && (size_t)w < sizeof refused - len)
                    len += (size_t)w;
            }
            n_refused++;
        } else if (codes[i].registered) {
            r->codes_kept++;
        } else {
            codes[n_new++] = codes[i];
        }
    }
    if (n_refused > 0) {
        st = gg_error(ctx, GG_ERR_INVALID_INPUT,
                      "%s: plan %lld carries %zu code%s that the register retired, and a retired code is never "
                      "issued again: %s%s; give those grids new codes",
                      store->path, (long long)plan, n_refused, n_refused == 1 ? "" : "s", refused,
                      n_refused > 5 ? ", ..." : "");
        gg_free(ctx, codes);
        return st;
    }
    r->plan = plan;
    r->superseded = current;
    r->grids = (int64_t)n;
    r->codes_issued = (int64_t)n_new;
    gg_utc_now(r->published, sizeof r->published);
    st = gg_store_codes_issue(store, plan, r->published, codes, n_new);
    gg_free(ctx, codes);
    if (st == GG_OK && current != 0)
        st = gg_store_codes_retire_absent(store, plan, r->published, &r->codes_retired);
    if (st == GG_OK && current != 0)
        st = record_lineage(ctx, store, current, plan, &r->lineage);
    if (st == GG_OK && current != 0)
        st = gg_store_count_reshaped(store, current, plan, &r->codes_reshaped);
    if (st == GG_OK)
        st = gg_store_plan_mark_published(store, plan, current, r->published);
    if (st == GG_OK) {
        static const char *const changed[] = {"plan", "grid_code"};
        st = gg_store_changes_bump(store, changed, 2);
    }
    return st;
}

gg_status gg_plan_publish(gg_ctx *ctx, gg_store *store, int64_t plan, gg_publish_report *out)
{
    if (ctx == NULL || store == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_plan_publish: NULL store") : GG_ERR_ARG;
    gg_publish_report r;
    memset(&r, 0, sizeof r);
    gg_status st = gg_store_begin(store);
    if (st != GG_OK)
        return st;
    st = publish(ctx, store, plan, &r);
    if (st == GG_OK)
        st = gg_store_commit(store);
    else
        gg_store_rollback(store);
    if (st == GG_OK) {
        /* The locator's index, built once now that the plan cannot change. */
        gg_locator_index_report ir;
        if (gg_locator_index_write(ctx, store, r.plan, &ir) == GG_OK) {
            r.index_written = 1;
            snprintf(r.index_note, sizeof r.index_note, "%s", ir.path);
            /* The plan it superseded is no longer what locate and serve
             * use by default: its file (some hundred MB for a county) goes;
             * govgrid plan index writes it again if it is wanted. A
             * service still mapping it keeps its pages until it unmaps. */
            char old[4096];
            if (r.superseded > 0 && gg_locator_index_path(ctx, store, r.superseded, old, sizeof old) == GG_OK)
                unlink(old);
            gg_ctx_clear_error(ctx);
        } else {
            snprintf(r.index_note, sizeof r.index_note, "%s", gg_ctx_errmsg(ctx));
        }
    }
    if (st == GG_OK && out != NULL)
        *out = r;
    return st;
}

gg_status gg_plan_delete(gg_ctx *ctx, gg_store *store, int64_t plan)
{
    if (ctx == NULL || store == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_plan_delete: NULL store") : GG_ERR_ARG;
    gg_status st = gg_store_begin(store);
    if (st != GG_OK)
        return st;
    gg_plan_row row;
    st = gg_store_plan_row(store, plan, &row);
    if (st == GG_OK && strcmp(row.state, "draft") != 0)
        st = gg_error(ctx, GG_ERR_INVALID_INPUT,
                      "%s: plan %lld is %s: a published or superseded plan is kept, with its grids, as the "
                      "record of what was in force; only drafts can be deleted",
                      store->path, (long long)plan, row.state);
    char children[128];
    int64_t n_children = 0;
    if (st == GG_OK)
        st = gg_store_plan_children(store, plan, children, sizeof children, &n_children);
    if (st == GG_OK && n_children > 0)
        st = gg_error(ctx, GG_ERR_INVALID_INPUT,
                      "%s: plan%s %s %s made from plan %lld, which is kept as %s parent; delete %s first",
                      store->path, n_children == 1 ? "" : "s", children, n_children == 1 ? "was" : "were",
                      (long long)plan, n_children == 1 ? "its" : "their", n_children == 1 ? "it" : "them");
    if (st == GG_OK)
        st = gg_store_plan_delete_row(store, plan);
    if (st == GG_OK) {
        static const char *const changed[] = {"plan", "grid"};
        st = gg_store_changes_bump(store, changed, 2);
    }
    if (st == GG_OK)
        st = gg_store_commit(store);
    else
        gg_store_rollback(store);
    return st;
}

gg_status gg_plan_active(gg_ctx *ctx, gg_store *store, int64_t *plan, int *published)
{
    if (ctx == NULL || store == NULL || plan == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_plan_active: NULL argument") : GG_ERR_ARG;
    int64_t p = 0;
    gg_status st = gg_store_published_plan(store, &p);
    if (st == GG_OK && p == 0)
        st = gg_store_resolve_plan(store, 0, &p);
    if (st != GG_OK)
        return st;
    *plan = p;
    if (published != NULL) {
        int64_t pub = 0;
        st = gg_store_published_plan(store, &pub);
        *published = pub != 0 && pub == p;
    }
    return st;
}
