/*
 * households.c - resident households of one community.
 *
 * Urban households live in residential buildings (20-200 households, a few
 * tower blocks of 300-1300) set out in rows inside the blocks of the
 * township's street lattice: a perturbed grid of streets 150-400 m apart
 * (plus a diagonal avenue in street townships), whose pieces inside the
 * community are written to the roads layer. Rural households are single
 * houses in hamlets (natural villages) of 10-80 houses laid along the roads
 * and rivers of the community with empty land between, linked by tracks.
 * The counts add up exactly to the community's households; every point is
 * inside the community and outside every water polygon.
 */
#include <stdlib.h>
#include <string.h>

#include "community.h"

#define LATTICE_STEP 275.0
#define BLOCK_MARGIN 22.0

typedef struct lattice {
    sy_pt origin;
    double ca, sa;
    long i0, i1, j0, j1;  /* line index ranges covering the community */
    double *xa, *yb;      /* base positions of lines i0..i1 and j0..j1 */
    double *xph, *yph;    /* wobble phases, two per line */
    char (*xname)[SY_NAME_CAP];
    char (*yname)[SY_NAME_CAP];
    signed char *xclass, *yclass;
    int diagonal;
    double diag_angle;
    char diag_name[SY_NAME_CAP];
} lattice;

static sy_pt to_lat(const lattice *L, sy_pt p)
{
    double dx = p.x - L->origin.x, dy = p.y - L->origin.y;
    sy_pt q = {dx * L->ca + dy * L->sa, -dx * L->sa + dy * L->ca};
    return q;
}

static sy_pt from_lat(const lattice *L, double a, double b)
{
    sy_pt p = {L->origin.x + a * L->ca - b * L->sa, L->origin.y + a * L->sa + b * L->ca};
    return p;
}

static double wobble(const double *ph, double s)
{
    return 7.0 * sin(s / 340.0 + ph[0]) + 4.0 * sin(s / 120.0 + ph[1]);
}

static void lattice_line(const sy_world *w, int t, int axis, long i, double *base, double *ph,
                         char *name, signed char *cls)
{
    sy_rng r = sy_rng_for(w->opt.seed, SY_TAG_STREETS,
                          sy_hash2(sy_hash2((uint64_t)t, (uint64_t)axis), (uint64_t)(i + 1000000)));
    *base = (double)i * LATTICE_STEP + sy_rng_range(&r, -60, 60);
    ph[0] = sy_rng_range(&r, 0, 2 * M_PI);
    ph[1] = sy_rng_range(&r, 0, 2 * M_PI);
    *cls = (signed char)(sy_rng_chance(&r, 0.25) ? SY_ROAD_TERTIARY : SY_ROAD_RESIDENTIAL);
    sy_name_road(&r, sy_road_class_name[*cls], name, SY_NAME_CAP);
}

static void lattice_init(lattice *L, const sy_comm *cc)
{
    const sy_world *w = cc->w;
    int t = w->communities[cc->ci].township;
    const sy_township *to = &w->townships[t];
    memset(L, 0, sizeof *L);
    L->origin = to->lattice_origin;
    L->ca = cos(to->lattice_angle);
    L->sa = sin(to->lattice_angle);
    double amin = INFINITY, amax = -INFINITY, bmin = INFINITY, bmax = -INFINITY;
    for (int i = 0; i < cc->poly.n_pts; i++) {
        sy_pt q = to_lat(L, cc->poly.pts[i]);
        amin = fmin(amin, q.x);
        amax = fmax(amax, q.x);
        bmin = fmin(bmin, q.y);
        bmax = fmax(bmax, q.y);
    }
    L->i0 = (long)floor(amin / LATTICE_STEP) - 1;
    L->i1 = (long)ceil(amax / LATTICE_STEP) + 1;
    L->j0 = (long)floor(bmin / LATTICE_STEP) - 1;
    L->j1 = (long)ceil(bmax / LATTICE_STEP) + 1;
    size_t nx = (size_t)(L->i1 - L->i0 + 1), ny = (size_t)(L->j1 - L->j0 + 1);
    L->xa = sy_malloc(sizeof(double) * nx);
    L->yb = sy_malloc(sizeof(double) * ny);
    L->xph = sy_malloc(sizeof(double) * 2 * nx);
    L->yph = sy_malloc(sizeof(double) * 2 * ny);
    L->xname = sy_malloc(sizeof *L->xname * nx);
    L->yname = sy_malloc(sizeof *L->yname * ny);
    L->xclass = sy_malloc(nx);
    L->yclass = sy_malloc(ny);
    for (long i = L->i0; i <= L->i1; i++) {
        size_t k = (size_t)(i - L->i0);
        lattice_line(w, t, 0, i, &L->xa[k], &L->xph[2 * k], L->xname[k], &L->xclass[k]);
    }
    for (long j = L->j0; j <= L->j1; j++) {
        size_t k = (size_t)(j - L->j0);
        lattice_line(w, t, 1, j, &L->yb[k], &L->yph[2 * k], L->yname[k], &L->yclass[k]);
    }
    sy_rng r = sy_rng_for(w->opt.seed, SY_TAG_STREETS, (uint64_t)t);
    L->diagonal = to->kind == SY_TOWNSHIP_STREET;
    L->diag_angle = M_PI / 4 + sy_rng_range(&r, -0.2, 0.2);
    sy_name_road(&r, "primary", L->diag_name, sizeof L->diag_name);
}

static void lattice_free(lattice *L)
{
    free(L->xa);
    free(L->yb);
    free(L->xph);
    free(L->yph);
    free(L->xname);
    free(L->yname);
    free(L->xclass);
    free(L->yclass);
}

static double diag_dist(const lattice *L, sy_pt p)
{
    sy_pt q = to_lat(L, p);
    return fabs(-q.x * sin(L->diag_angle) + q.y * cos(L->diag_angle));
}

/* Writes the parts of a line that fall inside the community. */
static void emit_clipped(sy_comm *cc, sy_out *o, const char *cls, const char *name, const sy_pt *pts, int n)
{
    GEOSContextHandle_t h = cc->w->geos;
    GEOSGeometry *ls = sy_line_to_geos(h, pts, n);
    GEOSGeometry *cut = GEOSIntersection_r(h, ls, cc->geos);
    GEOSGeom_destroy_r(h, ls);
    if (!cut)
        return;
    GEOSGeometry *merged = GEOSLineMerge_r(h, cut);
    GEOSGeom_destroy_r(h, cut);
    if (!merged)
        return;
    int ng = GEOSGetNumGeometries_r(h, merged);
    for (int i = 0; i < ng; i++) {
        const GEOSGeometry *g = GEOSGetGeometryN_r(h, merged, i);
        if (GEOSGeomTypeId_r(h, g) != GEOS_LINESTRING)
            continue;
        const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, g);
        unsigned m = 0;
        GEOSCoordSeq_getSize_r(h, cs, &m);
        if (m < 2)
            continue;
        sy_reserve((void **)&cc->scratch, &cc->cap_scratch, m, sizeof(sy_pt));
        GEOSCoordSeq_copyToBuffer_r(h, cs, &cc->scratch[0].x, 0, 0);
        double len = 0;
        for (unsigned k = 0; k + 1 < m; k++)
            len += sy_dist(cc->scratch[k], cc->scratch[k + 1]);
        if (len >= 20)
            sy_out_road(o, cls, name, cc->scratch, (int)m);
    }
    GEOSGeom_destroy_r(h, merged);
}

static void emit_streets(sy_comm *cc, sy_out *o, const lattice *L)
{
    double lo_a = L->xa[0] - 100, hi_a = L->xa[L->i1 - L->i0] + 100;
    double lo_b = L->yb[0] - 100, hi_b = L->yb[L->j1 - L->j0] + 100;
    int n = 0;
    size_t cap = 0;
    sy_pt *pts = NULL;
    for (long i = L->i0; i <= L->i1; i++) {
        size_t k = (size_t)(i - L->i0);
        n = 0;
        for (double b = lo_b; b <= hi_b + 1e-9; b += 40) {
            sy_pt p = from_lat(L, L->xa[k] + wobble(&L->xph[2 * k], b), b);
            SY_PUSH(pts, n, cap, p);
        }
        emit_clipped(cc, o, sy_road_class_name[L->xclass[k]], L->xname[k], pts, n);
    }
    for (long j = L->j0; j <= L->j1; j++) {
        size_t k = (size_t)(j - L->j0);
        n = 0;
        for (double a = lo_a; a <= hi_a + 1e-9; a += 40) {
            sy_pt p = from_lat(L, a, L->yb[k] + wobble(&L->yph[2 * k], a));
            SY_PUSH(pts, n, cap, p);
        }
        emit_clipped(cc, o, sy_road_class_name[L->yclass[k]], L->yname[k], pts, n);
    }
    if (L->diagonal) {
        /* One straight avenue through the lattice origin. */
        double reach = 0;
        for (int i = 0; i < cc->poly.n_pts; i++)
            reach = fmax(reach, sy_dist(cc->poly.pts[i], L->origin));
        double da = cos(L->diag_angle), db = sin(L->diag_angle);
        n = 0;
        for (double s = -reach; s <= reach + 1e-9; s += 100) {
            sy_pt p = from_lat(L, s * da, s * db);
            SY_PUSH(pts, n, cap, p);
        }
        if (n >= 2)
            emit_clipped(cc, o, "primary", L->diag_name, pts, n);
    }
    free(pts);
}

static int persons_for(sy_rng *r, int count)
{
    if (count == 1) {
        int p = (int)lround(2.6 + 0.9 * sy_rng_normal(r));
        return p < 1 ? 1 : p > 8 ? 8 : p;
    }
    int p = (int)lround(count * sy_rng_range(r, 2.25, 2.95));
    return p < count ? count : p;
}

static void record(sy_comm *cc, sy_pt p, int count)
{
    size_t n = (size_t)cc->n_hh;
    sy_reserve((void **)&cc->hh_pt, &cc->cap_hh_pt, n + 1, sizeof(sy_pt));
    sy_reserve((void **)&cc->hh_count, &cc->cap_hh_count, n + 1, sizeof(int));
    cc->hh_pt[n] = p;
    cc->hh_count[n] = count;
    cc->n_hh++;
}

static int draw_building(sy_rng *r, int cls, long remaining)
{
    double u = sy_rng_uniform(r);
    int c;
    if (cls == 111) {
        if (u < 0.03 && remaining >= 600)
            c = sy_rng_int(r, 300, 1300); /* tower block */
        else if (u < 0.5)
            c = sy_rng_int(r, 20, 60); /* walk-up */
        else
            c = (int)(60 + 140 * pow(sy_rng_uniform(r), 1.8)); /* high-rise */
    } else {
        if (u < 0.01 && remaining >= 600)
            c = sy_rng_int(r, 300, 800);
        else
            c = (int)(20 + 100 * pow(sy_rng_uniform(r), 1.6));
    }
    return c;
}

typedef struct slot {
    sy_pt p;
    long street;   /* lattice line index for the address */
    int number;    /* door number */
    int building;  /* building number in the compound */
} slot;

static void urban_households(sy_comm *cc, sy_out *o, sy_rng *r, long n_hh, const lattice *L)
{
    const sy_world *w = cc->w;
    const sy_community *cm = &w->communities[cc->ci];
    const sy_township *to = &w->townships[cm->township];
    if (n_hh <= 0)
        return;
    /* Building sizes first. */
    int *counts = NULL;
    size_t ccap = 0;
    int nb = 0;
    long remaining = n_hh;
    while (remaining > 0) {
        long c = draw_building(r, cm->urban_rural, remaining);
        if (c >= remaining || remaining - c < 20)
            c = remaining;
        int ci = (int)c;
        SY_PUSH(counts, nb, ccap, ci);
        remaining -= c;
    }

    /* Slots in blocks, blocks in random order; some blocks are left for
     * other uses. */
    long nbi = L->i1 - L->i0, nbj = L->j1 - L->j0;
    int n_blocks = (int)(nbi * nbj);
    int *order = sy_malloc(sizeof(int) * (size_t)(n_blocks > 0 ? n_blocks : 1));
    for (int i = 0; i < n_blocks; i++)
        order[i] = i;
    sy_rng_shuffle_int(r, order, n_blocks);
    slot *slots = NULL;
    size_t scap = 0;
    int ns = 0;
    for (int bi = 0; bi < n_blocks && ns < nb; bi++) {
        long i = L->i0 + order[bi] / nbj, j = L->j0 + order[bi] % nbj;
        size_t ki = (size_t)(i - L->i0), kj = (size_t)(j - L->j0);
        double a0 = L->xa[ki] + BLOCK_MARGIN, a1 = L->xa[ki + 1] - BLOCK_MARGIN;
        double b0 = L->yb[kj] + BLOCK_MARGIN, b1 = L->yb[kj + 1] - BLOCK_MARGIN;
        if (a1 <= a0 || b1 <= b0)
            continue;
        sy_pt mid = from_lat(L, 0.5 * (a0 + a1), 0.5 * (b0 + b1));
        if (!sy_pip_contains(&cc->pip, mid) && sy_rng_chance(r, 0.7))
            continue;
        if (sy_rng_chance(r, cm->urban_rural == 111 ? 0.15 : 0.3))
            continue;
        double sx = sy_rng_range(r, 30, 46), sy = sy_rng_range(r, 32, 52);
        int building = 0;
        int number = 2 * (int)(j - L->j0) + 1 + 2 * sy_rng_int(r, 0, 30);
        for (double b = b0; b <= b1 + 1e-9; b += sy) {
            for (double a = a0; a <= a1 + 1e-9; a += sx) {
                sy_pt p = from_lat(L, a + sy_rng_range(r, -2, 2), b + sy_rng_range(r, -2, 2));
                if (!sy_comm_free_spot(cc, p))
                    continue;
                if (sy_comm_road_dist(cc, p, 15.0) < 15.0)
                    continue;
                if (L->diagonal && diag_dist(L, p) < 25)
                    continue;
                slot s = {p, i, number, ++building};
                SY_PUSH(slots, ns, scap, s);
            }
        }
    }
    free(order);
    /* Too few slots (small or watery territory): add scattered ones. */
    for (int tries = 0; ns < nb && tries < 20 * nb; tries++) {
        sy_pt p = sy_comm_random_spot(cc, r);
        sy_pt q = to_lat(L, p);
        long i = (long)floor(q.x / LATTICE_STEP);
        if (i < L->i0)
            i = L->i0;
        if (i > L->i1)
            i = L->i1;
        slot s = {p, i, sy_rng_int(r, 1, 200), 1};
        SY_PUSH(slots, ns, scap, s);
    }
    while (nb > ns && nb > 1) {
        counts[nb - 2] += counts[nb - 1];
        nb--;
    }
    for (int k = 0; k < nb; k++) {
        const slot *s = &slots[k];
        sy_str_clear(&cc->addr);
        sy_str_catf(&cc->addr, "%s%s%s%d号%d栋", to->name, cm->name, L->xname[s->street - L->i0], s->number,
                    s->building);
        sy_out_household(o, s->p, counts[k], persons_for(r, counts[k]), cc->addr.buf);
        record(cc, s->p, counts[k]);
    }
    free(slots);
    free(counts);
}

/* A hamlet centre near a road or river of the community, or anywhere. */
static int hamlet_centre(sy_comm *cc, sy_rng *r, const sy_pt *prev, int n_prev, double spacing, sy_pt *centre,
                         sy_pt *anchor, sy_pt *dir, int *anchored)
{
    for (int attempt = 0; attempt < 40; attempt++) {
        double need = attempt < 15 ? spacing : attempt < 30 ? spacing * 0.5 : 0;
        sy_pt c, d, an = {0, 0};
        int on_line = cc->n_lines > 0 && sy_rng_chance(r, 0.7);
        if (on_line) {
            int l = sy_rng_int(r, 0, cc->n_lines - 1);
            int s0 = cc->line_start[l], s1 = cc->line_start[l + 1];
            if (s1 - s0 < 2)
                continue;
            int k = sy_rng_int(r, s0, s1 - 2);
            double t = sy_rng_uniform(r);
            sy_pt a = cc->line_pts[k], b = cc->line_pts[k + 1];
            an.x = a.x + t * (b.x - a.x);
            an.y = a.y + t * (b.y - a.y);
            double len = sy_dist(a, b);
            if (len <= 0)
                continue;
            d.x = (b.x - a.x) / len;
            d.y = (b.y - a.y) / len;
            double side = sy_rng_chance(r, 0.5) ? 1 : -1, off = sy_rng_range(r, 40, 90);
            c.x = an.x - d.y * off * side;
            c.y = an.y + d.x * off * side;
        } else {
            c = sy_comm_random_spot(cc, r);
            double ang = sy_rng_range(r, 0, M_PI);
            d.x = cos(ang);
            d.y = sin(ang);
        }
        if (!sy_comm_free_spot(cc, c))
            continue;
        int ok = 1;
        for (int i = 0; i < n_prev && ok; i++)
            if (sy_dist(prev[i], c) < need)
                ok = 0;
        if (!ok)
            continue;
        *centre = c;
        *anchor = an;
        *dir = d;
        *anchored = on_line;
        return 1;
    }
    return 0;
}

/* Places up to size houses of one hamlet; returns how many were placed. */
static int lay_hamlet(sy_comm *cc, sy_out *o, sy_rng *r, sy_pt c, sy_pt d, int size, const char *hamlet_name,
                      const sy_pip *restrict_to, int *door)
{
    const sy_world *w = cc->w;
    const sy_community *cm = &w->communities[cc->ci];
    const sy_township *to = &w->townships[cm->township];
    /* Compact rows along the road or river, a little ragged. */
    int rows = (int)lround(sqrt(size / 3.5));
    if (rows < 1)
        rows = 1;
    int per_row = (size + rows - 1) / rows;
    double along = sy_rng_range(r, 13, 20), across = sy_rng_range(r, 22, 32);
    sy_pt nrm = {-d.y, d.x};
    int placed = 0;
    for (int k = 0; k < size; k++) {
        int row = k / per_row, col = k % per_row;
        sy_pt p = {0, 0};
        int ok = 0;
        for (int attempt = 0; attempt < 6 && !ok; attempt++) {
            double u = (col - 0.5 * (per_row - 1)) * along + sy_rng_range(r, -4, 4) + attempt * along * 0.5;
            double v = (row - 0.5 * (rows - 1)) * across + sy_rng_range(r, -5, 5) + 0.15 * u * sin(row + 1.0) +
                       (attempt ? sy_rng_range(r, -40, 40) : 0);
            p.x = c.x + d.x * u + nrm.x * v;
            p.y = c.y + d.y * u + nrm.y * v;
            ok = sy_comm_free_spot(cc, p) && (!restrict_to || sy_pip_contains(restrict_to, p));
        }
        if (!ok)
            continue;
        placed++;
        sy_str_clear(&cc->addr);
        sy_str_catf(&cc->addr, "%s%s%s%d号", to->name, cm->name, hamlet_name, ++*door);
        sy_out_household(o, p, 1, persons_for(r, 1), cc->addr.buf);
        record(cc, p, 1);
    }
    if (placed >= 25 && !restrict_to) {
        /* A lane along the rows, between the first two. */
        double half = 0.5 * per_row * along, v = rows > 1 ? (0.5 - 0.5 * (rows - 1)) * across : across * 0.5;
        sy_pt lane[2] = {{c.x - d.x * half + nrm.x * v, c.y - d.y * half + nrm.y * v},
                         {c.x + d.x * half + nrm.x * v, c.y + d.y * half + nrm.y * v}};
        sy_out_road(o, "service", "", lane, 2);
    }
    return placed;
}

static void rural_households(sy_comm *cc, sy_out *o, sy_rng *r, long n_hh, long island_hh)
{
    sy_pt *centres = NULL;
    size_t ccap = 0;
    int nc = 0;
    char name[SY_NAME_CAP];
    int door = 0;
    if (island_hh > 0 && cc->has_island) {
        sy_name_hamlet(r, name, sizeof name);
        long left = island_hh;
        const sy_extra_ring *x = &cc->w->extras[cc->w->island_extra];
        sy_pt c = sy_ring_centroid(x->pts, (size_t)x->n);
        for (int round = 0; round < 50 && left > 0; round++) {
            double ang = sy_rng_range(r, 0, M_PI);
            sy_pt d = {cos(ang), sin(ang)};
            sy_pt cj = {c.x + sy_rng_range(r, -20, 20), c.y + sy_rng_range(r, -20, 20)};
            left -= lay_hamlet(cc, o, r, cj, d, (int)left, name, &cc->island_pip, &door);
        }
        if (left > 0) {
            /* Scatter the rest anywhere on the island. */
            double minx, miny, maxx, maxy;
            sy_mpoly_bbox(&cc->island, &minx, &miny, &maxx, &maxy);
            const sy_community *cm = &cc->w->communities[cc->ci];
            const sy_township *to = &cc->w->townships[cm->township];
            for (int tries = 0; left > 0 && tries < 100000; tries++) {
                sy_pt p = {sy_rng_range(r, minx, maxx), sy_rng_range(r, miny, maxy)};
                if (!sy_pip_contains(&cc->island_pip, p) || !sy_comm_free_spot(cc, p))
                    continue;
                sy_str_clear(&cc->addr);
                sy_str_catf(&cc->addr, "%s%s%s%d号", to->name, cm->name, name, ++door);
                sy_out_household(o, p, 1, persons_for(r, 1), cc->addr.buf);
                record(cc, p, 1);
                left--;
            }
        }
        n_hh += left; /* whatever did not fit goes to the mainland */
        SY_PUSH(centres, nc, ccap, c);
    }
    long remaining = n_hh;
    int stalls = 0;
    while (remaining > 0) {
        int size;
        if (remaining <= 80)
            size = (int)remaining;
        else {
            size = (int)lround(10 + 70 * pow(sy_rng_uniform(r), 1.5));
            if (remaining - size < 10)
                size = (int)remaining - 10;
        }
        sy_pt c, an, d;
        int anchored = 0;
        double spacing = sqrt(cc->area_m2 / (1.0 + (double)n_hh / 35.0)) * 0.6;
        if (!hamlet_centre(cc, r, centres, nc, spacing, &c, &an, &d, &anchored)) {
            c = sy_comm_random_spot(cc, r);
            d.x = 1;
            d.y = 0;
            anchored = 0;
        }
        door = 0;
        sy_name_hamlet(r, name, sizeof name);
        int placed = lay_hamlet(cc, o, r, c, d, size, name, NULL, &door);
        if (placed > 0) {
            if (anchored) {
                sy_pt track[2] = {c, an};
                sy_out_road(o, placed >= 30 ? "unclassified" : "track", "", track, 2);
            } else if (nc > 0) {
                int best = 0;
                for (int i = 1; i < nc; i++)
                    if (sy_dist(centres[i], c) < sy_dist(centres[best], c))
                        best = i;
                if (sy_dist(centres[best], c) < 1500) {
                    sy_pt track[2] = {c, centres[best]};
                    sy_out_road(o, "track", "", track, 2);
                }
            }
            SY_PUSH(centres, nc, ccap, c);
            stalls = 0;
        } else if (++stalls > 50) {
            /* Nowhere to build a row: single houses at random free spots. */
            const sy_community *cm = &cc->w->communities[cc->ci];
            const sy_township *to = &cc->w->townships[cm->township];
            while (remaining - placed > 0) {
                sy_pt p = sy_comm_random_spot(cc, r);
                sy_str_clear(&cc->addr);
                sy_str_catf(&cc->addr, "%s%s%s%d号", to->name, cm->name, name, ++door);
                sy_out_household(o, p, 1, persons_for(r, 1), cc->addr.buf);
                record(cc, p, 1);
                placed++;
            }
        }
        remaining -= placed;
    }
    free(centres);
}

static double rural_share(int cls)
{
    switch (cls) {
    case 111: return 0.0;
    case 112: return 0.3;
    case 121: return 0.12;
    case 122: return 0.5;
    case 123: return 0.3;
    case 210: return 0.85;
    default: return 1.0;
    }
}

void sy_households_generate(sy_comm *cc, sy_out *o)
{
    const sy_world *w = cc->w;
    const sy_community *cm = &w->communities[cc->ci];
    sy_rng r = sy_rng_for(w->opt.seed, SY_TAG_HOUSEHOLDS, (uint64_t)cc->ci);
    long total = cm->households;
    long island = cc->has_island ? cm->island_households : 0;
    long rural = (long)lround(rural_share(cm->urban_rural) * (double)total);
    if (rural < island)
        rural = island;
    if (rural > total)
        rural = total;
    long urban = total - rural;
    lattice L;
    int has_lattice = urban > 0 || sy_is_urban_class(cm->urban_rural);
    if (has_lattice) {
        lattice_init(&L, cc);
        if (sy_is_urban_class(cm->urban_rural))
            emit_streets(cc, o, &L);
        urban_households(cc, o, &r, urban, &L);
        lattice_free(&L);
    }
    rural_households(cc, o, &r, rural - island, island);
}
