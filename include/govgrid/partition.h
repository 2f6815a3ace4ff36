/*
 * govgrid partition: dividing communities into grids.
 *
 * Comprehensive grids (综合网格) hold a window of households: urban
 * communities (urban-rural classes 111, 112, 121, and by default 122, 123)
 * 300-500, rural ones (210, 220) 250-350. Boundaries follow the linework
 * that counts: every road and waterway in urban communities, main roads and
 * waterways in rural ones. Dedicated grids (专属网格) are carved first from
 * unit parcels (government, industrial park, enterprise/institution, office,
 * market, scenic) above a size threshold. The grids of a community tile it
 * exactly. Each run is a new plan; the same inputs and options give the same
 * plan.
 */
#ifndef GOVGRID_PARTITION_H
#define GOVGRID_PARTITION_H

#include <stddef.h>
#include <stdint.h>

#include "govgrid/core.h"
#include "govgrid/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Grid flags: why a grid is as it is (stored as words, see gg_grid_flags_text). */
enum {
    GG_GRID_OVER_MAX = 1 << 0,      /* more households than the window allows */
    GG_GRID_UNDER_MIN = 1 << 1,     /* fewer households than the window asks */
    GG_GRID_ISLAND = 1 << 2,        /* a part of the community not joined to the rest */
    GG_GRID_INDIVISIBLE = 1 << 3,   /* one point (a tower) above the maximum */
    GG_GRID_SMALL_COMMUNITY = 1 << 4, /* the whole community is below the minimum */
    GG_GRID_NO_HOUSEHOLDS = 1 << 5, /* holds no household */
    GG_GRID_MULTIPART = 1 << 6,     /* not contiguous (an unpopulated island joined to it) */
    GG_GRID_INFEASIBLE = 1 << 7,    /* out of its window and the bounded search found no split or
                                       merge of its part of the community that fits (e.g. a block
                                       whose only neighbour would overshoot the maximum) */
    GG_GRID_UNREACHABLE = 1 << 8    /* out of its window because no number of grids fits the
                                       community's households: 520 urban households are too many
                                       for one grid of 300-500 and too few for two */
};

/* "over_max,island" for a flag set; "" for none. buf of at least 96 bytes. */
GG_API const char *gg_grid_flags_text(int flags, char *buf, size_t size);

typedef struct gg_partition_options {
    int urban_min, urban_max, urban_target;   /* 0: 300, 500, 400 */
    int rural_min, rural_max, rural_target;   /* 0: 250, 350, 300 */
    int class122_rural, class123_rural;       /* give 122 / 123 the rural rule (default urban) */
    double dedicated_min_m2;                  /* parcels at least this large become dedicated grids; 0: 10,000 */
    const char *const *communities;           /* only these community codes (NULL: all) */
    size_t n_communities;
    uint64_t seed;                            /* varies the order of the bounded retries */
    int jobs;                                 /* communities partitioned at once (threads, each with
                                                 its own read connection; the context's allocator is
                                                 then called from all of them); 0 or 1: one */
    const char *note;                         /* stored with the plan */
    int64_t from;                             /* the plan this one is made from (0: none): it becomes
                                                 the parent; a new grid keeps the code and name of the
                                                 grid of that plan it keeps most of (more than half of
                                                 its households and of its area), the others are
                                                 numbered after every code issued; with communities,
                                                 that plan's grids of the other communities are
                                                 carried over as they are */
    int maintain;                             /* with from: partition again only the communities the
                                                 rules now break (a grid over the maximum or under
                                                 the minimum as the households are now, a boundary
                                                 moved, a new community), keep every other grid;
                                                 the windows default to plan from's */
    double max_change;                        /* maintain: the share of all households whose grid
                                                 may change (0: 0.05); a community whose repair
                                                 would go over it is left as it was, and named */
} gg_partition_options;

GG_API void gg_partition_options_init(gg_partition_options *opts);

typedef struct gg_partition_community {
    char code[13];
    int64_t households;
    int64_t grids;                  /* comprehensive + dedicated */
    int64_t dedicated;
    int64_t grids_in_range;         /* comprehensive grids within the window */
    int64_t grids_out_of_range;
    int rural;                      /* the rural rule applied */
    char *problem;                  /* NULL, or why the community could not be partitioned */
    char *reason;                   /* maintain: why it was partitioned again */
    int64_t households_moved;       /* from: households whose grid code changed */
    int applied;                    /* maintain: 1 when the new grids are in the plan, 0 when the
                                       repair would have gone over the change budget */
} gg_partition_community;

typedef struct gg_partition_report {
    int64_t plan;
    int64_t communities;
    int64_t grids;
    int64_t dedicated;
    int64_t households;
    int64_t grids_in_range, grids_out_of_range;
    int64_t failed;                 /* communities with a problem (none partitioned then) */
    int64_t households_total;       /* maintain: every household now */
    int64_t households_moved;       /* maintain: those whose grid code changed */
    int64_t budget;                 /* maintain: how many could, max_change of households_total */
    int64_t dropped;                /* maintain: communities no longer in the project, grids dropped */
    gg_partition_community *items;  /* by community code */
    size_t n_items;
} gg_partition_report;

/* Partitions the project's communities (or those listed) and stores the
 * grids as a new plan in one transaction. out receives the report (free
 * with gg_partition_report_free), also when some communities failed; then
 * the status is GG_ERR_INVALID_INPUT and nothing is stored.
 * Returns GG_OK, GG_ERR_NOT_FOUND (no communities, or a listed code is not
 * a community of the project), GG_ERR_INVALID_INPUT, GG_ERR_ARG (a window
 * with min > max), GG_ERR_STORE, GG_ERR_GEOMETRY, GG_ERR_NOMEM,
 * GG_ERR_CANCELLED. */
GG_API gg_status gg_partition(gg_ctx *ctx, gg_store *store, const gg_partition_options *opts,
                              gg_partition_report **out);
GG_API void gg_partition_report_free(gg_ctx *ctx, gg_partition_report *report);

/* ---- the quality of a plan ---- */

typedef struct gg_grid_quality {
    char code[24];
    char community[13];
    int type;
    int64_t households;         /* 0 when not counted */
    int counted;                /* households known (an imported plan may have no count: "no count") */
    double area_m2;
    double polsby_popper;       /* 4 pi area / perimeter^2: 1 for a disc */
    double road_m;              /* length of road inside the grid: what a worker patrols */
    int in_window;              /* comprehensive grid within its community's window */
    char flags[96];
} gg_grid_quality;

typedef struct gg_community_quality {
    char code[13];
    int rural;
    int min, max;               /* its household window */
    int64_t households;         /* of its counted grids */
    int64_t grids, dedicated, in_window, out_of_window;
    int64_t uncounted;          /* grids without a household count (comprehensive ones are neither in
                                   nor out of the window); the community's total is then unknown */
    int unreachable;            /* no number of grids fits its households in the window */
    double internal_m;          /* boundary between its grids */
    double internal_on_lines_m; /* of which within 5 m of a road or waterway */
} gg_community_quality;

typedef struct gg_plan_report {
    int64_t plan;
    int64_t grids, dedicated, comprehensive, in_window, out_of_window, small_community;
    /* Comprehensive grids without a household count (an imported plan
     * whose file and household points give none): neither in nor out of
     * the window, and not in the households per grid. */
    int64_t uncounted;
    /* Of the grids out of their window: one indivisible point each, a
     * populated island, in a community no number of grids fits
     * (unreachable), or none of these (the search found no fitting split:
     * infeasible). */
    int64_t out_indivisible, out_island, out_unreachable, out_infeasible;
    /* An imported plan (nobody partitioned it: no reasons are recorded):
     * its grids out of the window as drawn, above the maximum and below
     * the minimum; communities below the minimum are recognised by their
     * households. */
    int imported;
    int64_t out_drawn_over, out_drawn_under;
    /* The share the partition could have changed: comprehensive grids of
     * communities neither below the minimum nor unreachable, indivisible
     * grids and islands apart. */
    int64_t attainable_in_window, attainable_out_of_window;
    double households_min, households_p5, households_median, households_p95, households_max; /* counted
                                   comprehensive grids */
    double polsby_popper_median, polsby_popper_min;
    double road_m_median, road_m_max;
    double internal_m, internal_on_lines_m;
    gg_community_quality *communities;
    size_t n_communities;
    gg_grid_quality *grid_list;     /* every grid, by code */
    size_t n_grids;
} gg_plan_report;

/* Measures a plan (0: the active plan): households per grid, compactness,
 * patrol road length, and how much of the boundary between grids runs on
 * roads and waterways. Windows come from the plan's own parameters (the
 * defaults for an imported plan). Returns GG_OK, GG_ERR_NOT_FOUND,
 * GG_ERR_STORE, GG_ERR_GEOMETRY, GG_ERR_NOMEM. */
GG_API gg_status gg_plan_report_get(gg_ctx *ctx, gg_store *store, int64_t plan, gg_plan_report **out);
GG_API void gg_plan_report_free(gg_ctx *ctx, gg_plan_report *report);

#ifdef __cplusplus
}
#endif
#endif
