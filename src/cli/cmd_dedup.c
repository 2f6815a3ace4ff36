/* govgrid dedup: fold departmental grids into the unified plan (一张网). */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *out)
{
    fprintf(out,
            "Usage: govgrid dedup PROJECT.sqlite -o DIR [options]\n"
            "\n"
            "Compares every departmental grid (govgrid import PROJECT dept-grids FILE\n"
            "--set dept=NAME) with the unified grids of a plan (the active plan unless --plan):\n"
            "the unified grids it touches with the share of its area and households in each;\n"
            "its relation: outside (it covers ground no unified grid covers), equal (IoU >=\n"
            "--equal-iou, or one grid within the tolerance), union-of (within the tolerance a\n"
            "union of whole unified grids), part-of (inside one), cuts (it cuts through\n"
            "unified grids); and the whole unified grids that best replace it (fewest\n"
            "households changing hands).\n"
            "Per department: overlaps between its own grids and gaps in the communities it\n"
            "covers. Across departments: grids covering the same ground. Pieces no wider\n"
            "than the tolerance (largest inscribed circle) are digitising noise.\n"
            "\n"
            "Writes to DIR: crosswalk.csv, touches.csv, duplicates.csv, conflicts.gpkg (cut\n"
            "pieces, overlaps, gaps, parts outside the plan), summary.json and a map per\n"
            "department (map-DEPT.png); then prints the summary (govgrid report --dedup DIR\n"
            "prints it again).\n"
            "\n"
            "Options:\n"
            "  -o, --output DIR      where to write (created if missing; required)\n"
            "  --plan N              the plan (default: the active plan)\n"
            "  --dept NAME           only this department (repeatable; default: all)\n"
            "  --equal-iou X         IoU at or above which a grid is equal (default 0.9)\n"
            "  --tolerance-m M       digitising tolerance in metres (default 5)\n"
            "  --jobs N              threads (default: 1)\n"
            "  --no-maps             do not draw the maps\n"
            "  --overwrite           replace files already in DIR\n"
            "  --json                print summary.json instead of the summary in words\n"
            "  --quiet               print nothing but errors\n"
            "  --help                show this help\n");
}

static int parse_number(const char *opt, const char *arg, double lo, double hi, double *out)
{
    char *end = NULL;
    double v = strtod(arg, &end);
    if (end == arg || *end != '\0' || !(v >= lo && v <= hi))
        return cli_usage("dedup", "%s takes a number from %g to %g, got '%s'", opt, lo, hi, arg);
    *out = v;
    return -1;
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {
        {"output", required_argument, NULL, 'o'},      {"plan", required_argument, NULL, 'p'},
        {"dept", required_argument, NULL, 'd'},        {"equal-iou", required_argument, NULL, 'e'},
        {"tolerance-m", required_argument, NULL, 't'}, {"jobs", required_argument, NULL, 'J'},
        {"no-maps", no_argument, NULL, 'n'},           {"overwrite", no_argument, NULL, 'w'},
        {"json", no_argument, NULL, 'j'},              {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},              {NULL, 0, NULL, 0},
    };
    gg_dedup_options opts;
    gg_dedup_options_init(&opts);
    cli_common common = {0, 0};
    const char *dir = NULL;
    int maps = 1, overwrite = 0, c, rc;
    const char **depts = calloc((size_t)argc + 1, sizeof *depts);
    if (depts == NULL) {
        cli_error("dedup", "out of memory");
        return CLI_FAILED;
    }
    optind = 1;
    opterr = 0;
    double v = 0;
    while ((c = getopt_long(argc, argv, ":o:", options, NULL)) != -1) {
        rc = -1;
        switch (c) {
        case 'o': dir = optarg; break;
        case 'p': rc = cli_parse_plan("dedup", optarg, &opts.plan); break;
        case 'd': depts[opts.n_depts++] = optarg; break;
        case 'e': if ((rc = parse_number("--equal-iou", optarg, 0.01, 1, &v)) < 0) opts.equal_iou = v; break;
        case 't': if ((rc = parse_number("--tolerance-m", optarg, 0, 1000, &v)) < 0) opts.tolerance_m = v; break;
        case 'J':
            if ((rc = parse_number("--jobs", optarg, 1, 64, &v)) < 0) {
                if (v != (int)v)
                    rc = cli_usage("dedup", "--jobs takes a whole number, got '%s'", optarg);
                opts.jobs = (int)v;
            }
            break;
        case 'n': maps = 0; break;
        case 'w': overwrite = 1; break;
        case 'j': common.json = 1; break;
        case 'q': common.quiet = 1; break;
        case 'h': help(stdout); rc = CLI_OK; break;
        case ':': rc = cli_usage("dedup", "option '%s' needs a value", argv[optind - 1]); break;
        default: rc = cli_usage("dedup", "unknown option '%s'", argv[optind - 1]); break;
        }
        if (rc >= 0) {
            free(depts);
            return rc;
        }
    }
    if (argc - optind != 1 || dir == NULL) {
        free(depts);
        return cli_usage("dedup", argc - optind != 1 ? "expected one argument, the project file"
                                                     : "-o DIR is required (where the results go)");
    }
    opts.depts = depts;
    const char *project = argv[optind];
    gg_ctx *ctx = cli_ctx_new("dedup", &common);
    if (ctx == NULL) {
        free(depts);
        return CLI_FAILED;
    }
    gg_store *store = NULL;
    gg_dedup_result *r = NULL;
    rc = CLI_OK;
    gg_status st = gg_store_open(ctx, project, 0, &store);
    if (st == GG_OK)
        st = gg_dedup_run(ctx, store, &opts, &r);
    if (st == GG_OK)
        st = gg_dedup_write(ctx, store, r, dir, &(gg_dedup_write_options){maps, overwrite, opts.jobs});
    if (st != GG_OK)
        rc = cli_fail("dedup", ctx);
    else if (common.json || !common.quiet)
        rc = cli_dedup_print_dir("dedup", dir, common.json);
    gg_dedup_result_free(ctx, r);
    gg_store_close(store);
    gg_ctx_free(ctx);
    free(depts);
    return rc;
}

const cli_command cli_cmd_dedup = {"dedup", "fold departmental grids into the unified plan (one network)", run, help};
