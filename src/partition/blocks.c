/* Units of a community: blocks between the roads and waterways that count,
 * dedicated parcels carved out of them, crowded blocks split into the
 * Voronoi cells of their household points (the gaps between buildings,
 * the recipe of the UK's Output Areas), unpopulated units joined to a
 * populated neighbour, and the adjacency of the units with the length of
 * boundary they share. */
#include "partition/partition.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

gg_status pt_add_unit(pt_community *c, GEOSGeometry *geom, int dedicated_type)
{
    GEOSContextHandle_t h = c->ctx->geos;
    gg_status st = gg_grow(c->ctx, (void **)&c->units, &c->cap_units, c->n_units + 1, sizeof *c->units);
    if (st != GG_OK) {
        GEOSGeom_destroy_r(h, geom);
        return st;
    }
    pt_unit *u = &c->units[c->n_units];
    memset(u, 0, sizeof *u);
    u->geom = geom;
    u->dedicated_type = dedicated_type;
    u->owner = -1;
    u->region = -1;
    u->block = (int)c->n_units;
    GEOSGeom_getXMin_r(h, geom, &u->minx);
    GEOSGeom_getYMin_r(h, geom, &u->miny);
    GEOSGeom_getXMax_r(h, geom, &u->maxx);
    GEOSGeom_getYMax_r(h, geom, &u->maxy);
    GEOSGeometry *p = GEOSPointOnSurface_r(h, geom);
    if (p == NULL)
        return gg_error(c->ctx, GG_ERR_GEOMETRY, "community %s: point on surface: %s", c->code, c->ctx->geos_msg);
    GEOSGeomGetX_r(h, p, &u->rx);
    GEOSGeomGetY_r(h, p, &u->ry);
    GEOSGeom_destroy_r(h, p);
    c->n_units++;
    return GG_OK;
}

/* Adds every polygon of g as a unit of its own (a multipolygon's parts
 * are not contiguous) and frees g. Specks below 0.01 m² left by overlays
 * are dropped: they carry no household and no area worth a unit. */
static gg_status add_polygons_min(pt_community *c, GEOSGeometry *g, int dedicated_type, double min_m2)
{
    GEOSContextHandle_t h = c->ctx->geos;
    gg_status st = GG_OK;
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON) {
        if (GEOSisEmpty_r(h, g) != 1 && pt_area_m2(c, g) >= min_m2)
            return pt_add_unit(c, g, dedicated_type);
        GEOSGeom_destroy_r(h, g);
        return GG_OK;
    }
    int n = GEOSGetNumGeometries_r(h, g);
    for (int i = 0; i < n && st == GG_OK; i++) {
        const GEOSGeometry *part = GEOSGetGeometryN_r(h, g, i);
        int pt = GEOSGeomTypeId_r(h, part);
        if (pt == GEOS_POLYGON || pt == GEOS_MULTIPOLYGON || pt == GEOS_GEOMETRYCOLLECTION)
            st = add_polygons_min(c, GEOSGeom_clone_r(h, part), dedicated_type, min_m2);
    }
    GEOSGeom_destroy_r(h, g);
    return st;
}

static gg_status add_polygons(pt_community *c, GEOSGeometry *g, int dedicated_type)
{
    return add_polygons_min(c, g, dedicated_type, 0.01);
}

/* The faces of the community cut by its linework. */
static gg_status make_blocks(pt_community *c, GEOSGeometry *carved)
{
    GEOSContextHandle_t h = c->ctx->geos;
    if (c->lines == NULL)
        return add_polygons(c, GEOSDifference_r(h, c->geom, carved), 0);
    GEOSGeometry *inside = GEOSIntersection_r(h, c->lines, c->geom);
    GEOSGeometry *boundary = GEOSBoundary_r(h, c->geom);
    if (inside == NULL || boundary == NULL) {
        if (inside)
            GEOSGeom_destroy_r(h, inside);
        if (boundary)
            GEOSGeom_destroy_r(h, boundary);
        return gg_error(c->ctx, GG_ERR_GEOMETRY, "community %s: clipping roads: %s", c->code, c->ctx->geos_msg);
    }
    GEOSGeometry *parts[2] = {inside, boundary};
    GEOSGeometry *both = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, 2);
    GEOSGeometry *noded = both ? GEOSUnaryUnion_r(h, both) : NULL;
    if (both)
        GEOSGeom_destroy_r(h, both);
    if (noded == NULL)
        return gg_error(c->ctx, GG_ERR_GEOMETRY, "community %s: noding roads: %s", c->code, c->ctx->geos_msg);
    const GEOSGeometry *in[1] = {noded};
    GEOSGeometry *faces = GEOSPolygonize_r(h, in, 1);
    GEOSGeom_destroy_r(h, noded);
    if (faces == NULL)
        return gg_error(c->ctx, GG_ERR_GEOMETRY, "community %s: polygonize: %s", c->code, c->ctx->geos_msg);
    const GEOSPreparedGeometry *prep = GEOSPrepare_r(h, c->geom);
    gg_status st = GG_OK;
    int n = GEOSGetNumGeometries_r(h, faces);
    for (int i = 0; i < n && st == GG_OK; i++) {
        const GEOSGeometry *face = GEOSGetGeometryN_r(h, faces, i);
        /* Faces inside the community's holes (a lake cut out of it) are not
         * part of it. */
        GEOSGeometry *p = GEOSPointOnSurface_r(h, face);
        int keep = p != NULL && GEOSPreparedContains_r(h, prep, p) == 1;
        if (p)
            GEOSGeom_destroy_r(h, p);
        if (!keep)
            continue;
        GEOSGeometry *piece = GEOSisEmpty_r(h, carved) == 1 ? GEOSGeom_clone_r(h, face)
                                                          : GEOSDifference_r(h, face, carved);
        if (piece == NULL)
            st = gg_error(c->ctx, GG_ERR_GEOMETRY, "community %s: carving parcels: %s", c->code, c->ctx->geos_msg);
        else
            st = add_polygons(c, piece, 0);
    }
    GEOSPreparedGeom_destroy_r(h, prep);
    GEOSGeom_destroy_r(h, faces);
    return st;
}

/* Dedicated parcels, each minus those before it, as units of their type.
 * Returns the union of all carved parcels in *carved. */
static gg_status make_parcels(pt_community *c, GEOSGeometry **carved)
{
    GEOSContextHandle_t h = c->ctx->geos;
    GEOSGeometry *taken = GEOSGeom_createEmptyPolygon_r(h);
    gg_status st = GG_OK;
    for (size_t i = 0; i < c->n_parcels && st == GG_OK; i++) {
        GEOSGeometry *own = GEOSDifference_r(h, c->parcels[i], taken);
        if (own == NULL) {
            st = gg_error(c->ctx, GG_ERR_GEOMETRY, "community %s: parcel overlap: %s", c->code, c->ctx->geos_msg);
            break;
        }
        if (pt_area_m2(c, own) < c->dedicated_min_m2) {
            GEOSGeom_destroy_r(h, own); /* mostly inside an earlier parcel */
            continue;
        }
        GEOSGeometry *next = GEOSUnion_r(h, taken, own);
        if (next == NULL) {
            GEOSGeom_destroy_r(h, own);
            st = gg_error(c->ctx, GG_ERR_GEOMETRY, "community %s: parcel union: %s", c->code, c->ctx->geos_msg);
            break;
        }
        GEOSGeom_destroy_r(h, taken);
        taken = next;
        /* A parcel is one grid even if roads or the community boundary cut
         * it into parts: it is kept as one unit. */
        st = pt_add_unit(c, own, c->parcel_types[i]);
        if (st == GG_OK)
            c->units[c->n_units - 1].name = c->parcel_names[i];
    }
    *carved = taken;
    return st;
}

/* Each household point goes to the first unit that covers it (a point on
 * a shared edge to the lower-numbered unit), or, a point that lies on the
 * community's edge and misses every unit by rounding, to the nearest. */
static gg_status assign_points(pt_community *c, int *unit_of)
{
    GEOSContextHandle_t h = c->ctx->geos;
    const GEOSPreparedGeometry **prep = gg_calloc(c->ctx, c->n_units ? c->n_units : 1, sizeof *prep);
    if (prep == NULL)
        return gg_error_nomem(c->ctx);
    for (size_t i = 0; i < c->n_units; i++)
        prep[i] = GEOSPrepare_r(h, c->units[i].geom);
    gg_status st = GG_OK;
    for (size_t k = 0; k < c->n_points && st == GG_OK; k++) {
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, c->px[k], c->py[k]);
        int best = -1;
        for (size_t i = 0; i < c->n_units && best < 0; i++) {
            const pt_unit *u = &c->units[i];
            if (c->px[k] < u->minx || c->px[k] > u->maxx || c->py[k] < u->miny || c->py[k] > u->maxy)
                continue;
            if (GEOSPreparedCovers_r(h, prep[i], pt) == 1)
                best = (int)i;
        }
        if (best < 0) {
            double dmin = INFINITY;
            for (size_t i = 0; i < c->n_units; i++) {
                double d;
                if (GEOSDistance_r(h, c->units[i].geom, pt, &d) == 1 && d < dmin) {
                    dmin = d;
                    best = (int)i;
                }
            }
        }
        GEOSGeom_destroy_r(h, pt);
        unit_of[k] = best;
        if (best >= 0) {
            c->units[best].households += c->ph[k];
            c->units[best].persons += c->pp[k];
        }
    }
    for (size_t i = 0; i < c->n_units; i++)
        if (prep[i])
            GEOSPreparedGeom_destroy_r(h, prep[i]);
    gg_free(c->ctx, prep);
    return st;
}

/* Union-find over the points of a block, for grouping them. */
static int find_root(int *parent, int i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

typedef struct block_point {
    double x, y;
    int64_t h, p;
    size_t index;               /* into the community's points */
} block_point;

static int compare_block_points(const void *a, const void *b)
{
    const block_point *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    if (p->y != q->y)
        return p->y < q->y ? -1 : 1;
    return p->index < q->index ? -1 : p->index > q->index;
}

/* Groups the points of a block: points at the same place always, and
 * points within link_m of each other (a hamlet, a compound) as long as the
 * group stays within the maximum; a group above it falls back to its
 * places. Returns the number of groups; group[k] for each point. */
static int group_points(pt_community *c, block_point *bp, size_t m, double link_m, int *group)
{
    int *parent = gg_malloc(c->ctx, m * sizeof *parent);
    int *place = gg_malloc(c->ctx, m * sizeof *place);
    int64_t *sum = gg_calloc(c->ctx, m, sizeof *sum);
    if (parent == NULL || place == NULL || sum == NULL) {
        gg_free(c->ctx, parent);
        gg_free(c->ctx, place);
        gg_free(c->ctx, sum);
        return -1;
    }
    double dx = link_m / c->mx, dy = link_m / c->my;
    for (size_t i = 0; i < m; i++)
        parent[i] = (int)i;
    /* Same place first (points are sorted by x, then y). */
    for (size_t i = 1; i < m; i++)
        if (bp[i].x == bp[i - 1].x && bp[i].y == bp[i - 1].y)
            parent[i] = find_root(parent, (int)(i - 1));
    for (size_t i = 0; i < m; i++)
        place[i] = find_root(parent, (int)i);
    for (size_t i = 0; i < m; i++)
        for (size_t j = i + 1; j < m && bp[j].x - bp[i].x <= dx; j++) {
            double ex = (bp[j].x - bp[i].x) * c->mx, ey = (bp[j].y - bp[i].y) * c->my;
            if (fabs(bp[j].y - bp[i].y) <= dy && ex * ex + ey * ey <= link_m * link_m) {
                int a = find_root(parent, (int)i), b = find_root(parent, (int)j);
                if (a != b)
                    parent[b] = a;
            }
        }
    for (size_t i = 0; i < m; i++)
        sum[find_root(parent, (int)i)] += bp[i].h;
    /* Group keys are point indices: the cluster's root where the cluster
     * fits in a grid, else the point's place (disjoint sets of points). */
    int groups = 0;
    int *root_id = gg_malloc(c->ctx, m * sizeof *root_id);
    if (root_id == NULL) {
        gg_free(c->ctx, parent);
        gg_free(c->ctx, place);
        gg_free(c->ctx, sum);
        return -1;
    }
    for (size_t i = 0; i < m; i++)
        root_id[i] = -1;
    for (size_t i = 0; i < m; i++) {
        int root = find_root(parent, (int)i);
        int key = sum[root] > c->window.max ? place[i] : root;
        if (root_id[key] < 0)
            root_id[key] = groups++;
        group[i] = root_id[key];
    }
    gg_free(c->ctx, root_id);
    gg_free(c->ctx, parent);
    gg_free(c->ctx, place);
    gg_free(c->ctx, sum);
    return groups;
}

/* The households of group g counted in the units [first, c->n_units)
 * that its cells became: each point in the part that covers it (the
 * nearest where overlay rounding left it on none), so that a unit's
 * households are those its polygon holds. */
static gg_status share_group(pt_community *c, size_t first, const block_point *bp, size_t m, const int *group,
                             int g)
{
    GEOSContextHandle_t h = c->ctx->geos;
    size_t parts = c->n_units - first;
    for (size_t q = first; q < c->n_units; q++)
        c->units[q].households = c->units[q].persons = 0;
    for (size_t k = 0; k < m; k++) {
        if (group[k] != g)
            continue;
        size_t to = first;
        if (parts > 1) {
            GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, bp[k].x, bp[k].y);
            if (pt == NULL)
                return gg_error(c->ctx, GG_ERR_GEOMETRY, "community %s: a point: %s", c->code, c->ctx->geos_msg);
            double dmin = INFINITY;
            for (size_t q = first; q < c->n_units; q++) {
                double d;
                if (GEOSDistance_r(h, c->units[q].geom, pt, &d) == 1 && d < dmin) {
                    dmin = d;
                    to = q;
                }
                if (dmin == 0)
                    break;
            }
            GEOSGeom_destroy_r(h, pt);
        }
        c->units[to].households += bp[k].h;
        c->units[to].persons += bp[k].p;
    }
    for (size_t q = first; q < c->n_units; q++)
        c->units[q].indivisible = c->units[q].households > c->window.max;
    return GG_OK;
}

/* A block with more households than a grid may hold becomes the Voronoi
 * cells of its household places, clipped to it and merged by group (a
 * hamlet or a compound stays whole while it fits in a grid). A group above
 * the maximum on one place is indivisible. */
static gg_status split_block(pt_community *c, size_t i, int *unit_of)
{
    GEOSContextHandle_t h = c->ctx->geos;
    size_t m = 0;
    for (size_t k = 0; k < c->n_points; k++)
        m += unit_of[k] == (int)i;
    block_point *bp = gg_malloc(c->ctx, (m ? m : 1) * sizeof *bp);
    int *group = gg_malloc(c->ctx, (m ? m : 1) * sizeof *group);
    if (bp == NULL || group == NULL) {
        gg_free(c->ctx, bp);
        gg_free(c->ctx, group);
        return gg_error_nomem(c->ctx);
    }
    size_t n = 0;
    for (size_t k = 0; k < c->n_points; k++)
        if (unit_of[k] == (int)i)
            bp[n++] = (block_point){c->px[k], c->py[k], c->ph[k], c->pp[k], k};
    if (m > 1)
        qsort(bp, m, sizeof *bp, compare_block_points);
    for (size_t k = 0; k < m; k++)
        group[k] = -1;
    int groups = group_points(c, bp, m, c->rural ? 50.0 : 25.0, group);
    if (groups < 0) {
        gg_free(c->ctx, bp);
        gg_free(c->ctx, group);
        return gg_error_nomem(c->ctx);
    }
    gg_status st = GG_OK;
    if (groups < 2) {
        c->units[i].indivisible = 1;
        gg_free(c->ctx, bp);
        gg_free(c->ctx, group);
        return GG_OK;
    }
    /* Voronoi cells of the distinct places. */
    GEOSGeometry **pts = gg_malloc(c->ctx, m * sizeof *pts);
    if (pts == NULL) {
        gg_free(c->ctx, bp);
        gg_free(c->ctx, group);
        return gg_error_nomem(c->ctx);
    }
    size_t np = 0;
    for (size_t k = 0; k < m; k++)
        if (k == 0 || bp[k].x != bp[k - 1].x || bp[k].y != bp[k - 1].y)
            pts[np++] = GEOSGeom_createPointFromXY_r(h, bp[k].x, bp[k].y);
    GEOSGeometry *mp = GEOSGeom_createCollection_r(h, GEOS_MULTIPOINT, pts, (unsigned)np);
    gg_free(c->ctx, pts);
    GEOSGeometry *cells = mp ? GEOSVoronoiDiagram_r(h, mp, c->units[i].geom, 0.0, 0) : NULL;
    if (mp)
        GEOSGeom_destroy_r(h, mp);
    if (cells == NULL) {
        gg_free(c->ctx, bp);
        gg_free(c->ctx, group);
        return gg_error(c->ctx, GG_ERR_GEOMETRY, "community %s: Voronoi: %s", c->code, c->ctx->geos_msg);
    }
    /* The group of each cell: that of the place inside it (found by the
     * cell's box first, then exactly). */
    int ncells = GEOSGetNumGeometries_r(h, cells);
    GEOSGeometry ***members = gg_calloc(c->ctx, (size_t)groups, sizeof *members);
    unsigned *n_members = gg_calloc(c->ctx, (size_t)groups, sizeof *n_members);
    if (members == NULL || n_members == NULL)
        st = gg_error_nomem(c->ctx);
    for (size_t k = 0; k < m && st == GG_OK; k++)
        unit_of[bp[k].index] = -2;
    for (int k = 0; k < ncells && st == GG_OK; k++) {
        const GEOSGeometry *cell = GEOSGetGeometryN_r(h, cells, k);
        double x0, y0, x1, y1;
        GEOSGeom_getXMin_r(h, cell, &x0);
        GEOSGeom_getYMin_r(h, cell, &y0);
        GEOSGeom_getXMax_r(h, cell, &x1);
        GEOSGeom_getYMax_r(h, cell, &y1);
        const GEOSPreparedGeometry *prep = GEOSPrepare_r(h, cell);
        int g = -1;
        /* bp is sorted by x: start at the first place at or right of x0. */
        size_t lo = 0, hi = m;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (bp[mid].x < x0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t q = lo; q < m && bp[q].x <= x1 && g < 0; q++) {
            if (bp[q].y < y0 || bp[q].y > y1)
                continue;
            GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, bp[q].x, bp[q].y);
            if (GEOSPreparedIntersects_r(h, prep, pt) == 1)
                g = group[q];
            GEOSGeom_destroy_r(h, pt);
        }
        GEOSPreparedGeom_destroy_r(h, prep);
        if (g < 0)
            continue; /* no place: cannot happen for a Voronoi cell */
        GEOSGeometry **grown = gg_realloc(c->ctx, members[g], (n_members[g] + 1) * sizeof *grown);
        if (grown == NULL) {
            st = gg_error_nomem(c->ctx);
            break;
        }
        members[g] = grown;
        members[g][n_members[g]++] = GEOSGeom_clone_r(h, cell);
    }
    GEOSGeom_destroy_r(h, cells);
    int block = c->units[i].block;
    for (int g = 0; g < groups; g++) {
        if (st != GG_OK || n_members[g] == 0) {
            for (unsigned q = 0; q < n_members[g]; q++)
                GEOSGeom_destroy_r(h, members[g][q]);
            gg_free(c->ctx, members[g]);
            continue;
        }
        GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, members[g], n_members[g]);
        gg_free(c->ctx, members[g]);
        GEOSGeometry *merged = coll ? GEOSUnaryUnion_r(h, coll) : NULL;
        if (coll)
            GEOSGeom_destroy_r(h, coll);
        GEOSGeometry *piece = merged ? GEOSIntersection_r(h, merged, c->units[i].geom) : NULL;
        if (merged)
            GEOSGeom_destroy_r(h, merged);
        if (piece == NULL) {
            st = gg_error(c->ctx, GG_ERR_GEOMETRY, "community %s: clipping cells: %s", c->code, c->ctx->geos_msg);
            continue;
        }
        size_t before = c->n_units;
        st = add_polygons(c, piece, 0);
        for (size_t q = before; q < c->n_units; q++)
            c->units[q].block = block;
        /* A group's cells may fall apart in a concave block: each point's
         * households go to the part that holds it. */
        if (st == GG_OK && c->n_units > before)
            st = share_group(c, before, bp, m, group, g);
    }
    gg_free(c->ctx, members);
    gg_free(c->ctx, n_members);
    gg_free(c->ctx, bp);
    gg_free(c->ctx, group);
    if (st == GG_OK) {
        /* The block's area and households now live in its cells. */
        GEOSGeom_destroy_r(h, c->units[i].geom);
        c->units[i].geom = NULL;
        c->units[i].households = c->units[i].persons = 0;
    }
    return st;
}

static gg_status split_crowded(pt_community *c, int *unit_of)
{
    size_t n_before = c->n_units;
    gg_status st = GG_OK;
    int64_t above = c->split_above > 0 ? c->split_above : c->window.max;
    for (size_t i = 0; i < n_before && st == GG_OK; i++)
        if (c->units[i].dedicated_type == 0 && c->units[i].households > above)
            st = split_block(c, i, unit_of);
    size_t w = 0;
    for (size_t i = 0; i < c->n_units; i++)
        if (c->units[i].geom != NULL)
            c->units[w++] = c->units[i];
    c->n_units = w;
    return st;
}

static gg_status add_edge(pt_community *c, int a, int b, double length)
{
    int across = c->units[a].block != c->units[b].block;
    gg_status st = gg_grow(c->ctx, (void **)&c->edges, &c->cap_edges, c->n_edges + 1, sizeof *c->edges);
    if (st != GG_OK)
        return st;
    c->edges[c->n_edges].a = a < b ? a : b;
    c->edges[c->n_edges].b = a < b ? b : a;
    c->edges[c->n_edges].length = length;
    c->edges[c->n_edges].across = across;
    c->n_edges++;
    return GG_OK;
}

/* Units whose boxes touch and whose boundaries share a length. */
static gg_status find_edges(pt_community *c)
{
    GEOSContextHandle_t h = c->ctx->geos;
    GEOSGeometry **boundary = gg_calloc(c->ctx, c->n_units ? c->n_units : 1, sizeof *boundary);
    if (boundary == NULL)
        return gg_error_nomem(c->ctx);
    gg_status st = GG_OK;
    for (size_t i = 0; i < c->n_units; i++)
        boundary[i] = GEOSBoundary_r(h, c->units[i].geom);
    double eps = 1e-9;
    for (size_t i = 0; i < c->n_units && st == GG_OK; i++) {
        const pt_unit *a = &c->units[i];
        for (size_t j = i + 1; j < c->n_units && st == GG_OK; j++) {
            const pt_unit *b = &c->units[j];
            if (a->maxx < b->minx - eps || b->maxx < a->minx - eps || a->maxy < b->miny - eps ||
                b->maxy < a->miny - eps || boundary[i] == NULL || boundary[j] == NULL)
                continue;
            GEOSGeometry *shared = GEOSIntersection_r(h, boundary[i], boundary[j]);
            double length = 0;
            if (shared != NULL) {
                GEOSLength_r(h, shared, &length);
                GEOSGeom_destroy_r(h, shared);
            }
            if (length > 1e-9)
                st = add_edge(c, (int)i, (int)j, length);
        }
    }
    for (size_t i = 0; i < c->n_units; i++)
        if (boundary[i])
            GEOSGeom_destroy_r(h, boundary[i]);
    gg_free(c->ctx, boundary);
    return st;
}

/* Unpopulated comprehensive units (parks, water, fields, slivers) join the
 * populated unit they share most boundary with, spreading outwards; those
 * with no populated unit in reach join the nearest. */
static void absorb_empty(pt_community *c)
{
    GEOSContextHandle_t h = c->ctx->geos;
    for (size_t i = 0; i < c->n_units; i++) {
        pt_unit *u = &c->units[i];
        u->owner = (u->households > 0 || u->dedicated_type != 0) ? (int)i : -1;
    }
    int changed = 1;
    while (changed) {
        changed = 0;
        for (size_t i = 0; i < c->n_units; i++) {
            if (c->units[i].owner >= 0)
                continue;
            double best_len = 0;
            int best = -1;
            for (size_t e = 0; e < c->n_edges; e++) {
                const pt_edge *ed = &c->edges[e];
                int other = ed->a == (int)i ? ed->b : ed->b == (int)i ? ed->a : -1;
                if (other < 0 || c->units[other].owner < 0)
                    continue;
                /* Prefer comprehensive owners: parks join blocks, not campuses. */
                int owner = c->units[other].owner;
                double len = ed->length * (c->units[owner].dedicated_type ? 0.001 : 1.0);
                if (len > best_len) {
                    best_len = len;
                    best = owner;
                }
            }
            if (best >= 0) {
                c->units[i].owner = best;
                changed = 1;
            }
        }
    }
    for (size_t i = 0; i < c->n_units; i++) {
        if (c->units[i].owner >= 0)
            continue;
        double dmin = INFINITY;
        for (size_t j = 0; j < c->n_units; j++) {
            double d;
            if (c->units[j].owner != (int)j)
                continue;
            if (GEOSDistance_r(h, c->units[i].geom, c->units[j].geom, &d) == 1 && d < dmin) {
                dmin = d;
                c->units[i].owner = (int)j;
            }
        }
    }
}

/* Whatever the faces and parcels left uncovered (slivers the polygonizer
 * dropped at dangling road ends, overlay rounding) becomes units too, so
 * that the grids tile the community; being unpopulated, they join a
 * neighbour. */
static gg_status cover_residue(pt_community *c)
{
    GEOSContextHandle_t h = c->ctx->geos;
    GEOSGeometry **parts = gg_malloc(c->ctx, c->n_units * sizeof *parts);
    if (parts == NULL)
        return gg_error_nomem(c->ctx);
    for (size_t i = 0; i < c->n_units; i++)
        parts[i] = GEOSGeom_clone_r(h, c->units[i].geom);
    GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)c->n_units);
    gg_free(c->ctx, parts);
    GEOSGeometry *covered = coll ? GEOSUnaryUnion_r(h, coll) : NULL;
    if (coll)
        GEOSGeom_destroy_r(h, coll);
    GEOSGeometry *residue = covered ? GEOSDifference_r(h, c->geom, covered) : NULL;
    if (covered)
        GEOSGeom_destroy_r(h, covered);
    if (residue == NULL)
        return gg_error(c->ctx, GG_ERR_GEOMETRY, "community %s: checking coverage: %s", c->code, c->ctx->geos_msg);
    /* Even the thinnest sliver is kept: together they can reach square
     * metres along a boundary that a road follows closely. */
    return add_polygons_min(c, residue, 0, 0.0);
}

gg_status pt_build_units(pt_community *c)
{
    GEOSContextHandle_t h = c->ctx->geos;
    GEOSGeometry *carved = NULL;
    gg_status st = make_parcels(c, &carved);
    if (st == GG_OK)
        st = make_blocks(c, carved);
    if (carved)
        GEOSGeom_destroy_r(h, carved);
    if (st != GG_OK)
        return st;
    if (c->n_units == 0)
        return gg_error(c->ctx, GG_ERR_GEOMETRY, "community %s: no area left to divide", c->code);
    st = cover_residue(c);
    if (st != GG_OK)
        return st;
    int *unit_of = gg_malloc(c->ctx, (c->n_points ? c->n_points : 1) * sizeof *unit_of);
    if (unit_of == NULL)
        return gg_error_nomem(c->ctx);
    st = assign_points(c, unit_of);
    if (st == GG_OK)
        st = split_crowded(c, unit_of);
    gg_free(c->ctx, unit_of);
    /* Splitting blocks into cells can leave slivers of its own (overlay
     * rounding, a cell whose place was not matched): cover them too. */
    if (st == GG_OK)
        st = cover_residue(c);
    if (st == GG_OK)
        st = find_edges(c);
    if (st == GG_OK)
        absorb_empty(c);
    return st;
}
