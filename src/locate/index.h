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

typedef struct gg_cell_leaf {
    double rx, ry;          /* reference point */
    uint32_t set;           /* the polygons holding it (a set id) */
    uint32_t first, count;  /* its edges in leaf_edges */
} gg_cell_leaf;

typedef struct gg_cell_index {
    gg_ctx *ctx;
    /* The rings of all polygons, each closed (last vertex = first): the
     * edge numbered i runs from vertex i to vertex i + 1; vpoly[i] is its
     * polygon, or -1 after the last vertex of a ring. */
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
    uint32_t *top_edges;
    uint32_t *hint;         /* per top cell: an edge in or near it (breadth-first from the cells with
                               edges), whose distance bounds a nearest-edge search; UINT32_MAX: none */
    /* split cells: four words per node (south-west, south-east, north-west, north-east) */
    uint32_t *nodes;
    uint32_t n_nodes, cap_nodes;
    gg_cell_leaf *leaves;
    uint32_t n_leaves, cap_leaves;
    uint32_t *leaf_edges;
    uint32_t n_leaf_edges, cap_leaf_edges;
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
    /* statistics */
    uint32_t max_depth;
} gg_cell_index;

/* Starts an empty index; rank (n_polys entries) stays the caller's. */
void gg_cell_index_init(gg_cell_index *ix, gg_ctx *ctx, int32_t n_polys, const int32_t *rank);

/* Adds a ring (n points, closed or not) of polygon poly. */
gg_status gg_cell_index_add_ring(gg_cell_index *ix, int32_t poly, const double *x, const double *y, size_t n);

/* Builds the cells once every ring is added. */
gg_status gg_cell_index_build(gg_cell_index *ix);

void gg_cell_index_free(gg_cell_index *ix);

/* The winning polygon holding (x, y), or -1; *on_edge set when the point
 * lies exactly on an edge of the winner (may be NULL). */
int32_t gg_cell_index_find(const gg_cell_index *ix, double x, double y, int *on_edge);

/* gg_cell_index_find for n points, prefetching ahead. */
void gg_cell_index_find_many(const gg_cell_index *ix, const double *x, const double *y, size_t n, int32_t *out);

/* The nearest edge to (x, y) whose polygon is not skip (-1: any), with the
 * distance in metres (degrees scaled by mx and my metres per degree), up
 * to max_m (INFINITY: no limit). Returns the edge's polygon, or -1 with
 * *dist_m = INFINITY when there is none within max_m. */
int32_t gg_cell_index_nearest(const gg_cell_index *ix, double x, double y, int32_t skip, double mx, double my,
                              double max_m, double *dist_m);

/* Bytes held by the index. */
size_t gg_cell_index_bytes(const gg_cell_index *ix);

#endif
