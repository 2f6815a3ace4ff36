/* govgrid report: how good a plan is. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *out)
{
    fprintf(out,
            "Usage: govgrid report PROJECT.sqlite [--plan N] [--json]\n"
            "       govgrid report --dedup DIR [--json]\n"
            "\n"
            "Measures a plan (the active plan unless --plan): grids by type; households per\n"
            "comprehensive grid (min, 5th percentile, median, 95th percentile, max) and the\n"
            "share within the window of its community; compactness (Polsby-Popper, 1 for a\n"
            "disc); road length inside each grid (the patrol); the share of the boundary\n"
            "between grids that runs within 5 m of a road or waterway; every grid out of its\n"
            "window with its flags. Lengths and areas in the local metric CRS.\n"
            "\n"
            "With --dedup, prints the summary that govgrid dedup left in DIR (its\n"
            "summary.json) in words instead.\n"
            "\n"
            "Options:\n"
            "  --plan N    the plan (default: the active plan)\n"
            "  --dedup DIR the summary of govgrid dedup -o DIR\n"
            "  --json      everything as JSON, with every grid\n"
            "  --quiet     print nothing but errors\n"
            "  --help      show this help\n");
}

/* No comprehensive grid has a household count to measure: the households
 * per grid are unknown, not 0. */
static int no_counts(const gg_plan_report *r)
{
    return r->uncounted > 0 && r->in_window + r->out_of_window == 0;
}

static json_t *report_json(const char *project, const gg_plan_report *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "project", json_string(project));
    json_object_set_new(o, "plan", json_integer(r->plan));
    json_object_set_new(o, "grids", json_integer(r->grids));
    json_object_set_new(o, "dedicated", json_integer(r->dedicated));
    json_object_set_new(o, "comprehensive", json_integer(r->comprehensive));
    json_object_set_new(o, "in_window", json_integer(r->in_window));
    json_object_set_new(o, "out_of_window", json_integer(r->out_of_window));
    json_object_set_new(o, "small_community_grids", json_integer(r->small_community));
    json_object_set_new(o, "uncounted_grids", json_integer(r->uncounted));
    json_object_set_new(o, "out_of_window_by_reason",
                        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "indivisible", (json_int_t)r->out_indivisible,
                                  "island", (json_int_t)r->out_island, "unreachable", (json_int_t)r->out_unreachable,
                                  "infeasible", (json_int_t)r->out_infeasible, "drawn_over_max",
                                  (json_int_t)r->out_drawn_over, "drawn_under_min", (json_int_t)r->out_drawn_under));
    json_object_set_new(o, "imported", json_boolean(r->imported));
    json_object_set_new(o, "attainable", json_pack("{s:I, s:I}", "in_window", (json_int_t)r->attainable_in_window,
                                                   "out_of_window", (json_int_t)r->attainable_out_of_window));
    if (no_counts(r))
        json_object_set_new(o, "households_per_grid",
                            json_pack("{s:n, s:n, s:n, s:n, s:n}", "min", "p5", "median", "p95", "max"));
    else
        json_object_set_new(o, "households_per_grid",
                            json_pack("{s:f, s:f, s:f, s:f, s:f}", "min", r->households_min, "p5", r->households_p5,
                                      "median", r->households_median, "p95", r->households_p95, "max",
                                      r->households_max));
    json_object_set_new(o, "polsby_popper", json_pack("{s:f, s:f}", "min", r->polsby_popper_min, "median",
                                                      r->polsby_popper_median));
    json_object_set_new(o, "patrol_road_m", json_pack("{s:f, s:f}", "median", r->road_m_median, "max", r->road_m_max));
    json_object_set_new(o, "internal_boundary_m", json_real(r->internal_m));
    json_object_set_new(o, "internal_boundary_on_roads_or_water_m", json_real(r->internal_on_lines_m));
    json_t *cs = json_array();
    for (size_t i = 0; i < r->n_communities; i++) {
        const gg_community_quality *c = &r->communities[i];
        json_array_append_new(cs, json_pack("{s:s, s:s, s:[i,i], s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:f, s:f}",
                                            "community", c->code, "rule", c->rural ? "rural" : "urban", "window",
                                            c->min, c->max, "households",
                                            c->uncounted ? json_null() : json_integer(c->households),
                                            "households_counted", (json_int_t)c->households,
                                            "uncounted_grids", (json_int_t)c->uncounted, "grids", (json_int_t)c->grids,
                                            "dedicated", (json_int_t)c->dedicated, "in_window", (json_int_t)c->in_window,
                                            "out_of_window", (json_int_t)c->out_of_window, "unreachable", c->unreachable, "internal_boundary_m",
                                            c->internal_m, "internal_on_roads_or_water_m", c->internal_on_lines_m));
    }
    json_object_set_new(o, "communities", cs);
    json_t *gs = json_array();
    for (size_t i = 0; i < r->n_grids; i++) {
        const gg_grid_quality *g = &r->grid_list[i];
        json_array_append_new(gs, json_pack("{s:s, s:i, s:s, s:o, s:f, s:f, s:f, s:s}", "code", g->code, "type", g->type,
                                            "community", g->community, "households",
                                            g->counted ? json_integer(g->households) : json_null(),
                                            "area_m2", g->area_m2, "polsby_popper", g->polsby_popper, "patrol_road_m",
                                            g->road_m, "flags", g->flags));
    }
    json_object_set_new(o, "grid_list", gs);
    return o;
}

static void print_report(const gg_plan_report *r)
{
    double share = r->in_window + r->out_of_window
                       ? 100.0 * (double)r->in_window / (double)(r->in_window + r->out_of_window) : 100.0;
    printf("plan %lld: %lld grids (%lld comprehensive, %lld dedicated) in %zu communities\n", (long long)r->plan,
           (long long)r->grids, (long long)r->comprehensive, (long long)r->dedicated, r->n_communities);
    if (no_counts(r))
        printf("comprehensive grids in their household window: unknown (%lld without a household count)",
               (long long)r->uncounted);
    else
        printf("comprehensive grids in their household window: %lld of %lld (%.1f%%)", (long long)r->in_window,
               (long long)(r->in_window + r->out_of_window), share);
    if (r->small_community)
        printf("; %lld grid(s) of communities below the minimum not counted", (long long)r->small_community);
    if (r->uncounted && !no_counts(r))
        printf("; %lld grid(s) without a household count (unknown) not counted", (long long)r->uncounted);
    if (r->out_of_window && r->imported) {
        printf("\n  out of window as drawn (an imported plan: no partition chose these boundaries): %lld above the "
               "maximum, %lld below the minimum",
               (long long)r->out_drawn_over, (long long)r->out_drawn_under);
    } else if (r->out_of_window) {
        int64_t att = r->attainable_in_window + r->attainable_out_of_window;
        printf("\n  out of window: %lld indivisible (one point above the maximum), %lld populated island(s), %lld "
               "unreachable (no number of grids fits the community), %lld infeasible (no fitting split found)",
               (long long)r->out_indivisible, (long long)r->out_island, (long long)r->out_unreachable,
               (long long)r->out_infeasible);
        printf("\n  attainable (indivisible grids, islands and unreachable communities apart): %lld of %lld (%.1f%%)",
               (long long)r->attainable_in_window, (long long)att,
               att ? 100.0 * (double)r->attainable_in_window / (double)att : 100.0);
    }
    if (no_counts(r))
        printf("\nhouseholds per comprehensive grid: unknown (no grid has a household count)\n");
    else
        printf("\nhouseholds per comprehensive grid: min %.0f, p5 %.0f, median %.0f, p95 %.0f, max %.0f%s\n",
               r->households_min, r->households_p5, r->households_median, r->households_p95, r->households_max,
               r->uncounted ? " (of the grids with a count)" : "");
    printf("compactness (Polsby-Popper): median %.2f, min %.2f\n", r->polsby_popper_median, r->polsby_popper_min);
    printf("road length to patrol per grid: median %.0f m, max %.0f m\n", r->road_m_median, r->road_m_max);
    printf("boundary between grids on roads or waterways (within 5 m): %.0f of %.0f m (%.1f%%)\n", r->internal_on_lines_m,
           r->internal_m, r->internal_m > 0 ? 100.0 * r->internal_on_lines_m / r->internal_m : 0.0);
    int header = 0;
    for (size_t i = 0; i < r->n_grids; i++) {
        const gg_grid_quality *g = &r->grid_list[i];
        if (g->type != 1 || g->in_window || !g->counted)
            continue;
        if (!header) {
            printf("\ngrids out of their window:\n");
            header = 1;
        }
        printf("  %s %6lld households  %s\n", g->code, (long long)g->households, g->flags[0] ? g->flags : "-");
    }
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {
        {"plan", required_argument, NULL, 'p'}, {"json", no_argument, NULL, 'j'},
        {"dedup", required_argument, NULL, 'd'},
        {"quiet", no_argument, NULL, 'q'},      {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cli_common common = {0, 0};
    int64_t plan = 0;
    const char *dedup_dir = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        switch (c) {
        case 'p': {
            int rc = cli_parse_plan("report", optarg, &plan);
            if (rc >= 0)
                return rc;
            break;
        }
        case 'j': common.json = 1; break;
        case 'd': dedup_dir = optarg; break;
        case 'q': common.quiet = 1; break;
        case 'h': help(stdout); return CLI_OK;
        case ':': return cli_usage("report", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage("report", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (dedup_dir != NULL) {
        if (argc - optind > 1)
            return cli_usage("report", "--dedup DIR takes no other argument than the project file");
        return common.quiet && !common.json ? CLI_OK : cli_dedup_print_dir("report", dedup_dir, common.json);
    }
    if (argc - optind != 1)
        return cli_usage("report", "expected one argument, the project file");
    const char *project = argv[optind];
    gg_ctx *ctx = cli_ctx_new("report", &common);
    if (ctx == NULL)
        return CLI_FAILED;
    gg_store *store = NULL;
    gg_plan_report *r = NULL;
    int rc = CLI_OK;
    if (gg_store_open(ctx, project, 0, &store) != GG_OK || gg_plan_report_get(ctx, store, plan, &r) != GG_OK)
        rc = cli_fail("report", ctx);
    else if (common.json)
        rc = cli_print_json(report_json(project, r));
    else if (!common.quiet)
        print_report(r);
    gg_plan_report_free(ctx, r);
    gg_store_close(store);
    gg_ctx_free(ctx);
    return rc;
}

const cli_command cli_cmd_report = {"report", "measure how good a plan is", run, help};
