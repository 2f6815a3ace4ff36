/* Maintenance (partition --from N --maintain): which communities of plan N
 * the rules now break, after households, roads or boundaries changed.
 *
 * A community is partitioned again (with codes that stay) when
 *   - one of its comprehensive grids, its households counted again from
 *     the points as they are now (locate's rule), is over the maximum (and
 *     not one point above it: indivisible) or under the minimum (and the
 *     community could hold more than one grid);
 *   - its polygon no longer matches the union of its grids (a boundary
 *     moved): the area between them is over 2 cm times the perimeter;
 *   - it has no grids in plan N (a new community).
 * Grids of plan N whose community is no longer in the project are dropped.
 * Grids flagged unreachable, infeasible or island in plan N whose
 * households did not change are left alone: partitioning again would not
 * fix them. */
#include "partition/partition.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "locate/count.h"
#include "store/plan.h"

static double m2_per_deg2(double lat)
{
    return 111320.0 * cos(lat * 3.14159265358979323846 / 180.0) * 110574.0;
}

static gg_status add(gg_ctx *ctx, pt_maintenance *m, const char *community, const char *why)
{
    if (m->n > 0 && strcmp(m->items[m->n - 1].community, community) == 0)
        return GG_OK; /* the first reason found is enough */
    gg_status st = gg_grow(ctx, (void **)&m->items, &m->cap, m->n + 1, sizeof *m->items);
    if (st != GG_OK)
        return st;
    pt_maintenance_item *it = &m->items[m->n++];
    memset(it, 0, sizeof *it);
    snprintf(it->community, sizeof it->community, "%s", community);
    snprintf(it->reason, sizeof it->reason, "%s", why);
    return GG_OK;
}

static gg_status add_dropped(gg_ctx *ctx, pt_maintenance *m, const char *community)
{
    if (m->n_dropped > 0 && strcmp(m->dropped[m->n_dropped - 1], community) == 0)
        return GG_OK;
    gg_status st = gg_grow(ctx, (void **)&m->dropped, &m->cap_dropped, m->n_dropped + 1, sizeof *m->dropped);
    if (st == GG_OK)
        snprintf(m->dropped[m->n_dropped++], sizeof *m->dropped, "%s", community);
    return st;
}

/* Whether the community's polygon and the union of its grids differ by
 * more than digitising noise. */
static gg_status boundary_moved(gg_ctx *ctx, const GEOSGeometry *community, gg_plan_grid *grids, size_t n,
                                int *moved, double *area_m2)
{
    GEOSContextHandle_t h = ctx->geos;
    *moved = 0;
    *area_m2 = 0;
    GEOSGeometry **parts = gg_calloc(ctx, n ? n : 1, sizeof *parts);
    if (parts == NULL)
        return gg_error_nomem(ctx);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (grids[i].geom != NULL)
            parts[k++] = GEOSGeom_clone_r(h, grids[i].geom);
    GEOSGeometry *all = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)k);
    gg_free(ctx, parts);
    GEOSGeometry *u = all ? GEOSUnaryUnion_r(h, all) : NULL;
    GEOSGeometry *diff = u ? GEOSSymDifference_r(h, u, community) : NULL;
    gg_status st = GG_OK;
    double a = 0, len = 0, miny = 0, maxy = 0;
    if (diff == NULL || GEOSArea_r(h, diff, &a) != 1 || GEOSLength_r(h, community, &len) != 1) {
        st = gg_error(ctx, GG_ERR_GEOMETRY, "comparing a community with its grids: %s", ctx->geos_msg);
    } else {
        GEOSGeom_getYMin_r(h, community, &miny);
        GEOSGeom_getYMax_r(h, community, &maxy);
        double lat = (miny + maxy) / 2, scale = m2_per_deg2(lat);
        double perimeter_m = len * sqrt(scale); /* degrees to metres, roughly */
        *area_m2 = a * scale;
        *moved = *area_m2 > 1.0 + 0.02 * perimeter_m;
    }
    if (diff)
        GEOSGeom_destroy_r(h, diff);
    if (u)
        GEOSGeom_destroy_r(h, u);
    if (all)
        GEOSGeom_destroy_r(h, all);
    return st;
}

static int compare_grid_community(const void *a, const void *b)
{
    const gg_plan_grid *p = a, *q = b;
    int c = strcmp(p->community, q->community);
    return c ? c : strcmp(p->code, q->code);
}

gg_status pt_maintenance_find(gg_ctx *ctx, gg_store *store, const gg_partition_options *o, pt_maintenance *m)
{
    memset(m, 0, sizeof *m);
    gg_plan_grid *grids = NULL;
    size_t ng = 0, nc = 0;
    gg_community_row *rows = NULL;
    gg_plan_tally t;
    memset(&t, 0, sizeof t);
    gg_status st = gg_store_plan_grids(store, o->from, 1, &grids, &ng);
    if (st == GG_OK)
        st = gg_store_communities(store, &rows, &nc);
    if (st == GG_OK)
        st = gg_plan_tally_households(ctx, store, o->from, 0, NULL, NULL, &t);
    if (st == GG_OK && ng > 1)
        qsort(grids, ng, sizeof *grids, compare_grid_community);
    for (size_t i = 0; st == GG_OK && i < gg_locator_grid_count(t.loc); i++)
        m->households_total += t.households[i];
    m->households_total += t.households_outside;
    /* Walk the communities and the grids, both by community code. */
    size_t g = 0;
    char why[200];
    for (size_t c = 0; c < nc && st == GG_OK; c++) {
        const gg_community_row *row = &rows[c];
        while (g < ng && strcmp(grids[g].community, row->code) < 0) {
            st = add_dropped(ctx, m, grids[g].community);
            g++;
        }
        if (st != GG_OK)
            break;
        size_t first = g;
        while (g < ng && strcmp(grids[g].community, row->code) == 0)
            g++;
        size_t n = g - first;
        if (n == 0) {
            snprintf(why, sizeof why, "a new community: no grids in plan %lld", (long long)o->from);
            st = add(ctx, m, row->code, why);
            continue;
        }
        int rural = strcmp(row->urban_rural, "210") == 0 || strcmp(row->urban_rural, "220") == 0 ||
                    (strcmp(row->urban_rural, "122") == 0 && o->class122_rural) ||
                    (strcmp(row->urban_rural, "123") == 0 && o->class123_rural);
        int min = rural ? o->rural_min : o->urban_min, max = rural ? o->rural_max : o->urban_max;
        int64_t total = 0;
        size_t comprehensive = 0;
        for (size_t i = first; i < g; i++) {
            int32_t li = gg_locator_grid_by_code(t.loc, grids[i].code);
            total += li >= 0 ? t.households[li] : 0;
            comprehensive += grids[i].type == 1;
        }
        for (size_t i = first; i < g && st == GG_OK; i++) {
            const gg_plan_grid *gr = &grids[i];
            if (gr->type != 1 || gr->locked)
                continue; /* a locked grid is left as it is */
            int32_t li = gg_locator_grid_by_code(t.loc, gr->code);
            int64_t now = li >= 0 ? t.households[li] : 0;
            if (!gr->counted && now == 0)
                continue; /* no count and no point tells: unknown, not under the minimum */
            int unchanged = gr->counted && now == gr->households;
            int hopeless = strstr(gr->flags, "unreachable") || strstr(gr->flags, "infeasible") ||
                           strstr(gr->flags, "island");
            if (unchanged && hopeless)
                continue;
            if (now > max && !(unchanged && strstr(gr->flags, "indivisible"))) {
                snprintf(why, sizeof why, "grid %s holds %lld households, over the maximum %d", gr->code,
                         (long long)now, max);
                st = add(ctx, m, row->code, why);
            } else if (now < min && (total >= min || comprehensive > 1) && !strstr(gr->flags, "small_community")) {
                snprintf(why, sizeof why, "grid %s holds %lld households, under the minimum %d", gr->code,
                         (long long)now, min);
                st = add(ctx, m, row->code, why);
            } else if (now < min && strstr(gr->flags, "small_community") && total >= min) {
                snprintf(why, sizeof why, "the community's %lld households are no longer below the minimum %d",
                         (long long)total, min);
                st = add(ctx, m, row->code, why);
            }
        }
        if (st != GG_OK || (m->n > 0 && strcmp(m->items[m->n - 1].community, row->code) == 0))
            continue;
        int moved = 0;
        double area = 0;
        if (row->geom != NULL)
            st = boundary_moved(ctx, row->geom, &grids[first], n, &moved, &area);
        if (st == GG_OK && moved) {
            snprintf(why, sizeof why, "its boundary moved: %.0f m² lie between its polygon and its grids", area);
            st = add(ctx, m, row->code, why);
        }
    }
    for (; g < ng && st == GG_OK; g++)
        st = add_dropped(ctx, m, grids[g].community);
    gg_plan_tally_clear(ctx, &t);
    gg_community_rows_free(ctx, rows, nc);
    gg_plan_grids_free(ctx, grids, ng);
    if (st != GG_OK)
        pt_maintenance_clear(ctx, m);
    return st;
}

void pt_maintenance_clear(gg_ctx *ctx, pt_maintenance *m)
{
    gg_free(ctx, m->items);
    gg_free(ctx, m->dropped);
    memset(m, 0, sizeof *m);
}

static int compare_row_code(const void *key, const void *row)
{
    return strcmp(key, ((const gg_community_row *)row)->code);
}

gg_status pt_maintenance_recount(gg_ctx *ctx, gg_store *store, int64_t plan, const gg_partition_options *o)
{
    gg_plan_tally t;
    gg_plan_grid *grids = NULL;
    gg_community_row *rows = NULL;
    size_t n = 0, nc = 0, changed = 0;
    gg_status st = gg_plan_tally_households(ctx, store, plan, 0, NULL, NULL, &t);
    if (st == GG_OK)
        st = gg_store_plan_grids(store, plan, 0, &grids, &n);
    if (st == GG_OK)
        st = gg_store_communities(store, &rows, &nc);
    const char **codes = NULL, **texts = NULL;
    int64_t *hh = NULL, *pp = NULL;
    char(*flags)[128] = NULL;
    if (st == GG_OK && n > 0) {
        codes = gg_calloc(ctx, n, sizeof *codes);
        texts = gg_calloc(ctx, n, sizeof *texts);
        hh = gg_calloc(ctx, n, sizeof *hh);
        pp = gg_calloc(ctx, n, sizeof *pp);
        flags = gg_calloc(ctx, n, sizeof *flags);
        if (codes == NULL || texts == NULL || hh == NULL || pp == NULL || flags == NULL)
            st = gg_error_nomem(ctx);
    }
    for (size_t i = 0, first = 0; i < n && st == GG_OK; i++) {
        const gg_plan_grid *g = &grids[i];
        if (i == 0 || strcmp(g->community, grids[i - 1].community) != 0)
            first = i;
        int32_t li = gg_locator_grid_by_code(t.loc, g->code);
        int64_t holds = li >= 0 ? t.households[li] : 0, persons = li >= 0 ? t.persons[li] : 0;
        const gg_community_row *row = bsearch(g->community, rows, nc, sizeof *rows, compare_row_code);
        const char *ur = row ? row->urban_rural : "";
        int rural = strcmp(ur, "210") == 0 || strcmp(ur, "220") == 0 ||
                    (strcmp(ur, "122") == 0 && o->class122_rural) || (strcmp(ur, "123") == 0 && o->class123_rural);
        pt_window w = rural ? (pt_window){o->rural_min, o->rural_max, o->rural_target}
                            : (pt_window){o->urban_min, o->urban_max, o->urban_target};
        int unreachable = 0;
        for (size_t q = first; q < n && strcmp(grids[q].community, g->community) == 0; q++)
            unreachable |= strstr(grids[q].flags, "unreachable") != NULL;
        int before = pt_flags_from_text(g->flags);
        int after = pt_refreshed_flags(before, g->type, holds, &w, unreachable);
        if (g->counted && holds == g->households && persons == g->persons && after == before)
            continue;
        /* a grid carried over without a count keeps none where no household
         * point tells (gg_plan_tally_tells): unknown, not 0 */
        if (!g->counted && li >= 0 && !gg_plan_tally_tells(&t, li))
            continue;
        codes[changed] = g->code;
        hh[changed] = holds;
        pp[changed] = persons;
        gg_grid_flags_text(after, flags[changed], sizeof flags[changed]);
        texts[changed] = flags[changed];
        changed++;
    }
    int64_t written = 0;
    if (st == GG_OK && changed > 0)
        st = gg_store_set_grid_counts(store, plan, changed, codes, hh, pp, texts, 0, &written);
    gg_free(ctx, codes);
    gg_free(ctx, texts);
    gg_free(ctx, hh);
    gg_free(ctx, pp);
    gg_free(ctx, flags);
    gg_community_rows_free(ctx, rows, nc);
    gg_plan_grids_free(ctx, grids, n);
    gg_plan_tally_clear(ctx, &t);
    return st;
}
