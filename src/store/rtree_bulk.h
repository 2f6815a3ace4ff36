/* Private: bulk loading of a SQLite R*Tree (SpatiaLite's spatial index). */
#ifndef GG_STORE_RTREE_BULK_H
#define GG_STORE_RTREE_BULK_H

#include "store/store.h"

/* One indexed box: the row id and its bounds (xmin, xmax, ymin, ymax). */
typedef struct gg_rtree_entry {
    int64_t id;
    double box[4];
} gg_rtree_entry;

/* A growing list of entries. */
typedef struct gg_rtree_entries {
    gg_rtree_entry *items;
    size_t n, cap;
} gg_rtree_entries;

gg_status gg_rtree_entries_add(gg_ctx *ctx, gg_rtree_entries *list, int64_t id, const double box[4]);
void gg_rtree_entries_free(gg_ctx *ctx, gg_rtree_entries *list);

/* Reorders entries Sort-Tile-Recursive for nodes of per_node entries
 * (slices by x, then each by y; a stable radix sort: deterministic).
 * Returns 0 without memory. */
int gg_rtree_str_order(gg_ctx *ctx, gg_rtree_entry *e, size_t n, size_t per_node);

/* Replaces the whole content of the R*Tree virtual table rtree (e.g.
 * "idx_household_geom") with list, plus the entries already in it when
 * keep_existing, written as a Sort-Tile-Recursive packed tree directly
 * into its shadow tables. Without keep_existing the old entries are
 * dropped with the shadow tables' rows, far faster than deleting them
 * through the R*Tree (3.5 s for 427,000 points). list is reordered. Must
 * run inside a transaction. */
gg_status gg_rtree_rebuild(gg_store *store, const char *rtree, gg_rtree_entries *list, int keep_existing);

#endif
