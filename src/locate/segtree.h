/* Private: a packed R-tree over the edges of the locator's polygons, for
 * the nearest edge to a point (branch and bound). The edges are numbered
 * as in the cell index: edge i runs from vertex i to vertex i + 1. */
#ifndef GG_LOCATE_SEGTREE_H
#define GG_LOCATE_SEGTREE_H

#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"

#define GG_SEGTREE_FANOUT 8
#define GG_SEGTREE_MAX_LEVELS 16

typedef struct gg_seg {
    double ax, ay, bx, by;
    int32_t poly;
} gg_seg;

typedef struct gg_segtree {
    gg_ctx *ctx;
    gg_seg *seg;                /* edges in tree order, with their ends: no lookups in the vertex arrays */
    uint32_t n_edges;
    int levels;                 /* node levels above the edges */
    uint32_t count[GG_SEGTREE_MAX_LEVELS];
    double *box[GG_SEGTREE_MAX_LEVELS]; /* minx, miny, maxx, maxy per node; level 0 groups edges */
    int borrowed;               /* seg and box point into a mapped file: not freed */
} gg_segtree;

/* Builds the tree of the edges of the vertex arrays (read only). Records
 * no error in ctx (it may run on a thread of its own): returns
 * GG_ERR_NOMEM, for the caller to report. */
gg_status gg_segtree_build(gg_segtree *t, gg_ctx *ctx, const double *vx, const double *vy, const int32_t *vpoly,
                           uint32_t n_vertices);
void gg_segtree_free(gg_segtree *t);
size_t gg_segtree_bytes(const gg_segtree *t);

/* The polygon of the nearest edge to (x, y) not of polygon skip (-1: any),
 * distances in metres from degrees scaled by mx and my; ties to the lower
 * rank. -1 with *dist_m = INFINITY when there is none. known (>= 0) is
 * the polygon of an edge already found at *dist_m: the search only looks
 * for nearer ones (pass -1 and INFINITY when there is none). */
int32_t gg_segtree_nearest(const gg_segtree *t, const int32_t *rank, double x, double y, int32_t skip, double mx,
                           double my, int32_t known, double *dist_m);

#endif
