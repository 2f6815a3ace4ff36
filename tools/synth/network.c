/*
 * network.c - rivers, canals, streams, drains and roads laid along the edges
 * of the tessellation with A* searches, so that many community, township and
 * county boundaries coincide with a road centre line or a river; plus
 * motorways drawn across the area independently of any boundary.
 *
 * Costs prefer the kind of boundary each network tends to follow (rivers:
 * county and township borders; roads: community borders, and existing roads
 * so that roads share trunks) and keep roads off river edges.
 */
#include <stdlib.h>
#include <string.h>

#include "world.h"

enum { MODE_RIVER, MODE_CANAL, MODE_STREAM, MODE_DRAIN, MODE_ROAD };

typedef struct search {
    double *g;
    int *from_he;
    unsigned *stamp;
    unsigned gen;
    int *heap;
    int *heap_pos;
    int heap_n;
    double *f;
} search;

typedef struct cost_ctx {
    const sy_world *w;
    int mode;
    int region;       /* township or community for streams and drains */
    uint64_t salt;
} cost_ctx;

static int edge_level(const sy_world *w, const sy_edge *e)
{
    if (e->left < 0 || e->right < 0)
        return -1;
    int ca = w->cell_community[e->left], cb = w->cell_community[e->right];
    if (ca == cb)
        return 0;
    int ta = w->communities[ca].township, tb = w->communities[cb].township;
    if (ta != tb)
        return w->townships[ta].county != w->townships[tb].county ? 3 : 2;
    return 1;
}

static double edge_cost(const cost_ctx *cx, int he)
{
    const sy_world *w = cx->w;
    const sy_edge *e = &w->edge[he >> 1];
    int level = edge_level(w, e);
    if (level < 0)
        return -1; /* outline edges are not used */
    double len = sy_dist(w->node[e->a], w->node[e->b]);
    double f = 1.0;
    switch (cx->mode) {
    case MODE_RIVER: {
        static const double lf[4] = {1.0, 0.75, 0.6, 0.5};
        f = lf[level] * (0.7 + 0.6 * (double)(sy_hash2(cx->salt, (uint64_t)(he >> 1)) >> 11) * 0x1.0p-53);
        if (e->water_kind >= 0)
            f *= 4;
        break;
    }
    case MODE_CANAL:
        f = e->water_kind >= 0 ? 4 : 1;
        break;
    case MODE_STREAM: {
        int ta = w->communities[w->cell_community[e->left]].township;
        int tb = w->communities[w->cell_community[e->right]].township;
        f = (ta != cx->region || tb != cx->region) ? 6 : level >= 1 ? 0.7 : 1.0;
        if (e->water_kind >= 0)
            f *= 4;
        break;
    }
    case MODE_DRAIN:
        f = (w->cell_community[e->left] != cx->region || w->cell_community[e->right] != cx->region) ? 20 : 1;
        if (e->water_kind >= 0 || e->road_class >= 0)
            f *= 5;
        break;
    default:
        f = level == 0 ? 1.0 : level == 1 ? 0.7 : 0.8;
        if (e->water_kind >= 0)
            f = 6;
        if (e->road_class >= 0)
            f *= 0.55;
        break;
    }
    return len * f;
}

static double min_factor(int mode)
{
    switch (mode) {
    case MODE_RIVER: return 0.35;
    case MODE_CANAL: return 1.0;
    case MODE_STREAM: return 0.7;
    case MODE_DRAIN: return 1.0;
    default: return 0.385;
    }
}

static void heap_swap(search *s, int i, int j)
{
    int a = s->heap[i], b = s->heap[j];
    s->heap[i] = b;
    s->heap[j] = a;
    s->heap_pos[b] = i;
    s->heap_pos[a] = j;
}

static int heap_less(const search *s, int i, int j)
{
    int a = s->heap[i], b = s->heap[j];
    return s->f[a] < s->f[b] || (s->f[a] == s->f[b] && a < b);
}

static void heap_up(search *s, int i)
{
    while (i > 0 && heap_less(s, i, (i - 1) / 2)) {
        heap_swap(s, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void heap_down(search *s, int i)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < s->heap_n && heap_less(s, l, m))
            m = l;
        if (r < s->heap_n && heap_less(s, r, m))
            m = r;
        if (m == i)
            return;
        heap_swap(s, i, m);
        i = m;
    }
}

/* A* from node src to node dst. On success fills *out with the half-edges
 * of the path (owned, caller frees) and returns their count; 0 when dst is
 * unreachable or src == dst. */
static int astar(search *s, const cost_ctx *cx, int src, int dst, int **out)
{
    const sy_world *w = cx->w;
    *out = NULL;
    if (src == dst || src < 0 || dst < 0)
        return 0;
    s->gen++;
    s->heap_n = 0;
    double hf = min_factor(cx->mode);
    sy_pt goal = w->node[dst];
    s->stamp[src] = s->gen;
    s->g[src] = 0;
    s->from_he[src] = -1;
    s->f[src] = hf * sy_dist(w->node[src], goal);
    s->heap[s->heap_n] = src;
    s->heap_pos[src] = s->heap_n++;
    int found = 0;
    while (s->heap_n > 0) {
        int v = s->heap[0];
        heap_swap(s, 0, --s->heap_n);
        s->heap_pos[v] = -1;
        heap_down(s, 0);
        if (v == dst) {
            found = 1;
            break;
        }
        for (int k = w->node_he_start[v]; k < w->node_he_start[v + 1]; k++) {
            int he = w->node_he[k];
            double c = edge_cost(cx, he);
            if (c < 0)
                continue;
            int u = sy_he_to(w, he);
            double ng = s->g[v] + c;
            if (s->stamp[u] != s->gen) {
                s->stamp[u] = s->gen;
                s->g[u] = ng;
                s->from_he[u] = he;
                s->f[u] = ng + hf * sy_dist(w->node[u], goal);
                s->heap[s->heap_n] = u;
                s->heap_pos[u] = s->heap_n++;
                heap_up(s, s->heap_pos[u]);
            } else if (ng < s->g[u] && s->heap_pos[u] >= 0) {
                s->g[u] = ng;
                s->from_he[u] = he;
                s->f[u] = ng + hf * sy_dist(w->node[u], goal);
                heap_up(s, s->heap_pos[u]);
            }
        }
    }
    if (!found)
        return 0;
    int n = 0;
    for (int v = dst; v != src; v = sy_he_from(w, s->from_he[v]))
        n++;
    int *path = sy_malloc(sizeof(int) * (size_t)n);
    int i = n;
    for (int v = dst; v != src; v = sy_he_from(w, s->from_he[v]))
        path[--i] = s->from_he[v];
    *out = path;
    return n;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static sy_path *new_path(sy_path **arr, int *n, size_t *cap)
{
    sy_reserve((void **)arr, cap, (size_t)*n + 1, sizeof(sy_path));
    sy_path *p = &(*arr)[(*n)++];
    memset(p, 0, sizeof *p);
    return p;
}

static void add_water(sy_world *w, int kind, int *he, int n, sy_rng *r)
{
    if (n <= 0) {
        free(he);
        return;
    }
    int idx = w->n_water_paths;
    sy_path *p = new_path(&w->water_paths, &w->n_water_paths, &w->cap_water_paths);
    p->kind = kind;
    sy_name_water(r, sy_water_kind_name[kind], p->name, sizeof p->name);
    p->he = he;
    p->n_he = n;
    for (int i = 0; i < n; i++) {
        sy_edge *e = &w->edge[he[i] >> 1];
        if (e->water_kind >= 0)
            continue;
        e->water_kind = (signed char)kind;
        e->water_path = idx;
        e->style = kind == SY_WATER_DRAIN ? SY_STYLE_FLAT : kind == SY_WATER_CANAL ? SY_STYLE_ROAD : SY_STYLE_RIVER;
    }
}

static void add_road(sy_world *w, int cls, int *he, int n, sy_rng *r)
{
    if (n <= 0) {
        free(he);
        return;
    }
    int idx = w->n_road_paths;
    sy_path *p = new_path(&w->road_paths, &w->n_road_paths, &w->cap_road_paths);
    p->kind = cls;
    sy_name_road(r, sy_road_class_name[cls], p->name, sizeof p->name);
    p->he = he;
    p->n_he = n;
    for (int i = 0; i < n; i++) {
        sy_edge *e = &w->edge[he[i] >> 1];
        if (e->road_class >= 0 && e->road_class <= cls)
            continue;
        e->road_class = (signed char)cls;
        e->road_path = idx;
        if (e->water_kind < 0)
            e->style = SY_STYLE_ROAD;
    }
}

/* Outline nodes (touching the outside) farthest along a direction. */
static int extreme_outline_node(const sy_world *w, const char *on_outline, double ang)
{
    double cx = cos(ang), cy = sin(ang), best = -INFINITY;
    int arg = -1;
    for (int v = 0; v < w->n_nodes; v++) {
        if (!on_outline[v])
            continue;
        double d = cx * w->node[v].x + cy * w->node[v].y;
        if (d > best) {
            best = d;
            arg = v;
        }
    }
    return arg;
}

/* Node of the community's cells nearest to the mean of its seeds. */
static int community_centre_node(const sy_world *w, int ci)
{
    const sy_community *cm = &w->communities[ci];
    sy_pt mean = {0, 0};
    for (int i = 0; i < cm->n_cells; i++) {
        sy_pt s = w->seed[w->community_cells[cm->first_cell + i]];
        mean.x += s.x / cm->n_cells;
        mean.y += s.y / cm->n_cells;
    }
    int best = -1;
    double bd = INFINITY;
    for (int i = 0; i < cm->n_cells; i++) {
        int c = w->community_cells[cm->first_cell + i];
        for (int k = w->cell_he_start[c]; k < w->cell_he_start[c + 1]; k++) {
            int v = sy_he_from(w, w->cell_he[k]);
            int interior = 1;
            for (int j = w->node_he_start[v]; j < w->node_he_start[v + 1]; j++) {
                const sy_edge *e = &w->edge[w->node_he[j] >> 1];
                if (e->left < 0 || e->right < 0)
                    interior = 0;
            }
            double d = sy_dist(w->node[v], mean) * (interior ? 1.0 : 3.0);
            if (d < bd) {
                bd = d;
                best = v;
            }
        }
    }
    return best;
}

static void motorways(sy_world *w, sy_rng *r)
{
    int n = (int)lround(w->area_m2 / 1.5e9);
    if (n < 1 && w->area_m2 > 3e8)
        n = 1;
    if (n > 6)
        n = 6;
    double rad = sqrt(w->area_m2 / M_PI);
    for (int i = 0; i < n; i++) {
        double ang = sy_rng_range(r, 0, 2 * M_PI);
        double ang2 = ang + M_PI + sy_rng_range(r, -0.5, 0.5);
        sy_pt a = {w->centre.x + 1.4 * rad * cos(ang), w->centre.y + 1.4 * rad * sin(ang)};
        sy_pt b = {w->centre.x + 1.4 * rad * cos(ang2), w->centre.y + 1.4 * rad * sin(ang2)};
        sy_pt mid = {0.5 * (a.x + b.x), 0.5 * (a.y + b.y)};
        double len = sy_dist(a, b), bend = sy_rng_range(r, -0.15, 0.15) * len;
        sy_pt ctl = {mid.x - (b.y - a.y) / len * bend + sy_rng_range(r, -0.3, 0.3) * rad,
                     mid.y + (b.x - a.x) / len * bend + sy_rng_range(r, -0.3, 0.3) * rad};
        int np = (int)(len / 250.0) + 2;
        sy_path *p = new_path(&w->road_paths, &w->n_road_paths, &w->cap_road_paths);
        p->kind = SY_ROAD_MOTORWAY;
        sy_name_road(r, "motorway", p->name, sizeof p->name);
        sy_pt *pts = sy_malloc(sizeof(sy_pt) * (size_t)np);
        for (int k = 0; k < np; k++) {
            double t = (double)k / (np - 1), s = 1 - t;
            pts[k].x = s * s * a.x + 2 * s * t * ctl.x + t * t * b.x;
            pts[k].y = s * s * a.y + 2 * s * t * ctl.y + t * t * b.y;
        }
        p->pts = pts;
        p->n_pts = np;
    }
}

void sy_network_build(sy_world *w)
{
    sy_rng r = sy_rng_for(w->opt.seed, SY_TAG_NETWORK, 0);
    search s;
    memset(&s, 0, sizeof s);
    s.g = sy_malloc(sizeof(double) * (size_t)w->n_nodes);
    s.f = sy_malloc(sizeof(double) * (size_t)w->n_nodes);
    s.from_he = sy_malloc(sizeof(int) * (size_t)w->n_nodes);
    s.stamp = sy_calloc((size_t)w->n_nodes, sizeof(unsigned));
    s.heap = sy_malloc(sizeof(int) * (size_t)w->n_nodes);
    s.heap_pos = sy_malloc(sizeof(int) * (size_t)w->n_nodes);

    w->area_m2 = 0;
    for (int c = 0; c < w->n_cells; c++)
        w->area_m2 += w->cell_size_m[c] * w->cell_size_m[c];
    double area_km2 = w->area_m2 / 1e6;

    char *on_outline = sy_calloc((size_t)w->n_nodes, 1);
    for (int e = 0; e < w->n_edges; e++)
        if (w->edge[e].left < 0 || w->edge[e].right < 0)
            on_outline[w->edge[e].a] = on_outline[w->edge[e].b] = 1;
    /* An outline node must also have an interior edge to start from. */
    for (int v = 0; v < w->n_nodes; v++) {
        if (!on_outline[v])
            continue;
        int inner = 0;
        for (int k = w->node_he_start[v]; k < w->node_he_start[v + 1]; k++) {
            const sy_edge *e = &w->edge[w->node_he[k] >> 1];
            if (e->left >= 0 && e->right >= 0)
                inner = 1;
        }
        on_outline[v] = (char)inner;
    }

    cost_ctx cx = {w, MODE_RIVER, -1, 0};
    int *path;
    int n_rivers = 1 + (int)(area_km2 / 1200);
    if (n_rivers > 12)
        n_rivers = 12;
    for (int i = 0; i < n_rivers; i++) {
        double ang = sy_rng_range(&r, 0, 2 * M_PI);
        int a = extreme_outline_node(w, on_outline, ang);
        int b = extreme_outline_node(w, on_outline, ang + M_PI + sy_rng_range(&r, -0.7, 0.7));
        cx.mode = MODE_RIVER;
        cx.salt = sy_rng_next(&r);
        int n = astar(&s, &cx, a, b, &path);
        add_water(w, SY_WATER_RIVER, path, n, &r);
    }
    int n_canals = (int)lround(area_km2 / 1000);
    if (n_canals > 20)
        n_canals = 20;
    for (int i = 0; i < n_canals; i++) {
        double ang = sy_rng_range(&r, 0, 2 * M_PI);
        int a = extreme_outline_node(w, on_outline, ang);
        int b = extreme_outline_node(w, on_outline, ang + M_PI + sy_rng_range(&r, -0.3, 0.3));
        cx.mode = MODE_CANAL;
        int n = astar(&s, &cx, a, b, &path);
        add_water(w, SY_WATER_CANAL, path, n, &r);
    }
    free(on_outline);

    for (int i = 0; i < w->n_communities; i++)
        w->communities[i].centre_node = community_centre_node(w, i);
    for (int t = 0; t < w->n_townships; t++) {
        sy_township *to = &w->townships[t];
        to->centre_node = w->communities[w->community_list[to->first_community]].centre_node;
    }

    /* Streams: one in about half of the townships. */
    for (int t = 0; t < w->n_townships; t++) {
        const sy_township *to = &w->townships[t];
        sy_rng tr = sy_rng_for(w->opt.seed, SY_TAG_NETWORK, 1000 + (uint64_t)t);
        if (to->n_communities < 2 || !sy_rng_chance(&tr, 0.55))
            continue;
        int c1 = w->community_list[to->first_community + sy_rng_int(&tr, 0, to->n_communities - 1)];
        int c2 = w->community_list[to->first_community + sy_rng_int(&tr, 0, to->n_communities - 1)];
        if (c1 == c2)
            continue;
        const sy_community *m1 = &w->communities[c1], *m2 = &w->communities[c2];
        int cell1 = w->community_cells[m1->first_cell + sy_rng_int(&tr, 0, m1->n_cells - 1)];
        int cell2 = w->community_cells[m2->first_cell + sy_rng_int(&tr, 0, m2->n_cells - 1)];
        int a = sy_he_from(w, w->cell_he[w->cell_he_start[cell1]]);
        int b = sy_he_from(w, w->cell_he[w->cell_he_start[cell2]]);
        cx.mode = MODE_STREAM;
        cx.region = t;
        int n = astar(&s, &cx, a, b, &path);
        add_water(w, SY_WATER_STREAM, path, n, &tr);
    }
    /* Drains in some rural communities. */
    for (int i = 0; i < w->n_communities; i++) {
        const sy_community *cm = &w->communities[i];
        sy_rng cr = sy_rng_for(w->opt.seed, SY_TAG_NETWORK, 100000 + (uint64_t)i);
        if (sy_is_urban_class(cm->urban_rural) || cm->n_cells < 3 || !sy_rng_chance(&cr, 0.5))
            continue;
        int cell1 = w->community_cells[cm->first_cell];
        int cell2 = w->community_cells[cm->first_cell + cm->n_cells - 1];
        int a = sy_he_from(w, w->cell_he[w->cell_he_start[cell1] + 1]);
        int b = sy_he_from(w, w->cell_he[w->cell_he_start[cell2]]);
        cx.mode = MODE_DRAIN;
        cx.region = i;
        int n = astar(&s, &cx, a, b, &path);
        if (n > 6)
            n = 6;
        add_water(w, SY_WATER_DRAIN, path, n, &cr);
    }

    /* Roads. County seats to neighbouring seats, seats to their townships,
     * neighbouring townships, township centres to their communities. */
    cx.mode = MODE_ROAD;
    char *pair_seen = NULL;
    if (w->n_counties > 1) {
        pair_seen = sy_calloc((size_t)w->n_counties * (size_t)w->n_counties, 1);
        for (int e = 0; e < w->n_edges; e++) {
            const sy_edge *ed = &w->edge[e];
            if (ed->left < 0 || ed->right < 0)
                continue;
            int ka = w->townships[w->communities[w->cell_community[ed->left]].township].county;
            int kb = w->townships[w->communities[w->cell_community[ed->right]].township].county;
            if (ka == kb)
                continue;
            int lo = ka < kb ? ka : kb, hi = ka < kb ? kb : ka;
            pair_seen[(size_t)lo * (size_t)w->n_counties + (size_t)hi] = 1;
        }
        for (int a = 0; a < w->n_counties; a++)
            for (int b = a + 1; b < w->n_counties; b++) {
                if (!pair_seen[(size_t)a * (size_t)w->n_counties + (size_t)b])
                    continue;
                int sa = w->townships[w->township_list[w->counties[a].first_township]].centre_node;
                int sb = w->townships[w->township_list[w->counties[b].first_township]].centre_node;
                int n = astar(&s, &cx, sa, sb, &path);
                add_road(w, sy_rng_chance(&r, 0.6) ? SY_ROAD_TRUNK : SY_ROAD_PRIMARY, path, n, &r);
            }
        free(pair_seen);
    }
    for (int k = 0; k < w->n_counties; k++) {
        const sy_county *co = &w->counties[k];
        int seat = w->townships[w->township_list[co->first_township]].centre_node;
        for (int i = 1; i < co->n_townships; i++) {
            const sy_township *to = &w->townships[w->township_list[co->first_township + i]];
            int n = astar(&s, &cx, seat, to->centre_node, &path);
            add_road(w, to->kind == SY_TOWNSHIP_STREET ? SY_ROAD_PRIMARY : SY_ROAD_SECONDARY, path, n, &r);
        }
    }
    /* Neighbouring townships of a county, found through shared edges. */
    {
        long long *nb = NULL;
        size_t nb_cap = 0;
        int n_nb = 0;
        for (int e = 0; e < w->n_edges; e++) {
            const sy_edge *ed = &w->edge[e];
            if (ed->left < 0 || ed->right < 0)
                continue;
            int ta = w->communities[w->cell_community[ed->left]].township;
            int tb = w->communities[w->cell_community[ed->right]].township;
            if (ta == tb || w->townships[ta].county != w->townships[tb].county)
                continue;
            long long lo = ta < tb ? ta : tb, hi = ta < tb ? tb : ta;
            long long key = lo * (long long)w->n_townships + hi;
            SY_PUSH(nb, n_nb, nb_cap, key);
        }
        if (n_nb > 0)
            qsort(nb, (size_t)n_nb, sizeof(long long), cmp_ll);
        for (int i = 0; i < n_nb; i++) {
            if (i > 0 && nb[i] == nb[i - 1])
                continue;
            int ta = (int)(nb[i] / w->n_townships), tb = (int)(nb[i] % w->n_townships);
            int n = astar(&s, &cx, w->townships[ta].centre_node, w->townships[tb].centre_node, &path);
            add_road(w, SY_ROAD_SECONDARY, path, n, &r);
        }
        free(nb);
    }
    for (int t = 0; t < w->n_townships; t++) {
        const sy_township *to = &w->townships[t];
        for (int i = 1; i < to->n_communities; i++) {
            const sy_community *cm = &w->communities[w->community_list[to->first_community + i]];
            int n = astar(&s, &cx, to->centre_node, cm->centre_node, &path);
            add_road(w, sy_is_urban_class(cm->urban_rural) ? SY_ROAD_TERTIARY : SY_ROAD_UNCLASSIFIED, path, n, &r);
        }
    }
    /* In towns and cities, streets on most borders between urban communities. */
    for (int e = 0; e < w->n_edges; e++) {
        sy_edge *ed = &w->edge[e];
        if (ed->left < 0 || ed->right < 0 || ed->road_class >= 0 || ed->water_kind >= 0)
            continue;
        int ca = w->cell_community[ed->left], cb = w->cell_community[ed->right];
        if (ca == cb || !sy_is_urban_class(w->communities[ca].urban_rural) ||
            !sy_is_urban_class(w->communities[cb].urban_rural))
            continue;
        uint64_t hh = sy_hash2(sy_hash2(w->opt.seed, (uint64_t)(ca < cb ? ca : cb)), (uint64_t)(ca < cb ? cb : ca));
        if ((hh & 0xff) < 0x40)
            continue;
        sy_rng er = sy_rng_for(w->opt.seed, SY_TAG_STREETS, hh);
        int *one = sy_malloc(sizeof(int));
        one[0] = e * 2;
        add_road(w, SY_ROAD_RESIDENTIAL, one, 1, &er);
    }
    motorways(w, &r);

    free(s.g);
    free(s.f);
    free(s.from_he);
    free(s.stamp);
    free(s.heap);
    free(s.heap_pos);
}
