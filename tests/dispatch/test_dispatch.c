/* Tests of src/dispatch: the dispatcher's pick (turns, part-time workers,
 * the leader standing in, duty hours), the roster check and the staffing
 * rules it reads. */
#include <string.h>
#include <time.h>

#include "harness.h"
#include "govgrid/dispatch.h"
#include "io/fixtures.h"

/* Workers take turns by their open assignments; a grid with no full-time
 * worker gives it to a part-time one, one with none to its leader; the
 * roster check holds each grid to the rule. */
static void workers_take_turns_and_leaders_stand_in(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_square_plan(ctx, "p.sqlite");
    gg_locator *loc = NULL;
    CHECK_INT(gg_locator_new(ctx, store, NULL, &loc), GG_OK);
    gg_dispatcher *d = NULL;
    CHECK_INT(gg_dispatcher_new(ctx, loc, &d), GG_OK);
    int32_t g1 = gg_locator_grid_by_code(loc, "1101080010011001");
    int32_t g2 = gg_locator_grid_by_code(loc, "1101080010011002");
    int32_t g3 = gg_locator_grid_by_code(loc, "1101080010011003");
    const gg_roster_person *leader = NULL;
    /* Two full-time workers in turn (the part-time one is not picked). */
    CHECK_STR(gg_dispatcher_pick(d, g1, &leader)->id, "F1");
    CHECK_STR(leader->id, "L1");
    CHECK_STR(gg_dispatcher_pick(d, g1, &leader)->id, "F2");
    CHECK_STR(gg_dispatcher_pick(d, g1, &leader)->id, "F1");
    /* No full-time worker: the part-time one. */
    CHECK_STR(gg_dispatcher_pick(d, g2, &leader)->id, "P2");
    /* No worker at all: NULL, and the leader to stand in. */
    CHECK(gg_dispatcher_pick(d, g3, &leader) == NULL);
    CHECK_STR(leader->id, "L3");
    /* Duty hours: at 15:00 on Monday 2026-12-07 (07:00 UTC) F1, on duty
     * mornings only, is passed over though it is F1's turn; with F2 off
     * duty too, nobody is picked and the leader takes it. */
    struct tm tm = {0};
    tm.tm_year = 2026 - 1900;
    tm.tm_mon = 11;
    tm.tm_mday = 7;
    tm.tm_hour = 7;
    CHECK_INT(gg_dispatcher_set_duty(d, "F1", "mon-fri 08:00-12:00"), GG_OK);
    gg_dispatcher_set_time(d, (int64_t)timegm(&tm), NULL);
    CHECK_STR(gg_dispatcher_pick(d, g1, &leader)->id, "F2");
    CHECK_INT(gg_dispatcher_set_duty(d, "F2", "sat 09:00-12:00"), GG_OK);
    CHECK(gg_dispatcher_pick(d, g1, &leader) == NULL);
    CHECK_STR(leader->id, "L1");
    /* Without a time duty hours are not judged: F1 again. */
    gg_dispatcher_set_time(d, 0, NULL);
    CHECK_STR(gg_dispatcher_pick(d, g1, &leader)->id, "F1");
    gg_dispatcher_free(d);
    gg_locator_free(loc);
    /* The roster check: 1002 and 1003 and 4001 fall short; X1 points at no grid. */
    gg_roster_report *rr = NULL;
    CHECK_INT(gg_roster_check(ctx, store, 0, &rr), GG_OK);
    if (rr) {
        CHECK_INT(rr->grids, 4);
        CHECK_INT(rr->grids_ok, 1); /* 1001: a leader, two full-time and one part-time worker, a volunteer */
        int unknown = 0, i1 = 0, i2 = 0, i3 = 0, i4 = 0;
        for (size_t i = 0; i < rr->n_issues; i++) {
            const gg_roster_issue *is = &rr->issues[i];
            unknown += strcmp(is->worker, "X1") == 0 && strstr(is->problem, "9999") != NULL;
            i1 += strcmp(is->grid, "1101080010011001") == 0;
            i2 += strcmp(is->grid, "1101080010011002") == 0 && strstr(is->problem, "1 grid worker") != NULL &&
                  strstr(is->problem, "no full-time") != NULL;
            i3 += strcmp(is->grid, "1101080010011003") == 0 && strstr(is->problem, "no grid worker") != NULL;
            i4 += strcmp(is->grid, "1101080010014001") == 0 && strstr(is->problem, "no leader") != NULL;
        }
        CHECK_INT(unknown, 1);
        CHECK_INT(i1, 0);
        CHECK_INT(i2, 1);
        CHECK_INT(i3, 1);
        CHECK_INT(i4, 1);
    }
    gg_roster_report_free(ctx, rr);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* Staffing rules are data: imported, read back, judged; bad sheets refused
 * by line. */
static void staffing_rules_are_data(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "rules.sqlite");
    gg_staffing_rule rules[2];
    CHECK_INT(gg_staffing_rules(ctx, store, rules), GG_OK);
    CHECK_STR(rules[0].class_name, "urban");
    CHECK_INT(rules[0].leaders * 100 + rules[0].workers * 10 + rules[0].fulltime, 121);
    CHECK(gg_staffing_short(&rules[0], 1, 1, 0, 5));
    CHECK(!gg_staffing_short(&rules[0], 1, 1, 1, 0));
    CHECK(gg_staffing_short(&rules[0], 1, 0, 2, 0));
    /* Danyang-like: rural grids of part-time workers; Shawan-like: one worker. */
    static const char sheet[] = "class,leaders,workers,fulltime,volunteers,note\n"
                                "urban,1,1,1,2,one worker per grid\n"
                                "rural,1,2,0,0,part-time workers\n";
    CHECK_INT(gg_staffing_rules_import(ctx, store, sheet, strlen(sheet), "rules.csv"), GG_OK);
    CHECK_INT(gg_staffing_rules(ctx, store, rules), GG_OK);
    CHECK_INT(rules[0].workers, 1);
    CHECK_INT(rules[0].volunteers, 2);
    CHECK_STR(rules[1].note, "part-time workers");
    CHECK(!gg_staffing_short(&rules[1], 1, 0, 2, 0));
    CHECK(gg_staffing_short(&rules[0], 1, 1, 0, 1));
    static const char bad[][160] = {
        "class,leaders,workers,fulltime,volunteers\nurban,1,2,1,0\n",
        "class,leaders,workers,fulltime,volunteers\n*,1,2,3,0\n",
        "class,leaders,workers,fulltime,volunteers\n*,1,2,1,0\nrural,1,1,0,0\n",
        "class,leaders,workers,fulltime,volunteers\ntown,1,2,1,0\n",
        "class,leaders,workers,fulltime,volunteers\n*,one,2,1,0\n",
        "class,leaders,workers\n*,1,2\n",
    };
    static const char *const said[] = {"no rule for rural", "line 2: 3 full-time workers asked of 2",
                                       "line 3: the rural rule is given twice", "line 2: class 'town'",
                                       "line 2: leaders 'one'", "no column 'fulltime'"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_INT(gg_staffing_rules_import(ctx, store, bad[i], strlen(bad[i]), "rules.csv"), GG_ERR_FORMAT);
        CHECK_CONTAINS(gg_ctx_errmsg(ctx), said[i]);
        gg_ctx_clear_error(ctx);
    }
    CHECK_INT(fx_scalar(store, "SELECT workers FROM staffing_rule WHERE class = 'urban'"), 1);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

TEST_LIST(T(workers_take_turns_and_leaders_stand_in), T(staffing_rules_are_data))
