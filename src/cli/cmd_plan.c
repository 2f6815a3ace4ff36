/* govgrid plans / govgrid plan: a project's plans as versions: list, show,
 * publish, delete. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

static void plans_help(FILE *out)
{
    fprintf(out,
            "Usage: govgrid plans PROJECT.sqlite [--json]\n"
            "\n"
            "Lists the project's plans, oldest first: number, state, origin (how each was\n"
            "made: partition, import, maintain, edit), from which plan, when, by whom,\n"
            "grids, households and note. The active plan, the one locate, serve,\n"
            "report, map, check and export use unless given --plan, is the published\n"
            "plan, or the newest when none is published; it is marked with '*'.\n"
            "\n"
            "Options:\n"
            "  --json     print as JSON\n"
            "  --help     show this help\n");
}

static void plan_help(FILE *out)
{
    fprintf(out,
            "Usage: govgrid plan show PROJECT.sqlite N [--json]\n"
            "       govgrid plan publish PROJECT.sqlite N [--json] [--quiet]\n"
            "       govgrid plan delete PROJECT.sqlite N [--quiet]\n"
            "       govgrid plan index PROJECT.sqlite [N] [--json] [--quiet]\n"
            "\n"
            "  show     one plan: its state, origin, parameters, grids and households\n"
            "  publish  makes draft N the active plan, in one transaction. The plan\n"
            "           published before it is superseded. The code register issues\n"
            "           N's new codes and retires the codes N no longer carries; the\n"
            "           lineage of each changed grid (which grids it came from, with\n"
            "           the area they share) is recorded (see govgrid codes). Refused\n"
            "           when N was made from a plan that is no longer the published\n"
            "           one (a draft of drafts: the first plan of its line that is\n"
            "           not a draft), or carries a code the register retired: a\n"
            "           retired code is never issued again. A published plan never\n"
            "           changes. Its locator index is then built once and kept beside\n"
            "           the project (PROJECT.sqlite-locate/plan-N.ggloc), for locate\n"
            "           and serve to load instead of building it on every start.\n"
            "  delete   deletes draft N and its grids; published and superseded\n"
            "           plans are kept, and so is a plan others were made from\n"
            "  index    builds the locator index file of published (or superseded)\n"
            "           plan N, default the published one, again: for a plan published\n"
            "           before index files, or one whose file is missing, stale or\n"
            "           corrupt (locate and serve then warn, and build in memory).\n"
            "           Drafts have no index file. Only reads the project.\n"
            "\n"
            "Who publishes is recorded: GOVGRID_USER, else the login name.\n"
            "\n"
            "Options:\n"
            "  --json     print as JSON\n"
            "  --quiet    print nothing on success\n"
            "  --help     show this help\n");
}

static json_t *text_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* Whether any grid of the plan has a household count: a plan whose grids
 * all have none has unknown households, not 0. */
static int households_known(const gg_plan_info *p)
{
    return p->uncounted == 0 || p->uncounted < p->grids;
}

static json_t *plan_json(const gg_plan_info *p, int64_t active)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(p->id));
    json_object_set_new(o, "state", json_string(p->state ? p->state : "draft"));
    json_object_set_new(o, "active", json_boolean(p->id == active));
    json_object_set_new(o, "source", json_string(p->source ? p->source : ""));
    json_object_set_new(o, "parent", p->parent ? json_integer(p->parent) : json_null());
    json_object_set_new(o, "created", text_or_null(p->created));
    json_object_set_new(o, "made_by", text_or_null(p->made_by));
    json_object_set_new(o, "published", text_or_null(p->published));
    json_object_set_new(o, "published_by", text_or_null(p->published_by));
    json_object_set_new(o, "superseded", text_or_null(p->superseded));
    json_object_set_new(o, "note", text_or_null(p->note));
    json_object_set_new(o, "grids", json_integer(p->grids));
    json_object_set_new(o, "communities", json_integer(p->communities));
    json_object_set_new(o, "households", households_known(p) ? json_integer(p->households) : json_null());
    json_object_set_new(o, "grids_without_count", json_integer(p->uncounted));
    json_t *params = p->params ? json_loads(p->params, 0, NULL) : NULL;
    json_object_set_new(o, "params", params ? params : json_null());
    return o;
}

/* Loads the plans and the active one; prints the error and returns NULL
 * on failure. */
static gg_plan_info *load_plans(const char *command, gg_ctx *ctx, gg_store *store, size_t *n, int64_t *active)
{
    gg_plan_info *plans = NULL;
    *active = 0;
    if (gg_store_plans(ctx, store, &plans, n) != GG_OK) {
        cli_fail(command, ctx);
        return NULL;
    }
    if (*n > 0 && gg_plan_active(ctx, store, active, NULL) != GG_OK) {
        cli_fail(command, ctx);
        gg_plans_free(ctx, plans, *n);
        return NULL;
    }
    return plans;
}

static int run_plans(int argc, char **argv)
{
    cli_common common;
    int first = 0;
    int rc = cli_parse_common(&cli_cmd_plans, argc, argv, &common, &first);
    if (rc >= 0)
        return rc;
    if (argc - first != 1)
        return cli_usage("plans", "expected PROJECT");
    gg_ctx *ctx = cli_ctx_new("plans", &common);
    if (ctx == NULL)
        return CLI_FAILED;
    gg_store *store = NULL;
    size_t n = 0;
    int64_t active = 0;
    gg_plan_info *plans = NULL;
    if (gg_store_open(ctx, argv[first], 0, &store) != GG_OK)
        rc = cli_fail("plans", ctx);
    else if ((plans = load_plans("plans", ctx, store, &n, &active)) == NULL && n > 0)
        rc = CLI_FAILED;
    else if (common.json) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a, plan_json(&plans[i], active));
        rc = cli_print_json(a);
    } else if (n == 0) {
        printf("no plans yet (make one with 'govgrid partition' or 'govgrid import PROJECT grids')\n");
        rc = CLI_OK;
    } else {
        printf("  %4s  %-10s  %-9s  %6s  %-20s  %-16s  %7s  %10s  %s\n", "plan", "state", "origin", "from",
               "created", "made by", "grids", "households", "note");
        for (size_t i = 0; i < n; i++) {
            const gg_plan_info *p = &plans[i];
            char from[24] = "-", households[32] = "unknown";
            if (p->parent)
                snprintf(from, sizeof from, "%lld", (long long)p->parent);
            if (households_known(p))
                snprintf(households, sizeof households, "%lld%s", (long long)p->households, p->uncounted ? "+" : "");
            printf("%s %4lld  %-10s  %-9s  %6s  %-20s  %-16s  %7lld  %10s  %s\n", p->id == active ? "*" : " ",
                   (long long)p->id, p->state ? p->state : "draft", p->source ? p->source : "", from,
                   p->created ? p->created : "", p->made_by ? p->made_by : "-", (long long)p->grids,
                   households, p->note ? p->note : "");
        }
        rc = CLI_OK;
    }
    gg_plans_free(ctx, plans, n);
    gg_store_close(store);
    gg_ctx_free(ctx);
    return rc;
}

static int parse_number(const char *text, int64_t *out)
{
    char *end = NULL;
    long long v = strtoll(text, &end, 10);
    if (end == text || *end != '\0' || v < 1)
        return 0;
    *out = v;
    return 1;
}

static int show(gg_ctx *ctx, gg_store *store, const char *project, int64_t id, int as_json)
{
    size_t n = 0;
    int64_t active = 0;
    gg_plan_info *plans = load_plans("plan", ctx, store, &n, &active);
    if (plans == NULL && n > 0)
        return CLI_FAILED;
    const gg_plan_info *p = NULL;
    for (size_t i = 0; i < n; i++)
        if (plans[i].id == id)
            p = &plans[i];
    int rc = CLI_OK;
    if (p == NULL) {
        cli_error("plan", "%s: no plan %lld (see govgrid plans)", project, (long long)id);
        rc = CLI_FAILED;
    } else if (as_json) {
        rc = cli_print_json(plan_json(p, active));
    } else {
        printf("plan %lld: %s%s\n", (long long)p->id, p->state ? p->state : "draft",
               p->id == active ? ", the active plan" : "");
        printf("  made by      %s, %s%s%s\n", p->source, p->created, p->made_by ? ", by " : "",
               p->made_by ? p->made_by : "");
        if (p->parent)
            printf("  made from    plan %lld\n", (long long)p->parent);
        if (p->published)
            printf("  published    %s%s%s\n", p->published, p->published_by ? ", by " : "",
                   p->published_by ? p->published_by : "");
        if (p->superseded)
            printf("  superseded   %s\n", p->superseded);
        printf("  grids        %lld in %lld communities\n", (long long)p->grids, (long long)p->communities);
        if (households_known(p))
            printf("  households   %lld", (long long)p->households);
        else
            printf("  households   unknown");
        if (p->uncounted)
            printf(" (%lld grids without a count)", (long long)p->uncounted);
        printf("\n");
        if (p->note)
            printf("  note         %s\n", p->note);
        if (p->params)
            printf("  parameters   %s\n", p->params);
    }
    gg_plans_free(ctx, plans, n);
    return rc;
}

static int publish(gg_ctx *ctx, gg_store *store, int64_t id, const cli_common *common)
{
    gg_publish_report r;
    if (gg_plan_publish(ctx, store, id, &r) != GG_OK)
        return cli_fail("plan", ctx);
    if (!r.index_written && !common->quiet)
        fprintf(stderr, "govgrid plan: warning: the locator index file was not written: %s\n", r.index_note);
    if (common->json)
        return cli_print_json(json_pack("{s:I, s:o, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "plan", (json_int_t)r.plan,
                                        "superseded", r.superseded ? json_integer(r.superseded) : json_null(),
                                        "published", r.published, "grids", (json_int_t)r.grids, "codes_kept",
                                        (json_int_t)r.codes_kept, "codes_reshaped", (json_int_t)r.codes_reshaped,
                                        "codes_issued", (json_int_t)r.codes_issued, "codes_retired",
                                        (json_int_t)r.codes_retired, "lineage_links", (json_int_t)r.lineage,
                                        "index_file", r.index_written ? json_string(r.index_note) : json_null()));
    if (common->quiet)
        return CLI_OK;
    printf("plan %lld published (%s): the active plan", (long long)r.plan, r.published);
    if (r.superseded)
        printf("; plan %lld superseded", (long long)r.superseded);
    printf("\n%lld grids: %lld codes kept (%lld of them reshaped), %lld issued, %lld retired;"
           " %lld lineage links recorded\n",
           (long long)r.grids, (long long)r.codes_kept, (long long)r.codes_reshaped, (long long)r.codes_issued,
           (long long)r.codes_retired, (long long)r.lineage);
    return CLI_OK;
}

static int index_plan(gg_ctx *ctx, gg_store *store, int64_t id, const cli_common *common)
{
    gg_locator_index_report r;
    if (gg_locator_index_write(ctx, store, id, &r) != GG_OK)
        return cli_fail("plan", ctx);
    if (common->json)
        return cli_print_json(json_pack("{s:I, s:I, s:s, s:I}", "plan", (json_int_t)r.plan, "grids",
                                        (json_int_t)r.grids, "index_file", r.path, "bytes", (json_int_t)r.bytes));
    if (!common->quiet)
        printf("plan %lld: locator index of %lld grids written to %s (%lld bytes)\n", (long long)r.plan,
               (long long)r.grids, r.path, (long long)r.bytes);
    return CLI_OK;
}

static int run_plan(int argc, char **argv)
{
    cli_common common;
    int first = 0;
    int rc = cli_parse_common(&cli_cmd_plan, argc, argv, &common, &first);
    if (rc >= 0)
        return rc;
    int indexing = argc - first >= 1 && strcmp(argv[first], "index") == 0;
    if (argc - first != 3 && !(indexing && argc - first == 2))
        return cli_usage("plan", "expected show|publish|delete|index PROJECT N");
    const char *action = argv[first], *project = argv[first + 1];
    int64_t id = 0;
    if (strcmp(action, "show") != 0 && strcmp(action, "publish") != 0 && strcmp(action, "delete") != 0 && !indexing)
        return cli_usage("plan", "unknown action '%s' (expected show, publish, delete or index)", action);
    if (argc - first == 3 && !parse_number(argv[first + 2], &id))
        return cli_usage("plan", "expected a plan number, got '%s'", argv[first + 2]);
    gg_ctx *ctx = cli_ctx_new("plan", &common);
    if (ctx == NULL)
        return CLI_FAILED;
    int writing = strcmp(action, "show") != 0 && !indexing;
    gg_store *store = NULL;
    if (gg_store_open(ctx, project, writing, &store) != GG_OK) {
        rc = cli_fail("plan", ctx);
    } else {
        gg_store_set_actor(store, cli_actor());
        if (strcmp(action, "show") == 0) {
            rc = show(ctx, store, project, id, common.json);
        } else if (strcmp(action, "publish") == 0) {
            rc = publish(ctx, store, id, &common);
        } else if (indexing) {
            rc = index_plan(ctx, store, id, &common);
        } else if (gg_plan_delete(ctx, store, id) != GG_OK) {
            rc = cli_fail("plan", ctx);
        } else {
            if (!common.quiet)
                printf("plan %lld deleted\n", (long long)id);
            rc = CLI_OK;
        }
    }
    gg_store_close(store);
    gg_ctx_free(ctx);
    return rc;
}

const cli_command cli_cmd_plans = {"plans", "list a project's plans, drafts and published", run_plans, plans_help};
const cli_command cli_cmd_plan = {"plan", "show, publish, delete or index a plan", run_plan, plan_help};
