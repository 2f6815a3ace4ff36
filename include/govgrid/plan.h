/*
 * govgrid plan: plans as versions, publication, and the register of grid
 * codes.
 *
 * Every partition, import of grids, maintenance run and edit makes a new
 * plan, a draft, with its parent (the plan it was made from, if any), a
 * note, its parameters, who made it and when. Publishing a draft makes it
 * the active plan, the one locate, serve, report, map and export use
 * unless told otherwise, and supersedes the plan published before it. A
 * published or superseded plan never changes (the store's triggers refuse
 * it, whoever writes); drafts can be deleted.
 *
 * The code register records every code a publication issued: when, by
 * which plan, and which plan retired it. A code is issued once: a retired
 * code is never issued again, and a new grid takes a sequence never issued
 * in its community and type. Publishing also records each changed grid's
 * lineage: the grids of the superseded plan it overlaps, with the area
 * they share (a split grid's pieces each come from it; a merged grid comes
 * from each of its parts).
 */
#ifndef GOVGRID_PLAN_H
#define GOVGRID_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "govgrid/core.h"
#include "govgrid/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a publication did. */
typedef struct gg_publish_report {
    int64_t plan;               /* the plan published */
    int64_t superseded;         /* the plan it replaced, 0 when none was published */
    int64_t grids;
    int64_t codes_kept;         /* codes of the superseded plan it carries on */
    int64_t codes_reshaped;     /* of those, grids whose boundary changed */
    int64_t codes_issued;       /* codes new to the register */
    int64_t codes_retired;      /* codes of the superseded plan it does not carry */
    int64_t lineage;            /* lineage links recorded */
    char published[24];         /* ISO 8601 UTC */
    int index_written;          /* 1: the plan's locator index file was written (gg_locator_index_write) */
    char index_note[4608];      /* its path, or why it was not written (the publication stands: locate
                                   and serve then build the index in memory) */
} gg_publish_report;

/* Publishes a draft, in one transaction: the register issues its new codes
 * and retires those of the superseded plan it does not carry, and the
 * lineage of every grid that changed is recorded. Once committed, the
 * plan's locator index file is written (gg_locator_index_write); failing
 * to write it does not fail the publication (see index_written). Refused (nothing
 * written) when:
 *   - the plan does not exist (GG_ERR_NOT_FOUND) or has no grids;
 *   - it is already published (GG_ERR_EXISTS) or was superseded (a
 *     superseded plan is not published again: its retired codes would be
 *     issued twice; make a new plan from it);
 *   - it was made from a plan (its parent, or through drafts made from
 *     drafts, the first plan of that line that is not a draft) that is no
 *     longer the published one: another plan was published since, and this
 *     draft does not hold what that one changed (make it again from the
 *     published plan);
 *   - it carries a code that the register retired (named, with the plan
 *     that retired it).
 * The refusals other than NOT_FOUND and EXISTS are GG_ERR_INVALID_INPUT,
 * with the reason. out (may be NULL) receives what was done. */
GG_API gg_status gg_plan_publish(gg_ctx *ctx, gg_store *store, int64_t plan, gg_publish_report *out);

/* Deletes a draft and its grids, in one transaction. Refused for a
 * published or superseded plan and for a plan that others were made from
 * (they are named) with GG_ERR_INVALID_INPUT; GG_ERR_NOT_FOUND when there
 * is no such plan. */
GG_API gg_status gg_plan_delete(gg_ctx *ctx, gg_store *store, int64_t plan);

/* The active plan: the published one, or the newest when none is
 * published (*published then 0). GG_ERR_NOT_FOUND when there is no plan. */
GG_API gg_status gg_plan_active(gg_ctx *ctx, gg_store *store, int64_t *plan, int *published);

/* One code of the register. */
typedef struct gg_code_record {
    char code[24];
    char community[16];
    int type;                   /* the grid type digit */
    int64_t issued_by;          /* the plan whose publication issued it */
    char valid_from[24];        /* ISO 8601 UTC */
    int64_t retired_by;         /* 0 while the code is active */
    char valid_to[24];          /* "" while active */
} gg_code_record;

/* One lineage link: grid to_code of plan came from grid from_code of the
 * plan it superseded (the same code when a grid kept its code and changed
 * its boundary), sharing area_m2. */
typedef struct gg_code_link {
    int64_t plan;
    char from_code[24];
    char to_code[24];
    double area_m2;
} gg_code_link;

/* The register's records, by code: all of them (code NULL), or those whose
 * code or community starts with code. *records receives an array to free
 * with gg_codes_free (NULL when none). */
GG_API gg_status gg_codes_list(gg_ctx *ctx, gg_store *store, const char *code, gg_code_record **records,
                               size_t *n);
GG_API void gg_codes_free(gg_ctx *ctx, gg_code_record *records);

/* The lineage links from or to code, by plan; free with gg_code_links_free. */
GG_API gg_status gg_code_lineage(gg_ctx *ctx, gg_store *store, const char *code, gg_code_link **links,
                                 size_t *n);
GG_API void gg_code_links_free(gg_ctx *ctx, gg_code_link *links);

/* ---- edits ----
 * Each edit makes a new draft from plan (its parent, with origin "edit"),
 * in one transaction, and is refused with the reason, nothing written,
 * when it would break a rule: a grid lies in one community, is of one
 * type and in one piece. A grid's households out of its window is a
 * warning (the result's warning), not a refusal. */

typedef struct gg_edit_result {
    int64_t plan;               /* the new draft */
    int64_t grids_changed;      /* grids whose shape or lock changed (reshape, move: by a square metre or more;
                                   grids whose edge only moved by the noding's rounding are rewritten, not counted) */
    char code[24];              /* merge: the code the merged grid keeps */
    int64_t households;         /* merge: its households */
    int counted;                /* merge, split: 1 when the grid had a count (merge: every part); 0: its households are
                                   unknown (stored NULL), households the sum of those counted */
    char warning[256];          /* "" or what the edit leaves outside the rules' windows */
} gg_edit_result;

/* Merges the grids codes[0..n) (n >= 2) of plan into one: the grid with
 * the most households (then area, then the lower code) keeps its code and
 * name; the others' codes are retired when the draft is published. Refused
 * when they are of different communities or types, do not make one piece,
 * or one is locked. */
GG_API gg_status gg_plan_merge(gg_ctx *ctx, gg_store *store, int64_t plan, const char *const *codes, size_t n,
                               const char *note, gg_edit_result *out);

/* Splits grid code of plan along line_wkt (a LINESTRING or
 * MULTILINESTRING in EPSG:4326 lon/lat, crossing the grid from edge to
 * edge; snapped to the plans' 1e-7 degree grid): the piece with the most
 * households (then area) keeps the code and name, the others take
 * sequences never issued in the community. The neighbours take the new
 * vertices where the line meets the grid's edge, so that the coverage
 * stays exact; households are counted by locate's rule, the neighbours'
 * counts moving by what an edge point changes. Refused when the line does
 * not cut the grid, the grid is in pieces or locked, or a piece would be
 * invalid. */
GG_API gg_status gg_plan_split(gg_ctx *ctx, gg_store *store, int64_t plan, const char *code, const char *line_wkt,
                               const char *note, gg_edit_result *out);

/* Gives grid code of plan the shape polygon_wkt (a POLYGON or
 * MULTIPOLYGON in EPSG:4326 lon/lat, snapped to the plans' 1e-7 degree
 * grid; what lies outside the grid's community is left out, with a
 * warning): the community's grids it overlaps give up what it takes, and
 * what it gives up goes to the neighbour each piece shares the longest
 * boundary with, so that nothing overlaps and nothing is left uncovered.
 * Every grid keeps its code. Households move by locate's rule over the
 * household points. Refused when the shape changes nothing, would leave a
 * piece uncovered, take all of a grid (merge instead), cut a grid into
 * more pieces, or change a locked grid. */
GG_API gg_status gg_plan_reshape(gg_ctx *ctx, gg_store *store, int64_t plan, const char *code,
                                 const char *polygon_wkt, const char *note, gg_edit_result *out);

/* Moves the piece polygon_wkt (as for gg_plan_reshape) of the grids of
 * to_code's community to grid to_code: gg_plan_reshape of to_code to its
 * own shape and the piece together. Refused as reshape is, and when the
 * piece takes nothing from other grids. */
GG_API gg_status gg_plan_move(gg_ctx *ctx, gg_store *store, int64_t plan, const char *to_code,
                              const char *polygon_wkt, const char *note, gg_edit_result *out);

/* A street block of a grid: a part of the grid's polygon between the roads
 * and waterways that cross it (those a partition follows), the piece a
 * planner moves to a neighbour. */
typedef struct gg_grid_block {
    char id[48];                /* "CODE/k": k from 1, north to south then west to east */
    double x, y;                /* a point inside, lon/lat */
    double area_m2;
    int64_t households, persons; /* of the household points it covers (locate's rule on its edges) */
    char *wkt;                  /* its POLYGON, lon/lat, on the plans' 1e-7 degree grid; owned */
    char *geojson;              /* the same as a GeoJSON geometry object; owned */
    char (*touches)[24];        /* the grids of its community it shares an edge with (those that
                                   can take it), by code; owned */
    size_t n_touches;
} gg_grid_block;

/* The blocks of grid code of plan (0: the active plan) into *out (*n of
 * them, at least one: a grid no line crosses is one block; faces under
 * 1 m² are none), to free with gg_grid_blocks_free. The same plan and
 * linework give the same blocks and numbers. GG_ERR_NOT_FOUND for a grid
 * the plan lacks. */
GG_API gg_status gg_plan_grid_blocks(gg_ctx *ctx, gg_store *store, int64_t plan, const char *code,
                                     gg_grid_block **out, size_t *n);
GG_API void gg_grid_blocks_free(gg_ctx *ctx, gg_grid_block *blocks, size_t n);

/* The polygon (WKT, malloc'd through ctx: gg_free) of block block_id
 * ("CODE/k") of plan. GG_ERR_ARG for an id not of that form,
 * GG_ERR_NOT_FOUND for a grid or block the plan lacks. */
GG_API gg_status gg_plan_block_polygon(gg_ctx *ctx, gg_store *store, int64_t plan, const char *block_id,
                                       char **wkt);

/* gg_plan_move of block block_id of plan to grid to_code (a neighbour the
 * block touches). */
GG_API gg_status gg_plan_move_block(gg_ctx *ctx, gg_store *store, int64_t plan, const char *to_code,
                                    const char *block_id, const char *note, gg_edit_result *out);

/* Locks (locked 1) or unlocks the grids codes[0..n) of plan: maintenance
 * leaves a locked grid as it is, and merges refuse it. */
GG_API gg_status gg_plan_lock(gg_ctx *ctx, gg_store *store, int64_t plan, const char *const *codes, size_t n,
                              int locked, const char *note, gg_edit_result *out);

/* ---- edits by kind, saved or tried ----
 * One entry for every edit, for callers that take the edit as data (the
 * HTTP service): the kind says which of the functions above it is, and a
 * dry run does the edit in its transaction, reports it and rolls it back,
 * so that a planner sees the counts and the rule checks before saving.
 * Kinds are added at the end. */

typedef enum gg_edit_kind {
    GG_EDIT_MERGE = 1,          /* codes (n >= 2): gg_plan_merge */
    GG_EDIT_SPLIT,              /* codes[0] along line_wkt: gg_plan_split */
    GG_EDIT_LOCK,               /* codes: gg_plan_lock(..., 1, ...) */
    GG_EDIT_UNLOCK,             /* codes: gg_plan_lock(..., 0, ...) */
    GG_EDIT_RESHAPE,            /* codes[0] to polygon_wkt: gg_plan_reshape */
    GG_EDIT_MOVE                /* the piece polygon_wkt to codes[0]: gg_plan_move */
} gg_edit_kind;

/* "merge", "split", "lock", "unlock", "reshape", "move"; "" for a kind
 * this library lacks. */
GG_API const char *gg_edit_kind_name(gg_edit_kind kind);
/* The kind named name into *kind: GG_OK, or GG_ERR_ARG naming the kinds
 * this library has. */
GG_API gg_status gg_edit_kind_parse(gg_ctx *ctx, const char *name, gg_edit_kind *kind);

typedef struct gg_edit_request {
    gg_edit_kind kind;
    const char *const *codes;   /* borrowed: the grids the edit names */
    size_t n;
    const char *line_wkt;       /* split: as gg_plan_split's; NULL otherwise */
    const char *note;           /* may be NULL */
    int dry_run;                /* 1: done, reported and rolled back; nothing written */
    const char *polygon_wkt;    /* reshape, move: as gg_plan_reshape's; NULL otherwise */
    const char *block;          /* move: a block ("CODE/k", gg_plan_grid_blocks) instead of
                                   polygon_wkt; NULL otherwise */
} gg_edit_request;

/* One grid the edit changed, as the new draft holds it (or, retired, as
 * the parent held it). */
typedef struct gg_edited_grid {
    char code[24];
    char community[16];
    char change[12];            /* "added", "reshaped" (a piece, or a neighbour
                                   taking a vertex), "recounted", "locked", "unlocked",
                                   "retired" */
    int64_t households, persons;
    int counted;                /* 0: households unknown (stored NULL) */
    double area_m2;
    char flags[128];            /* as the grid stores them (over_max, under_min, ...) */
    int locked;
} gg_edited_grid;

/* Does req on plan, in one transaction, as the function its kind names
 * (same refusals and statuses). out (may be NULL) receives the result;
 * with a dry run out->plan is the id the draft would have had, and nothing
 * is written. *grids (may be NULL with n) receives the grids whose
 * boundary, count or lock differ from plan's and the codes retired, by
 * code, to free with gg_edited_grids_free. GG_ERR_ARG for a kind this
 * library lacks. */
GG_API gg_status gg_plan_edit(gg_ctx *ctx, gg_store *store, int64_t plan, const gg_edit_request *req,
                              gg_edit_result *out, gg_edited_grid **grids, size_t *n);
GG_API void gg_edited_grids_free(gg_ctx *ctx, gg_edited_grid *grids);

/* ---- the difference between two plans ---- */

typedef enum gg_grid_change_kind {
    GG_GRID_UNCHANGED = 0,      /* the same code and the same boundary in both */
    GG_GRID_RESHAPED,           /* the same code, another boundary */
    GG_GRID_ADDED,              /* a code of b only */
    GG_GRID_RETIRED             /* a code of a only */
} gg_grid_change_kind;

/* "unchanged", "reshaped", "added", "retired". */
GG_API const char *gg_grid_change_name(gg_grid_change_kind kind);

/* One grid code of either plan. */
typedef struct gg_grid_change {
    char code[24];
    char community[16];
    gg_grid_change_kind kind;
    double area_a_m2, area_b_m2;   /* 0 where the plan has no such grid */
    int64_t households_a, households_b; /* the household points each plan's grid holds, by locate's rule */
} gg_grid_change;

/* Households that were in grid from_code of plan a and are in grid to_code
 * of plan b ("" for no grid: a point outside every grid of that plan). The
 * table holds every pair with households, those that stay in the same code
 * included, so that its sum is every household of the project's points. */
typedef struct gg_household_move {
    char from_code[24];
    char to_code[24];
    int64_t points, households, persons;
} gg_household_move;

/* One community's part of the difference (by the community of the grid in
 * b, or in a for a retired one). */
typedef struct gg_community_change {
    char community[16];
    int64_t grids_a, grids_b;
    int64_t unchanged, reshaped, added, retired;
    int64_t households;         /* of its grids in a */
    int64_t households_moved;   /* of those, in a grid of another code in b (or in none) */
} gg_community_change;

typedef struct gg_plan_diff {
    int64_t a, b;
    gg_grid_change *grids;      /* by code */
    size_t n_grids;
    gg_household_move *moves;   /* by from_code, then to_code */
    size_t n_moves;
    gg_community_change *communities; /* by code */
    size_t n_communities;
    int64_t unchanged, reshaped, added, retired;
    int64_t points, households, persons; /* every household point of the project */
    int64_t households_moved;   /* households whose grid code differs between a and b */
    int64_t households_outside_a, households_outside_b;
} gg_plan_diff;

/* Compares plan a with plan b: which codes were added, retired, reshaped
 * and kept as they were, and where every household point of the project
 * goes (each point located in both plans by locate's rule). *out receives
 * the difference, to free with gg_plan_diff_free. GG_ERR_NOT_FOUND for a
 * plan that does not exist. */
GG_API gg_status gg_plan_diff_get(gg_ctx *ctx, gg_store *store, int64_t a, int64_t b, gg_plan_diff **out);
GG_API void gg_plan_diff_free(gg_ctx *ctx, gg_plan_diff *diff);

/* What gg_plan_diff_json writes: the whole difference (0), only what
 * changed (grids that changed, households that change grid, areas to a
 * tenth of a square metre: what a map client wants), or the counts and
 * the communities alone. */
enum { GG_DIFF_JSON_ALL = 0, GG_DIFF_JSON_CHANGES = 1, GG_DIFF_JSON_SUMMARY = 2 };

/* The difference as one JSON object (a, b, grids, households, then, but
 * for GG_DIFF_JSON_SUMMARY, grid_changes and moves, and communities),
 * compact, into *json (free with gg_text_free). The shape `govgrid diff
 * --json`, its summary.json and GET /v1/plans/{A}/diff/{B} share. */
GG_API gg_status gg_plan_diff_json(gg_ctx *ctx, const gg_plan_diff *diff, int what, char **json);

#ifdef __cplusplus
}
#endif
#endif
