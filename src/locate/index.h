/* Private: the cell index over the polygons of a plan.
 *
 * A uniform grid of cells covers the plan's extent; a cell crossed by more
 * than a few polygon edges is split in four, recursively. A cell no edge
 * crosses lies wholly inside the same polygons (usually one), recorded when
 * the index is built: a point there is answered with no geometry at all.
 * A cell that edges cross keeps those edges and a reference point whose
 * polygons are known; a point in it belongs to the reference point's
 * polygons, toggled by each polygon edge the segment between the two
 * crosses (S2's ShapeIndex answers containment the same way). The
 * reference points' polygons are found when building by walking from a
 * point outside the extent along each row of cells, and down into the split
 * cells, counting crossings the same way.
 *
 * Points exactly on an edge or a vertex are detected with exact predicates
 * and belong to every polygon whose boundary holds them, as with GEOS's
 * covers; which one wins is the caller's rule (a rank per polygon). */
#ifndef GG_LOCATE_INDEX_H
#define GG_LOCATE_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"
#include "locate/segtree.h"

/* Leaves are stored inline, one after another, in an array of 8-byte
 * slots, so that answering a point in a leaf reads one stretch of memory
 * rather than chasing indices into the vertex arrays:
 *   slot 0, 1   the reference point (x, y)
 *   slot 2      .i: the winner among the polygons holding the reference
 *               point that have no edge in the leaf (they hold the whole
 *               leaf), -1 none; .u: the number of chains
 *   then each chain: one slot (.i polygon, .u number of points, with
 *               GG_CHAIN_IN_REF set when the polygon holds the reference
 *               point), then its points as x, y slots; a chain is a run
 *               of consecutive edges of one ring, chains of one polygon
 *               are adjacent. */
typedef union gg_leaf_slot {
    double d;
    struct {
        int32_t i;
        uint32_t u;
    } w;
} gg_leaf_slot;

#define GG_CHAIN_IN_REF 0x80000000u
#define GG_LEAF_SHARED 0x80000000u
#define GG_VERTEX_EDGE 1u
#define GG_VERTEX_SHARED 2u
#define GG_CHUNK 8

/* A run of up to GG_CHUNK consecutive edges of a polygon, for the distance
 * from inside it: the box of their ends, the ends (GG_CHUNK + 1 points,
 * single precision, relative to the polygon's first vertex; the last
 * repeated when the run is short) and a flag per edge (GG_VERTEX_EDGE: an
 * edge starts at that point; GG_VERTEX_SHARED: it is shared). One run is
 * 96 bytes: its box and points are read together. */
typedef struct gg_chunk {
    float box[4];           /* minx, miny, maxx, maxy */
    float xy[2 * (GG_CHUNK + 1)];
    uint8_t flag[GG_CHUNK];
} gg_chunk;

typedef struct gg_poly_head {
    double ox, oy;          /* the polygon's first vertex */
    uint32_t first, count;  /* its runs */
} gg_poly_head;  /* in slot 2's .u: two or more polygons without edges hold the leaf */

/* An edge as a top cell keeps it for the nearest-edge search: its ends
 * relative to the cell's south-west corner, in single precision (an error
 * of about 1e-7 of the offset: under a millimetre for an edge within 10 km
 * of its cell), and its polygon. */
typedef struct gg_top_edge {
    float ax, ay, bx, by;
    int32_t poly;
} gg_top_edge;

typedef struct gg_cell_index {
    gg_ctx *ctx;
    /* The rings of all polygons, each closed (last vertex = first): the
     * edge numbered i runs from vertex i to vertex i + 1; vpoly[i] is its
     * polygon, or -1 after the last vertex of a ring. Freed once the index
     * is built (the leaves, top cells and R-tree keep what they need);
     * n_vertices stays. */
    double *vx, *vy;
    int32_t *vpoly;
    uint32_t n_vertices, cap_vertices;
    int32_t n_polys;
    const int32_t *rank;    /* per polygon: lower wins where several hold a point (borrowed) */
    /* the top level */
    double x0, y0, cell;    /* origin and cell size, degrees */
    int32_t nx, ny;
    uint32_t *top;          /* nx * ny words */
    uint32_t *top_start;    /* edges of each top cell: top_edges[top_start[c] .. top_start[c + 1]) */
    uint32_t *top_edges;    /* while building: edge numbers */
    gg_top_edge *top_edge;  /* once built: the same edges, inline */
    uint64_t *has_edges;    /* a bit per top cell: does it have edges? (small enough to stay in cache,
                               for the nearest-edge search's rings) */
    uint32_t *hint;         /* per top cell: the nearest cell with edges (breadth-first), whose first
                               edge bounds a nearest-edge search; UINT32_MAX: none */
    /* split cells: four words per node (south-west, south-east, north-west, north-east) */
    uint32_t *nodes;
    uint32_t n_nodes, cap_nodes;
    gg_leaf_slot *leaf;     /* the leaves, inline (above) */
    size_t n_leaf, cap_leaf;
    uint32_t n_leaves, n_leaf_edges; /* statistics */
    /* sets of polygons holding a whole cell: id 0 none, 1 .. n_polys one
     * polygon (id - 1), above that set_items[set_start[k] ..
     * set_start[k + 1]) for k = id - n_polys - 1, with its winner */
    int32_t *set_items;
    uint32_t n_set_items, cap_set_items;
    uint32_t *set_start;
    int32_t *set_winner;
    uint32_t n_sets, cap_sets;
    /* the edges in an R-tree, for the nearest edge */
    gg_segtree segs;
    /* the edges on the outside of the union of the polygons (those not
     * shared, see below) in an R-tree of their own, for points outside
     * every polygon; empty when they are too many to be worth it */
    gg_segtree outer;
    /* The distance from a point inside a polygon to the nearest edge of
     * another, when the plan around it is a clean tiling (see
     * gg_cell_index_distance_inside): each polygon's edges in runs of
     * GG_CHUNK (gg_chunk), and per top cell the distance in cells
     * (Chebyshev, at most 255) to the nearest cell with an edge that is not
     * shared (the exact reverse of one edge of another polygon). */
    gg_poly_head *phead;
    gg_chunk *chunk;
    size_t n_chunks;
    uint8_t *clean_dist;
    /* statistics */
    uint32_t max_depth;
    /* The arrays point into a mapped index file (indexfile.c), which owns
     * them: gg_cell_index_free frees none of them. */
    int borrowed;
} gg_cell_index;

/* Starts an empty index; rank (n_polys entries) stays the caller's. */
void gg_cell_index_init(gg_cell_index *ix, gg_ctx *ctx, int32_t n_polys, const int32_t *rank);

/* Adds a ring (n points, closed or not) of polygon poly: its exterior
 * ring, or a hole. */
gg_status gg_cell_index_add_ring(gg_cell_index *ix, int32_t poly, const double *x, const double *y, size_t n,
                                 int exterior);

/* Builds the cells once every ring is added; threads >= 2 builds the
 * nearest-edge tree on a second thread meanwhile. */
gg_status gg_cell_index_build(gg_cell_index *ix, int threads);

void gg_cell_index_free(gg_cell_index *ix);

/* The winning polygon holding (x, y), or -1; *on_edge set when the point
 * lies exactly on an edge of the winner (may be NULL). */
int32_t gg_cell_index_find(const gg_cell_index *ix, double x, double y, int *on_edge);

/* Same; *sole (may be NULL) tells that the polygon is the only one holding
 * the point and the point is not on its edge. */
int32_t gg_cell_index_locate(const gg_cell_index *ix, double x, double y, int *on_edge, int *sole);

/* gg_cell_index_find for n points, prefetching ahead. */
void gg_cell_index_find_many(const gg_cell_index *ix, const double *x, const double *y, size_t n, int32_t *out);

/* The nearest edge to (x, y) whose polygon is not skip (-1: any), with the
 * distance in metres (degrees scaled by mx and my metres per degree), up
 * to max_m (INFINITY: no limit). Returns the edge's polygon, or -1 with
 * *dist_m = INFINITY when there is none within max_m. */
int32_t gg_cell_index_nearest(const gg_cell_index *ix, double x, double y, int32_t skip, double mx, double my,
                              double max_m, double *dist_m);

/* For a point alone in polygon poly and off its edges (sole from
 * gg_cell_index_locate), the distance in metres to the nearest edge of
 * another polygon, computed from poly's own edges where that is exact:
 * returns 1 with *dist_m, or 0 when the caller must search
 * (gg_cell_index_nearest). It is exact when the nearest edge of poly is
 * shared (the exact reverse of another polygon's edge) and every edge
 * within that distance of the point is shared: then no edge of another
 * polygon can come nearer, as it would have to lie inside poly, and the
 * shared edges around would make the point covered by another polygon
 * too. */
int gg_cell_index_distance_inside(const gg_cell_index *ix, double x, double y, int32_t poly, double mx, double my,
                                  double *dist_m);

/* For a point that no polygon holds: the nearest edge (as
 * gg_cell_index_nearest with skip -1). The nearest point of any edge to
 * a point outside lies on the outside of the union of the polygons, where
 * no edge is shared: those edges alone are searched when the index has
 * them apart. */
int32_t gg_cell_index_nearest_outside(const gg_cell_index *ix, double x, double y, double mx, double my,
                                      double *dist_m);

/* Asks the processor to fetch what a query at (x, y) reads at a stage:
 * 0 the top cell, 1 its leaf or node (once the cell has arrived), 2 for
 * a point in polygon poly its head and the cell's distance to unshared
 * edges, or for a point in none the cell's hint, 3 poly's runs of edges
 * (once its head and that distance have arrived; none where
 * gg_cell_index_distance_inside would not read them: call it only for a
 * point alone in poly), or for a point in none the hint cell's
 * start of edges, 4 (for a point in none) the hint cell's edges; 5 the
 * point's cell's start of edges and 6 (once it has arrived) its first
 * edges, where the nearest-edge search by rings begins (a point on an
 * edge, or where polygons overlap). Never reads anything not yet fetched
 * without need: a hint, no answer changes. */
void gg_cell_index_prefetch(const gg_cell_index *ix, double x, double y, int32_t poly, int stage);

/* Bytes held by the index. */
size_t gg_cell_index_bytes(const gg_cell_index *ix);

#endif
