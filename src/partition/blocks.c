/* Units of a community: blocks between the roads and waterways that count,
 * dedicated parcels carved out of them, crowded blocks split into the
 * Voronoi cells of their household points (the gaps between buildings,
 * the recipe of the UK's Output Areas), unpopulated units joined to a
 * populated neighbour, and the adjacency of the units with the length of
 * boundary they share. */
#include "partition/partition.h"

#include <math.h>
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

/* A block with more households than a grid may hold, on several points,
 * becomes the Voronoi cells of its points clipped to it; points at the
 * same place share a cell. A block whose households stand on one point is
 * left whole and marked indivisible. */
static gg_status split_crowded(pt_community *c, int *unit_of)
{
    GEOSContextHandle_t h = c->ctx->geos;
    size_t n_before = c->n_units;
    gg_status st = GG_OK;
    for (size_t i = 0; i < n_before && st == GG_OK; i++) {
        pt_unit *u = &c->units[i];
        if (u->dedicated_type != 0 || u->households <= c->window.max)
            continue;
        size_t n = 0;
        for (size_t k = 0; k < c->n_points; k++)
            n += unit_of[k] == (int)i;
        GEOSGeometry **pts = gg_malloc(c->ctx, n * sizeof *pts);
        size_t *which = gg_malloc(c->ctx, n * sizeof *which);
        if (pts == NULL || which == NULL) {
            gg_free(c->ctx, pts);
            gg_free(c->ctx, which);
            return gg_error_nomem(c->ctx);
        }
        size_t m = 0;
        for (size_t k = 0; k < c->n_points; k++)
            if (unit_of[k] == (int)i) {
                which[m] = k;
                pts[m++] = GEOSGeom_createPointFromXY_r(h, c->px[k], c->py[k]);
            }
        GEOSGeometry *mp = GEOSGeom_createCollection_r(h, GEOS_MULTIPOINT, pts, (unsigned)m);
        GEOSGeometry *distinct = mp ? GEOSUnaryUnion_r(h, mp) : NULL;
        if (distinct == NULL || GEOSGetNumGeometries_r(h, distinct) < 2) {
            u->indivisible = 1;
            if (mp)
                GEOSGeom_destroy_r(h, mp);
            if (distinct)
                GEOSGeom_destroy_r(h, distinct);
            gg_free(c->ctx, pts);
            gg_free(c->ctx, which);
            continue;
        }
        GEOSGeometry *cells = GEOSVoronoiDiagram_r(h, distinct, u->geom, 0.0, 0);
        GEOSGeom_destroy_r(h, distinct);
        if (cells == NULL) {
            GEOSGeom_destroy_r(h, mp);
            gg_free(c->ctx, pts);
            gg_free(c->ctx, which);
            return gg_error(c->ctx, GG_ERR_GEOMETRY, "community %s: Voronoi: %s", c->code, c->ctx->geos_msg);
        }
        /* Each cell, clipped to the block, becomes a unit with the
         * households of the points it covers. */
        int ncells = GEOSGetNumGeometries_r(h, cells);
        for (int k = 0; k < ncells && st == GG_OK; k++) {
            GEOSGeometry *cell = GEOSIntersection_r(h, GEOSGetGeometryN_r(h, cells, k), u->geom);
            if (cell == NULL) {
                st = gg_error(c->ctx, GG_ERR_GEOMETRY, "community %s: clipping a cell: %s", c->code, c->ctx->geos_msg);
                break;
            }
            if (GEOSisEmpty_r(h, cell) == 1) {
                GEOSGeom_destroy_r(h, cell);
                continue;
            }
            int64_t hh = 0, pp = 0;
            const GEOSPreparedGeometry *prep = GEOSPrepare_r(h, cell);
            for (size_t q = 0; q < m; q++) {
                if (GEOSPreparedIntersects_r(h, prep, GEOSGetGeometryN_r(h, mp, (int)q)) == 1 &&
                    unit_of[which[q]] == (int)i) {
                    hh += c->ph[which[q]];
                    pp += c->pp[which[q]];
                    unit_of[which[q]] = -2; /* counted */
                }
            }
            GEOSPreparedGeom_destroy_r(h, prep);
            size_t before = c->n_units;
            int block = u->block;
            st = add_polygons(c, cell, 0);
            for (size_t q = before; q < c->n_units; q++)
                c->units[q].block = block;
            /* The cell may have become several units (a concave block):
             * its households go to the first part that holds them. */
            if (st == GG_OK && c->n_units > before) {
                c->units[before].households = hh;
                c->units[before].persons = pp;
                /* A cell holds one place: above the maximum, it cannot be cut. */
                c->units[before].indivisible = hh > c->window.max;
            }
            u = &c->units[i]; /* the array may have moved */
        }
        GEOSGeom_destroy_r(h, cells);
        GEOSGeom_destroy_r(h, mp);
        gg_free(c->ctx, pts);
        gg_free(c->ctx, which);
        /* The block itself is now empty of households: it becomes a unit of
         * no area by being dropped. */
        if (st == GG_OK) {
            GEOSGeom_destroy_r(h, u->geom);
            u->geom = NULL;
            u->households = u->persons = 0;
        }
    }
    /* Compact away the dropped blocks. */
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
    if (st == GG_OK)
        st = find_edges(c);
    if (st == GG_OK)
        absorb_empty(c);
    return st;
}
