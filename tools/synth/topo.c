/*
 * topo.c - the planar tessellation of grids.
 *
 * A GEOS Voronoi diagram of the seeds (real and ghost) is turned into a
 * planar graph: nodes are Voronoi vertices (shared bit-for-bit between
 * neighbouring cells, because GEOS computes each circumcentre once), edges
 * are Voronoi edges, and each real seed's cell is a counter-clockwise cycle
 * of half-edges. Every polygon written later (grid, community, township,
 * county) is traced over these edges, so neighbours share identical
 * vertices and parents are exactly the union of their children.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "world.h"

static uint64_t pt_key(sy_pt p)
{
    return sy_hash_double(sy_hash_double(0x51u, p.x), p.y);
}

static size_t pow2_at_least(size_t n)
{
    size_t c = 1024;
    while (c < n)
        c <<= 1;
    return c;
}

static int lex_less(sy_pt a, sy_pt b)
{
    return a.x < b.x || (a.x == b.x && a.y < b.y);
}

int sy_he_from(const sy_world *w, int he)
{
    const sy_edge *e = &w->edge[he >> 1];
    return (he & 1) ? e->b : e->a;
}

int sy_he_to(const sy_world *w, int he)
{
    const sy_edge *e = &w->edge[he >> 1];
    return (he & 1) ? e->a : e->b;
}

int sy_he_cell(const sy_world *w, int he)
{
    const sy_edge *e = &w->edge[he >> 1];
    return (he & 1) ? e->right : e->left;
}

int sy_he_twin_cell(const sy_world *w, int he)
{
    const sy_edge *e = &w->edge[he >> 1];
    return (he & 1) ? e->left : e->right;
}

int sy_half_edge_points(const sy_world *w, int he, sy_pt **out, size_t *cap)
{
    const sy_edge *e = &w->edge[he >> 1];
    int n = e->n_pts + 2;
    sy_reserve((void **)out, cap, (size_t)n, sizeof(sy_pt));
    sy_pt *o = *out;
    const sy_pt *in = w->edge_pts + e->pts_start;
    if (!(he & 1)) {
        o[0] = w->node[e->a];
        for (int i = 0; i < e->n_pts; i++)
            o[1 + i] = in[i];
        o[n - 1] = w->node[e->b];
    } else {
        o[0] = w->node[e->b];
        for (int i = 0; i < e->n_pts; i++)
            o[1 + i] = in[e->n_pts - 1 - i];
        o[n - 1] = w->node[e->a];
    }
    return n;
}

void sy_topo_build(sy_world *w)
{
    GEOSContextHandle_t h = w->geos;
    int n_all = w->n_cells + w->n_ghosts;
    sy_pt *all = sy_malloc(sizeof(sy_pt) * (size_t)n_all);
    memcpy(all, w->seed, sizeof(sy_pt) * (size_t)w->n_cells);
    memcpy(all + w->n_cells, w->ghost, sizeof(sy_pt) * (size_t)w->n_ghosts);
    GEOSGeometry **pts = sy_malloc(sizeof(GEOSGeometry *) * (size_t)n_all);
    double minx = INFINITY, maxx = -INFINITY;
    for (int i = 0; i < n_all; i++) {
        pts[i] = GEOSGeom_createPointFromXY_r(h, all[i].x, all[i].y);
        minx = fmin(minx, all[i].x);
        maxx = fmax(maxx, all[i].x);
    }
    GEOSGeometry *mp = GEOSGeom_createCollection_r(h, GEOS_MULTIPOINT, pts, (unsigned)n_all);
    free(pts);
    GEOSGeometry *vor = GEOSVoronoiDiagram_r(h, mp, NULL, 0.0, 0);
    GEOSGeom_destroy_r(h, mp);
    if (!vor)
        sy_die("GEOS Voronoi diagram failed");

    double spacing = sqrt((maxx - minx) * (maxx - minx) / (n_all > 0 ? n_all : 1));
    sy_pindex ix;
    sy_pindex_build(&ix, all, n_all, spacing > 1 ? spacing : 1);

    sy_pt **ring = sy_calloc((size_t)w->n_cells, sizeof(sy_pt *));
    int *ring_n = sy_calloc((size_t)w->n_cells, sizeof(int));
    int ng = GEOSGetNumGeometries_r(h, vor);
    size_t bufcap = 0;
    sy_pt *buf = NULL;
    for (int i = 0; i < ng; i++) {
        const GEOSGeometry *poly = GEOSGetGeometryN_r(h, vor, i);
        const GEOSGeometry *ext = GEOSGetExteriorRing_r(h, poly);
        const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ext);
        unsigned n = 0;
        GEOSCoordSeq_getSize_r(h, cs, &n);
        if (n < 4)
            continue;
        sy_reserve((void **)&buf, &bufcap, n, sizeof(sy_pt));
        GEOSCoordSeq_copyToBuffer_r(h, cs, &buf[0].x, 0, 0);
        /* The seed of a Voronoi cell is the seed nearest to any point inside
         * it, in particular to the centroid of the (convex) cell. */
        sy_pt c = sy_ring_centroid(buf, n - 1);
        int s = sy_pindex_nearest(&ix, c);
        if (s < 0 || s >= w->n_cells)
            continue;
        if (ring[s])
            sy_die("internal: two Voronoi cells for seed %d", s);
        ring[s] = sy_malloc(sizeof(sy_pt) * n);
        memcpy(ring[s], buf, sizeof(sy_pt) * n);
        ring_n[s] = (int)n - 1;
    }
    free(buf);
    sy_pindex_free(&ix);
    GEOSGeom_destroy_r(h, vor);
    free(all);

    size_t ncap_nodes = pow2_at_least((size_t)w->n_cells * 8 + 64);
    int *node_tab = sy_malloc(sizeof(int) * ncap_nodes);
    memset(node_tab, 0xff, sizeof(int) * ncap_nodes);
    size_t ncap_edges = pow2_at_least((size_t)w->n_cells * 16 + 64);
    int *edge_tab = sy_malloc(sizeof(int) * ncap_edges);
    memset(edge_tab, 0xff, sizeof(int) * ncap_edges);
    size_t node_cap = 0, edge_cap = 0, he_cap = 0;
    int n_he = 0;
    w->n_nodes = w->n_edges = 0;
    w->cell_he_start = sy_malloc(sizeof(int) * ((size_t)w->n_cells + 1));
    int *rn = NULL;
    size_t rn_cap = 0;

    for (int c = 0; c < w->n_cells; c++) {
        if (!ring[c])
            sy_die("internal: no Voronoi cell for seed %d", c);
        int n = ring_n[c];
        if (sy_ring_area(ring[c], (size_t)n) < 0)
            for (int i = 0, j = n - 1; i < j; i++, j--) {
                sy_pt t = ring[c][i];
                ring[c][i] = ring[c][j];
                ring[c][j] = t;
            }
        sy_reserve((void **)&rn, &rn_cap, (size_t)n, sizeof(int));
        int m = 0;
        for (int i = 0; i < n; i++) {
            sy_pt p = ring[c][i];
            size_t mask = ncap_nodes - 1, slot = (size_t)pt_key(p) & mask;
            int id;
            for (;;) {
                id = node_tab[slot];
                if (id < 0) {
                    id = w->n_nodes;
                    SY_PUSH(w->node, w->n_nodes, node_cap, p);
                    node_tab[slot] = id;
                    break;
                }
                if (w->node[id].x == p.x && w->node[id].y == p.y)
                    break;
                slot = (slot + 1) & mask;
            }
            if (m > 0 && rn[m - 1] == id)
                continue;
            rn[m++] = id;
        }
        while (m > 1 && rn[m - 1] == rn[0])
            m--;
        if ((size_t)w->n_nodes * 2 > ncap_nodes)
            sy_die("internal: node table overflow");
        w->cell_he_start[c] = n_he;
        for (int i = 0; i < m; i++) {
            int u = rn[i], v = rn[(i + 1) % m];
            int lo = u < v ? u : v, hi = u < v ? v : u;
            size_t mask = ncap_edges - 1;
            size_t slot = (size_t)sy_hash2((uint64_t)lo, (uint64_t)hi) & mask;
            int id;
            for (;;) {
                id = edge_tab[slot];
                if (id < 0) {
                    sy_edge e;
                    memset(&e, 0, sizeof e);
                    if (lex_less(w->node[u], w->node[v])) {
                        e.a = u;
                        e.b = v;
                    } else {
                        e.a = v;
                        e.b = u;
                    }
                    e.left = e.right = -1;
                    e.road_class = e.water_kind = -1;
                    e.road_path = e.water_path = -1;
                    e.segments = 1;
                    id = w->n_edges;
                    SY_PUSH(w->edge, w->n_edges, edge_cap, e);
                    edge_tab[slot] = id;
                    break;
                }
                const sy_edge *e = &w->edge[id];
                if ((e->a == u && e->b == v) || (e->a == v && e->b == u))
                    break;
                slot = (slot + 1) & mask;
            }
            if ((size_t)w->n_edges * 2 > ncap_edges)
                sy_die("internal: edge table overflow");
            sy_edge *e = &w->edge[id];
            int he;
            if (e->a == u) {
                if (e->left >= 0)
                    sy_die("internal: edge used twice on one side");
                e->left = c;
                he = id * 2;
            } else {
                if (e->right >= 0)
                    sy_die("internal: edge used twice on one side");
                e->right = c;
                he = id * 2 + 1;
            }
            SY_PUSH(w->cell_he, n_he, he_cap, he);
        }
        free(ring[c]);
    }
    w->cell_he_start[w->n_cells] = n_he;
    free(rn);
    free(ring);
    free(ring_n);
    free(node_tab);
    free(edge_tab);

    /* Outgoing half-edges per node. */
    w->node_he_start = sy_calloc((size_t)w->n_nodes + 1, sizeof(int));
    for (int e = 0; e < w->n_edges; e++) {
        w->node_he_start[w->edge[e].a + 1]++;
        w->node_he_start[w->edge[e].b + 1]++;
    }
    for (int i = 0; i < w->n_nodes; i++)
        w->node_he_start[i + 1] += w->node_he_start[i];
    w->node_he = sy_malloc(sizeof(int) * (size_t)(w->n_edges * 2 + 1));
    int *fill = sy_malloc(sizeof(int) * (size_t)(w->n_nodes + 1));
    memcpy(fill, w->node_he_start, sizeof(int) * (size_t)w->n_nodes);
    for (int e = 0; e < w->n_edges; e++) {
        w->node_he[fill[w->edge[e].a]++] = e * 2;
        w->node_he[fill[w->edge[e].b]++] = e * 2 + 1;
    }
    free(fill);
}

/* ---- contiguity ---- */

typedef struct adjacency {
    int *start, *nbr;
    double *len;
} adjacency;

static void build_adjacency(const sy_world *w, adjacency *adj)
{
    adj->start = sy_calloc((size_t)w->n_cells + 1, sizeof(int));
    for (int e = 0; e < w->n_edges; e++) {
        const sy_edge *ed = &w->edge[e];
        if (ed->left >= 0 && ed->right >= 0) {
            adj->start[ed->left + 1]++;
            adj->start[ed->right + 1]++;
        }
    }
    for (int c = 0; c < w->n_cells; c++)
        adj->start[c + 1] += adj->start[c];
    int total = adj->start[w->n_cells];
    adj->nbr = sy_malloc(sizeof(int) * (size_t)(total + 1));
    adj->len = sy_malloc(sizeof(double) * (size_t)(total + 1));
    int *fill = sy_malloc(sizeof(int) * (size_t)(w->n_cells + 1));
    memcpy(fill, adj->start, sizeof(int) * (size_t)w->n_cells);
    for (int e = 0; e < w->n_edges; e++) {
        const sy_edge *ed = &w->edge[e];
        if (ed->left >= 0 && ed->right >= 0) {
            double l = sy_dist(w->node[ed->a], w->node[ed->b]);
            adj->nbr[fill[ed->left]] = ed->right;
            adj->len[fill[ed->left]++] = l;
            adj->nbr[fill[ed->right]] = ed->left;
            adj->len[fill[ed->right]++] = l;
        }
    }
    free(fill);
}

/* Makes every label's cells connected: all components but the largest are
 * handed to the neighbouring label with which they share the longest
 * border. Returns the number of cells moved. */
static int fix_labels(const sy_world *w, const adjacency *adj, int *label, int n_labels)
{
    int n = w->n_cells, moved = 0;
    int *comp = sy_malloc(sizeof(int) * (size_t)n);
    int *queue = sy_malloc(sizeof(int) * (size_t)n);
    int *best_size = sy_malloc(sizeof(int) * (size_t)n_labels);
    int *best_comp = sy_malloc(sizeof(int) * (size_t)n_labels);
    for (int round = 0; round < 20; round++) {
        memset(comp, 0xff, sizeof(int) * (size_t)n);
        memset(best_size, 0, sizeof(int) * (size_t)n_labels);
        memset(best_comp, 0xff, sizeof(int) * (size_t)n_labels);
        int n_comp = 0;
        int *comp_size = NULL;
        size_t cs_cap = 0;
        for (int s = 0; s < n; s++) {
            if (comp[s] >= 0)
                continue;
            int qh = 0, qt = 0, size = 0;
            queue[qt++] = s;
            comp[s] = n_comp;
            while (qh < qt) {
                int c = queue[qh++];
                size++;
                for (int k = adj->start[c]; k < adj->start[c + 1]; k++) {
                    int d = adj->nbr[k];
                    if (comp[d] < 0 && label[d] == label[c]) {
                        comp[d] = n_comp;
                        queue[qt++] = d;
                    }
                }
            }
            int nc = n_comp;
            SY_PUSH(comp_size, n_comp, cs_cap, size);
            if (size > best_size[label[s]]) {
                best_size[label[s]] = size;
                best_comp[label[s]] = nc;
            }
        }
        int moved_round = 0;
        /* Cells of stray components, visited by component. */
        char *done = sy_calloc((size_t)n_comp, 1);
        for (int s = 0; s < n; s++) {
            int cp = comp[s];
            if (done[cp] || best_comp[label[s]] == cp)
                continue;
            done[cp] = 1;
            /* Gather the component and the border lengths per neighbour label. */
            int qt = 0;
            for (int c = s; c < n; c++)
                if (comp[c] == cp)
                    queue[qt++] = c;
            int best_label = -1;
            double best_len = -1;
            for (int i = 0; i < qt; i++) {
                int c = queue[i];
                for (int k = adj->start[c]; k < adj->start[c + 1]; k++) {
                    int d = adj->nbr[k];
                    if (label[d] == label[s])
                        continue;
                    double sum = 0;
                    for (int j = 0; j < qt; j++)
                        for (int kk = adj->start[queue[j]]; kk < adj->start[queue[j] + 1]; kk++)
                            if (label[adj->nbr[kk]] == label[d])
                                sum += adj->len[kk];
                    if (sum > best_len || (sum == best_len && label[d] < best_label)) {
                        best_len = sum;
                        best_label = label[d];
                    }
                }
            }
            if (best_label < 0)
                continue; /* an isolated piece with no other neighbour */
            for (int i = 0; i < qt; i++)
                label[queue[i]] = best_label;
            moved_round += qt;
        }
        free(done);
        free(comp_size);
        moved += moved_round;
        if (!moved_round)
            break;
    }
    free(comp);
    free(queue);
    free(best_size);
    free(best_comp);
    return moved;
}

static int cmp_int_pair(const void *a, const void *b)
{
    const int *x = a, *y = b;
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

void sy_topo_fix_contiguity(sy_world *w)
{
    adjacency adj;
    build_adjacency(w, &adj);
    int n = w->n_cells;
    fix_labels(w, &adj, w->cell_community, w->n_communities);

    int *label = sy_malloc(sizeof(int) * (size_t)n);
    for (int c = 0; c < n; c++)
        label[c] = w->communities[w->cell_community[c]].township;
    if (fix_labels(w, &adj, label, w->n_townships))
        for (int c = 0; c < n; c++)
            w->communities[w->cell_community[c]].township = label[c];
    for (int c = 0; c < n; c++)
        label[c] = w->townships[w->communities[w->cell_community[c]].township].county;
    if (fix_labels(w, &adj, label, w->n_counties))
        for (int c = 0; c < n; c++)
            w->townships[w->communities[w->cell_community[c]].township].county = label[c];
    free(label);
    free(adj.start);
    free(adj.nbr);
    free(adj.len);

    /* Rebuild the grouped lists. */
    int *pairs = sy_malloc(sizeof(int) * 2 * (size_t)(n > w->n_communities ? n : w->n_communities));
    for (int t = 0; t < w->n_townships; t++) {
        pairs[2 * t] = w->townships[t].county;
        pairs[2 * t + 1] = t;
    }
    if (w->n_townships > 0)
        qsort(pairs, (size_t)w->n_townships, 2 * sizeof(int), cmp_int_pair);
    for (int k = 0; k < w->n_counties; k++)
        w->counties[k].n_townships = 0;
    for (int i = 0; i < w->n_townships; i++) {
        sy_county *co = &w->counties[pairs[2 * i]];
        if (co->n_townships == 0)
            co->first_township = i;
        co->n_townships++;
        w->township_list[i] = pairs[2 * i + 1];
    }
    /* Urban committees before village committees within a township. */
    for (int i = 0; i < w->n_communities; i++) {
        const sy_community *cm = &w->communities[i];
        pairs[2 * i] = cm->township * 2 + (sy_is_urban_class(cm->urban_rural) ? 0 : 1);
        pairs[2 * i + 1] = i;
    }
    if (w->n_communities > 0)
        qsort(pairs, (size_t)w->n_communities, 2 * sizeof(int), cmp_int_pair);
    for (int t = 0; t < w->n_townships; t++)
        w->townships[t].n_communities = 0;
    for (int i = 0; i < w->n_communities; i++) {
        sy_township *to = &w->townships[pairs[2 * i] / 2];
        if (to->n_communities == 0)
            to->first_community = i;
        to->n_communities++;
        w->community_list[i] = pairs[2 * i + 1];
    }
    for (int c = 0; c < n; c++) {
        pairs[2 * c] = w->cell_community[c];
        pairs[2 * c + 1] = c;
    }
    if (n > 0)
        qsort(pairs, (size_t)n, 2 * sizeof(int), cmp_int_pair);
    w->community_cells = sy_malloc(sizeof(int) * (size_t)n);
    for (int i = 0; i < w->n_communities; i++)
        w->communities[i].n_cells = 0;
    for (int i = 0; i < n; i++) {
        sy_community *cm = &w->communities[pairs[2 * i]];
        if (cm->n_cells == 0)
            cm->first_cell = i;
        cm->n_cells++;
        w->community_cells[i] = pairs[2 * i + 1];
    }
    free(pairs);
    for (int k = 0; k < w->n_counties; k++)
        if (w->counties[k].n_townships == 0)
            sy_die("internal: county %d lost all townships", k);
    for (int t = 0; t < w->n_townships; t++)
        if (w->townships[t].n_communities == 0)
            sy_die("internal: township %d lost all communities", t);
    for (int i = 0; i < w->n_communities; i++)
        if (w->communities[i].n_cells == 0)
            sy_die("internal: community %d lost all cells", i);
}

/* ---- region assembly ---- */

typedef struct bhe {
    int from, he;
} bhe;

static int cmp_bhe(const void *a, const void *b)
{
    const bhe *x = a, *y = b;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    return (x->he > y->he) - (x->he < y->he);
}

static int label_of(const int *label, int cell)
{
    if (cell < 0)
        return INT_MIN;
    return label ? label[cell] : cell;
}

void sy_region_build(const sy_world *w, const int *cells, int n_cells, const int *label, int value,
                     sy_mpoly *m)
{
    sy_mpoly_clear(m);
    bhe *list = NULL;
    size_t cap = 0;
    int n = 0;
    for (int i = 0; i < n_cells; i++) {
        int c = cells[i];
        if (label_of(label, c) != value)
            continue;
        for (int k = w->cell_he_start[c]; k < w->cell_he_start[c + 1]; k++) {
            int he = w->cell_he[k];
            if (label_of(label, sy_he_twin_cell(w, he)) != value) {
                bhe b = {sy_he_from(w, he), he};
                SY_PUSH(list, n, cap, b);
            }
        }
    }
    if (n > 0)
        qsort(list, (size_t)n, sizeof(bhe), cmp_bhe);
    char *used = sy_calloc((size_t)(n ? n : 1), 1);

    /* Trace rings into a scratch multipolygon, one ring per "polygon". */
    sy_mpoly rings = {0};
    sy_pt *pts = NULL, *seg = NULL;
    size_t pts_cap = 0, seg_cap = 0;
    for (int s = 0; s < n; s++) {
        if (used[s])
            continue;
        int np = 0, cur = s;
        while (!used[cur]) {
            used[cur] = 1;
            int he = list[cur].he;
            int ns = sy_half_edge_points(w, he, &seg, &seg_cap);
            sy_reserve((void **)&pts, &pts_cap, (size_t)np + (size_t)ns, sizeof(sy_pt));
            memcpy(pts + np, seg, sizeof(sy_pt) * (size_t)(ns - 1));
            np += ns - 1;
            int to = sy_he_to(w, he);
            /* Candidates leaving the end node. */
            int lo = 0, hi = n;
            while (lo < hi) {
                int mid = (lo + hi) / 2;
                if (list[mid].from < to)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            int next = -1, n_cand = 0;
            for (int k = lo; k < n && list[k].from == to; k++)
                n_cand++;
            if (n_cand == 1) {
                next = lo;
            } else if (n_cand > 1) {
                /* Pinch node: take the first candidate clockwise from the
                 * way back, which closes the tightest ring. */
                sy_pt v = w->node[to], back = w->node[sy_he_from(w, he)];
                double a0 = atan2(back.y - v.y, back.x - v.x), best = INFINITY;
                for (int k = lo; k < lo + n_cand; k++) {
                    if (used[k] && k != s)
                        continue;
                    sy_pt q = w->node[sy_he_to(w, list[k].he)];
                    double d = a0 - atan2(q.y - v.y, q.x - v.x);
                    while (d <= 0)
                        d += 2 * M_PI;
                    while (d > 2 * M_PI)
                        d -= 2 * M_PI;
                    if (d < best) {
                        best = d;
                        next = k;
                    }
                }
            }
            if (next < 0)
                sy_die("internal: open region boundary");
            cur = next;
        }
        sy_mpoly_begin_polygon(&rings);
        sy_mpoly_add_ring(&rings, pts, np);
    }
    free(list);
    free(used);
    free(seg);

    /* Extra rings (islands, lakes cut out of the area). */
    for (int i = 0; i < w->n_extras; i++) {
        const sy_extra_ring *x = &w->extras[i];
        int li = label_of(label, x->inside_cell), lo = label_of(label, x->outside_cell);
        if (li == lo)
            continue;
        if (lo == value) {
            sy_reserve((void **)&pts, &pts_cap, (size_t)x->n, sizeof(sy_pt));
            for (int k = 0; k < x->n; k++)
                pts[k] = x->pts[x->n - 1 - k];
            sy_mpoly_begin_polygon(&rings);
            sy_mpoly_add_ring(&rings, pts, x->n);
        } else if (li == value) {
            sy_mpoly_begin_polygon(&rings);
            sy_mpoly_add_ring(&rings, x->pts, x->n);
        }
    }
    free(pts);

    /* Shells are counter-clockwise; each hole goes to the smallest shell
     * that contains it. */
    int nr = rings.n_rings;
    double *area = sy_malloc(sizeof(double) * (size_t)(nr ? nr : 1));
    int *owner = sy_malloc(sizeof(int) * (size_t)(nr ? nr : 1));
    for (int r = 0; r < nr; r++)
        area[r] = sy_ring_area(sy_mpoly_ring(&rings, r), (size_t)sy_mpoly_ring_len(&rings, r) - 1);
    for (int r = 0; r < nr; r++) {
        owner[r] = -1;
        if (area[r] > 0)
            continue;
        sy_pt p = sy_mpoly_ring(&rings, r)[0];
        double best = INFINITY;
        for (int s = 0; s < nr; s++)
            if (area[s] > 0 && area[s] < best &&
                sy_ring_contains(sy_mpoly_ring(&rings, s), (size_t)sy_mpoly_ring_len(&rings, s), p)) {
                best = area[s];
                owner[r] = s;
            }
    }
    for (int s = 0; s < nr; s++) {
        if (area[s] <= 0)
            continue;
        sy_mpoly_begin_polygon(m);
        sy_mpoly_add_ring(m, sy_mpoly_ring(&rings, s), sy_mpoly_ring_len(&rings, s));
        for (int r = 0; r < nr; r++)
            if (owner[r] == s)
                sy_mpoly_add_ring(m, sy_mpoly_ring(&rings, r), sy_mpoly_ring_len(&rings, r));
    }
    free(area);
    free(owner);
    sy_mpoly_free(&rings);
}

void sy_cell_build(const sy_world *w, int cell, sy_mpoly *m)
{
    sy_region_build(w, &cell, 1, NULL, cell, m);
}
