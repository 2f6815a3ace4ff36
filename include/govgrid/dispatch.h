/*
 * govgrid dispatch: who takes an incident (派遣). The dispatcher picks a
 * grid's worker among those on duty, keeping the balance of open
 * assignments; the staffing rules (1+2+N by default) and the roster check
 * say whether a grid has the people the rule asks. The roster itself (who
 * works in which grid) is loaded with the locator (include/govgrid/locate.h).
 */
#ifndef GOVGRID_DISPATCH_H
#define GOVGRID_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "govgrid/core.h"
#include "govgrid/locate.h"
#include "govgrid/store.h"
#include "govgrid/worktime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- choosing the worker ---- */

/* Assignments handed out, per worker, so that each incident goes to the
 * grid's worker with the fewest open assignments (round robin when all are
 * even). Not thread-safe: one per dispatching thread, used in input order. */
typedef struct gg_dispatcher gg_dispatcher;

GG_API gg_status gg_dispatcher_new(gg_ctx *ctx, const gg_locator *loc, gg_dispatcher **out);
GG_API void gg_dispatcher_free(gg_dispatcher *d);

/* Counts n more open assignments for the worker with this id (unknown ids
 * are ignored). */
GG_API void gg_dispatcher_add_open(gg_dispatcher *d, const char *worker_id, int64_t n);

/* Duty hours (include/govgrid/worktime.h, gg_duty_on) of worker_id
 * (copied; NULL or "": always on duty). */
GG_API gg_status gg_dispatcher_set_duty(gg_dispatcher *d, const char *worker_id, const char *hours);
/* Judge duty hours at now on cal (borrowed, may be NULL); now 0: do not
 * judge them (every worker is on duty). */
GG_API void gg_dispatcher_set_time(gg_dispatcher *d, int64_t now, const gg_calendar *cal);
/* The worker for an incident in grid (NULL: the grid has no worker on
 * duty and the leader, if any, is to take it) and the leader as
 * escalation contact. */
GG_API const gg_roster_person *gg_dispatcher_pick(gg_dispatcher *d, int32_t grid, const gg_roster_person **leader);

/* Each worker's open incidents, so that a new dispatcher continues the
 * balance where the last one stopped. */
GG_API gg_status gg_dispatcher_load_open(gg_ctx *ctx, gg_store *store, gg_dispatcher *d);

/* The pick as the batch locator asks for it (gg_locate_batch_options.pick):
 * d is borrowed and must outlive the batch. */
GG_API gg_worker_pick gg_dispatcher_as_pick(gg_dispatcher *d);

/* ---- staffing rules ----
 *
 * The rule the roster check holds each grid to, per class of community
 * (urban: urban-rural class 1xx; rural: 2xx): at least so many leaders,
 * grid workers (full- and part-time), full-time workers and volunteers.
 * The default is 1+2+N: 1 leader, 2 workers of whom 1 full-time. */
typedef struct gg_staffing_rule {
    char class_name[8];         /* "urban" or "rural" */
    int leaders, workers, fulltime, volunteers;
    char note[64];
} gg_staffing_rule;

/* The project's rules: rules[0] urban, rules[1] rural. */
GG_API gg_status gg_staffing_rules(gg_ctx *ctx, gg_store *store, gg_staffing_rule rules[2]);
/* Replaces them by those of CSV text (header
 * class,leaders,workers,fulltime,volunteers[,note]; class urban, rural or
 * "*" for both; each class once; fulltime not above workers), in one
 * transaction. */
GG_API gg_status gg_staffing_rules_import(gg_ctx *ctx, gg_store *store, const char *text, size_t len,
                                          const char *name);
/* Whether a grid with these people falls short of rule. */
GG_API int gg_staffing_short(const gg_staffing_rule *rule, int leaders, int fulltime, int parttime,
                             int volunteers);

/* ---- the roster ---- */

typedef struct gg_roster_issue {
    char grid[24];              /* grid code, or "" for a worker-level issue */
    char worker[64];            /* worker id for a worker-level issue, else "" */
    char problem[160];
} gg_roster_issue;

typedef struct gg_roster_report {
    int64_t plan;
    int64_t grids, grids_ok, workers;
    gg_roster_issue *issues;
    size_t n_issues;
} gg_roster_report;

/* Checks every grid of a plan (0: the active plan) against the project's
 * staffing rule for its class (gg_staffing_rules; by default "1 leader +
 * at least 2 grid workers (one full-time) + N volunteers"), and every
 * worker's grid code against the plan. */
GG_API gg_status gg_roster_check(gg_ctx *ctx, gg_store *store, int64_t plan, gg_roster_report **out);
GG_API void gg_roster_report_free(gg_ctx *ctx, gg_roster_report *report);

#ifdef __cplusplus
}
#endif

#endif
