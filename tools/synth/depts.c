/*
 * depts.c - departmental grids. Departments cycle through five habits seen
 * in real data: groups of whole communities, single communities, whole
 * townships (each traced from the tessellation, then digitised again with
 * up to 3 m of vertex noise), and two coarser tessellations of their own
 * that cut through communities. In every department a few grids are grown
 * or shrunk by 5-25 m, leaving slight overlaps and gaps.
 */
#include <stdlib.h>
#include <string.h>

#include "depts.h"

static const char *const dept_names[][2] = {
    {"fire", "消防"},         {"safety", "安监"},          {"environment", "环保"},
    {"hr", "人社"},           {"market_supervision", "市场监管"}, {"health", "卫健"},
    {"civil_affairs", "民政"}, {"water", "水务"},           {"transport", "交通"},
    {"urban_management", "城管"}, {"public_security", "公安"}, {"agriculture", "农业农村"}};
#define N_DEPT_NAMES ((int)(sizeof dept_names / sizeof dept_names[0]))

static const char *dept_cn(int dept)
{
    return dept < N_DEPT_NAMES ? dept_names[dept][1] : "部门";
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static int valid(GEOSContextHandle_t h, const sy_mpoly *m)
{
    GEOSGeometry *g = sy_mpoly_to_geos(h, m, 1);
    int ok = GEOSisValid_r(h, g) == 1;
    GEOSGeom_destroy_r(h, g);
    return ok;
}

/* Re-digitising: every vertex moves by up to max_m; the closing point
 * follows the first. Falls back to less noise if the result is invalid. */
static void jitter(GEOSContextHandle_t h, sy_mpoly *m, sy_rng *r, double max_m)
{
    sy_mpoly orig = {0};
    sy_mpoly_copy(&orig, m);
    for (double amp = max_m; amp > 0.2; amp *= 0.5) {
        for (int ring = 0; ring < m->n_rings; ring++) {
            int s = m->ring_start[ring], n = sy_mpoly_ring_len(m, ring);
            for (int i = 0; i < n - 1; i++) {
                double ang = sy_rng_range(r, 0, 2 * M_PI), d = amp * sqrt(sy_rng_uniform(r));
                m->pts[s + i].x = orig.pts[s + i].x + d * cos(ang);
                m->pts[s + i].y = orig.pts[s + i].y + d * sin(ang);
            }
            m->pts[s + n - 1] = m->pts[s];
        }
        if (valid(h, m)) {
            sy_mpoly_free(&orig);
            return;
        }
    }
    sy_mpoly_copy(m, &orig);
    sy_mpoly_free(&orig);
}

/* Grows (d > 0) or shrinks (d < 0) a polygon. */
static void offset(GEOSContextHandle_t h, sy_mpoly *m, double d)
{
    GEOSGeometry *g = sy_mpoly_to_geos(h, m, 1);
    GEOSGeometry *b = GEOSBufferWithStyle_r(h, g, d, 2, GEOSBUF_CAP_ROUND, GEOSBUF_JOIN_MITRE, 3.0);
    GEOSGeom_destroy_r(h, g);
    if (!b)
        return;
    sy_mpoly res = {0};
    sy_mpoly_from_geos(h, b, &res);
    GEOSGeom_destroy_r(h, b);
    if (res.n_polys > 0)
        sy_mpoly_copy(m, &res);
    sy_mpoly_free(&res);
}

static void finish(sy_world *w, sy_out *o, sy_rng *r, int dept, int seq, const char *name, sy_mpoly *m, int noisy)
{
    if (m->n_polys == 0)
        return;
    double u = sy_rng_uniform(r);
    if (u < 0.03)
        offset(w->geos, m, sy_rng_range(r, 5, 25));
    else if (u < 0.06)
        offset(w->geos, m, -sy_rng_range(r, 5, 25));
    else if (noisy)
        jitter(w->geos, m, r, 3.0);
    if (m->n_polys == 0)
        return;
    char id[80], dname[48];
    if (dept < N_DEPT_NAMES)
        snprintf(dname, sizeof dname, "%s", dept_names[dept][0]);
    else
        snprintf(dname, sizeof dname, "dept_%d", dept + 1);
    snprintf(id, sizeof id, "%s-%04d", dname, seq);
    sy_out_dept_grid(o, dname, id, name, m);
}


enum { NAME_NUMBERED, NAME_COMMUNITY, NAME_TOWNSHIP };

/* Departmental grids made of whole communities: group[ci] is the grid of
 * community ci. */
static void from_groups(sy_world *w, sy_out *o, sy_rng *r, int dept, const int *group, int n_groups, int name_mode)
{
    int *label = sy_malloc(sizeof(int) * (size_t)w->n_cells);
    for (int c = 0; c < w->n_cells; c++)
        label[c] = group[w->cell_community[c]];
    /* Cells by group (counting sort keeps cell order inside a group). */
    int *start = sy_calloc((size_t)n_groups + 1, sizeof(int));
    for (int c = 0; c < w->n_cells; c++)
        start[label[c] + 1]++;
    for (int g = 0; g < n_groups; g++)
        start[g + 1] += start[g];
    int *cells = sy_malloc(sizeof(int) * (size_t)w->n_cells);
    int *fill = sy_malloc(sizeof(int) * (size_t)n_groups);
    memcpy(fill, start, sizeof(int) * (size_t)n_groups);
    for (int c = 0; c < w->n_cells; c++)
        cells[fill[label[c]]++] = c;
    free(fill);
    sy_mpoly m = {0};
    char name[SY_NAME_CAP * 2];
    for (int g = 0; g < n_groups; g++) {
        if (start[g + 1] == start[g])
            continue;
        sy_region_build(w, cells + start[g], start[g + 1] - start[g], label, g, &m);
        if (name_mode == NAME_COMMUNITY)
            snprintf(name, sizeof name, "%s%s网格", w->communities[g].name, dept_cn(dept));
        else if (name_mode == NAME_TOWNSHIP)
            snprintf(name, sizeof name, "%s%s网格", w->townships[g].name, dept_cn(dept));
        else
            snprintf(name, sizeof name, "%s第%d网格", dept_cn(dept), g + 1);
        finish(w, o, r, dept, g + 1, name, &m, 1);
    }
    sy_mpoly_free(&m);
    free(cells);
    free(start);
    free(label);
}

/* Neighbouring communities (CSR), from the edges between their cells. */
static void community_adjacency(const sy_world *w, int **start_out, int **nbr_out)
{
    long long *pairs = NULL;
    size_t cap = 0;
    int n = 0;
    for (int e = 0; e < w->n_edges; e++) {
        const sy_edge *ed = &w->edge[e];
        if (ed->left < 0 || ed->right < 0)
            continue;
        int a = w->cell_community[ed->left], b = w->cell_community[ed->right];
        if (a == b)
            continue;
        long long k1 = (long long)a * w->n_communities + b, k2 = (long long)b * w->n_communities + a;
        SY_PUSH(pairs, n, cap, k1);
        SY_PUSH(pairs, n, cap, k2);
    }
    if (n > 0)
        qsort(pairs, (size_t)n, sizeof(long long), cmp_ll);
    int *start = sy_calloc((size_t)w->n_communities + 1, sizeof(int));
    int *nbr = sy_malloc(sizeof(int) * (size_t)(n + 1));
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && pairs[i] == pairs[i - 1])
            continue;
        int a = (int)(pairs[i] / w->n_communities);
        start[a + 1]++;
        nbr[m++] = (int)(pairs[i] % w->n_communities);
    }
    for (int i = 0; i < w->n_communities; i++)
        start[i + 1] += start[i];
    free(pairs);
    *start_out = start;
    *nbr_out = nbr;
}

static void own_tessellation(sy_world *w, sy_out *o, sy_rng *r, int dept, int n_cells_wanted)
{
    GEOSContextHandle_t h = w->geos;
    double minx, miny, maxx, maxy;
    sy_mpoly_bbox(&w->outline, &minx, &miny, &maxx, &maxy);
    sy_pip pip;
    sy_pip_build(&pip, &w->outline);
    if (n_cells_wanted < 2)
        n_cells_wanted = 2;
    GEOSGeometry **pts = sy_malloc(sizeof(GEOSGeometry *) * (size_t)n_cells_wanted);
    int n = 0;
    for (int tries = 0; n < n_cells_wanted && tries < 100 * n_cells_wanted; tries++) {
        sy_pt p = {sy_rng_range(r, minx, maxx), sy_rng_range(r, miny, maxy)};
        if (sy_pip_contains(&pip, p))
            pts[n++] = GEOSGeom_createPointFromXY_r(h, p.x, p.y);
    }
    sy_pip_free(&pip);
    GEOSGeometry *mp = GEOSGeom_createCollection_r(h, GEOS_MULTIPOINT, pts, (unsigned)n);
    free(pts);
    GEOSGeometry *env = GEOSEnvelope_r(h, mp);
    GEOSGeometry *big = GEOSBuffer_r(h, env, fmax(maxx - minx, maxy - miny), 1);
    GEOSGeom_destroy_r(h, env);
    GEOSGeometry *vor = GEOSVoronoiDiagram_r(h, mp, big, 0.0, 0);
    GEOSGeom_destroy_r(h, mp);
    GEOSGeom_destroy_r(h, big);
    if (!vor)
        return;
    GEOSGeometry *outline = sy_mpoly_to_geos(h, &w->outline, 1);
    const GEOSPreparedGeometry *prep = GEOSPrepare_r(h, outline);
    int ng = GEOSGetNumGeometries_r(h, vor);
    /* Order cells west to east by centroid for stable ids. */
    double *key = sy_malloc(sizeof(double) * (size_t)(ng ? ng : 1));
    int *idx = sy_malloc(sizeof(int) * (size_t)(ng ? ng : 1));
    for (int i = 0; i < ng; i++) {
        GEOSGeometry *c = GEOSGetCentroid_r(h, GEOSGetGeometryN_r(h, vor, i));
        double x = 0;
        GEOSGeomGetX_r(h, c, &x);
        GEOSGeom_destroy_r(h, c);
        key[i] = x;
        idx[i] = i;
    }
    for (int i = 1; i < ng; i++)
        for (int j = i; j > 0 && key[idx[j]] < key[idx[j - 1]]; j--) {
            int t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    sy_mpoly m = {0};
    int seq = 0;
    char name[SY_NAME_CAP * 2];
    for (int k = 0; k < ng; k++) {
        const GEOSGeometry *cell = GEOSGetGeometryN_r(h, vor, idx[k]);
        if (!GEOSPreparedIntersects_r(h, prep, cell))
            continue;
        GEOSGeometry *cut = GEOSIntersection_r(h, cell, outline);
        if (!cut)
            continue;
        sy_mpoly_clear(&m);
        sy_mpoly_from_geos(h, cut, &m);
        GEOSGeom_destroy_r(h, cut);
        if (m.n_polys == 0)
            continue;
        seq++;
        snprintf(name, sizeof name, "%s第%d网格", dept_cn(dept), seq);
        finish(w, o, r, dept, seq, name, &m, 0);
    }
    sy_mpoly_free(&m);
    free(key);
    free(idx);
    GEOSPreparedGeom_destroy_r(h, prep);
    GEOSGeom_destroy_r(h, outline);
    GEOSGeom_destroy_r(h, vor);
}

/* Neighbouring cells (CSR), from the edges between them. */
static void cell_adjacency(const sy_world *w, int **start_out, int **nbr_out)
{
    int *start = sy_calloc((size_t)w->n_cells + 1, sizeof(int));
    for (int e = 0; e < w->n_edges; e++) {
        const sy_edge *ed = &w->edge[e];
        if (ed->left >= 0 && ed->right >= 0 && ed->left != ed->right) {
            start[ed->left + 1]++;
            start[ed->right + 1]++;
        }
    }
    for (int c = 0; c < w->n_cells; c++)
        start[c + 1] += start[c];
    int *fill = sy_malloc(sizeof(int) * (size_t)(w->n_cells + 1));
    memcpy(fill, start, sizeof(int) * (size_t)(w->n_cells + 1));
    int *nbr = sy_malloc(sizeof(int) * (size_t)(start[w->n_cells] + 1));
    for (int e = 0; e < w->n_edges; e++) {
        const sy_edge *ed = &w->edge[e];
        if (ed->left >= 0 && ed->right >= 0 && ed->left != ed->right) {
            nbr[fill[ed->left]++] = ed->right;
            nbr[fill[ed->right]++] = ed->left;
        }
    }
    free(fill);
    *start_out = start;
    *nbr_out = nbr;
}

/* The part of m on one side of the line through its centroid at angle
 * ang (side 0 left, 1 right), into out. */
static void half(GEOSContextHandle_t h, const sy_mpoly *m, double ang, int side, sy_mpoly *out)
{
    sy_mpoly_clear(out);
    double minx, miny, maxx, maxy;
    sy_mpoly_bbox(m, &minx, &miny, &maxx, &maxy);
    double cx = (minx + maxx) / 2, cy = (miny + maxy) / 2, r = 2 * (maxx - minx + maxy - miny) + 1;
    double ux = cos(ang), uy = sin(ang), nx = -uy * (side ? -1 : 1), ny = ux * (side ? -1 : 1);
    sy_pt q[4] = {{cx - ux * r, cy - uy * r},
                  {cx + ux * r, cy + uy * r},
                  {cx + ux * r + nx * r, cy + uy * r + ny * r},
                  {cx - ux * r + nx * r, cy - uy * r + ny * r}};
    if (side) { /* keep the ring counter-clockwise */
        sy_pt t = q[1];
        q[1] = q[3];
        q[3] = t;
    }
    sy_mpoly box = {0};
    sy_mpoly_begin_polygon(&box);
    sy_mpoly_add_ring(&box, q, 4);
    GEOSGeometry *a = sy_mpoly_to_geos(h, m, 1), *b = sy_mpoly_to_geos(h, &box, 1);
    GEOSGeometry *c = GEOSIntersection_r(h, a, b);
    if (c)
        sy_mpoly_from_geos(h, c, out);
    GEOSGeom_destroy_r(h, a);
    GEOSGeom_destroy_r(h, b);
    if (c)
        GEOSGeom_destroy_r(h, c);
    sy_mpoly_free(&box);
}

/* m = a u b */
static void join(GEOSContextHandle_t h, const sy_mpoly *a, const sy_mpoly *b, sy_mpoly *m)
{
    GEOSGeometry *ga = sy_mpoly_to_geos(h, a, 1), *gb = sy_mpoly_to_geos(h, b, 1);
    GEOSGeometry *u = GEOSUnion_r(h, ga, gb);
    sy_mpoly_clear(m);
    if (u) {
        sy_mpoly_from_geos(h, u, m);
        GEOSGeom_destroy_r(h, u);
    }
    GEOSGeom_destroy_r(h, ga);
    GEOSGeom_destroy_r(h, gb);
}

/* A department that traced its grids from the unified ones, community by
 * community: most grids copied, some neighbours merged, some grids halved,
 * some grids reaching halfway into a neighbour, a few left out; every
 * vertex re-digitised with up to 3 m of noise (finish()). */
static void grid_scale(sy_world *w, sy_out *o, sy_rng *r, int dept, const int *adj_start, const int *adj)
{
    GEOSContextHandle_t h = w->geos;
    char *used = sy_calloc((size_t)w->n_cells, 1);
    int *label = sy_malloc(sizeof(int) * (size_t)w->n_cells);
    for (int c = 0; c < w->n_cells; c++)
        label[c] = -1;
    sy_mpoly m = {0}, a = {0}, b = {0};
    char name[SY_NAME_CAP * 2];
    int seq = 0;
    for (int ci = 0; ci < w->n_communities; ci++) {
        const sy_community *cm = &w->communities[ci];
        for (int i = 0; i < cm->n_cells; i++) {
            int c = w->community_cells[cm->first_cell + i];
            if (used[c])
                continue;
            used[c] = 1;
            int nb = -1;
            for (int k = adj_start[c]; k < adj_start[c + 1] && nb < 0; k++)
                if (!used[adj[k]] && w->cell_community[adj[k]] == ci)
                    nb = adj[k];
            double u = sy_rng_uniform(r);
            int kind = u < 0.62 ? 0 : u < 0.75 ? 1 : u < 0.85 ? 2 : u < 0.95 ? 3 : 4;
            if ((kind == 1 || kind == 3) && nb < 0)
                kind = 0;
            if (kind == 0) {
                sy_cell_build(w, c, &m);
                snprintf(name, sizeof name, "%s%s%d", cm->name, dept_cn(dept), ++seq);
                finish(w, o, r, dept, seq, name, &m, 1);
            } else if (kind == 1) {
                used[nb] = 1;
                int cells[2] = {c, nb};
                label[c] = label[nb] = 1;
                sy_region_build(w, cells, 2, label, 1, &m);
                label[c] = label[nb] = -1;
                snprintf(name, sizeof name, "%s%s%d", cm->name, dept_cn(dept), ++seq);
                finish(w, o, r, dept, seq, name, &m, 1);
            } else if (kind == 2) {
                sy_cell_build(w, c, &m);
                double ang = sy_rng_range(r, 0, M_PI);
                for (int side = 0; side < 2; side++) {
                    half(h, &m, ang, side, &a);
                    snprintf(name, sizeof name, "%s%s%d", cm->name, dept_cn(dept), ++seq);
                    finish(w, o, r, dept, seq, name, &a, 1);
                }
            } else if (kind == 3) {
                used[nb] = 1;
                sy_cell_build(w, nb, &m);
                double ang = sy_rng_range(r, 0, M_PI);
                half(h, &m, ang, 0, &a);
                half(h, &m, ang, 1, &b);
                sy_cell_build(w, c, &m);
                sy_mpoly joined = {0};
                join(h, &m, &a, &joined);
                snprintf(name, sizeof name, "%s%s%d", cm->name, dept_cn(dept), ++seq);
                finish(w, o, r, dept, seq, name, &joined, 1);
                sy_mpoly_free(&joined);
                snprintf(name, sizeof name, "%s%s%d", cm->name, dept_cn(dept), ++seq);
                finish(w, o, r, dept, seq, name, &b, 1);
            }
            /* else: left out, a gap in the community */
        }
    }
    sy_mpoly_free(&m);
    sy_mpoly_free(&a);
    sy_mpoly_free(&b);
    free(label);
    free(used);
}

void sy_depts_generate(sy_world *w, sy_out *o)
{
    int *group = sy_malloc(sizeof(int) * (size_t)w->n_communities);
    int *adj_start, *adj;
    community_adjacency(w, &adj_start, &adj);
    int *queue = sy_malloc(sizeof(int) * (size_t)w->n_communities);
    for (int d = 0; d < w->opt.departments; d++) {
        sy_rng r = sy_rng_for(w->opt.seed, SY_TAG_DEPTS, (uint64_t)d);
        switch (d % 5) {
        case 0: {
            /* Groups of 1-4 neighbouring communities of one township. */
            int n_groups = 0;
            for (int i = 0; i < w->n_communities; i++)
                group[i] = -1;
            for (int t = 0; t < w->n_townships; t++) {
                const sy_township *to = &w->townships[t];
                for (int i = 0; i < to->n_communities; i++) {
                    int c0 = w->community_list[to->first_community + i];
                    if (group[c0] >= 0)
                        continue;
                    int want = sy_rng_int(&r, 1, 4), qh = 0, qt = 0, got = 0;
                    queue[qt++] = c0;
                    group[c0] = n_groups;
                    while (qh < qt && got < want) {
                        int c = queue[qh++];
                        got++;
                        for (int k = adj_start[c]; k < adj_start[c + 1] && qt < want; k++) {
                            int nb = adj[k];
                            if (group[nb] < 0 && w->communities[nb].township == t) {
                                group[nb] = n_groups;
                                queue[qt++] = nb;
                            }
                        }
                    }
                    n_groups++;
                }
            }
            from_groups(w, o, &r, d, group, n_groups, NAME_NUMBERED);
            break;
        }
        case 1:
            for (int i = 0; i < w->n_communities; i++)
                group[i] = i;
            from_groups(w, o, &r, d, group, w->n_communities, NAME_COMMUNITY);
            break;
        case 2:
            own_tessellation(w, o, &r, d, w->n_communities / 3 + 1);
            break;
        case 3:
            for (int i = 0; i < w->n_communities; i++)
                group[i] = w->communities[i].township;
            from_groups(w, o, &r, d, group, w->n_townships, NAME_TOWNSHIP);
            break;
        default:
            own_tessellation(w, o, &r, d, w->n_communities / 2 + 2);
            break;
        }
    }
    if (w->opt.grid_departments > 0) {
        int *cell_start, *cell_nbr;
        cell_adjacency(w, &cell_start, &cell_nbr);
        for (int d = w->opt.departments; d < w->opt.departments + w->opt.grid_departments; d++) {
            sy_rng r = sy_rng_for(w->opt.seed, SY_TAG_DEPTS, (uint64_t)d);
            grid_scale(w, o, &r, d, cell_start, cell_nbr);
        }
        free(cell_start);
        free(cell_nbr);
    }
    free(queue);
    free(adj_start);
    free(adj);
    free(group);
}
