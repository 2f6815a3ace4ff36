/*
 * water.c - water bodies with an area: lakes inside grid cells, the lake
 * with an island that belongs to another community (or, when the area has a
 * single community, a lake outside every community with the community's
 * island in it), wide reaches of the main rivers, and fish ponds; then the
 * outline of the whole area and a bucket index over water bounding boxes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "world.h"

static void noisy_circle(sy_rng *r, sy_pt c, double radius, int n, double roughness, sy_pt *out)
{
    double ph[3], am[3];
    for (int m = 0; m < 3; m++) {
        ph[m] = sy_rng_range(r, 0, 2 * M_PI);
        am[m] = sy_rng_range(r, 0, roughness) / (m + 1);
    }
    for (int i = 0; i < n; i++) {
        double t = 2 * M_PI * i / n;
        double f = 1.0;
        for (int m = 0; m < 3; m++)
            f += am[m] * sin((m + 2) * t + ph[m]);
        out[i].x = c.x + radius * f * cos(t);
        out[i].y = c.y + radius * f * sin(t);
    }
}

static sy_water *new_water(sy_world *w, int kind)
{
    sy_reserve((void **)&w->waters, &w->cap_waters, (size_t)w->n_waters + 1, sizeof(sy_water));
    sy_water *x = &w->waters[w->n_waters++];
    memset(x, 0, sizeof *x);
    x->kind = kind;
    return x;
}

/* Distance from the seed of a cell to the cell's boundary. */
static double cell_clearance(const sy_world *w, int c, sy_mpoly *m)
{
    sy_cell_build(w, c, m);
    double best = INFINITY;
    sy_pt s = w->seed[c];
    for (int r = 0; r < m->n_rings; r++) {
        const sy_pt *p = sy_mpoly_ring(m, r);
        int n = sy_mpoly_ring_len(m, r);
        for (int i = 0; i + 1 < n; i++) {
            double d = sy_seg_dist(s, p[i], p[i + 1]);
            if (d < best)
                best = d;
        }
    }
    if (!sy_ring_contains(sy_mpoly_ring(m, 0), (size_t)sy_mpoly_ring_len(m, 0), s))
        return 0;
    return best;
}

/* Distance from the seed of a cell to its straight (not yet densified)
 * edges. */
static double straight_clearance(const sy_world *w, int c)
{
    double best = INFINITY;
    for (int k = w->cell_he_start[c]; k < w->cell_he_start[c + 1]; k++) {
        int he = w->cell_he[k];
        double d = sy_seg_dist(w->seed[c], w->node[sy_he_from(w, he)], w->node[sy_he_to(w, he)]);
        if (d < best)
            best = d;
    }
    return best;
}

/* Vertices of the island and lake rings: small enough to leave room in the
 * vertex budget of the cells that carry them. */
static int island_ring_vertices(const sy_world *w)
{
    int n = w->opt.vertices_min / 3;
    return n < 6 ? 6 : n > 22 ? 22 : n;
}

static int lake_ring_vertices(const sy_world *w)
{
    int n = w->opt.vertices_min / 2;
    return n < 8 ? 8 : n > 40 ? 40 : n;
}

void sy_water_plan_island(sy_world *w)
{
    int g = -1, hcell = -1;
    double best = -1;
    double *clear = sy_malloc(sizeof(double) * (size_t)w->n_cells);
    for (int c = 0; c < w->n_cells; c++)
        clear[c] = straight_clearance(w, c);
    if (w->n_communities >= 2) {
        /* The lake lies in a cell next to another community's cell; the
         * island belongs to that other community. Rural pairs first. */
        for (int e = 0; e < w->n_edges; e++) {
            const sy_edge *ed = &w->edge[e];
            if (ed->left < 0 || ed->right < 0)
                continue;
            int side[2][2] = {{ed->left, ed->right}, {ed->right, ed->left}};
            for (int s = 0; s < 2; s++) {
                int lake = side[s][0], own = side[s][1];
                const sy_community *cl = &w->communities[w->cell_community[lake]];
                const sy_community *co = &w->communities[w->cell_community[own]];
                if (cl == co || co->households < 200)
                    continue;
                double score = clear[lake] * (sy_is_urban_class(cl->urban_rural) ? 1.0 : 3.0) *
                               (sy_is_urban_class(co->urban_rural) ? 1.0 : 2.0);
                if (score > best) {
                    best = score;
                    g = lake;
                    hcell = own;
                }
            }
        }
    }
    if (g < 0) {
        for (int c = 0; c < w->n_cells; c++)
            if (clear[c] > best) {
                best = clear[c];
                g = c;
            }
        hcell = g;
    }
    free(clear);
    w->lake_cell = g;
    w->island_cell = hcell;
    w->island_community = w->cell_community[hcell];
    w->cell_extra_vertices = sy_calloc((size_t)w->n_cells, sizeof(int));
    w->cell_extra_vertices[hcell] += island_ring_vertices(w);
    if (hcell != g)
        w->cell_extra_vertices[g] += island_ring_vertices(w);
    else
        w->cell_extra_vertices[g] += lake_ring_vertices(w);
}

static void place_island(sy_world *w, sy_rng *r, sy_mpoly *m)
{
    int g = w->lake_cell, hcell = w->island_cell;
    double d = cell_clearance(w, g, m);
    sy_pt centre = w->seed[g];
    double lake_r = 0.55 * d, isl_r = 0.36 * lake_r;
    sy_pt ic = {centre.x + sy_rng_range(r, -0.15, 0.15) * lake_r, centre.y + sy_rng_range(r, -0.15, 0.15) * lake_r};
    int nl = lake_ring_vertices(w), ni = island_ring_vertices(w);
    int nlake = hcell != g ? 40 : nl;
    sy_pt *lake = sy_malloc(sizeof(sy_pt) * (size_t)nlake);
    sy_pt *isl = sy_malloc(sizeof(sy_pt) * (size_t)ni);
    noisy_circle(r, centre, lake_r, nlake, 0.12, lake);
    noisy_circle(r, ic, isl_r, ni, 0.15, isl);
    nl = nlake;

    w->extras = sy_calloc(2, sizeof(sy_extra_ring));
    w->n_extras = 0;
    if (hcell != g) {
        sy_extra_ring *x = &w->extras[w->n_extras++];
        x->pts = isl;
        x->n = ni;
        x->inside_cell = hcell;
        x->outside_cell = g;
        w->island_extra = 0;
    } else {
        sy_extra_ring *x = &w->extras[w->n_extras++];
        x->pts = sy_malloc(sizeof(sy_pt) * (size_t)nl);
        memcpy(x->pts, lake, sizeof(sy_pt) * (size_t)nl);
        x->n = nl;
        x->inside_cell = -1;
        x->outside_cell = g;
        x = &w->extras[w->n_extras++];
        x->pts = isl;
        x->n = ni;
        x->inside_cell = g;
        x->outside_cell = -1;
        w->island_extra = 1;
    }
    sy_community *cm = &w->communities[w->island_community];
    long want = sy_rng_int(r, 55, 80);
    if (want > cm->households / 2)
        want = cm->households / 2;
    if (want < 50 && cm->households >= 50)
        want = 50;
    cm->island_households = want;

    sy_water *lw = new_water(w, SY_WATER_LAKE);
    sy_name_water(r, "lake", lw->name, sizeof lw->name);
    sy_mpoly_begin_polygon(&lw->geom);
    sy_mpoly_add_ring(&lw->geom, lake, nl);
    sy_pt *rev = sy_malloc(sizeof(sy_pt) * (size_t)ni);
    for (int i = 0; i < ni; i++)
        rev[i] = isl[ni - 1 - i];
    sy_mpoly_add_ring(&lw->geom, rev, ni);
    free(rev);
    free(lake);
}

static void cell_lakes(sy_world *w, sy_rng *r, sy_mpoly *m)
{
    int n_lakes = w->n_cells / 60;
    for (int i = 0; i < n_lakes; i++) {
        int c = sy_rng_int(r, 0, w->n_cells - 1);
        if (c == w->lake_cell || c == w->island_cell)
            continue;
        if (sy_is_urban_class(w->communities[w->cell_community[c]].urban_rural) && sy_rng_chance(r, 0.6))
            continue;
        double d = cell_clearance(w, c, m);
        double rad = sy_rng_range(r, 0.25, 0.45) * d;
        if (rad < 40)
            continue;
        sy_pt *ring = sy_malloc(sizeof(sy_pt) * 36);
        noisy_circle(r, w->seed[c], rad, 36, 0.15, ring);
        sy_water *x = new_water(w, SY_WATER_LAKE);
        sy_name_water(r, "lake", x->name, sizeof x->name);
        sy_mpoly_begin_polygon(&x->geom);
        sy_mpoly_add_ring(&x->geom, ring, 36);
        free(ring);
    }
}

/* Wide reaches: a buffer around a few consecutive rural edges of a river. */
static void river_reaches(sy_world *w, sy_rng *r)
{
    GEOSContextHandle_t h = w->geos;
    sy_pt *line = NULL, *seg = NULL;
    size_t line_cap = 0, seg_cap = 0;
    for (int p = 0; p < w->n_water_paths; p++) {
        const sy_path *path = &w->water_paths[p];
        if (path->kind != SY_WATER_RIVER || path->n_he < 6)
            continue;
        int n_reach = 1 + path->n_he / 40;
        for (int k = 0; k < n_reach; k++) {
            int len = sy_rng_int(r, 3, 7);
            int start = sy_rng_int(r, 0, path->n_he - len);
            double min_size = INFINITY;
            int ok = 1, n = 0;
            for (int i = start; i < start + len; i++) {
                const sy_edge *e = &w->edge[path->he[i] >> 1];
                if (e->water_path != p || e->left < 0 || e->right < 0 || e->left == w->lake_cell ||
                    e->right == w->lake_cell || e->left == w->island_cell || e->right == w->island_cell) {
                    ok = 0;
                    break;
                }
                min_size = fmin(min_size, fmin(w->cell_size_m[e->left], w->cell_size_m[e->right]));
                int ns = sy_half_edge_points(w, path->he[i], &seg, &seg_cap);
                sy_reserve((void **)&line, &line_cap, (size_t)(n + ns), sizeof(sy_pt));
                memcpy(line + n, seg + (n ? 1 : 0), sizeof(sy_pt) * (size_t)(ns - (n ? 1 : 0)));
                n += ns - (n ? 1 : 0);
            }
            if (!ok || n < 2)
                continue;
            double half = fmin(sy_rng_range(r, 30, 110), 0.08 * min_size);
            if (half < 12)
                continue;
            GEOSGeometry *ls = sy_line_to_geos(h, line, n);
            GEOSGeometry *buf = GEOSBufferWithStyle_r(h, ls, half, 4, GEOSBUF_CAP_FLAT, GEOSBUF_JOIN_ROUND, 5.0);
            GEOSGeom_destroy_r(h, ls);
            if (!buf)
                continue;
            sy_water *x = new_water(w, SY_WATER_AREA);
            snprintf(x->name, sizeof x->name, "%s", path->name);
            sy_mpoly_from_geos(h, buf, &x->geom);
            GEOSGeom_destroy_r(h, buf);
            if (x->geom.n_polys == 0) {
                sy_mpoly_free(&x->geom);
                w->n_waters--;
            }
        }
    }
    free(line);
    free(seg);
}

/* Fish ponds: small rotated rectangles well inside rural cells. */
static void ponds(sy_world *w, sy_mpoly *m)
{
    for (int ci = 0; ci < w->n_communities; ci++) {
        const sy_community *cm = &w->communities[ci];
        if (sy_is_urban_class(cm->urban_rural))
            continue;
        sy_rng r = sy_rng_for(w->opt.seed, SY_TAG_WATER, 1000 + (uint64_t)ci);
        int n = (int)(cm->households / 600) + sy_rng_int(&r, 0, 2);
        for (int i = 0; i < n; i++) {
            int c = w->community_cells[cm->first_cell + sy_rng_int(&r, 0, cm->n_cells - 1)];
            if (c == w->lake_cell || c == w->island_cell)
                continue;
            double d = cell_clearance(w, c, m);
            if (d < 150)
                continue;
            double ang = sy_rng_range(&r, 0, 2 * M_PI), rr = sy_rng_range(&r, 0.5, 0.9) * d;
            sy_pt ctr = {w->seed[c].x + rr * cos(ang), w->seed[c].y + rr * sin(ang)};
            double hw = sy_rng_range(&r, 20, 45), hl = sy_rng_range(&r, 30, 70), rot = sy_rng_range(&r, 0, M_PI);
            sy_pt q[4];
            static const double sx[4] = {-1, 1, 1, -1}, sy[4] = {-1, -1, 1, 1};
            int inside = 1;
            for (int k = 0; k < 4; k++) {
                double x = sx[k] * hl, y = sy[k] * hw;
                q[k].x = ctr.x + x * cos(rot) - y * sin(rot);
                q[k].y = ctr.y + x * sin(rot) + y * cos(rot);
                if (!sy_ring_contains(sy_mpoly_ring(m, 0), (size_t)sy_mpoly_ring_len(m, 0), q[k]) ||
                    sy_seg_dist(w->seed[c], q[k], q[k]) > d * 0.97)
                    inside = 0;
            }
            if (!inside)
                continue;
            sy_water *x = new_water(w, SY_WATER_AREA);
            sy_name_water(&r, "water area", x->name, sizeof x->name);
            sy_mpoly_begin_polygon(&x->geom);
            sy_mpoly_add_ring(&x->geom, q, 4);
        }
    }
}

static void build_water_index(sy_world *w)
{
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    for (int i = 0; i < w->n_waters; i++) {
        sy_water *x = &w->waters[i];
        sy_mpoly_bbox(&x->geom, &x->minx, &x->miny, &x->maxx, &x->maxy);
        sy_pip_build(&x->pip, &x->geom);
        minx = fmin(minx, x->minx);
        miny = fmin(miny, x->miny);
        maxx = fmax(maxx, x->maxx);
        maxy = fmax(maxy, x->maxy);
    }
    if (w->n_waters == 0) {
        minx = miny = 0;
        maxx = maxy = 1;
    }
    double cell = fmax(maxx - minx, maxy - miny) / 256.0;
    if (cell < 100)
        cell = 100;
    w->wix_minx = minx;
    w->wix_miny = miny;
    w->wix_cell = cell;
    w->wix_nx = (int)((maxx - minx) / cell) + 1;
    w->wix_ny = (int)((maxy - miny) / cell) + 1;
    size_t nc = (size_t)w->wix_nx * (size_t)w->wix_ny;
    w->wix_start = sy_calloc(nc + 1, sizeof(int));
    for (int pass = 0; pass < 2; pass++) {
        int *fill = NULL;
        if (pass == 1) {
            for (size_t c = 0; c < nc; c++)
                w->wix_start[c + 1] += w->wix_start[c];
            w->wix_items = sy_malloc(sizeof(int) * (size_t)(w->wix_start[nc] + 1));
            fill = sy_malloc(sizeof(int) * nc);
            memcpy(fill, w->wix_start, sizeof(int) * nc);
        }
        for (int i = 0; i < w->n_waters; i++) {
            const sy_water *x = &w->waters[i];
            int x0 = (int)((x->minx - minx) / cell), x1 = (int)((x->maxx - minx) / cell);
            int y0 = (int)((x->miny - miny) / cell), y1 = (int)((x->maxy - miny) / cell);
            for (int y = y0; y <= y1; y++)
                for (int xx = x0; xx <= x1; xx++) {
                    size_t c = (size_t)y * (size_t)w->wix_nx + (size_t)xx;
                    if (pass == 0)
                        w->wix_start[c + 1]++;
                    else
                        w->wix_items[fill[c]++] = i;
                }
        }
        free(fill);
    }
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int sy_water_query(const sy_world *w, double minx, double miny, double maxx, double maxy, int **out, size_t *cap)
{
    int n = 0;
    if (w->n_waters == 0)
        return 0;
    int x0 = (int)floor((minx - w->wix_minx) / w->wix_cell), x1 = (int)floor((maxx - w->wix_minx) / w->wix_cell);
    int y0 = (int)floor((miny - w->wix_miny) / w->wix_cell), y1 = (int)floor((maxy - w->wix_miny) / w->wix_cell);
    if (x0 < 0)
        x0 = 0;
    if (y0 < 0)
        y0 = 0;
    if (x1 >= w->wix_nx)
        x1 = w->wix_nx - 1;
    if (y1 >= w->wix_ny)
        y1 = w->wix_ny - 1;
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++) {
            size_t c = (size_t)y * (size_t)w->wix_nx + (size_t)x;
            for (int k = w->wix_start[c]; k < w->wix_start[c + 1]; k++) {
                int i = w->wix_items[k];
                const sy_water *wa = &w->waters[i];
                if (wa->maxx < minx || wa->minx > maxx || wa->maxy < miny || wa->miny > maxy)
                    continue;
                SY_PUSH(*out, n, *cap, i);
            }
        }
    if (n > 0)
        qsort(*out, (size_t)n, sizeof(int), cmp_int);
    int m = 0;
    for (int i = 0; i < n; i++)
        if (m == 0 || (*out)[m - 1] != (*out)[i])
            (*out)[m++] = (*out)[i];
    return m;
}

void sy_water_build(sy_world *w)
{
    sy_rng r = sy_rng_for(w->opt.seed, SY_TAG_WATER, 0);
    sy_mpoly m = {0};
    place_island(w, &r, &m);
    cell_lakes(w, &r, &m);
    river_reaches(w, &r);
    ponds(w, &m);
    sy_mpoly_free(&m);
    build_water_index(w);

    int *zero = sy_calloc((size_t)w->n_cells, sizeof(int));
    int *all = sy_malloc(sizeof(int) * (size_t)w->n_cells);
    for (int c = 0; c < w->n_cells; c++)
        all[c] = c;
    sy_region_build(w, all, w->n_cells, zero, 0, &w->outline);
    free(zero);
    free(all);
    w->area_m2 = sy_mpoly_area(&w->outline);
}
