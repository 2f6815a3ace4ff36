/* Tests of src/plan: plans as versions (publish, supersede, delete, the
 * active plan), the code register and the lineage of changed grids, on the
 * four 0.01-degree squares at 116E 40N and on Monaco. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo.h>
#include <gdal.h>
#include <jansson.h>
#include <ogr_api.h>

#include "harness.h"
#include "govgrid/govgrid.h"
#include "geo/shapes.h"
#include "io/fixtures.h"
#include "store/plan.h"
#include "store/store.h"

#define SQUARE(name) GG_TEST_DATA_DIR "/../tests/cli/data/" name

#define C1001 "1101080010011001"
#define C1002 "1101080010011002"
#define C1003 "1101080010011003"
#define C4001 "1101080010014001"
#define SQ(x0, y0, x1, y1) "\"POLYGON((" #x0 " " #y0 "," #x1 " " #y0 "," #x1 " " #y1 "," #x0 " " #y1 "," #x0 " " #y0 "))\""

/* A grids CSV in the test's directory. */
static const char *grids_csv(const char *name, const char *rows)
{
    const char *path = gg_test_path(name);
    char text[4096];
    snprintf(text, sizeof text, "code,type,community,wkt\n%s", rows);
    gg_test_write_file(path, text);
    return path;
}

static int64_t import_plan(gg_ctx *ctx, gg_store *store, const char *csv)
{
    gg_import_report *r = NULL;
    CHECK_INT(fx_import(ctx, store, GG_LAYER_GRIDS, csv, NULL, NULL, 0, &r), GG_OK);
    int64_t plan = r ? r->plan : 0;
    gg_import_report_free(ctx, r);
    return plan;
}

static int64_t active(gg_ctx *ctx, gg_store *store)
{
    int64_t plan = 0;
    CHECK_INT(gg_plan_active(ctx, store, &plan, NULL), GG_OK);
    return plan;
}

/* The squares, then 1001 and 1002 merged into 1001 (1002 retired), then a
 * draft that gives the merged grid's east half back the retired code. */
static void publish_issues_retires_and_records_lineage(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "p.sqlite");
    gg_store_set_actor(store, "planner");
    int64_t p1 = import_plan(ctx, store, SQUARE("square_grids.csv"));
    int64_t p2 = import_plan(ctx, store,
                             grids_csv("merged.csv", C1001 ",1,110108001001," SQ(116, 40, 116.02, 40.01) "\n" C1003
                                                     ",1,110108001001," SQ(116, 40.01, 116.01, 40.02) "\n" C4001
                                                     ",4,110108001001," SQ(116.01, 40.01, 116.02, 40.02) "\n"));
    CHECK(p1 > 0 && p2 == p1 + 1);
    /* No plan published: the newest is active. */
    CHECK_INT(active(ctx, store), p2);

    gg_publish_report r;
    CHECK_INT(gg_plan_publish(ctx, store, p1, &r), GG_OK);
    CHECK_INT(r.superseded, 0);
    CHECK_INT(r.codes_issued, 4);
    CHECK_INT(r.codes_retired, 0);
    CHECK_INT(active(ctx, store), p1);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM plan WHERE state = 'published' AND published_by = 'planner'"), 1);
    CHECK_INT(gg_plan_publish(ctx, store, p1, NULL), GG_ERR_EXISTS);
    gg_ctx_clear_error(ctx);

    CHECK_INT(gg_plan_publish(ctx, store, p2, &r), GG_OK);
    CHECK_INT(r.superseded, p1);
    CHECK_INT(r.codes_kept, 3);
    CHECK_INT(r.codes_reshaped, 1);
    CHECK_INT(r.codes_issued, 0);
    CHECK_INT(r.codes_retired, 1);
    CHECK_INT(r.lineage, 2);
    CHECK_INT(active(ctx, store), p2);

    gg_code_record *codes = NULL;
    size_t n = 0;
    CHECK_INT(gg_codes_list(ctx, store, C1002, &codes, &n), GG_OK);
    CHECK_INT((int64_t)n, 1);
    if (n == 1) {
        CHECK_INT(codes[0].issued_by, p1);
        CHECK_INT(codes[0].retired_by, p2);
        CHECK(codes[0].valid_to[0] != '\0');
    }
    gg_codes_free(ctx, codes);
    CHECK_INT(gg_codes_list(ctx, store, "110108001001", &codes, &n), GG_OK);
    CHECK_INT((int64_t)n, 4);
    gg_codes_free(ctx, codes);

    /* 1002 went into 1001, and 1001 into itself: each a whole square. */
    gg_code_link *links = NULL;
    CHECK_INT(gg_code_lineage(ctx, store, C1002, &links, &n), GG_OK);
    CHECK_INT((int64_t)n, 1);
    if (n == 1) {
        CHECK_STR(links[0].from_code, C1002);
        CHECK_STR(links[0].to_code, C1001);
        CHECK_INT(links[0].plan, p2);
        /* 0.01 x 0.01 degrees at 40.005N: 853.9 m x 1,110.5 m (WGS 84). */
        CHECK(fabs(links[0].area_m2 - 948300.0) < 2000.0);
    }
    gg_code_links_free(ctx, links);
    CHECK_INT(gg_code_lineage(ctx, store, C1001, &links, &n), GG_OK);
    CHECK_INT((int64_t)n, 2);
    gg_code_links_free(ctx, links);

    /* The retired code again: refused, named, nothing written. */
    int64_t p3 = import_plan(ctx, store,
                             grids_csv("again.csv", C1001 ",1,110108001001," SQ(116, 40, 116.01, 40.01) "\n" C1002
                                                    ",1,110108001001," SQ(116.01, 40, 116.02, 40.01) "\n" C1003
                                                    ",1,110108001001," SQ(116, 40.01, 116.01, 40.02) "\n" C4001
                                                    ",4,110108001001," SQ(116.01, 40.01, 116.02, 40.02) "\n"));
    int64_t register_rows = fx_scalar(store, "SELECT count(*) FROM grid_code");
    CHECK_INT(gg_plan_publish(ctx, store, p3, NULL), GG_ERR_INVALID_INPUT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), C1002 " (retired by plan 2");
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "never issued again");
    gg_ctx_clear_error(ctx);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid_code"), register_rows);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid_code WHERE retired_by IS NULL"), 3);
    CHECK_INT(active(ctx, store), p2);
    char state[16];
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT state FROM plan WHERE id = %lld", (long long)p3);
    CHECK_STR(fx_scalar_text(store, sql, state, sizeof state), "draft");

    /* A superseded plan is not published again. */
    CHECK_INT(gg_plan_publish(ctx, store, p1, NULL), GG_ERR_INVALID_INPUT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "superseded by plan 2");
    gg_ctx_clear_error(ctx);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* Published and superseded plans and their grids never change, whoever
 * writes; drafts can be deleted unless others were made from them. */
static void published_plans_are_kept(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "p.sqlite");
    int64_t p1 = import_plan(ctx, store, SQUARE("square_grids.csv"));
    int64_t p2 = import_plan(ctx, store, SQUARE("square_grids.csv"));
    CHECK_INT(gg_plan_publish(ctx, store, p1, NULL), GG_OK);
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE grid SET name = 'x' WHERE plan = %lld", (long long)p1);
    CHECK_INT(gg_store_exec(store, sql), GG_ERR_STORE);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "cannot change");
    gg_ctx_clear_error(ctx);
    snprintf(sql, sizeof sql, "DELETE FROM grid WHERE plan = %lld", (long long)p1);
    CHECK_INT(gg_store_exec(store, sql), GG_ERR_STORE);
    gg_ctx_clear_error(ctx);
    snprintf(sql, sizeof sql, "UPDATE grid SET plan = %lld WHERE plan = %lld", (long long)p1, (long long)p2);
    CHECK_INT(gg_store_exec(store, sql), GG_ERR_STORE);
    gg_ctx_clear_error(ctx);
    snprintf(sql, sizeof sql, "UPDATE plan SET note = 'changed' WHERE id = %lld", (long long)p1);
    CHECK_INT(gg_store_exec(store, sql), GG_ERR_STORE);
    gg_ctx_clear_error(ctx);
    snprintf(sql, sizeof sql, "UPDATE plan SET state = 'draft' WHERE id = %lld", (long long)p1);
    CHECK_INT(gg_store_exec(store, sql), GG_ERR_STORE);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "never back");
    gg_ctx_clear_error(ctx);
    CHECK_INT(gg_plan_delete(ctx, store, p1), GG_ERR_INVALID_INPUT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "only drafts can be deleted");
    gg_ctx_clear_error(ctx);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM grid WHERE plan = %lld", (long long)p1);
    CHECK_INT(fx_scalar(store, sql), 4);

    /* A draft's grids can change; a draft another was made from is kept
     * until that one goes. */
    snprintf(sql, sizeof sql, "UPDATE grid SET name = 'x' WHERE plan = %lld", (long long)p2);
    CHECK_INT(gg_store_exec(store, sql), GG_OK);
    snprintf(sql, sizeof sql,
             "INSERT INTO plan(parent, created, source) VALUES (%lld, '2026-12-07T00:00:00Z', 'edit')",
             (long long)p2);
    CHECK_INT(gg_store_exec(store, sql), GG_OK);
    int64_t p3 = p2 + 1;
    CHECK_INT(gg_plan_delete(ctx, store, p2), GG_ERR_INVALID_INPUT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "plan 3 was made from plan 2");
    gg_ctx_clear_error(ctx);
    CHECK_INT(gg_plan_delete(ctx, store, p3), GG_OK);
    CHECK_INT(gg_plan_delete(ctx, store, p2), GG_OK);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM grid WHERE plan = %lld", (long long)p2);
    CHECK_INT(fx_scalar(store, sql), 0);
    CHECK_INT(gg_plan_delete(ctx, store, p2), GG_ERR_NOT_FOUND);
    gg_ctx_clear_error(ctx);
    /* Empty drafts are not published. */
    CHECK_INT(gg_store_exec(store, "INSERT INTO plan(created, source) VALUES ('2026-12-07T00:00:00Z', 'edit')"),
              GG_OK);
    CHECK_INT(gg_plan_publish(ctx, store, fx_scalar(store, "SELECT max(id) FROM plan"), NULL), GG_ERR_INVALID_INPUT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "has no grids");
    gg_ctx_clear_error(ctx);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* A draft made from a plan that is no longer the published one does not
 * hold what was published since: refused. */
static void stale_drafts_are_refused(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "p.sqlite");
    int64_t p1 = import_plan(ctx, store, SQUARE("square_grids.csv"));
    CHECK_INT(gg_plan_publish(ctx, store, p1, NULL), GG_OK);
    char sql[512];
    for (int i = 0; i < 2; i++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO plan(parent, created, source) VALUES (%lld, '2026-12-07T00:00:00Z', 'edit');"
                 "INSERT INTO grid(plan, code, type, community, geom) SELECT (SELECT max(id) FROM plan), code,"
                 " type, community, geom FROM grid WHERE plan = %lld",
                 (long long)p1, (long long)p1);
        CHECK_INT(gg_store_exec(store, sql), GG_OK);
    }
    gg_publish_report r;
    CHECK_INT(gg_plan_publish(ctx, store, p1 + 1, &r), GG_OK);
    CHECK_INT(r.codes_kept, 4);
    CHECK_INT(r.codes_reshaped, 0);
    CHECK_INT(r.lineage, 0);
    CHECK_INT(gg_plan_publish(ctx, store, p1 + 2, NULL), GG_ERR_INVALID_INPUT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "was made from plan 1, but plan 2 has been published since");
    gg_ctx_clear_error(ctx);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static int64_t partition(gg_ctx *ctx, gg_store *store, int64_t from, const char *const *communities, size_t n,
                         int urban_min, int urban_max)
{
    gg_partition_options opts;
    gg_partition_options_init(&opts);
    opts.jobs = 1;
    opts.from = from;
    opts.communities = communities;
    opts.n_communities = n;
    opts.urban_min = urban_min;
    opts.urban_max = urban_max;
    gg_partition_report *r = NULL;
    CHECK_INT(gg_partition(ctx, store, &opts, &r), GG_OK);
    int64_t plan = r ? r->plan : 0;
    gg_partition_report_free(ctx, r);
    return plan;
}

/* Monaco's project with plan 1 partitioned and published, made once per
 * run and copied for each test that needs it (the import and partition are
 * most of these tests' time, the more so under the sanitizers). */
static char monaco_template[4096];

static void remove_template(void)
{
    if (monaco_template[0] != '\0')
        remove(monaco_template);
}

/* The errors govgrid check finds in plan (-1 when it cannot run). */
static int64_t check_errors(gg_ctx *ctx, gg_store *store, int64_t plan)
{
    gg_check_options co;
    gg_check_options_init(&co);
    co.plan = plan;
    gg_check_report *cr = NULL;
    CHECK_INT(gg_plan_check(ctx, store, &co, &cr), GG_OK);
    int64_t errors = cr ? cr->errors : -1;
    gg_check_report_free(ctx, cr);
    return errors;
}

static gg_store *monaco_published(gg_ctx *ctx, const char *name)
{
    if (monaco_template[0] == '\0') {
        const char *dir = getenv("TMPDIR");
        snprintf(monaco_template, sizeof monaco_template, "%s/gg-plan-monaco-%ld.sqlite", dir ? dir : "/tmp",
                 (long)getpid());
        gg_ctx *tctx = fx_ctx();
        gg_store *t = fx_sample_project(tctx, "monaco", "monaco-template.sqlite");
        CHECK_INT(partition(tctx, t, 0, NULL, 0, 0, 0), 1);
        CHECK_INT(gg_plan_publish(tctx, t, 1, NULL), GG_OK);
        char from[4096];
        snprintf(from, sizeof from, "%s", t->path);
        gg_store_close(t);
        gg_ctx_free(tctx);
        CHECK(gg_test_copy_file(from, monaco_template));
        atexit(remove_template);
    }
    const char *path = gg_test_path(name);
    CHECK(gg_test_copy_file(monaco_template, path));
    gg_store *store = NULL;
    CHECK_INT(gg_store_open(ctx, path, 1, &store), GG_OK);
    return store;
}

/* A partition after a publication numbers its grids after every sequence
 * the register issued in each community: no code of the superseded plan
 * comes back for another grid. */
static void partition_numbers_after_the_register(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = monaco_published(ctx, "monaco.sqlite");
    gg_partition_options opts;
    gg_partition_options_init(&opts);
    opts.jobs = 1;
    gg_partition_report *r = NULL;
    CHECK_INT(gg_partition(ctx, store, &opts, &r), GG_OK);
    int64_t p2 = r ? r->plan : 0;
    gg_partition_report_free(ctx, r);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM grid g JOIN grid_code c ON c.code = g.code WHERE g.plan = %lld", (long long)p2);
    CHECK_INT(fx_scalar(store, sql), 0);
    /* Each community's new sequence follows its highest: one issued code
     * per community and type numbered n gives n + 1 first. */
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM grid g WHERE g.plan = %lld AND CAST(substr(g.code, 14) AS INTEGER) = 1 +"
             " (SELECT max(CAST(substr(c.code, 14) AS INTEGER)) FROM grid_code c WHERE c.community = g.community"
             "  AND c.type = g.type)",
             (long long)p2);
    CHECK(fx_scalar(store, sql) >= 12);
    gg_publish_report pr;
    CHECK_INT(gg_plan_publish(ctx, store, p2, &pr), GG_OK);
    CHECK_INT(pr.codes_kept, 0);
    CHECK_INT(pr.codes_retired, fx_scalar(store, "SELECT count(*) FROM grid_code WHERE retired_by IS NOT NULL"));
    CHECK(pr.lineage >= pr.grids);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* The transition table accounts for every household: its sum is the
 * project's households, and each grid's households in either plan are
 * what the plan stores for it (counted by the same rule). */
static void check_diff_accounts_as(gg_store *store, const gg_plan_diff *d, int a_counted_now)
{
    int64_t sum = 0, in_a = 0, in_b = 0;
    for (size_t i = 0; i < d->n_moves; i++) {
        sum += d->moves[i].households;
        if (d->moves[i].from_code[0])
            in_a += d->moves[i].households;
        if (d->moves[i].to_code[0])
            in_b += d->moves[i].households;
    }
    CHECK_INT(sum, fx_scalar(store, "SELECT sum(count) FROM household"));
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT sum(households) FROM grid WHERE plan = %lld", (long long)d->a);
    if (a_counted_now)
        CHECK_INT(in_a, fx_scalar(store, sql));
    snprintf(sql, sizeof sql, "SELECT sum(households) FROM grid WHERE plan = %lld", (long long)d->b);
    CHECK_INT(in_b, fx_scalar(store, sql));
    for (size_t i = 0; i < d->n_grids; i++) {
        const gg_grid_change *g = &d->grids[i];
        if (g->kind == GG_GRID_RETIRED)
            continue;
        snprintf(sql, sizeof sql, "SELECT households FROM grid WHERE plan = %lld AND code = '%s'", (long long)d->b,
                 g->code);
        CHECK_INT(g->households_b, fx_scalar(store, sql));
    }
}

static void check_diff_accounts(gg_store *store, const gg_plan_diff *d)
{
    check_diff_accounts_as(store, d, 1);
}

/* partition --from: the same inputs give the same grids under the same
 * codes; a community partitioned again with another window keeps the codes
 * of the grids that kept most of what they were, takes new codes for the
 * others, and the other communities are carried over as they were. */
static void partition_from_keeps_codes(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = monaco_published(ctx, "monaco.sqlite");
    int64_t p1 = 1;

    int64_t p2 = partition(ctx, store, p1, NULL, 0, 0, 0);
    gg_plan_diff *d = NULL;
    CHECK_INT(gg_plan_diff_get(ctx, store, p1, p2, &d), GG_OK);
    if (d != NULL) {
        CHECK_INT(d->unchanged, fx_scalar(store, "SELECT count(*) FROM grid WHERE plan = 1"));
        CHECK_INT(d->reshaped + d->added + d->retired, 0);
        CHECK_INT(d->households_moved, 0);
        check_diff_accounts(store, d);
    }
    gg_plan_diff_free(ctx, d);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT parent FROM plan WHERE id = %lld", (long long)p2);
    CHECK_INT(fx_scalar(store, sql), p1);

    static const char *const one[] = {"980100001008"};
    int64_t p3 = partition(ctx, store, p1, one, 1, 250, 450);
    CHECK_INT(gg_plan_diff_get(ctx, store, p1, p3, &d), GG_OK);
    if (d != NULL) {
        check_diff_accounts(store, d);
        int64_t elsewhere = 0;
        for (size_t i = 0; i < d->n_communities; i++) {
            const gg_community_change *c = &d->communities[i];
            if (strcmp(c->community, "980100001008") == 0) {
                CHECK(c->reshaped + c->unchanged > 0);  /* codes kept */
                CHECK(c->added > 0 || c->retired > 0);  /* and the grids did change */
                CHECK(c->households_moved > 0 && c->households_moved < c->households / 2);
            } else {
                CHECK_INT(c->unchanged, c->grids_a);
                CHECK_INT(c->grids_b, c->grids_a);
                CHECK_INT(c->households_moved, 0);
                elsewhere += c->grids_a;
            }
        }
        CHECK(elsewhere > 90);
        /* What moved is what the re-partitioned community holds. */
        CHECK(d->households_moved * 10 < d->households);
        /* As JSON: the whole of it, what changed (a map client's), and
         * the summary; each read back and counted against the struct. */
        char *text = NULL;
        json_error_t err;
        CHECK_INT(gg_plan_diff_json(ctx, d, GG_DIFF_JSON_ALL, &text), GG_OK);
        json_t *all = text ? json_loads(text, 0, &err) : NULL;
        gg_text_free(ctx, text);
        CHECK_INT((int64_t)json_array_size(json_object_get(all, "grid_changes")), (int64_t)d->n_grids);
        CHECK_INT((int64_t)json_array_size(json_object_get(all, "moves")), (int64_t)d->n_moves);
        CHECK_INT(json_integer_value(json_object_get(json_object_get(all, "households"), "moved")),
                  d->households_moved);
        json_decref(all);
        CHECK_INT(gg_plan_diff_json(ctx, d, GG_DIFF_JSON_CHANGES, &text), GG_OK);
        json_t *changes = text ? json_loads(text, 0, &err) : NULL;
        gg_text_free(ctx, text);
        size_t moving = 0, i;
        json_t *g;
        for (size_t k = 0; k < d->n_moves; k++)
            moving += strcmp(d->moves[k].from_code, d->moves[k].to_code) != 0;
        CHECK_INT((int64_t)json_array_size(json_object_get(changes, "grid_changes")),
                  (int64_t)d->n_grids - d->unchanged);
        CHECK_INT((int64_t)json_array_size(json_object_get(changes, "moves")), (int64_t)moving);
        json_array_foreach(json_object_get(changes, "grid_changes"), i, g)
        {
            CHECK(strcmp(json_string_value(json_object_get(g, "change")), "unchanged") != 0);
            double area = json_real_value(json_object_get(g, "area_b_m2"));
            CHECK(fabs(area * 10 - round(area * 10)) < 1e-6);
        }
        json_decref(changes);
        CHECK_INT(gg_plan_diff_json(ctx, d, GG_DIFF_JSON_SUMMARY, &text), GG_OK);
        json_t *summary = text ? json_loads(text, 0, &err) : NULL;
        gg_text_free(ctx, text);
        CHECK(json_object_get(summary, "grid_changes") == NULL && json_object_get(summary, "moves") == NULL);
        CHECK_INT((int64_t)json_array_size(json_object_get(summary, "communities")), (int64_t)d->n_communities);
        json_decref(summary);
    }
    gg_plan_diff_free(ctx, d);
    /* Its new codes were never issued; publishing it keeps the others. */
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM grid g JOIN grid_code c ON c.code = g.code AND c.retired_by IS NOT NULL"
             " WHERE g.plan = %lld",
             (long long)p3);
    CHECK_INT(fx_scalar(store, sql), 0);
    gg_publish_report r;
    CHECK_INT(gg_plan_publish(ctx, store, p3, &r), GG_OK);
    CHECK(r.codes_kept > 100);
    CHECK(r.codes_issued > 0 || r.codes_retired > 0);
    CHECK(r.lineage > 0);
    /* p2, made from p1, is stale now. */
    CHECK_INT(gg_plan_publish(ctx, store, p2, NULL), GG_ERR_INVALID_INPUT);
    gg_ctx_clear_error(ctx);
    /* A plan that does not exist is named. */
    gg_partition_options opts;
    gg_partition_options_init(&opts);
    opts.from = 99;
    gg_partition_report *pr = NULL;
    CHECK_INT(gg_partition(ctx, store, &opts, &pr), GG_ERR_NOT_FOUND);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "no plan 99");
    gg_partition_report_free(ctx, pr);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* 20 rounds of partition --from on random communities with random
 * windows, each published: no code is ever issued twice. After each
 * publication every code of the published plan is active in the
 * register, every retired code is in no later plan, and the register
 * holds exactly the codes the published plans carried. */
/* One random edit of plan from in one of communities[0..n): a merge of
 * two neighbours, a split across a grid's middle, a grid grown by about
 * 10 m (reshape) or a neighbour's strip moved to it; 0 when the edit was
 * refused (a rule it would break: the caller partitions instead). */
static int64_t random_edit(gg_ctx *ctx, gg_store *store, int64_t from, const char *community, unsigned *seed)
{
    static char sql[1 << 16], wkt[1 << 16];
    char pair[64] = "", a[24] = "", b[24] = "";
    snprintf(sql, sizeof sql,
             "SELECT g.code || ' ' || n.code FROM grid g, grid n WHERE g.plan = %lld AND n.plan = g.plan"
             " AND g.community = '%s' AND n.community = g.community AND g.type = n.type AND g.code < n.code"
             " AND NOT g.locked AND NOT n.locked AND NumGeometries(g.geom) = 1 AND NumGeometries(n.geom) = 1"
             " AND Length(Intersection(g.geom, n.geom)) > 0 ORDER BY Length(Intersection(g.geom, n.geom)) DESC"
             " LIMIT 1 OFFSET %u",
             (long long)from, community, rand_r(seed) % 3);
    fx_scalar_text(store, sql, pair, sizeof pair);
    if (sscanf(pair, "%23s %23s", a, b) != 2)
        return 0;
    gg_edit_result r;
    gg_status st = GG_OK;
    const char *codes[2] = {a, b};
    switch (rand_r(seed) % 4) {
    case 0:
        st = gg_plan_merge(ctx, store, from, codes, 2, "random merge", &r);
        break;
    case 1:
        snprintf(sql, sizeof sql,
                 "SELECT 'LINESTRING(' || (MbrMinX(geom) - 0.001) || ' ' || ((MbrMinY(geom) + MbrMaxY(geom)) / 2) ||"
                 " ', ' || (MbrMaxX(geom) + 0.001) || ' ' || ((MbrMinY(geom) + MbrMaxY(geom)) / 2) || ')' FROM grid"
                 " WHERE plan = %lld AND code = '%s'",
                 (long long)from, a);
        fx_scalar_text(store, sql, wkt, sizeof wkt);
        st = gg_plan_split(ctx, store, from, a, wkt, "random split", &r);
        break;
    case 2:
        snprintf(sql, sizeof sql, "SELECT AsText(Buffer(geom, 0.0001, 2)) FROM grid WHERE plan = %lld AND code = '%s'",
                 (long long)from, a);
        fx_scalar_text(store, sql, wkt, sizeof wkt);
        st = gg_plan_reshape(ctx, store, from, a, wkt, "random reshape", &r);
        break;
    default:
        snprintf(sql, sizeof sql,
                 "SELECT AsText(Intersection(n.geom, Buffer(g.geom, 0.0002, 2))) FROM grid g, grid n WHERE g.plan = %lld"
                 " AND n.plan = g.plan AND g.code = '%s' AND n.code = '%s'",
                 (long long)from, a, b);
        fx_scalar_text(store, sql, wkt, sizeof wkt);
        st = gg_plan_move(ctx, store, from, a, wkt, "random move", &r);
        break;
    }
    if (st == GG_ERR_INVALID_INPUT) {
        gg_ctx_clear_error(ctx);
        return 0;
    }
    CHECK_INT(st, GG_OK);
    return st == GG_OK ? r.plan : 0;
}

static void codes_are_never_issued_twice(void)
{
    /* Monaco's smaller communities (2-10 grids each), so that a round
     * takes a fraction of a second. */
    static const char *const communities[] = {"980100001001", "980100001002", "980100001003", "980100001004",
                                              "980100001005", "980100001006", "980100001007"};
    gg_ctx *ctx = fx_ctx();
    gg_store *store = monaco_published(ctx, "monaco.sqlite");
    int64_t published = 1;
    unsigned seed = 20261207;
    int edits = 0, maintenances = 0, partitions = 0;
    for (int round = 0; round < 20; round++) {
        const char *chosen[3];
        size_t n = 1 + (size_t)(rand_r(&seed) % 3);
        for (size_t i = 0; i < n; i++)
            chosen[i] = communities[rand_r(&seed) % (sizeof communities / sizeof communities[0])];
        int lo = 200 + (int)(rand_r(&seed) % 150), hi = lo + 100 + (int)(rand_r(&seed) % 150);
        int64_t next = 0;
        unsigned kind = rand_r(&seed) % 3;
        if (kind == 0 && (next = random_edit(ctx, store, published, chosen[0], &seed)) != 0)
            edits++;
        if (next == 0 && kind == 1) {
            /* maintenance with windows of its own: the grids out of them
             * are split or merged, the others kept */
            gg_partition_options opts;
            gg_partition_options_init(&opts);
            opts.jobs = 1;
            opts.from = published;
            opts.maintain = 1;
            opts.max_change = 1.0;
            opts.urban_min = lo;
            opts.urban_max = hi;
            gg_partition_report *pr = NULL;
            CHECK_INT(gg_partition(ctx, store, &opts, &pr), GG_OK);
            next = pr ? pr->plan : 0;
            gg_partition_report_free(ctx, pr);
            maintenances += next != 0;
        }
        if (next == 0) {
            next = partition(ctx, store, published, chosen, n, lo, hi);
            partitions++;
        }
        gg_publish_report r;
        CHECK_INT(gg_plan_publish(ctx, store, next, &r), GG_OK);
        published = next;
        char sql[512];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM grid g LEFT JOIN grid_code c ON c.code = g.code"
                 " WHERE g.plan = %lld AND (c.code IS NULL OR c.retired_by IS NOT NULL)",
                 (long long)published);
        CHECK_INT(fx_scalar(store, sql), 0);
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM grid_code c WHERE c.retired_by IS NULL AND NOT EXISTS"
                 " (SELECT 1 FROM grid g WHERE g.plan = %lld AND g.code = c.code)",
                 (long long)published);
        CHECK_INT(fx_scalar(store, sql), 0);
    }
    /* A retired code is in no plan published after it retired. */
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid_code c JOIN grid g ON g.code = c.code"
                               " JOIN plan p ON p.id = g.plan AND p.state <> 'draft'"
                               " WHERE c.retired_by IS NOT NULL AND g.plan >= c.retired_by"),
              0);
    /* Every code a published plan carried is in the register, once. */
    CHECK_INT(fx_scalar(store, "SELECT count(DISTINCT g.code) FROM grid g JOIN plan p ON p.id = g.plan"
                               " AND p.state <> 'draft'"),
              fx_scalar(store, "SELECT count(*) FROM grid_code"));
    /* Each kind of round ran. */
    CHECK(edits > 0 && maintenances > 0 && partitions > 0);
    /* The rounds changed something: codes were issued and retired. */
    CHECK(fx_scalar(store, "SELECT count(*) FROM grid_code WHERE retired_by IS NOT NULL") > 0);
    CHECK(fx_scalar(store, "SELECT count(*) FROM grid_code WHERE issued_by > 1") > 0);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* export --valid-from: each grid's code with the time the register issued
 * it, read back from the written file with OGR; a draft's new codes have
 * none. */
static void export_gives_valid_from(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "p.sqlite");
    int64_t p1 = import_plan(ctx, store, SQUARE("square_grids.csv"));
    gg_publish_report r;
    CHECK_INT(gg_plan_publish(ctx, store, p1, &r), GG_OK);
    import_plan(ctx, store,
                grids_csv("new.csv", C1001 ",1,110108001001," SQ(116, 40, 116.01, 40.01) "\n"
                                     "1101080010011005,1,110108001001," SQ(116.01, 40, 116.02, 40.01) "\n"));
    const char *out = gg_test_path("grids.geojson");
    gg_export_options eo;
    gg_export_options_init(&eo);
    eo.valid_from = 1;
    int64_t written = 0;
    CHECK_INT(gg_export_grids(ctx, store, out, &eo, &written), GG_OK); /* the published plan */
    CHECK_INT(written, 4);
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(out, GDAL_OF_VECTOR, NULL, NULL, NULL);
    CHECK(ds != NULL);
    if (ds != NULL) {
        OGRLayerH layer = GDALDatasetGetLayer(ds, 0);
        OGRFeatureH f;
        int with = 0;
        while ((f = OGR_L_GetNextFeature(layer)) != NULL) {
            int i = OGR_F_GetFieldIndex(f, "valid_from");
            with += i >= 0 && OGR_F_IsFieldSetAndNotNull(f, i);
            OGR_F_Destroy(f);
        }
        CHECK_INT(with, 4);
        GDALClose(ds);
    }
    eo.plan = p1 + 1;
    eo.overwrite = 1;
    CHECK_INT(gg_export_grids(ctx, store, out, &eo, &written), GG_OK);
    ds = GDALOpenEx(out, GDAL_OF_VECTOR, NULL, NULL, NULL);
    CHECK(ds != NULL);
    if (ds != NULL) {
        OGRLayerH layer = GDALDatasetGetLayer(ds, 0);
        OGRFeatureH f;
        int with = 0, n = 0;
        while ((f = OGR_L_GetNextFeature(layer)) != NULL) {
            int i = OGR_F_GetFieldIndex(f, "valid_from");
            with += i >= 0 && OGR_F_IsFieldSetAndNotNull(f, i);
            n++;
            OGR_F_Destroy(f);
        }
        CHECK_INT(n, 2);
        CHECK_INT(with, 1); /* 1001 was issued; 1005 is new */
        GDALClose(ds);
    }
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static int64_t maintain(gg_ctx *ctx, gg_store *store, int64_t from, double max_change, gg_partition_report **out)
{
    gg_partition_options opts;
    gg_partition_options_init(&opts);
    opts.jobs = 1;
    opts.from = from;
    opts.maintain = 1;
    opts.max_change = max_change;
    gg_partition_report *r = NULL;
    CHECK_INT(gg_partition(ctx, store, &opts, &r), GG_OK);
    int64_t plan = r ? r->plan : 0;
    *out = r;
    return plan;
}

/* Maintenance after 4,051 households more in community 980100001008 (its
 * grid 1002 then over the maximum): with a budget that allows it, that
 * community alone is partitioned again, its codes kept where grids kept
 * most of what they were, every other grid kept as it was; with a budget
 * too small, nothing moves, the community is named, and the plan's counts
 * and flags are those of the households as they are now. */
static void maintenance_repairs_within_the_budget(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = monaco_published(ctx, "monaco.sqlite");
    int64_t p1 = 1;

    /* Nothing changed: nothing to repair, the same grids. */
    gg_partition_report *r = NULL;
    int64_t p2 = maintain(ctx, store, p1, 0, &r);
    CHECK_INT(r ? (int64_t)r->n_items : -1, 0);
    gg_partition_report_free(ctx, r);
    gg_plan_diff *d = NULL;
    CHECK_INT(gg_plan_diff_get(ctx, store, p1, p2, &d), GG_OK);
    if (d != NULL)
        CHECK_INT(d->unchanged, fx_scalar(store, "SELECT count(*) FROM grid WHERE plan = 1"));
    gg_plan_diff_free(ctx, d);

    CHECK_INT(fx_import(ctx, store, GG_LAYER_HOUSEHOLDS, SQUARE("monaco_new_households.csv"), NULL, NULL, 1, NULL),
              GG_OK);
    int64_t total = fx_scalar(store, "SELECT sum(count) FROM household");

    /* A 1% budget: the repair would move more; left as it was. */
    int64_t p3 = maintain(ctx, store, p1, 0.01, &r);
    CHECK(r != NULL && r->n_items == 1);
    if (r != NULL && r->n_items == 1) {
        CHECK_STR(r->items[0].code, "980100001008");
        CHECK_CONTAINS(r->items[0].reason, "over the maximum 500");
        CHECK_INT(r->items[0].applied, 0);
        CHECK_INT(r->households_moved, 0);
        CHECK_INT(r->households_total, total);
    }
    gg_partition_report_free(ctx, r);
    CHECK_INT(gg_plan_diff_get(ctx, store, p1, p3, &d), GG_OK);
    if (d != NULL) {
        CHECK_INT(d->households_moved, 0);
        CHECK_INT(d->reshaped + d->added + d->retired, 0);
        check_diff_accounts_as(store, d, 0); /* plan 1 was counted before the new households */
    }
    gg_plan_diff_free(ctx, d);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM grid WHERE plan = %lld AND households > 500 AND flags LIKE '%%over_max%%'"
             " AND community = '980100001008'",
             (long long)p3);
    CHECK(fx_scalar(store, sql) >= 1);

    /* A budget that allows it: repaired; the rest kept. */
    int64_t p4 = maintain(ctx, store, p1, 0.2, &r);
    CHECK(r != NULL && r->n_items == 1 && r->items[0].applied == 1);
    int64_t moved = r ? r->households_moved : -1;
    CHECK(moved > 0 && moved <= r->budget);
    gg_partition_report_free(ctx, r);
    snprintf(sql, sizeof sql, "SELECT source || ' ' || parent FROM plan WHERE id = %lld", (long long)p4);
    char text[64];
    CHECK_STR(fx_scalar_text(store, sql, text, sizeof text), "maintain 1");
    CHECK_INT(gg_plan_diff_get(ctx, store, p1, p4, &d), GG_OK);
    if (d != NULL) {
        /* The map of the changes: a PNG, read back by cairo, of the page's
         * size, with the reshaped grids' orange in it. */
        const char *png = gg_test_path("changes.png");
        CHECK_INT(gg_diff_map_render(ctx, store, d, png, 800), GG_OK);
        cairo_surface_t *img = cairo_image_surface_create_from_png(png);
        CHECK(cairo_surface_status(img) == CAIRO_STATUS_SUCCESS);
        CHECK_INT(cairo_image_surface_get_width(img), 800);
        int orange = 0;
        const unsigned char *px = cairo_image_surface_get_data(img);
        int stride = cairo_image_surface_get_stride(img), w = cairo_image_surface_get_width(img);
        for (int y = 0; px != NULL && y < cairo_image_surface_get_height(img) && !orange; y++)
            for (int x = 0; x < w && !orange; x++) {
                const unsigned char *q = px + y * stride + 4 * x; /* B, G, R, A */
                orange = q[2] == 250 && q[1] == 191 && q[0] == 89;
            }
        CHECK(orange);
        cairo_surface_destroy(img);
        check_diff_accounts_as(store, d, 0);
        CHECK_INT(d->households_moved, moved);
        for (size_t i = 0; i < d->n_communities; i++) {
            const gg_community_change *c = &d->communities[i];
            if (strcmp(c->community, "980100001008") != 0) {
                CHECK_INT(c->unchanged, c->grids_a);
                CHECK_INT(c->households_moved, 0);
            } else {
                CHECK(c->unchanged + c->reshaped > 0);
            }
        }
    }
    gg_plan_diff_free(ctx, d);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM grid WHERE plan = %lld AND community = '980100001008' AND type = 1"
             " AND households > 500 AND flags NOT LIKE '%%infeasible%%' AND flags NOT LIKE '%%indivisible%%'",
             (long long)p4);
    CHECK_INT(fx_scalar(store, sql), 0);
    gg_publish_report pr;
    CHECK_INT(gg_plan_publish(ctx, store, p4, &pr), GG_OK);
    CHECK(pr.codes_kept > 100);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* merge on Monaco: two neighbouring grids become one that keeps the code
 * of the one with more households; the draft passes govgrid check's
 * rules, and once published the retired code's lineage leads to it. Then
 * locks: maintenance leaves a locked community alone, and partition
 * --from refuses to redraw locked grids. */
static void edits_merge_and_lock(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = monaco_published(ctx, "monaco.sqlite");
    char a[24], b[24];
    fx_scalar_text(store,
                   "SELECT x.code FROM grid x JOIN grid y ON y.plan = 1 AND y.community = x.community AND y.type = 1"
                   " AND y.code > x.code AND GLength(Intersection(x.geom, y.geom)) > 0.0005"
                   " WHERE x.plan = 1 AND x.type = 1 ORDER BY x.code, y.code LIMIT 1",
                   a, sizeof a);
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT y.code FROM grid x JOIN grid y ON y.plan = 1 AND y.community = x.community AND y.type = 1"
             " AND y.code > x.code AND GLength(Intersection(x.geom, y.geom)) > 0.0005"
             " WHERE x.plan = 1 AND x.code = '%s' ORDER BY y.code LIMIT 1",
             a);
    fx_scalar_text(store, sql, b, sizeof b);
    CHECK(a[0] != '\0' && b[0] != '\0');
    snprintf(sql, sizeof sql, "SELECT households FROM grid WHERE plan = 1 AND code = '%s'", a);
    int64_t ha = fx_scalar(store, sql);
    snprintf(sql, sizeof sql, "SELECT households FROM grid WHERE plan = 1 AND code = '%s'", b);
    int64_t hb = fx_scalar(store, sql);
    const char *pair[] = {a, b};
    gg_edit_result r;
    CHECK_INT(gg_plan_merge(ctx, store, 1, pair, 2, "test", &r), GG_OK);
    CHECK_STR(r.code, ha >= hb ? a : b);
    CHECK_INT(r.households, ha + hb);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid WHERE plan = 2") + 1,
              fx_scalar(store, "SELECT count(*) FROM grid WHERE plan = 1"));
    /* The draft shares every grid it left alone with its parent (one
     * stored row each) and stores only the merged grid: the two grids'
     * rows and the merged one's, and the neighbours' that took a vertex. */
    int64_t shared = fx_scalar(store, "SELECT count(*) FROM plan_grid a JOIN plan_grid b ON b.fid = a.fid"
                                      " AND b.plan = 2 WHERE a.plan = 1");
    int64_t own = fx_scalar(store, "SELECT count(*) FROM plan_grid WHERE plan = 2") - shared;
    CHECK(own >= 1 && own <= 8);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid_row"),
              fx_scalar(store, "SELECT count(*) FROM grid WHERE plan = 1") + own);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM plan_grid WHERE plan = 2 AND code = '%s' AND fid IN"
                              " (SELECT fid FROM plan_grid WHERE plan = 1)", r.code);
    CHECK_INT(fx_scalar(store, sql), 0);
    CHECK_INT(check_errors(ctx, store, r.plan), 0);
    gg_publish_report pr;
    CHECK_INT(gg_plan_publish(ctx, store, r.plan, &pr), GG_OK);
    CHECK_INT(pr.codes_retired, 1);
    CHECK_INT(pr.codes_reshaped, 1);
    gg_code_link *links = NULL;
    size_t nl = 0;
    CHECK_INT(gg_code_lineage(ctx, store, ha >= hb ? b : a, &links, &nl), GG_OK);
    CHECK_INT((int64_t)nl, 1);
    if (nl == 1)
        CHECK_STR(links[0].to_code, r.code);
    gg_code_links_free(ctx, links);

    /* Lock every grid of community 980100001008, then add households there:
     * maintenance finds nothing it may repair in it. */
    char codes_text[4096];
    fx_scalar_text(store, "SELECT group_concat(code, ' ') FROM grid WHERE plan = 2 AND community = '980100001008'",
                   codes_text, sizeof codes_text);
    const char *codes[64];
    size_t n = 0;
    for (char *t = strtok(codes_text, " "); t != NULL && n < 64; t = strtok(NULL, " "))
        codes[n++] = t;
    CHECK(n > 10);
    gg_edit_result lr;
    CHECK_INT(gg_plan_lock(ctx, store, 2, codes, n, 1, NULL, &lr), GG_OK);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid WHERE plan = 3 AND locked"), (int64_t)n);
    CHECK_INT(gg_plan_publish(ctx, store, lr.plan, NULL), GG_OK);
    CHECK_INT(fx_import(ctx, store, GG_LAYER_HOUSEHOLDS, SQUARE("monaco_new_households.csv"), NULL, NULL, 1, NULL),
              GG_OK);
    gg_partition_report *rep = NULL;
    int64_t p4 = maintain(ctx, store, lr.plan, 0.5, &rep);
    for (size_t i = 0; rep != NULL && i < rep->n_items; i++)
        CHECK(strcmp(rep->items[i].code, "980100001008") != 0); /* the merged grid's may be over */
    gg_partition_report_free(ctx, rep);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM grid a JOIN grid b ON b.code = a.code AND b.plan = %lld AND b.geom = a.geom"
             " AND b.locked WHERE a.plan = 3 AND a.community = '980100001008'",
             (long long)p4);
    CHECK_INT(fx_scalar(store, sql), (int64_t)n);
    /* partition --from refuses to redraw them. */
    gg_partition_options opts;
    gg_partition_options_init(&opts);
    opts.from = lr.plan;
    opts.jobs = 1;
    gg_partition_report *pr2 = NULL;
    CHECK_INT(gg_partition(ctx, store, &opts, &pr2), GG_ERR_INVALID_INPUT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "locked grids");
    gg_partition_report_free(ctx, pr2);
    gg_ctx_clear_error(ctx);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* Every vertex of a grid of plan in community that lies on another grid's
 * boundary (within 0.75e-7 degrees: on it, on the 1e-7 precision grid) is
 * a vertex of that grid too: the grids
 * share their edges vertex for vertex. Returns the vertices that are not. */
static int64_t unshared_vertices(gg_ctx *ctx, gg_store *store, int64_t plan, const char *community)
{
    GEOSContextHandle_t h = ctx->geos;
    gg_community_grid *g = NULL;
    size_t n = 0;
    int64_t bad = 0;
    CHECK_INT(gg_store_community_grids(store, plan, community, &g, &n), GG_OK);
    for (size_t i = 0; i < n; i++) {
        GEOSGeometry *pts = GEOSGeom_extractUniquePoints_r(h, g[i].geom);
        for (size_t k = 0; k < n; k++) {
            if (k == i || pts == NULL)
                continue;
            GEOSGeometry *b = GEOSBoundary_r(h, g[k].geom), *own = GEOSGeom_extractUniquePoints_r(h, g[k].geom);
            for (int p = 0; b != NULL && own != NULL && p < GEOSGetNumGeometries_r(h, pts); p++) {
                const GEOSGeometry *pt = GEOSGetGeometryN_r(h, pts, p);
                double d = 1;
                if (GEOSDistance_r(h, pt, b, &d) == 1 && d < 0.75e-7 && GEOSIntersects_r(h, pt, own) != 1)
                    bad++;
            }
            if (b)
                GEOSGeom_destroy_r(h, b);
            if (own)
                GEOSGeom_destroy_r(h, own);
        }
        if (pts)
            GEOSGeom_destroy_r(h, pts);
    }
    gg_community_grids_free(ctx, g, n);
    return bad;
}

/* split on Monaco: the largest comprehensive grid away from its
 * community's edge cut by a line across the middle of its box. The new plan
 * passes govgrid check (the neighbours took the new vertices, so the
 * grids still tile the community edge for edge), keeps every household,
 * counts the pieces by the points they hold, and gives the new piece a
 * code never issued; a line that misses the grid is refused. */
static void edits_split(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = monaco_published(ctx, "monaco.sqlite");
    char code[24], wkt[256], sql[512];
    /* The largest grid of one piece away from its community's edge: the
     * line meets neighbours of its own community at both ends. */
    fx_scalar_text(store,
                   "SELECT g.code FROM grid g, division d WHERE g.plan = 1 AND g.type = 1 AND d.code = g.community"
                   " AND NumGeometries(g.geom) = 1 AND NOT Intersects(Boundary(d.geom), g.geom)"
                   " ORDER BY Area(g.geom) DESC LIMIT 1",
                   code, sizeof code);
    char community[16];
    snprintf(sql, sizeof sql, "SELECT community FROM grid WHERE plan = 1 AND code = '%s'", code);
    fx_scalar_text(store, sql, community, sizeof community);
    snprintf(sql, sizeof sql,
             "SELECT 'LINESTRING(' || (MbrMinX(geom) - 0.001) || ' ' || ((MbrMinY(geom) + MbrMaxY(geom)) / 2) || ', '"
             " || (MbrMaxX(geom) + 0.001) || ' ' || ((MbrMinY(geom) + MbrMaxY(geom)) / 2) || ')' FROM grid"
             " WHERE plan = 1 AND code = '%s'",
             code);
    fx_scalar_text(store, sql, wkt, sizeof wkt);
    CHECK(code[0] != '\0' && strncmp(wkt, "LINESTRING(", 11) == 0);
    int64_t before = fx_scalar(store, "SELECT sum(households) FROM grid WHERE plan = 1");
    gg_edit_result r;
    CHECK_INT(gg_plan_split(ctx, store, 1, code, wkt, "split test", &r), GG_OK);
    CHECK(r.grids_changed >= 2);
    CHECK_STR(r.code, code);
    snprintf(sql, sizeof sql, "SELECT sum(households) FROM grid WHERE plan = %lld", (long long)r.plan);
    CHECK_INT(fx_scalar(store, sql), before);
    CHECK_INT(check_errors(ctx, store, r.plan), 0);
    CHECK_INT(unshared_vertices(ctx, store, 1, community), 0);
    CHECK_INT(unshared_vertices(ctx, store, r.plan, community), 0);
    /* Neighbours took a vertex: other bytes, the same shape (within 1 m²). */
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM grid a JOIN grid b ON b.plan = %lld AND b.code = a.code AND b.code <> '%s'"
             " WHERE a.plan = 1 AND a.geom <> b.geom AND Area(SymDifference(a.geom, b.geom), 1) < 1.0",
             (long long)r.plan, code);
    CHECK(fx_scalar(store, sql) >= 2);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM grid g WHERE g.plan = %lld AND NOT EXISTS (SELECT 1 FROM grid o WHERE o.plan = 1"
             " AND o.code = g.code) AND NOT EXISTS (SELECT 1 FROM grid_code c WHERE c.code = g.code)",
             (long long)r.plan);
    CHECK_INT(fx_scalar(store, sql), r.grids_changed - 1);
    gg_publish_report pr;
    CHECK_INT(gg_plan_publish(ctx, store, r.plan, &pr), GG_OK);
    CHECK_INT(pr.codes_issued, r.grids_changed - 1);
    CHECK_INT(pr.codes_retired, 0);
    /* A line beside the grid cuts nothing. */
    CHECK_INT(gg_plan_split(ctx, store, r.plan, code, "LINESTRING(0 0, 1 1)", NULL, NULL), GG_ERR_INVALID_INPUT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "does not cut");
    gg_ctx_clear_error(ctx);
    CHECK_INT(gg_plan_split(ctx, store, r.plan, code, "POINT(7.4 43.7)", NULL, NULL), GG_ERR_ARG);
    gg_ctx_clear_error(ctx);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* The coverage of plan's grids in community against plan 1's: the same
 * codes, the same union (to a square metre), no overlap (the areas add up
 * to the union's), the same households, no grid invalid, every vertex on a
 * neighbour's edge one of the neighbour's, and govgrid check clean. */
static void check_edited_coverage(gg_ctx *ctx, gg_store *store, int64_t plan, const char *community)
{
    char sql[768];
    snprintf(sql, sizeof sql,
             "SELECT abs((SELECT Area(ST_Union(geom), 1) FROM grid WHERE plan = %lld AND community = '%s') -"
             " (SELECT Area(ST_Union(geom), 1) FROM grid WHERE plan = 1 AND community = '%s')) < 1.0",
             (long long)plan, community, community);
    CHECK_INT(fx_scalar(store, sql), 1);
    /* overlap: the areas' sum less the union's, as in plan 1 (Monaco's
     * own coverage is exact to a few square metres) */
    snprintf(sql, sizeof sql,
             "SELECT abs((SELECT sum(Area(geom, 1)) - Area(ST_Union(geom), 1) FROM grid WHERE plan = %lld"
             " AND community = '%s') - (SELECT sum(Area(geom, 1)) - Area(ST_Union(geom), 1) FROM grid WHERE plan = 1"
             " AND community = '%s')) < 1.0",
             (long long)plan, community, community);
    CHECK_INT(fx_scalar(store, sql), 1);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM grid WHERE plan = %lld AND ST_IsValid(geom) <> 1", (long long)plan);
    CHECK_INT(fx_scalar(store, sql), 0);
    snprintf(sql, sizeof sql,
             "SELECT (SELECT count(*) FROM grid WHERE plan = %lld AND NumGeometries(geom) <> 1) <="
             " (SELECT count(*) FROM grid WHERE plan = 1 AND NumGeometries(geom) <> 1)",
             (long long)plan);
    CHECK_INT(fx_scalar(store, sql), 1);
    snprintf(sql, sizeof sql,
             "SELECT (SELECT group_concat(code) FROM (SELECT code FROM grid WHERE plan = %lld ORDER BY code)) ="
             " (SELECT group_concat(code) FROM (SELECT code FROM grid WHERE plan = 1 ORDER BY code))",
             (long long)plan);
    CHECK_INT(fx_scalar(store, sql), 1);
    snprintf(sql, sizeof sql, "SELECT sum(households) FROM grid WHERE plan = %lld", (long long)plan);
    CHECK_INT(fx_scalar(store, sql), fx_scalar(store, "SELECT sum(households) FROM grid WHERE plan = 1"));
    CHECK_INT(unshared_vertices(ctx, store, plan, community), 0);
    CHECK_INT(check_errors(ctx, store, plan), 0);
}

/* Households by locate's rule: each grid's count in plan against the
 * household points its shape covers (dedicated grids first as locate
 * does is not needed here: the grids chosen are comprehensive and hold no
 * dedicated grid). */
static int64_t counted_in(gg_store *store, int64_t plan, const char *code)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT coalesce(sum(h.count), 0) FROM household h, grid g WHERE g.plan = %lld AND g.code = '%s'"
             " AND h.fid IN (SELECT pkid FROM idx_household_geom WHERE xmin <= MbrMaxX(g.geom) AND"
             " xmax >= MbrMinX(g.geom) AND ymin <= MbrMaxY(g.geom) AND ymax >= MbrMinY(g.geom))"
             " AND ST_Covers(g.geom, h.geom)",
             (long long)plan, code);
    return fx_scalar(store, sql);
}

static void edits_reshape_and_move(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = monaco_published(ctx, "monaco.sqlite");
    static char wkt[1 << 17], sql[1 << 18];
    /* (shapes as SpatiaLite writes them, to 6 decimals: a few centimetres
     * off the grids' 1e-7 degree boundaries, as a drawn shape is) */
    char code[24], next[24], community[16];
    /* The largest grid of one piece away from its community's edge, and a
     * neighbour of its community. */
    fx_scalar_text(store,
                   "SELECT g.code FROM grid g, division d WHERE g.plan = 1 AND g.type = 1 AND d.code = g.community"
                   " AND NumGeometries(g.geom) = 1 AND NOT Intersects(Boundary(d.geom), g.geom)"
                   " ORDER BY Area(g.geom) DESC LIMIT 1",
                   code, sizeof code);
    snprintf(sql, sizeof sql, "SELECT community FROM grid WHERE plan = 1 AND code = '%s'", code);
    fx_scalar_text(store, sql, community, sizeof community);
    snprintf(sql, sizeof sql,
             "SELECT n.code FROM grid g, grid n WHERE g.plan = 1 AND n.plan = 1 AND g.code = '%s' AND n.code <> g.code"
             " AND n.community = g.community AND n.type = 1 AND Length(Intersection(g.geom, n.geom)) > 0"
             " ORDER BY Length(Intersection(g.geom, n.geom)) DESC LIMIT 1",
             code);
    fx_scalar_text(store, sql, next, sizeof next);
    CHECK(code[0] != '\0' && next[0] != '\0');

    /* Grown by about 15 m: the neighbours give up what it takes. */
    snprintf(sql, sizeof sql, "SELECT AsText(Buffer(geom, 0.00015, 2)) FROM grid WHERE plan = 1 AND code = '%s'", code);
    fx_scalar_text(store, sql, wkt, sizeof wkt);
    gg_edit_result r;
    if (gg_plan_reshape(ctx, store, 1, code, wkt, "grown", &r) != GG_OK) {
        gg_test_fail(__FILE__, __LINE__, "reshape: %s", gg_ctx_errmsg(ctx));
        gg_store_close(store);
        gg_ctx_free(ctx);
        return;
    }
    CHECK(r.grids_changed >= 2);
    CHECK_STR(r.code, code);
    check_edited_coverage(ctx, store, r.plan, community);
    snprintf(sql, sizeof sql,
             "SELECT Area(SymDifference(g.geom, Intersection(GeomFromText('%s', 4326),"
             " (SELECT ST_Union(geom) FROM grid WHERE plan = 1 AND community = '%s'))), 1) < 1.0"
             " FROM grid g WHERE g.plan = %lld AND g.code = '%s'",
             wkt, community, (long long)r.plan, code);
    CHECK_INT(fx_scalar(store, sql), 1);
    CHECK_INT(counted_in(store, r.plan, code), r.households);
    CHECK_INT(counted_in(store, r.plan, next),
              fx_scalar(store, (snprintf(sql, sizeof sql,
                                         "SELECT households FROM grid WHERE plan = %lld AND code = '%s'",
                                         (long long)r.plan, next),
                                sql)));

    /* Shrunk by about 20 m: the ring it gives up goes to its neighbours. */
    snprintf(sql, sizeof sql, "SELECT AsText(Buffer(geom, -0.0002, 2)) FROM grid WHERE plan = 1 AND code = '%s'", code);
    fx_scalar_text(store, sql, wkt, sizeof wkt);
    CHECK_INT(gg_plan_reshape(ctx, store, 1, code, wkt, "shrunk", &r), GG_OK);
    CHECK(r.grids_changed >= 2);
    check_edited_coverage(ctx, store, r.plan, community);
    CHECK_INT(counted_in(store, r.plan, code), r.households);

    /* Move: the part of the neighbour within 30 m of the grid goes to it. */
    snprintf(sql, sizeof sql,
             "SELECT AsText(Intersection(n.geom, Buffer(g.geom, 0.0003, 2))) FROM grid g, grid n WHERE g.plan = 1"
             " AND n.plan = 1 AND g.code = '%s' AND n.code = '%s'",
             code, next);
    fx_scalar_text(store, sql, wkt, sizeof wkt);
    CHECK_INT(gg_plan_move(ctx, store, 1, code, wkt, "moved", &r), GG_OK);
    CHECK_INT(r.grids_changed, 2);
    check_edited_coverage(ctx, store, r.plan, community);
    snprintf(sql, sizeof sql,
             "SELECT (SELECT Area(geom, 1) FROM grid WHERE plan = %lld AND code = '%s') <"
             " (SELECT Area(geom, 1) FROM grid WHERE plan = 1 AND code = '%s') - 1.0",
             (long long)r.plan, next, next);
    CHECK_INT(fx_scalar(store, sql), 1);
    CHECK_INT(counted_in(store, r.plan, code), r.households);

    /* Refusals, nothing written. */
    int64_t plans = fx_scalar(store, "SELECT count(*) FROM plan");
    snprintf(sql, sizeof sql, "SELECT AsText(geom) FROM grid WHERE plan = 1 AND code = '%s'", code);
    fx_scalar_text(store, sql, wkt, sizeof wkt);
    CHECK_INT(gg_plan_reshape(ctx, store, 1, code, wkt, NULL, NULL), GG_ERR_INVALID_INPUT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "changes nothing");
    gg_ctx_clear_error(ctx);
    snprintf(sql, sizeof sql,
             "SELECT AsText(Buffer(ST_Union(g.geom, n.geom), 0.00001, 2)) FROM grid g, grid n WHERE g.plan = 1"
             " AND n.plan = 1 AND g.code = '%s' AND n.code = '%s'",
             code, next);
    fx_scalar_text(store, sql, wkt, sizeof wkt);
    CHECK_INT(gg_plan_reshape(ctx, store, 1, code, wkt, NULL, NULL), GG_ERR_INVALID_INPUT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "merge it");
    gg_ctx_clear_error(ctx);
    CHECK_INT(gg_plan_reshape(ctx, store, 1, code, "POLYGON((0 0,0.001 0,0.001 0.001,0 0.001,0 0))", NULL, NULL),
              GG_ERR_INVALID_INPUT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "does not overlap");
    gg_ctx_clear_error(ctx);
    CHECK_INT(gg_plan_reshape(ctx, store, 1, code, "POLYGON((7.42 43.73,7.43 43.74,7.43 43.73,7.42 43.74,7.42 43.73))",
                              NULL, NULL),
              GG_ERR_INVALID_INPUT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "not valid");
    gg_ctx_clear_error(ctx);
    CHECK_INT(gg_plan_move(ctx, store, 1, code, "LINESTRING(7.42 43.73,7.43 43.74)", NULL, NULL), GG_ERR_ARG);
    gg_ctx_clear_error(ctx);
    const char *locked[1] = {next};
    CHECK_INT(gg_plan_lock(ctx, store, 1, locked, 1, 1, NULL, &r), GG_OK);
    plans++;
    snprintf(sql, sizeof sql,
             "SELECT AsText(Intersection(n.geom, Buffer(g.geom, 0.0003, 2))) FROM grid g, grid n WHERE g.plan = 1"
             " AND n.plan = 1 AND g.code = '%s' AND n.code = '%s'",
             code, next);
    fx_scalar_text(store, sql, wkt, sizeof wkt);
    CHECK_INT(gg_plan_move(ctx, store, r.plan, code, wkt, NULL, NULL), GG_ERR_INVALID_INPUT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "locked");
    gg_ctx_clear_error(ctx);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM plan"), plans);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* Blocks on Monaco: for every grid of the published plan the blocks hold
 * the grid's households (its stored count, by locate's rule) and its area,
 * are numbered 1..n north to south, and touch only grids of the grid's
 * community. Then the first block with households that a neighbour can
 * take is moved (gg_plan_edit, a block instead of a polygon): the
 * neighbour gains exactly the block's households and the plan passes
 * govgrid check. And the refusals: an id not CODE/k, a block the grid
 * lacks, a block and a polygon together, a grid the block does not touch. */
static void blocks_tile_grids_and_move(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = monaco_published(ctx, "monaco.sqlite");
    GEOSContextHandle_t h = ctx->geos;
    gg_plan_grid *grids = NULL;
    size_t ng = 0;
    CHECK_INT(gg_store_plan_grids(store, 1, 1, &grids, &ng), GG_OK);
    CHECK(ng > 100);
    char from[24] = "", to[24] = "", id[48] = "";
    int64_t moved_households = -1, to_before = 0, from_before = 0;
    size_t multi = 0;
    for (size_t i = 0; i < ng; i++) {
        gg_grid_block *b = NULL;
        size_t nb = 0;
        CHECK_INT(gg_plan_grid_blocks(ctx, store, 1, grids[i].code, &b, &nb), GG_OK);
        CHECK(nb >= 1);
        multi += nb > 1;
        int64_t households = 0;
        double area = 0, grid_area = gg_geom_area_m2(h, grids[i].geom);
        for (size_t k = 0; k < nb; k++) {
            char want[48];
            snprintf(want, sizeof want, "%s/%zu", grids[i].code, k + 1);
            CHECK_STR(b[k].id, want);
            CHECK(strncmp(b[k].wkt, "POLYGON ((", 10) == 0);
            static const char polygon[] = "{\"type\":\"Polygon\",\"coordinates\":[[[";
            CHECK(strncmp(b[k].geojson, polygon, sizeof polygon - 1) == 0);
            if (k > 0)
                CHECK(b[k].y <= b[k - 1].y);
            households += b[k].households;
            area += b[k].area_m2;
            for (size_t t = 0; t < b[k].n_touches; t++)
                CHECK(strncmp(b[k].touches[t], grids[i].code, 12) == 0 && strcmp(b[k].touches[t], grids[i].code) != 0);
            if (moved_households < 0 && nb > 1 && b[k].households > 0 && b[k].n_touches > 0) {
                gg_edit_request req = {GG_EDIT_MOVE, NULL, 1, NULL, "block", 1, NULL, b[k].id};
                const char *target[1] = {b[k].touches[0]};
                req.codes = target;
                gg_edit_result r;
                if (gg_plan_edit(ctx, store, 1, &req, &r, NULL, NULL) == GG_OK) {
                    snprintf(from, sizeof from, "%s", grids[i].code);
                    snprintf(to, sizeof to, "%s", b[k].touches[0]);
                    snprintf(id, sizeof id, "%s", b[k].id);
                    moved_households = b[k].households;
                    from_before = grids[i].households;
                } else {
                    gg_ctx_clear_error(ctx);
                }
            }
        }
        CHECK_INT(households, grids[i].households);
        CHECK(fabs(area - grid_area) <= 0.001 * grid_area + 10.0);
        gg_grid_blocks_free(ctx, b, nb);
    }
    CHECK(multi > 20);
    CHECK(moved_households > 0);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT households FROM grid WHERE plan = 1 AND code = '%s'", to);
    to_before = fx_scalar(store, sql);
    const char *target[1] = {to};
    gg_edit_request req = {GG_EDIT_MOVE, target, 1, NULL, "block", 0, NULL, id};
    gg_edit_result r;
    CHECK_INT(gg_plan_edit(ctx, store, 1, &req, &r, NULL, NULL), GG_OK);
    snprintf(sql, sizeof sql, "SELECT households FROM grid WHERE plan = %lld AND code = '%s'", (long long)r.plan, to);
    CHECK_INT(fx_scalar(store, sql), to_before + moved_households);
    snprintf(sql, sizeof sql, "SELECT households FROM grid WHERE plan = %lld AND code = '%s'", (long long)r.plan, from);
    CHECK_INT(fx_scalar(store, sql), from_before - moved_households);
    CHECK_INT(check_errors(ctx, store, r.plan), 0);

    gg_edit_result no;
    CHECK_INT(gg_plan_move_block(ctx, store, 1, to, from, NULL, &no), GG_ERR_ARG);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "expected GRID_CODE/N");
    char missing[48];
    snprintf(missing, sizeof missing, "%s/999", from);
    CHECK_INT(gg_plan_move_block(ctx, store, 1, to, missing, NULL, &no), GG_ERR_NOT_FOUND);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "block");
    req.polygon_wkt = "POLYGON((7.42 43.73, 7.421 43.73, 7.421 43.731, 7.42 43.73))";
    CHECK_INT(gg_plan_edit(ctx, store, 1, &req, &r, NULL, NULL), GG_ERR_ARG);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "not both");
    /* A grid of another community, which the block does not touch. */
    const char *far = NULL;
    for (size_t i = 0; i < ng && far == NULL; i++)
        if (strncmp(grids[i].code, from, 12) != 0)
            far = grids[i].code;
    CHECK(far != NULL);
    CHECK(gg_plan_move_block(ctx, store, 1, far, id, NULL, &no) != GG_OK);
    gg_ctx_clear_error(ctx);
    gg_plan_grids_free(ctx, grids, ng);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* gg_plan_edit: a dry run of a split answers what the saved split then
 * does (the same pieces, counts and changed neighbours) and writes
 * nothing; a refused dry run writes nothing either; lock by kind; an
 * unknown kind is an argument error. */
static void edits_by_kind_and_dry_run(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = monaco_published(ctx, "monaco.sqlite");
    char code[24], wkt[256], sql[512];
    fx_scalar_text(store,
                   "SELECT g.code FROM grid g, division d WHERE g.plan = 1 AND g.type = 1 AND d.code = g.community"
                   " AND NumGeometries(g.geom) = 1 AND NOT Intersects(Boundary(d.geom), g.geom)"
                   " ORDER BY Area(g.geom) DESC LIMIT 1",
                   code, sizeof code);
    snprintf(sql, sizeof sql,
             "SELECT 'LINESTRING(' || (MbrMinX(geom) - 0.001) || ' ' || ((MbrMinY(geom) + MbrMaxY(geom)) / 2) || ', '"
             " || (MbrMaxX(geom) + 0.001) || ' ' || ((MbrMinY(geom) + MbrMaxY(geom)) / 2) || ')' FROM grid"
             " WHERE plan = 1 AND code = '%s'",
             code);
    fx_scalar_text(store, sql, wkt, sizeof wkt);
    int64_t plans = fx_scalar(store, "SELECT count(*) FROM plan"), grids = fx_scalar(store, "SELECT count(*) FROM grid");
    const char *codes[] = {code};
    gg_edit_request req = {GG_EDIT_SPLIT, codes, 1, wkt, "dry", 1, NULL, NULL};
    gg_edit_result dry, saved;
    gg_edited_grid *tried = NULL, *done = NULL;
    size_t n_tried = 0, n_done = 0;
    CHECK_INT(gg_plan_edit(ctx, store, 1, &req, &dry, &tried, &n_tried), GG_OK);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM plan"), plans);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid"), grids);
    CHECK(dry.grids_changed >= 2);
    CHECK(n_tried >= (size_t)dry.grids_changed);
    int added = 0, kept = 0;
    for (size_t i = 0; i < n_tried; i++) {
        added += strcmp(tried[i].change, "added") == 0;
        kept += strcmp(tried[i].code, code) == 0 && strcmp(tried[i].change, "reshaped") == 0;
    }
    CHECK_INT(added, dry.grids_changed - 1);
    CHECK_INT(kept, 1);
    req.dry_run = 0;
    CHECK_INT(gg_plan_edit(ctx, store, 1, &req, &saved, &done, &n_done), GG_OK);
    CHECK_INT(saved.plan, dry.plan);
    CHECK_INT(saved.grids_changed, dry.grids_changed);
    CHECK_INT((int64_t)n_done, (int64_t)n_tried);
    for (size_t i = 0; i < n_done && i < n_tried; i++) {
        CHECK_STR(done[i].code, tried[i].code);
        CHECK_STR(done[i].change, tried[i].change);
        CHECK_INT(done[i].households, tried[i].households);
    }
    gg_edited_grids_free(ctx, tried);
    gg_edited_grids_free(ctx, done);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM plan"), plans + 1);
    /* A refused dry run: the line misses the grid. */
    req.line_wkt = "LINESTRING(0 0, 1 1)";
    req.dry_run = 1;
    CHECK_INT(gg_plan_edit(ctx, store, saved.plan, &req, NULL, NULL, NULL), GG_ERR_INVALID_INPUT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "does not cut");
    gg_ctx_clear_error(ctx);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM plan"), plans + 1);
    /* Lock by kind: the one grid changes, as "locked". */
    gg_edit_request lock = {GG_EDIT_LOCK, codes, 1, NULL, NULL, 0, NULL, NULL};
    gg_edit_result locked;
    CHECK_INT(gg_plan_edit(ctx, store, saved.plan, &lock, &locked, &done, &n_done), GG_OK);
    CHECK_INT((int64_t)n_done, 1);
    if (n_done == 1) {
        CHECK_STR(done[0].change, "locked");
        CHECK_INT(done[0].locked, 1);
    }
    gg_edited_grids_free(ctx, done);
    gg_edit_kind kind;
    CHECK_INT(gg_edit_kind_parse(ctx, "unlock", &kind), GG_OK);
    CHECK_INT(kind, GG_EDIT_UNLOCK);
    CHECK_INT(gg_edit_kind_parse(ctx, "fold", &kind), GG_ERR_ARG);
    gg_ctx_clear_error(ctx);
    gg_edit_request odd = {(gg_edit_kind)99, codes, 1, NULL, NULL, 1, NULL, NULL};
    CHECK_INT(gg_plan_edit(ctx, store, saved.plan, &odd, NULL, NULL, NULL), GG_ERR_ARG);
    gg_ctx_clear_error(ctx);
    /* The lock, an edit of the split draft, is published: its drafts go
     * back to the published plan. The split draft, whose plan was
     * superseded since, is then refused. */
    CHECK_INT(gg_plan_publish(ctx, store, locked.plan, NULL), GG_OK);
    CHECK_INT(gg_plan_publish(ctx, store, saved.plan, NULL), GG_ERR_INVALID_INPUT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "has been published since");
    gg_ctx_clear_error(ctx);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

TEST_LIST(T(publish_issues_retires_and_records_lineage), T(published_plans_are_kept), T(stale_drafts_are_refused),
          T(partition_numbers_after_the_register), T(partition_from_keeps_codes),
          T(codes_are_never_issued_twice), T(export_gives_valid_from),
          T(maintenance_repairs_within_the_budget),
          T(edits_merge_and_lock), T(edits_split), T(edits_reshape_and_move),
          T(edits_by_kind_and_dry_run),
          T(blocks_tile_grids_and_move))
