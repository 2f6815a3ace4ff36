/* Private: one community's partition, shared by the files of src/partition. */
#ifndef GG_PARTITION_PARTITION_H
#define GG_PARTITION_PARTITION_H

#include "core/ctx.h"
#include "govgrid/partition.h"
#include "store/plan.h"
#include "store/store.h"

/* A piece of the community that grids are made of: a block between roads
 * and waterways, a cell of a block split between its households, or a
 * dedicated parcel. */
typedef struct pt_unit {
    GEOSGeometry *geom;         /* owned; EPSG:4326 */
    int64_t households, persons;
    double minx, miny, maxx, maxy;
    double rx, ry;              /* a point inside */
    int dedicated_type;         /* 0 for comprehensive, else the type digit 2-9 */
    int owner;                  /* the populated unit an unpopulated one joins, or -1 */
    int region;                 /* its grid, or -1 */
    int indivisible;            /* one point above the maximum */
    int island;                 /* a populated island made a grid of its own */
    const char *name;           /* a dedicated parcel's name (borrowed), or NULL */
    int block;                  /* the block it comes from: the face between roads and waterways */
} pt_unit;

typedef struct pt_edge {
    int a, b;                   /* a < b */
    double length;              /* shared boundary, degrees */
    int across;                 /* the boundary is a road or waterway (the units' blocks differ) */
} pt_edge;

typedef struct pt_grid {
    GEOSGeometry *geom;         /* owned; EPSG:4326 MultiPolygon */
    int type;                   /* 1 comprehensive, 2-9 dedicated */
    int64_t households, persons;
    int flags;
    double area_m2;
    double rx, ry;              /* representative point (for ordering and codes) */
    char code[24];
    char beidou[16];            /* level-6 BeiDou code of the representative point, or "" */
    char *name;                 /* owned */
    int indivisible;            /* holds a unit of one point above the maximum */
    int island;                 /* a populated island made a grid of its own */
} pt_grid;

/* A grid's part smaller than this many square metres joins the neighbour
 * it shares most boundary with. */
#define GG_PLAN_PART_MIN_M2 1.0
/* A ring may not run back along itself closer than this many metres (over
 * more than twice as far): govgrid check's default tolerance. */
#define GG_PLAN_SPIKE_M 0.01

typedef struct pt_window {
    int min, max, target;
} pt_window;

typedef struct pt_community {
    gg_ctx *ctx;
    gg_store *store;
    char code[13];
    char *name;                 /* owned, may be NULL */
    char urban_rural[4];
    int rural;
    pt_window window;
    int64_t split_above;        /* blocks with more households are split into cells; 0: window.max */
    double dedicated_min_m2;
    uint64_t seed;
    GEOSGeometry *geom;         /* the community, owned */
    double minx, miny, maxx, maxy; /* the community's box */
    double mx, my;              /* metres per degree of longitude/latitude here */
    /* households */
    double *px, *py;
    int64_t *ph, *pp;           /* households and persons per point */
    size_t n_points, cap_points;
    /* the linework that bounds blocks (owned, may be NULL) */
    GEOSGeometry *lines;
    /* dedicated parcels: type digit and geometry (owned) */
    GEOSGeometry **parcels;
    int *parcel_types;
    char **parcel_names;
    size_t n_parcels, cap_parcels;
    /* units and their adjacency */
    pt_unit *units;
    size_t n_units, cap_units;
    pt_edge *edges;
    size_t n_edges, cap_edges;
    /* the result */
    pt_grid *grids;
    size_t n_grids, cap_grids;
    int64_t total_households;
    int reachable;              /* some number of grids fits the comprehensive households */
    int issued[10];             /* per type digit, the highest sequence the code register ever issued
                                 * here: new grids are numbered after it */
    int64_t from;               /* the plan this one is made from: its codes are kept (grids.c,
                                 * inherit_codes); 0: none */
    int32_t *point_grid;        /* per household point, its grid (count_households); owned */
    int64_t moved;              /* with from: households in a grid of plan from whose code changed */
    struct gg_transform *to_metric; /* EPSG:4326 -> the local metric CRS */
    char problem[256];
} pt_community;

/* load.c: the community's geometry, households, linework and parcels. */
gg_status pt_load(pt_community *c);

/* blocks.c: units from the linework, dedicated parcels carved out,
 * households counted, crowded blocks split into household cells, unpopulated
 * units joined to populated neighbours; adjacency computed. */
gg_status pt_build_units(pt_community *c);

/* aggregate.c: populated units grouped into grids within the window. */
gg_status pt_aggregate(pt_community *c);

/* grids.c: grids from the regions of units, their households summed from
 * the units and their flags (what the finer units are judged by). */
gg_status pt_make_grids(pt_community *c);

/* grids.c: the grid of base[0..n) (by code, each prepared with its box,
 * or prep[i] NULL to skip it) that covers (x, y) by locate's rule: a
 * dedicated grid first, else the comprehensive grid of the lowest code;
 * -1 for none. */
int pt_base_grid_of(GEOSContextHandle_t h, const gg_community_grid *base, const GEOSPreparedGeometry **prep,
                    const double (*box)[4], size_t n, double x, double y);

/* grids.c: the chosen grids finished: a clean coverage of the community,
 * codes and names, households counted from the points each polygon holds,
 * flags, areas. */
gg_status pt_finish_grids(pt_community *c);

void pt_community_free(pt_community *c);

/* maintain.c: the communities of plan o->from that maintenance partitions
 * again, each with the first reason found, and those whose grids it drops
 * (no longer in the project). */
typedef struct pt_maintenance_item {
    char community[16];
    char reason[200];
} pt_maintenance_item;

typedef struct pt_maintenance {
    pt_maintenance_item *items;     /* by community code */
    size_t n, cap;
    char (*dropped)[16];
    size_t n_dropped, cap_dropped;
    int64_t households_total;       /* every household point's count, as the points are now */
} pt_maintenance;

/* The grids of plan (stored, a draft) counted again from every household
 * point by locate's rule, their flags refreshed by the windows of o. */
gg_status pt_maintenance_recount(gg_ctx *ctx, gg_store *store, int64_t plan, const gg_partition_options *o);

/* partition.c: a grid's flags as text parsed, and refreshed after its
 * households changed (unreachable: its community is). */
int pt_flags_from_text(const char *text);
int pt_refreshed_flags(int flags, int type, int64_t households, const pt_window *w, int unreachable);

gg_status pt_maintenance_find(gg_ctx *ctx, gg_store *store, const gg_partition_options *o, pt_maintenance *m);
void pt_maintenance_clear(gg_ctx *ctx, pt_maintenance *m);

/* Helpers shared by the files. */
gg_status pt_add_unit(pt_community *c, GEOSGeometry *geom, int dedicated_type);
double pt_area_m2(const pt_community *c, const GEOSGeometry *g);

#endif
