/*
 * govgrid check: the invariants of a grid plan, for any plan (made by
 * partition, imported hand-drawn, or edited).
 *
 * Every grid is valid in the store's CRS (EPSG:4326) and after
 * reprojection to UTM and to the local metric CRS (CGCS2000 3-degree
 * Gauss-Krueger in China); no ring has a spike or a repeated point; no
 * part is below the minimum area; the grids of each community tile it (no
 * gap, no overlap, none crossing the community's edge, every edge either
 * on the community's boundary or shared exactly with one neighbour); a
 * grid is contiguous (a part of its own is allowed, and reported as a
 * warning, where the community itself is in several parts); every grid's
 * households equal the household points its polygon holds by the rule of
 * locate (inside or on an edge; of several grids a dedicated one, then
 * the lowest code); codes are well formed and agree with their community
 * and type. Grids out of their household window are warnings with the
 * reason the plan records.
 */
#ifndef GOVGRID_CHECK_H
#define GOVGRID_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "govgrid/core.h"
#include "govgrid/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gg_check_kind {
    GG_CHECK_UNREADABLE = 0,    /* the stored geometry cannot be read */
    GG_CHECK_INVALID,           /* invalid in the store's CRS (GEOS's reason) */
    GG_CHECK_INVALID_PROJECTED, /* valid as stored, invalid after reprojection */
    GG_CHECK_SPIKE,             /* a ring turns back on itself (narrower than the tolerance) */
    GG_CHECK_REPEATED_POINT,    /* a ring repeats a vertex */
    GG_CHECK_SMALL_PART,        /* a part below the minimum area */
    GG_CHECK_NOT_CONTIGUOUS,    /* a grid in several parts in a community of one part */
    GG_CHECK_EXCLAVE,           /* a grid in several parts where the community is in several (warning) */
    GG_CHECK_OUTSIDE,           /* a piece of a grid outside its community */
    GG_CHECK_GAP,               /* a piece of a community no grid covers */
    GG_CHECK_OVERLAP,           /* a piece two grids both cover */
    GG_CHECK_UNMATCHED_EDGE,    /* an edge neither on the community's boundary nor shared exactly with a
                                   neighbour (a T-junction or a near-coincident edge) */
    GG_CHECK_NO_COMMUNITY,      /* the grid's community is not a community of the project */
    GG_CHECK_HOUSEHOLDS,        /* the households a grid claims differ from the points it holds */
    GG_CHECK_HOUSEHOLD_OUTSIDE, /* a household point that no grid holds */
    GG_CHECK_CODE_MALFORMED,    /* a code of no known layout (16, 15 or 20 digits) */
    GG_CHECK_CODE_MISMATCH,     /* a code naming another community, or another type */
    GG_CHECK_OUT_OF_WINDOW,     /* a comprehensive grid out of its household window (warning) */
    GG_CHECK_KIND_COUNT
} gg_check_kind;

/* "gap", "overlap", ...: the words of --json and of the GeoPackage. */
GG_API const char *gg_check_kind_name(gg_check_kind kind);

typedef struct gg_check_problem {
    gg_check_kind kind;
    int error;                  /* 1: an invariant broke; 0: a warning */
    char code[24];              /* the grid, or "" */
    char other[24];             /* the other grid (overlap, unmatched edge's neighbour), or "" */
    char community[16];
    double lon, lat;            /* where (EPSG:4326) */
    double area_m2;             /* the piece's area (gap, overlap, outside, small part), else 0 */
    int64_t value, expected;    /* households: claimed and held; else 0 */
    char detail[256];           /* in words */
    unsigned char *wkb;         /* the problem's geometry (EPSG:4326 WKB), or NULL; owned by the report */
    size_t wkb_size;
} gg_check_problem;

typedef struct gg_check_report {
    int64_t plan;
    int64_t grids, communities, household_points;
    double tolerance_m, part_min_m2;
    int64_t errors, warnings;
    int64_t by_kind[GG_CHECK_KIND_COUNT];
    gg_check_problem *problems; /* codes first, then community by community, then households */
    size_t n_problems;
} gg_check_report;

typedef struct gg_check_options {
    int64_t plan;               /* 0: the active plan (the published one, else the newest) */
    double tolerance_m;         /* pieces and spikes narrower than this are noise; 0: 0.01 (1 cm) */
    double part_min_m2;         /* 0: 1 m2 */
    int skip_households;        /* 1: leave the households to the caller, who has just counted them by the
                                   same rule (a partition settling its own plan) */
} gg_check_options;

GG_API void gg_check_options_init(gg_check_options *opts);

/* Checks a plan. out receives the report (free with gg_check_report_free)
 * whatever it finds: a broken invariant is report->errors > 0, not a
 * failing status. Returns GG_OK, GG_ERR_NOT_FOUND (no such plan),
 * GG_ERR_STORE, GG_ERR_GEOMETRY, GG_ERR_NOMEM. */
GG_API gg_status gg_plan_check(gg_ctx *ctx, gg_store *store, const gg_check_options *opts,
                               gg_check_report **out);
GG_API void gg_check_report_free(gg_ctx *ctx, gg_check_report *report);

/* Writes the problems to a new GeoPackage at path: layer "problem_areas"
 * (gaps, overlaps, pieces outside, small parts: MultiPolygon) and layer
 * "problem_points" (every other problem at its place: Point), both in
 * EPSG:4326 with kind, severity, code, other, community, area_m2,
 * households claimed and held, and detail. The file is written whole or
 * not at all; an existing file is refused unless overwrite. Returns
 * GG_OK, GG_ERR_EXISTS, GG_ERR_IO. */
GG_API gg_status gg_check_write_gpkg(gg_ctx *ctx, const gg_check_report *report, const char *path, int overwrite);

#ifdef __cplusplus
}
#endif
#endif
