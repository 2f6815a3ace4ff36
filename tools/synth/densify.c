/*
 * densify.c - gives every straight Voronoi edge its final, irregular shape.
 *
 * Each edge gets a number of segments chosen so that every grid ends up with
 * a vertex count inside --grid-vertices, and a perpendicular offset that is a
 * short sine series whose coefficients come from a hash of the edge's two end
 * points in canonical (lexicographic) order. Both neighbours therefore see
 * the same vertices. The series vanishes at both ends, so nodes stay put.
 * Cells made invalid by the noise get their edges straightened.
 */
#include <stdlib.h>
#include <string.h>

#include "world.h"

static int cell_vertices(const sy_world *w, int c)
{
    int n = w->cell_extra_vertices ? w->cell_extra_vertices[c] : 0;
    for (int k = w->cell_he_start[c]; k < w->cell_he_start[c + 1]; k++)
        n += w->edge[w->cell_he[k] >> 1].segments;
    return n;
}

static void choose_segments(sy_world *w)
{
    int vmin = w->opt.vertices_min, vmax = w->opt.vertices_max;
    double span = vmax - vmin;
    double *target = sy_malloc(sizeof(double) * (size_t)w->n_cells);
    double *perim = sy_calloc((size_t)w->n_cells, sizeof(double));
    for (int c = 0; c < w->n_cells; c++) {
        sy_rng r = sy_rng_for(w->opt.seed, SY_TAG_BUDGET, (uint64_t)c);
        target[c] = vmin + span * sy_rng_range(&r, 0.1, 0.45);
        if (w->cell_extra_vertices)
            target[c] -= w->cell_extra_vertices[c];
        if (target[c] < 3)
            target[c] = 3;
        for (int k = w->cell_he_start[c]; k < w->cell_he_start[c + 1]; k++) {
            const sy_edge *e = &w->edge[w->cell_he[k] >> 1];
            perim[c] += sy_dist(w->node[e->a], w->node[e->b]);
        }
    }
    for (int i = 0; i < w->n_edges; i++) {
        sy_edge *e = &w->edge[i];
        double len = sy_dist(w->node[e->a], w->node[e->b]);
        int seg = 1;
        int side[2] = {e->left, e->right};
        for (int s = 0; s < 2; s++) {
            int c = side[s];
            if (c < 0 || perim[c] <= 0)
                continue;
            int k = (int)ceil(target[c] * len / perim[c]);
            if (k > seg)
                seg = k;
        }
        e->segments = seg;
    }
    free(target);
    free(perim);

    /* Bring cells outside [vmin, vmax] back in, moving one segment at a time
     * on edges whose other side can take it. */
    int *count = sy_malloc(sizeof(int) * (size_t)w->n_cells);
    for (int c = 0; c < w->n_cells; c++)
        count[c] = cell_vertices(w, c);
    for (int round = 0; round < 200; round++) {
        int changed = 0;
        for (int c = 0; c < w->n_cells; c++) {
            while (count[c] > vmax) {
                int best = -1, best_seg = 1;
                for (int k = w->cell_he_start[c]; k < w->cell_he_start[c + 1]; k++) {
                    int he = w->cell_he[k];
                    const sy_edge *e = &w->edge[he >> 1];
                    int other = sy_he_twin_cell(w, he);
                    if (e->segments > best_seg && (other < 0 || count[other] - 1 >= vmin)) {
                        best_seg = e->segments;
                        best = he;
                    }
                }
                if (best < 0)
                    break;
                w->edge[best >> 1].segments--;
                count[c]--;
                if (sy_he_twin_cell(w, best) >= 0)
                    count[sy_he_twin_cell(w, best)]--;
                changed = 1;
            }
            while (count[c] < vmin) {
                int best = -1;
                double best_len = -1;
                for (int k = w->cell_he_start[c]; k < w->cell_he_start[c + 1]; k++) {
                    int he = w->cell_he[k];
                    const sy_edge *e = &w->edge[he >> 1];
                    int other = sy_he_twin_cell(w, he);
                    double len = sy_dist(w->node[e->a], w->node[e->b]) / e->segments;
                    if (len > best_len && (other < 0 || count[other] + 1 <= vmax)) {
                        best_len = len;
                        best = he;
                    }
                }
                if (best < 0)
                    break;
                w->edge[best >> 1].segments++;
                count[c]++;
                if (sy_he_twin_cell(w, best) >= 0)
                    count[sy_he_twin_cell(w, best)]++;
                changed = 1;
            }
        }
        if (!changed)
            break;
    }
    free(count);
}

/* Writes the interior points of edge i (segments - 1 of them). */
static void shape_edge(sy_world *w, int i)
{
    sy_edge *e = &w->edge[i];
    sy_pt a = w->node[e->a], b = w->node[e->b];
    double len = sy_dist(a, b);
    sy_pt u = {(b.x - a.x) / len, (b.y - a.y) / len}, nrm = {-u.y, u.x};
    uint64_t hsh = sy_hash2(w->opt.seed, SY_TAG_EDGE);
    hsh = sy_hash_double(hsh, a.x);
    hsh = sy_hash_double(hsh, a.y);
    hsh = sy_hash_double(hsh, b.x);
    hsh = sy_hash_double(hsh, b.y);
    sy_rng r;
    sy_rng_seed(&r, hsh);

    int urban = 0;
    if (e->left >= 0 && e->right >= 0)
        urban = sy_is_urban_class(w->communities[w->cell_community[e->left]].urban_rural) &&
                sy_is_urban_class(w->communities[w->cell_community[e->right]].urban_rural);
    double amp, jitter;
    int harmonics;
    double decay;
    switch (e->style) {
    case SY_STYLE_ROAD:
        amp = fmin(0.02 * len, 20.0);
        harmonics = 2;
        decay = 2.0;
        jitter = 0.0;
        break;
    case SY_STYLE_RIVER:
        amp = fmin(0.065 * len, 90.0);
        harmonics = 4;
        decay = 1.5;
        jitter = 0.05;
        break;
    case SY_STYLE_FLAT:
        amp = 0.0;
        harmonics = 0;
        decay = 1.0;
        jitter = 0.0;
        break;
    default:
        amp = fmin((urban ? 0.05 : 0.07) * len, urban ? 25.0 : 80.0);
        harmonics = 6;
        decay = 1.6;
        jitter = 0.15;
        break;
    }
    double coef[6] = {0};
    for (int m = 1; m <= harmonics; m++)
        coef[m - 1] = sy_rng_range(&r, -1.0, 1.0) / pow((double)m, decay);
    sy_pt *out = w->edge_pts + e->pts_start;
    int n = e->segments;
    for (int k = 1; k < n; k++) {
        double t = (k + 0.35 * sy_rng_range(&r, -1.0, 1.0)) / n;
        double s = sin(M_PI * t);
        double off = 0;
        for (int m = 1; m <= harmonics; m++)
            off += coef[m - 1] * sin(m * M_PI * t);
        off = amp * (off + jitter * s * sy_rng_range(&r, -1.0, 1.0));
        out[k - 1].x = a.x + u.x * len * t + nrm.x * off;
        out[k - 1].y = a.y + u.y * len * t + nrm.y * off;
    }
}

static int cell_valid(sy_world *w, int c, sy_mpoly *m)
{
    sy_cell_build(w, c, m);
    GEOSGeometry *g = sy_mpoly_to_geos(w->geos, m, 0);
    int ok = GEOSisValid_r(w->geos, g) == 1;
    GEOSGeom_destroy_r(w->geos, g);
    return ok && m->n_polys >= 1;
}

void sy_densify(sy_world *w)
{
    choose_segments(w);
    int total = 0;
    for (int i = 0; i < w->n_edges; i++) {
        w->edge[i].pts_start = total;
        w->edge[i].n_pts = w->edge[i].segments - 1;
        total += w->edge[i].n_pts;
    }
    w->n_edge_pts = total;
    w->edge_pts = sy_malloc(sizeof(sy_pt) * (size_t)(total ? total : 1));
    for (int i = 0; i < w->n_edges; i++)
        shape_edge(w, i);

    sy_mpoly m = {0};
    int *queue = sy_malloc(sizeof(int) * (size_t)w->n_cells);
    int nq = 0;
    for (int c = 0; c < w->n_cells; c++)
        if (!cell_valid(w, c, &m))
            queue[nq++] = c;
    for (int round = 0; nq > 0 && round < 10; round++) {
        int *next = sy_malloc(sizeof(int) * (size_t)w->n_cells);
        int nn = 0;
        for (int i = 0; i < nq; i++) {
            int c = queue[i];
            for (int k = w->cell_he_start[c]; k < w->cell_he_start[c + 1]; k++) {
                int e = w->cell_he[k] >> 1;
                if (w->edge[e].style != SY_STYLE_FLAT) {
                    w->edge[e].style = SY_STYLE_FLAT;
                    shape_edge(w, e);
                }
            }
        }
        /* Re-check the cells and their neighbours. */
        for (int i = 0; i < nq; i++) {
            int c = queue[i];
            for (int k = w->cell_he_start[c]; k <= w->cell_he_start[c + 1]; k++) {
                int d = k < w->cell_he_start[c + 1] ? sy_he_twin_cell(w, w->cell_he[k]) : c;
                if (d < 0)
                    continue;
                int dup = 0;
                for (int j = 0; j < nn; j++)
                    if (next[j] == d)
                        dup = 1;
                if (!dup && !cell_valid(w, d, &m))
                    next[nn++] = d;
            }
        }
        free(queue);
        queue = next;
        nq = nn;
    }
    if (nq > 0)
        sy_die("internal: %d grid cells stay invalid after straightening", nq);
    free(queue);
    sy_mpoly_free(&m);
}
