#include "community.h"

#include <stdlib.h>
#include <string.h>

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

void sy_comm_load(sy_comm *cc, const sy_world *w, int ci)
{
    cc->w = w;
    cc->ci = ci;
    const sy_community *cm = &w->communities[ci];
    sy_region_build(w, w->community_cells + cm->first_cell, cm->n_cells, w->cell_community, ci, &cc->poly);
    sy_pip_build(&cc->pip, &cc->poly);
    cc->geos = sy_mpoly_to_geos(w->geos, &cc->poly, 1);
    sy_mpoly_bbox(&cc->poly, &cc->minx, &cc->miny, &cc->maxx, &cc->maxy);
    cc->area_m2 = sy_mpoly_area(&cc->poly);
    cc->n_water = sy_water_query(w, cc->minx, cc->miny, cc->maxx, cc->maxy, &cc->water, &cc->cap_water);

    /* Road and river edges, each once. */
    int *edges = NULL;
    size_t ecap = 0;
    int ne = 0;
    for (int i = 0; i < cm->n_cells; i++) {
        int c = w->community_cells[cm->first_cell + i];
        for (int k = w->cell_he_start[c]; k < w->cell_he_start[c + 1]; k++) {
            int e = w->cell_he[k] >> 1;
            const sy_edge *ed = &w->edge[e];
            if (ed->road_class >= 0 || (ed->water_kind >= 0 && ed->water_kind != SY_WATER_DRAIN))
                SY_PUSH(edges, ne, ecap, e);
        }
    }
    if (ne > 0)
        qsort(edges, (size_t)ne, sizeof(int), cmp_int);
    cc->n_lines = cc->n_line_pts = 0;
    sy_reserve((void **)&cc->line_start, &cc->cap_lines, 1, sizeof(int));
    cc->line_start[0] = 0;
    for (int i = 0; i < ne; i++) {
        if (i > 0 && edges[i] == edges[i - 1])
            continue;
        int n = sy_half_edge_points(w, edges[i] * 2, &cc->scratch, &cc->cap_scratch);
        sy_reserve((void **)&cc->line_pts, &cc->cap_line_pts, (size_t)(cc->n_line_pts + n), sizeof(sy_pt));
        memcpy(cc->line_pts + cc->n_line_pts, cc->scratch, sizeof(sy_pt) * (size_t)n);
        cc->n_line_pts += n;
        sy_reserve((void **)&cc->line_start, &cc->cap_lines, (size_t)cc->n_lines + 2, sizeof(int));
        sy_reserve((void **)&cc->line_is_road, &cc->cap_line_flags, (size_t)cc->n_lines + 1, 1);
        cc->line_is_road[cc->n_lines] = (signed char)(w->edge[edges[i]].road_class >= 0);
        cc->n_lines++;
        cc->line_start[cc->n_lines] = cc->n_line_pts;
    }
    free(edges);

    cc->has_island = 0;
    if (ci == w->island_community && w->island_extra >= 0) {
        const sy_extra_ring *x = &w->extras[w->island_extra];
        sy_mpoly_clear(&cc->island);
        sy_mpoly_begin_polygon(&cc->island);
        sy_mpoly_add_ring(&cc->island, x->pts, x->n);
        sy_pip_build(&cc->island_pip, &cc->island);
        cc->has_island = 1;
    }
    cc->n_hh = 0;
}

void sy_comm_release(sy_comm *cc)
{
    sy_pip_free(&cc->pip);
    if (cc->geos)
        GEOSGeom_destroy_r(cc->w->geos, cc->geos);
    cc->geos = NULL;
    if (cc->has_island)
        sy_pip_free(&cc->island_pip);
    cc->has_island = 0;
}

void sy_comm_free(sy_comm *cc)
{
    sy_mpoly_free(&cc->poly);
    sy_mpoly_free(&cc->island);
    free(cc->water);
    free(cc->line_pts);
    free(cc->line_start);
    free(cc->line_is_road);
    free(cc->hh_pt);
    free(cc->hh_count);
    free(cc->scratch);
    sy_str_free(&cc->addr);
    memset(cc, 0, sizeof *cc);
}

int sy_comm_in_water(const sy_comm *cc, sy_pt p)
{
    for (int i = 0; i < cc->n_water; i++) {
        const sy_water *x = &cc->w->waters[cc->water[i]];
        if (p.x < x->minx || p.x > x->maxx || p.y < x->miny || p.y > x->maxy)
            continue;
        if (sy_pip_contains(&x->pip, p))
            return 1;
    }
    return 0;
}

int sy_comm_free_spot(const sy_comm *cc, sy_pt p)
{
    return sy_pip_contains(&cc->pip, p) && !sy_comm_in_water(cc, p);
}

double sy_comm_road_dist(const sy_comm *cc, sy_pt p, double cap_m)
{
    double best = cap_m;
    for (int l = 0; l < cc->n_lines; l++) {
        if (!cc->line_is_road[l])
            continue;
        for (int i = cc->line_start[l]; i + 1 < cc->line_start[l + 1]; i++) {
            sy_pt a = cc->line_pts[i], b = cc->line_pts[i + 1];
            if (fmin(a.x, b.x) - best > p.x || fmax(a.x, b.x) + best < p.x || fmin(a.y, b.y) - best > p.y ||
                fmax(a.y, b.y) + best < p.y)
                continue;
            double d = sy_seg_dist(p, a, b);
            if (d < best)
                best = d;
        }
    }
    return best;
}

sy_pt sy_comm_random_spot(const sy_comm *cc, sy_rng *r)
{
    for (int i = 0; i < 4000; i++) {
        sy_pt p = {sy_rng_range(r, cc->minx, cc->maxx), sy_rng_range(r, cc->miny, cc->maxy)};
        if (sy_comm_free_spot(cc, p))
            return p;
    }
    /* Territory almost all water or very thin: any interior point. */
    for (int i = 0; i < 4000; i++) {
        sy_pt p = {sy_rng_range(r, cc->minx, cc->maxx), sy_rng_range(r, cc->miny, cc->maxy)};
        if (sy_pip_contains(&cc->pip, p))
            return p;
    }
    GEOSGeometry *g = GEOSPointOnSurface_r(cc->w->geos, cc->geos);
    sy_pt p = {cc->minx, cc->miny};
    if (g) {
        GEOSGeomGetX_r(cc->w->geos, g, &p.x);
        GEOSGeomGetY_r(cc->w->geos, g, &p.y);
        GEOSGeom_destroy_r(cc->w->geos, g);
    }
    return p;
}
