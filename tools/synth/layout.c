/*
 * layout.c - where each grid's seed point goes.
 *
 * The area is a convex outline around the centre. It is cut recursively by
 * straight lines into convex pieces whose areas follow the hierarchy's area
 * targets (counties, then townships, then communities, then the K grids of
 * each community): a treemap. The seed of a grid is the centroid of its
 * piece. A Voronoi diagram of the seeds (topo.c) then gives the actual,
 * less regular shapes; ghost seeds just outside the outline bound it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "world.h"

typedef struct cpoly {
    sy_pt *p;
    int n;
} cpoly;

/* Keeps the part of convex polygon in with dot(nrm, p) <= c (keep_le) or
 * >= c. out must hold in_n + 2 points. */
static int clip_half(const sy_pt *in, int n, sy_pt nrm, double c, int keep_le, sy_pt *out)
{
    int m = 0;
    for (int i = 0; i < n; i++) {
        sy_pt a = in[i], b = in[(i + 1) % n];
        double da = nrm.x * a.x + nrm.y * a.y - c, db = nrm.x * b.x + nrm.y * b.y - c;
        if (!keep_le) {
            da = -da;
            db = -db;
        }
        int ina = da <= 0, inb = db <= 0;
        if (ina)
            out[m++] = a;
        if (ina != inb) {
            double t = da / (da - db);
            out[m].x = a.x + t * (b.x - a.x);
            out[m].y = a.y + t * (b.y - a.y);
            m++;
        }
    }
    return m;
}

static double poly_area(const sy_pt *p, int n)
{
    return fabs(sy_ring_area(p, (size_t)n));
}

/* Cuts poly into n convex pieces with areas proportional to weight[i]; the
 * pieces are returned in out[i] (owned). Items are kept in order: the first
 * group goes to the lower side of the cut. */
static void partition(sy_rng *r, const sy_pt *poly, int np, const double *weight, int n, cpoly *out)
{
    if (n == 1) {
        out[0].p = sy_malloc(sizeof(sy_pt) * (size_t)np);
        memcpy(out[0].p, poly, sizeof(sy_pt) * (size_t)np);
        out[0].n = np;
        return;
    }
    double total = 0;
    for (int i = 0; i < n; i++)
        total += weight[i];
    int k = 1;
    double acc = weight[0], best = fabs(acc - total / 2);
    for (int i = 1; i < n - 1; i++) {
        double next = acc + weight[i];
        if (fabs(next - total / 2) < best) {
            best = fabs(next - total / 2);
            k = i + 1;
            acc = next;
        } else
            break;
    }
    double frac = acc / total;

    /* Cut across the direction of largest extent, a little off square. */
    double best_w = -1, best_ang = 0;
    for (int s = 0; s < 12; s++) {
        double ang = s * M_PI / 12;
        double cx = cos(ang), cy = sin(ang), lo = INFINITY, hi = -INFINITY;
        for (int i = 0; i < np; i++) {
            double d = cx * poly[i].x + cy * poly[i].y;
            lo = fmin(lo, d);
            hi = fmax(hi, d);
        }
        if (hi - lo > best_w) {
            best_w = hi - lo;
            best_ang = ang;
        }
    }
    best_ang += sy_rng_range(r, -0.2, 0.2);
    sy_pt nrm = {cos(best_ang), sin(best_ang)};
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < np; i++) {
        double d = nrm.x * poly[i].x + nrm.y * poly[i].y;
        lo = fmin(lo, d);
        hi = fmax(hi, d);
    }
    double area = poly_area(poly, np), target = frac * area;
    sy_pt *buf = sy_malloc(sizeof(sy_pt) * (size_t)(np + 2));
    double a = lo, b = hi;
    for (int it = 0; it < 60; it++) {
        double mid = 0.5 * (a + b);
        int m = clip_half(poly, np, nrm, mid, 1, buf);
        if (poly_area(buf, m) < target)
            a = mid;
        else
            b = mid;
    }
    double c = 0.5 * (a + b);
    sy_pt *left = sy_malloc(sizeof(sy_pt) * (size_t)(np + 2));
    sy_pt *right = sy_malloc(sizeof(sy_pt) * (size_t)(np + 2));
    int nl = clip_half(poly, np, nrm, c, 1, left);
    int nr = clip_half(poly, np, nrm, c, 0, right);
    free(buf);
    partition(r, left, nl, weight, k, out);
    partition(r, right, nr, weight + k, n - k, out + k);
    free(left);
    free(right);
}

static void convex_hull(sy_pt *p, int *n)
{
    /* Monotone chain; n is small. */
    int m = *n;
    for (int i = 1; i < m; i++)
        for (int j = i; j > 0 && (p[j].x < p[j - 1].x || (p[j].x == p[j - 1].x && p[j].y < p[j - 1].y)); j--) {
            sy_pt t = p[j];
            p[j] = p[j - 1];
            p[j - 1] = t;
        }
    sy_pt *h = sy_malloc(sizeof(sy_pt) * (size_t)(2 * m + 1));
    int k = 0;
    for (int i = 0; i < m; i++) {
        while (k >= 2 && (h[k - 1].x - h[k - 2].x) * (p[i].y - h[k - 2].y) -
                                 (h[k - 1].y - h[k - 2].y) * (p[i].x - h[k - 2].x) <= 0)
            k--;
        h[k++] = p[i];
    }
    for (int i = m - 2, t = k + 1; i >= 0; i--) {
        while (k >= t && (h[k - 1].x - h[k - 2].x) * (p[i].y - h[k - 2].y) -
                                 (h[k - 1].y - h[k - 2].y) * (p[i].x - h[k - 2].x) <= 0)
            k--;
        h[k++] = p[i];
    }
    k--;
    memcpy(p, h, sizeof(sy_pt) * (size_t)k);
    *n = k;
    free(h);
}

void sy_layout_build(sy_world *w)
{
    sy_rng r = sy_rng_for(w->opt.seed, SY_TAG_LAYOUT, 0);
    double total = 0;
    int n_cells = 0;
    for (int i = 0; i < w->n_communities; i++) {
        total += w->communities[i].area_m2_target;
        n_cells += w->communities[i].grids_target;
    }

    /* Root outline: a jittered ellipse of the total area. */
    int nroot = 20;
    sy_pt *root = sy_malloc(sizeof(sy_pt) * (size_t)nroot);
    double aspect = sy_rng_range(&r, 1.0, 1.4), rot = sy_rng_range(&r, 0, M_PI);
    double ra = sqrt(total * aspect / M_PI), rb = sqrt(total / (M_PI * aspect));
    for (int i = 0; i < nroot; i++) {
        double t = 2 * M_PI * i / nroot, f = sy_rng_range(&r, 0.93, 1.07);
        double x = ra * f * cos(t), y = rb * f * sin(t);
        root[i].x = w->centre.x + x * cos(rot) - y * sin(rot);
        root[i].y = w->centre.y + x * sin(rot) + y * cos(rot);
    }
    convex_hull(root, &nroot);

    w->n_cells = n_cells;
    w->seed = sy_malloc(sizeof(sy_pt) * (size_t)n_cells);
    w->cell_size_m = sy_malloc(sizeof(double) * (size_t)n_cells);
    w->cell_community = sy_malloc(sizeof(int) * (size_t)n_cells);

    double *wt = sy_malloc(sizeof(double) * (size_t)(w->n_counties > 0 ? w->n_counties : 1));
    for (int k = 0; k < w->n_counties; k++) {
        const sy_county *co = &w->counties[k];
        wt[k] = 0;
        for (int i = 0; i < co->n_townships; i++) {
            const sy_township *to = &w->townships[co->first_township + i];
            for (int j = 0; j < to->n_communities; j++)
                wt[k] += w->communities[to->first_community + j].area_m2_target;
        }
    }
    cpoly *cpolys = sy_calloc((size_t)w->n_counties, sizeof(cpoly));
    partition(&r, root, nroot, wt, w->n_counties, cpolys);
    free(wt);

    int cell = 0;
    for (int k = 0; k < w->n_counties; k++) {
        const sy_county *co = &w->counties[k];
        double *tw = sy_malloc(sizeof(double) * (size_t)co->n_townships);
        for (int i = 0; i < co->n_townships; i++) {
            const sy_township *to = &w->townships[co->first_township + i];
            tw[i] = 0;
            for (int j = 0; j < to->n_communities; j++)
                tw[i] += w->communities[to->first_community + j].area_m2_target;
        }
        cpoly *tpolys = sy_calloc((size_t)co->n_townships, sizeof(cpoly));
        partition(&r, cpolys[k].p, cpolys[k].n, tw, co->n_townships, tpolys);
        free(tw);
        for (int i = 0; i < co->n_townships; i++) {
            sy_township *to = &w->townships[co->first_township + i];
            to->lattice_origin = sy_ring_centroid(tpolys[i].p, (size_t)tpolys[i].n);
            to->lattice_angle = sy_rng_range(&r, 0, M_PI / 2);
            double *cw = sy_malloc(sizeof(double) * (size_t)to->n_communities);
            for (int j = 0; j < to->n_communities; j++)
                cw[j] = w->communities[to->first_community + j].area_m2_target;
            cpoly *mpolys = sy_calloc((size_t)to->n_communities, sizeof(cpoly));
            partition(&r, tpolys[i].p, tpolys[i].n, cw, to->n_communities, mpolys);
            free(cw);
            for (int j = 0; j < to->n_communities; j++) {
                int ci = to->first_community + j;
                int kk = w->communities[ci].grids_target;
                double *gw = sy_malloc(sizeof(double) * (size_t)kk);
                for (int g = 0; g < kk; g++)
                    gw[g] = 1.0;
                cpoly *gpolys = sy_calloc((size_t)kk, sizeof(cpoly));
                partition(&r, mpolys[j].p, mpolys[j].n, gw, kk, gpolys);
                for (int g = 0; g < kk; g++, cell++) {
                    double a = poly_area(gpolys[g].p, gpolys[g].n);
                    double s = sqrt(a);
                    sy_pt c = sy_ring_centroid(gpolys[g].p, (size_t)gpolys[g].n);
                    c.x += sy_rng_range(&r, -0.04, 0.04) * s;
                    c.y += sy_rng_range(&r, -0.04, 0.04) * s;
                    w->seed[cell] = c;
                    w->cell_size_m[cell] = s;
                    w->cell_community[cell] = ci;
                    free(gpolys[g].p);
                }
                free(gpolys);
                free(gw);
                free(mpolys[j].p);
            }
            free(mpolys);
            free(tpolys[i].p);
        }
        free(tpolys);
        free(cpolys[k].p);
    }
    free(cpolys);

    /* Ghost seeds along the outline, spaced like the grids just inside. */
    sy_pindex ix;
    sy_pindex_build(&ix, w->seed, n_cells, sqrt(total / n_cells));
    size_t gcap = 0;
    w->n_ghosts = 0;
    w->ghost = NULL;
    for (int i = 0; i < nroot; i++) {
        sy_pt a = root[i], b = root[(i + 1) % nroot];
        double len = sy_dist(a, b);
        sy_pt nrm = {(b.y - a.y) / len, -(b.x - a.x) / len}; /* outward for CCW */
        double t = 0;
        while (t < len) {
            sy_pt p = {a.x + (b.x - a.x) * t / len, a.y + (b.y - a.y) * t / len};
            int s = sy_pindex_nearest(&ix, p);
            double size = w->cell_size_m[s];
            double off = size * sy_rng_range(&r, 0.45, 0.6);
            sy_pt g = {p.x + nrm.x * off, p.y + nrm.y * off};
            SY_PUSH(w->ghost, w->n_ghosts, gcap, g);
            t += size * sy_rng_range(&r, 0.6, 0.8);
        }
    }
    /* A second, sparser ring keeps the first one's cells small. */
    int n_inner = w->n_ghosts;
    for (int i = 0; i < n_inner; i += 2) {
        sy_pt g = w->ghost[i];
        double dx = g.x - w->centre.x, dy = g.y - w->centre.y, d = hypot(dx, dy);
        int s = sy_pindex_nearest(&ix, g);
        double off = w->cell_size_m[s] * 1.5 + 10;
        sy_pt o = {g.x + dx / d * off, g.y + dy / d * off};
        SY_PUSH(w->ghost, w->n_ghosts, gcap, o);
    }
    sy_pindex_free(&ix);
    free(root);
}
