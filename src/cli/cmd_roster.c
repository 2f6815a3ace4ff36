/* govgrid roster check: grids short of the staffing rule (by default
 * "1 + 2 + N"), workers without a grid. */
#include "cli/cli.h"

#include <getopt.h>
#include <string.h>

static void help(FILE *out)
{
    fprintf(out,
            "Usage: govgrid roster check PROJECT.sqlite [--plan N] [--json] [--quiet]\n"
            "\n"
            "Checks the roster (imported with 'govgrid import PROJECT workers FILE')\n"
            "against a plan (default: the active plan) and the project's staffing rule for\n"
            "each grid's community class, urban or rural (by default \"1 + 2 + N\": one\n"
            "grid leader and at least two grid workers, one of them full-time, plus any\n"
            "number of volunteers; 'govgrid import PROJECT staffing-rules FILE.csv' sets\n"
            "others). Lists every grid that falls short and why, and every worker whose\n"
            "grid code is empty or not in the plan.\n"
            "\n"
            "Options:\n"
            "  --plan N    the plan to check against\n"
            "  --json      the result as JSON\n"
            "  --quiet     print nothing (the exit status still tells failures)\n"
            "  --help      this text\n"
            "\n"
            "Exit status 0 when the check ran (whatever it found), 1 on failure.\n");
}

/* "1 leader + 2 workers (1 full-time) + N volunteers" */
static void rule_text(const gg_staffing_rule *r, char *out, size_t size)
{
    char volunteers[32];
    if (r->volunteers > 0)
        snprintf(volunteers, sizeof volunteers, "%d volunteer%s", r->volunteers, r->volunteers == 1 ? "" : "s");
    else
        snprintf(volunteers, sizeof volunteers, "N volunteers");
    snprintf(out, size, "%d leader%s + %d worker%s (%d full-time) + %s", r->leaders, r->leaders == 1 ? "" : "s",
             r->workers, r->workers == 1 ? "" : "s", r->fulltime, volunteers);
}

static json_t *rule_json(const gg_staffing_rule *r)
{
    return json_pack("{s:i, s:i, s:i, s:i, s:s?}", "leaders", r->leaders, "workers", r->workers, "fulltime",
                     r->fulltime, "volunteers", r->volunteers, "note", r->note[0] ? r->note : NULL);
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {
        {"plan", required_argument, NULL, 'p'}, {"json", no_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},      {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cli_common common = {0, 0};
    int64_t plan = 0;
    int c, rc;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        switch (c) {
        case 'p':
            if ((rc = cli_parse_plan("roster", optarg, &plan)) >= 0)
                return rc;
            break;
        case 'j': common.json = 1; break;
        case 'q': common.quiet = 1; break;
        case 'h': help(stdout); return CLI_OK;
        case ':': return cli_usage("roster", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage("roster", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 2 || strcmp(argv[optind], "check") != 0)
        return cli_usage("roster", "expected 'check' and the project file");
    const char *project = argv[optind + 1];
    gg_ctx *ctx = cli_ctx_new("roster", &common);
    if (ctx == NULL)
        return CLI_FAILED;
    gg_store *store = NULL;
    gg_roster_report *r = NULL;
    rc = CLI_OK;
    gg_staffing_rule rules[2];
    if (gg_store_open(ctx, project, 0, &store) != GG_OK || gg_roster_check(ctx, store, plan, &r) != GG_OK ||
        gg_staffing_rules(ctx, store, rules) != GG_OK) {
        rc = cli_fail("roster", ctx);
    } else if (common.json) {
        json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:{s:o, s:o}}", "project", project, "plan",
                              (json_int_t)r->plan, "grids", (json_int_t)r->grids, "grids_ok", (json_int_t)r->grids_ok,
                              "workers", (json_int_t)r->workers, "rules", "urban", rule_json(&rules[0]), "rural",
                              rule_json(&rules[1]));
        json_t *list = json_array();
        for (size_t i = 0; i < r->n_issues; i++) {
            const gg_roster_issue *is = &r->issues[i];
            json_array_append_new(list, json_pack("{s:s?, s:s?, s:s}", "grid", is->grid[0] ? is->grid : NULL, "worker",
                                                  is->worker[0] ? is->worker : NULL, "problem", is->problem));
        }
        json_object_set_new(o, "issues", list);
        rc = cli_print_json(o);
    } else if (!common.quiet) {
        char urban[96], rural[96], rule[256];
        rule_text(&rules[0], urban, sizeof urban);
        rule_text(&rules[1], rural, sizeof rural);
        if (strcmp(urban, rural) == 0)
            snprintf(rule, sizeof rule, "%s", urban);
        else
            snprintf(rule, sizeof rule, "%s in urban communities, %s in rural ones", urban, rural);
        printf("plan %lld: %lld of %lld grids meet %s; %lld workers on the roster\n", (long long)r->plan,
               (long long)r->grids_ok, (long long)r->grids, rule, (long long)r->workers);
        for (size_t i = 0; i < r->n_issues; i++) {
            const gg_roster_issue *is = &r->issues[i];
            if (is->grid[0])
                printf("  grid %s: %s\n", is->grid, is->problem);
            else
                printf("  worker %s: %s\n", is->worker, is->problem);
        }
    }
    gg_roster_report_free(ctx, r);
    gg_store_close(store);
    gg_ctx_free(ctx);
    return rc;
}

const cli_command cli_cmd_roster = {"roster", "check grid staffing against the staffing rule (1 + 2 + N by default)",
                                    run, help};
