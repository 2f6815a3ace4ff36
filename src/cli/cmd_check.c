/* govgrid check: the invariants of a plan, in words, JSON or a GeoPackage. */
#include "cli/cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *out)
{
    fprintf(out,
            "Usage: govgrid check PROJECT.sqlite [--plan N] [-o PROBLEMS.gpkg [--overwrite]]\n"
            "                     [--tolerance-m M] [--part-min-m2 A] [--json] [--quiet]\n"
            "\n"
            "Checks a plan (default: the active plan), made by partition or imported\n"
            "hand-drawn, against the invariants every plan must hold:\n"
            "  - every grid valid as stored (EPSG:4326) and after reprojection to UTM and\n"
            "    to the local metric CRS (CGCS2000 3-degree Gauss-Krueger in China);\n"
            "  - no ring turning back on itself (spike), no repeated vertex, no part\n"
            "    below the minimum area;\n"
            "  - the grids of each community tile it: no gap, no overlap, no grid\n"
            "    crossing its community, every edge on the community's boundary or\n"
            "    shared exactly with one neighbour (no T-junction, no near-coincident\n"
            "    edge); a grid is contiguous (a grid in parts is a warning where the\n"
            "    community itself is in parts);\n"
            "  - every grid's households equal the household points its polygon holds,\n"
            "    by the rule of 'govgrid locate' (inside or on an edge; of several grids\n"
            "    a dedicated one, then the lowest code), where the points tell (a grid\n"
            "    holding none, in a community holding none, has no count to compare);\n"
            "    no household point in no grid;\n"
            "  - codes well formed (16, 15 or 20 digits) and naming the grid's own\n"
            "    community and type.\n"
            "Comprehensive grids out of their household window are warnings, with the\n"
            "reason the plan records.\n"
            "\n"
            "Options:\n"
            "  --plan N          the plan to check\n"
            "  -o, --output F    write the problems' places to a GeoPackage: layers\n"
            "                    problem_areas (gaps, overlaps, pieces outside, small\n"
            "                    parts) and problem_points (the rest)\n"
            "  --overwrite       replace the GeoPackage if it exists\n"
            "  --tolerance-m M   pieces narrower than 2M and spikes narrower than M are\n"
            "                    noise (default 0.01)\n"
            "  --part-min-m2 A   the smallest part a grid may have (default 1)\n"
            "  --json            the report as JSON\n"
            "  --quiet           print nothing (the exit status still tells)\n"
            "  --help            this text\n"
            "\n"
            "Exit status 0 when every invariant holds (warnings allowed), 1 when one\n"
            "breaks or the check fails, 2 on a usage error.\n");
}

static int parse_positive(const char *option, const char *arg, double *out)
{
    char *end = NULL;
    double v = strtod(arg, &end);
    if (end == arg || *end != '\0' || !isfinite(v) || v <= 0)
        return cli_usage("check", "%s needs a positive number, not '%s'", option, arg);
    *out = v;
    return -1;
}

static json_t *problem_json(const gg_check_problem *p)
{
    json_t *o = json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s}", "kind", gg_check_kind_name(p->kind), "severity",
                          p->error ? "error" : "warning", "code", p->code[0] ? p->code : NULL, "other",
                          p->other[0] ? p->other : NULL, "community", p->community[0] ? p->community : NULL,
                          "detail", p->detail);
    if (isfinite(p->lon) && isfinite(p->lat)) {
        json_object_set_new(o, "lon", json_real(round(p->lon * 1e7) / 1e7));
        json_object_set_new(o, "lat", json_real(round(p->lat * 1e7) / 1e7));
    }
    if (p->area_m2 > 0)
        json_object_set_new(o, "area_m2", json_real(round(p->area_m2 * 100) / 100));
    if (p->kind == GG_CHECK_HOUSEHOLDS && p->code[0]) {
        json_object_set_new(o, "households", json_integer(p->value));
        json_object_set_new(o, "held", json_integer(p->expected));
    }
    return o;
}

static int print_report(const char *project, const gg_check_report *r, const cli_common *common)
{
    if (common->json) {
        json_t *kinds = json_object();
        for (int k = 0; k < GG_CHECK_KIND_COUNT; k++)
            if (r->by_kind[k])
                json_object_set_new(kinds, gg_check_kind_name((gg_check_kind)k), json_integer(r->by_kind[k]));
        json_t *list = json_array();
        for (size_t i = 0; i < r->n_problems; i++)
            json_array_append_new(list, problem_json(&r->problems[i]));
        json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:f, s:f, s:I, s:I, s:b, s:o, s:o}", "project", project,
                              "plan", (json_int_t)r->plan, "grids", (json_int_t)r->grids, "communities",
                              (json_int_t)r->communities, "household_points", (json_int_t)r->household_points,
                              "tolerance_m", r->tolerance_m, "part_min_m2", r->part_min_m2, "errors",
                              (json_int_t)r->errors, "warnings", (json_int_t)r->warnings, "ok", r->errors == 0,
                              "by_kind", kinds, "problems", list);
        return cli_print_json(o);
    }
    if (common->quiet)
        return CLI_OK;
    printf("plan %lld: %lld grids in %lld communities, %lld household points\n", (long long)r->plan,
           (long long)r->grids, (long long)r->communities, (long long)r->household_points);
    for (size_t i = 0; i < r->n_problems; i++) {
        const gg_check_problem *p = &r->problems[i];
        printf("  %-7s %-18s %s%s%s%s: %s\n", p->error ? "error" : "warning", gg_check_kind_name(p->kind),
               p->code[0] ? p->code : (p->community[0] ? p->community : "plan"), p->other[0] ? " / " : "", p->other,
               "", p->detail);
    }
    if (r->errors == 0)
        printf("every invariant holds (%lld warning(s))\n", (long long)r->warnings);
    else
        printf("%lld error(s), %lld warning(s)\n", (long long)r->errors, (long long)r->warnings);
    return CLI_OK;
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {
        {"plan", required_argument, NULL, 'p'},        {"output", required_argument, NULL, 'o'},
        {"overwrite", no_argument, NULL, 'w'},         {"tolerance-m", required_argument, NULL, 't'},
        {"part-min-m2", required_argument, NULL, 'a'}, {"json", no_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},             {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cli_common common = {0, 0};
    gg_check_options opts;
    gg_check_options_init(&opts);
    const char *output = NULL;
    int overwrite = 0, c, rc;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:", options, NULL)) != -1) {
        switch (c) {
        case 'p':
            if ((rc = cli_parse_plan("check", optarg, &opts.plan)) >= 0)
                return rc;
            break;
        case 'o': output = optarg; break;
        case 'w': overwrite = 1; break;
        case 't':
            if ((rc = parse_positive("--tolerance-m", optarg, &opts.tolerance_m)) >= 0)
                return rc;
            break;
        case 'a':
            if ((rc = parse_positive("--part-min-m2", optarg, &opts.part_min_m2)) >= 0)
                return rc;
            break;
        case 'j': common.json = 1; break;
        case 'q': common.quiet = 1; break;
        case 'h': help(stdout); return CLI_OK;
        case ':': return cli_usage("check", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage("check", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1)
        return cli_usage("check", "expected the project file");
    const char *project = argv[optind];
    gg_ctx *ctx = cli_ctx_new("check", &common);
    if (ctx == NULL)
        return CLI_FAILED;
    gg_store *store = NULL;
    gg_check_report *r = NULL;
    rc = CLI_OK;
    if (gg_store_open(ctx, project, 0, &store) != GG_OK || gg_plan_check(ctx, store, &opts, &r) != GG_OK ||
        (output != NULL && gg_check_write_gpkg(ctx, r, output, overwrite) != GG_OK))
        rc = cli_fail("check", ctx);
    else
        rc = print_report(project, r, &common);
    if (rc == CLI_OK && r->errors > 0)
        rc = CLI_FAILED;
    gg_check_report_free(ctx, r);
    gg_store_close(store);
    gg_ctx_free(ctx);
    return rc;
}

const cli_command cli_cmd_check = {"check", "check a plan's invariants (coverage, validity, counts, codes)", run, help};
