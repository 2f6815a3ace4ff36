/*
 * geom.h - the generator's own polygon container (sy_mpoly), a banded
 * point-in-polygon accelerator (sy_pip), a uniform-grid point index for
 * nearest-seed queries (sy_pindex) and conversions to GEOS and WKB.
 *
 * Coordinates are metres in the working plane (EPSG:4549, CGCS2000 /
 * 3-degree Gauss-Krueger CM 120E).
 */
#ifndef SYNTH_GEOM_H
#define SYNTH_GEOM_H

#ifndef GEOS_USE_ONLY_R_API
#define GEOS_USE_ONLY_R_API
#endif
#include <geos_c.h>

#include "util.h"

/* A multipolygon: polygon k owns rings [poly_ring[k], poly_ring[k+1]), the
 * first of which is its shell (counter-clockwise); holes are clockwise. Every
 * ring is stored closed (last point equals first). */
typedef struct sy_mpoly {
    int n_polys, n_rings, n_pts;
    int *poly_ring;  /* n_polys + 1 */
    int *ring_start; /* n_rings + 1 */
    sy_pt *pts;
    size_t cap_polys, cap_rings, cap_pts;
} sy_mpoly;

void sy_mpoly_clear(sy_mpoly *m);
void sy_mpoly_free(sy_mpoly *m);
/* Starts a new polygon; the next ring added is its shell. */
void sy_mpoly_begin_polygon(sy_mpoly *m);
/* Adds a ring (open or closed; it is closed on storage). */
void sy_mpoly_add_ring(sy_mpoly *m, const sy_pt *pts, int n);
int sy_mpoly_ring_len(const sy_mpoly *m, int ring); /* points incl. closing */
const sy_pt *sy_mpoly_ring(const sy_mpoly *m, int ring);
double sy_mpoly_area(const sy_mpoly *m);
void sy_mpoly_bbox(const sy_mpoly *m, double *minx, double *miny, double *maxx, double *maxy);
/* Distinct vertices: closing points are not counted. */
int sy_mpoly_vertex_count(const sy_mpoly *m);
void sy_mpoly_copy(sy_mpoly *dst, const sy_mpoly *src);

/* Owned result (free with GEOSGeom_destroy_r). as_multi: always a
 * MultiPolygon; otherwise a Polygon when there is one polygon. */
GEOSGeometry *sy_mpoly_to_geos(GEOSContextHandle_t h, const sy_mpoly *m, int as_multi);
/* Appends the polygons of a (Multi)Polygon or GeometryCollection. */
void sy_mpoly_from_geos(GEOSContextHandle_t h, const GEOSGeometry *g, sy_mpoly *m);
GEOSGeometry *sy_line_to_geos(GEOSContextHandle_t h, const sy_pt *pts, int n);

/* Banded even-odd point-in-polygon index over all rings of a multipolygon. */
typedef struct sy_pip {
    double minx, miny, maxx, maxy, band_h;
    int n_bands, n_segs;
    int *band_start;
    int *band_seg;
    sy_pt *seg_a, *seg_b;
} sy_pip;

void sy_pip_build(sy_pip *p, const sy_mpoly *m);
int sy_pip_contains(const sy_pip *p, sy_pt q);
/* Distance from q to the nearest ring edge; only the bands within radius_m
 * of q are searched, so the result is capped at radius_m. */
double sy_pip_boundary_dist(const sy_pip *p, sy_pt q, double radius_m);
void sy_pip_free(sy_pip *p);

/* Uniform grid over points for nearest-neighbour queries. */
typedef struct sy_pindex {
    double minx, miny, cell;
    int nx, ny;
    int *start; /* nx*ny + 1 */
    int *items;
    const sy_pt *pts;
    int n;
} sy_pindex;

void sy_pindex_build(sy_pindex *ix, const sy_pt *pts, int n, double cell_m);
int sy_pindex_nearest(const sy_pindex *ix, sy_pt q);
void sy_pindex_free(sy_pindex *ix);

/* Little-endian WKB writers into a growable buffer. */
typedef struct sy_wkb {
    unsigned char *buf;
    size_t len, cap;
} sy_wkb;

void sy_wkb_point(sy_wkb *w, sy_pt p);
void sy_wkb_linestring(sy_wkb *w, const sy_pt *pts, int n);
void sy_wkb_multipolygon(sy_wkb *w, const sy_mpoly *m);
void sy_wkb_polygon(sy_wkb *w, const sy_mpoly *m, int poly); /* one polygon of m */
void sy_wkb_free(sy_wkb *w);

#endif
