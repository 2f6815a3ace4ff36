/* Private: plans as versions and the register of grid codes, as stored
 * (schema version 6): typed readers and writers for plan/publish.c, so
 * that the rules live there and the SQL here. Every writer runs inside the
 * caller's transaction. */
#ifndef GG_STORE_VERSIONS_H
#define GG_STORE_VERSIONS_H

#include <stddef.h>
#include <stdint.h>

#include "store/plan.h"
#include "store/store.h"

/* One plan row. */
typedef struct gg_plan_row {
    int64_t id;
    int64_t parent;             /* 0 when none */
    char state[12];             /* draft, published, superseded */
    char source[12];            /* import, partition, maintain, edit */
    char published[24];         /* "" unless published or superseded */
    char superseded[24];
    int64_t superseded_by;      /* the plan published after it; 0 when none */
    int64_t grids;
} gg_plan_row;

/* GG_OK, or GG_ERR_NOT_FOUND ("no plan N"). */
gg_status gg_store_plan_row(gg_store *store, int64_t id, gg_plan_row *out);

/* What names a plan for its locator index file, without counting its
 * grids: its state, its publication time ("" for a draft) and the
 * project's creation time (gg_meta 'created', "" when absent). GG_OK or
 * GG_ERR_NOT_FOUND ("no plan N"). */
gg_status gg_store_plan_identity(gg_store *store, int64_t id, char state[12], char published[24], char created[24]);

/* The published plan, 0 when none is. */
gg_status gg_store_published_plan(gg_store *store, int64_t *id);

/* The plans made from plan id (their parent), written as "5, 7" into list
 * (size bytes, cut with "..." when longer); *n receives how many. */
gg_status gg_store_plan_children(gg_store *store, int64_t id, char *list, size_t size, int64_t *n);

/* Marks plan `published` published by the store's actor at `now`, and
 * `superseded` (0: none) superseded at `now`. */
gg_status gg_store_plan_mark_published(gg_store *store, int64_t published, int64_t superseded, const char *now);

/* Deletes a draft and its grids (the triggers refuse any other). */
gg_status gg_store_plan_delete_row(gg_store *store, int64_t id);

/* A code of a plan with what the register knows of it. */
typedef struct gg_plan_code {
    char code[24];
    char community[16];
    int type;
    int registered;             /* the register holds the code */
    int64_t issued_by, retired_by; /* 0 when not */
    char valid_to[24];          /* "" while active */
} gg_plan_code;

/* The codes of plan's grids, by code, with their register rows. Free with
 * gg_free. */
gg_status gg_store_plan_codes(gg_store *store, int64_t plan, gg_plan_code **out, size_t *n);

/* Enters codes[i] (issued by plan at now) into the register. */
gg_status gg_store_codes_issue(gg_store *store, int64_t plan, const char *now, const gg_plan_code *codes, size_t n);

/* Retires, as of plan at now, every active code that plan's grids do not
 * carry. *retired receives how many. */
gg_status gg_store_codes_retire_absent(gg_store *store, int64_t plan, const char *now, int64_t *retired);

/* The grids of plan a that plan b does not hold as they are (no grid of
 * b with the same code and the same geometry), with geometry. Free with
 * gg_plan_grids_free. */
gg_status gg_store_grids_changed(gg_store *store, int64_t a, int64_t b, gg_plan_grid **out, size_t *n);

/* How many codes both plans carry with different boundaries. */
gg_status gg_store_count_reshaped(gg_store *store, int64_t a, int64_t b, int64_t *n);

/* One code of two plans, as gg_store_grids_compare reads it. */
typedef struct gg_grid_pair {
    char code[24];
    char community[16];
    int in_a, in_b, same_geom;
    double area_a_m2, area_b_m2;
} gg_grid_pair;

/* Every code of plan a or plan b, by code (free with gg_free). */
gg_status gg_store_grids_compare(gg_store *store, int64_t a, int64_t b, gg_grid_pair **out, size_t *n);

/* Records that grid to_code of plan came (area_m2 of it) from from_code of
 * the plan it superseded. */
gg_status gg_store_lineage_add(gg_store *store, int64_t plan, const char *from_code, const char *to_code,
                               double area_m2);

/* The highest sequence the register ever issued in community for each
 * type digit 0-9 (highest[t], 0 when none). */
gg_status gg_store_codes_highest(gg_store *store, const char *community, int highest[10]);

/* ---- edits ---- */

/* One grid of a plan, whole, as an edit reads and writes it. */
typedef struct gg_edit_grid {
    char code[24];
    int type;
    char community[16];
    char name[192];
    int counted;                /* households and persons are known */
    int64_t households, persons;
    double area_m2;             /* 0 when not stored */
    char flags[128];
    char beidou[16];
    int locked;
    GEOSGeometry *geom;         /* owned */
} gg_edit_grid;

/* The grids of plan with the codes codes[0..n), in that order; a code the
 * plan lacks gives GG_ERR_NOT_FOUND naming it. Free with
 * gg_edit_grids_free. */
gg_status gg_store_edit_grids(gg_store *store, int64_t plan, const char *const *codes, size_t n,
                              gg_edit_grid **out);
void gg_edit_grids_free(gg_ctx *ctx, gg_edit_grid *grids, size_t n);

typedef struct gg_grid_code {
    char code[24];
} gg_grid_code;

/* The codes of plan's grids whose box meets box (west, south, east,
 * north), by code; *out freed with gg_free. */
gg_status gg_store_grid_codes_in_box(gg_store *store, int64_t plan, const double box[4], gg_grid_code **out,
                                     size_t *n);

/* A new draft made by an edit of plan parent (the store's actor, now). */
gg_status gg_store_plan_new_edit(gg_store *store, int64_t parent, const char *note, const char *params, int64_t *id);

/* Makes plan from's grids, but those with the codes except[0..n), grids
 * of plan to as well (the plans share their stored rows). */
gg_status gg_store_share_grids_except(gg_store *store, int64_t from, int64_t to, const char *const *except, size_t n);

/* Inserts g into plan. */
gg_status gg_store_grid_insert(gg_store *store, int64_t plan, const gg_edit_grid *g);

/* How many grids of plan in the communities codes[0..n) are locked; the
 * first one's code into first (size bytes). */
gg_status gg_store_locked_grids(gg_store *store, int64_t plan, const char (*communities)[13], size_t n, int64_t *count,
                                char *first, size_t size);

/* Sets the lock of plan's grids with codes[0..n). */
gg_status gg_store_grids_lock(gg_store *store, int64_t plan, const char *const *codes, size_t n, int locked);

#endif
