/* govgrid export: write a plan's grids to a file GDAL can write. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *out)
{
    fprintf(out,
            "Usage: govgrid export PROJECT.sqlite grids OUT [options]\n"
            "\n"
            "Writes the grids of a plan (the active plan unless --plan) to OUT in EPSG:4326, with\n"
            "code, type, community, name, households, persons, area_m2, flags and geometry.\n"
            "The format follows OUT's extension (.gpkg, .geojson, .shp, .csv with WKT) unless\n"
            "--format names a GDAL driver.\n"
            "\n"
            "Options:\n"
            "  --plan N            the plan to write (default: the active plan)\n"
            "  --format NAME       GPKG, GeoJSON, \"ESRI Shapefile\", CSV or another GDAL vector driver\n"
            "  --code-layout L     16: unified code (default); 15: DB11/T 2157-2023, county 6 +\n"
            "                      township 3 + community 3 + grid 3; 20: CJ/T 349-2010, object 6 +\n"
            "                      county 6 + township 3 + community 3 + grid 2 (code16 keeps the\n"
            "                      unified code)\n"
            "  --object-code NNNNNN  the CJ/T 348 management object code for layout 20 (default 000000)\n"
            "  --overwrite         replace OUT if it exists\n"
            "  --valid-from        add valid_from: when each grid's code was issued (the\n"
            "                      code register; empty for codes no plan published yet)\n"
            "  --json              print the result as JSON\n"
            "  --quiet             print nothing but errors\n"
            "  --help              show this help\n");
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {
        {"plan", required_argument, NULL, 'p'},       {"format", required_argument, NULL, 'f'},
        {"code-layout", required_argument, NULL, 'l'}, {"object-code", required_argument, NULL, 'o'},
        {"overwrite", no_argument, NULL, 'w'},         {"valid-from", no_argument, NULL, 'V'},         {"json", no_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},             {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    gg_export_options opts;
    gg_export_options_init(&opts);
    cli_common common = {0, 0};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 'p': {
            int rc = cli_parse_plan("export", optarg, &opts.plan);
            if (rc >= 0)
                return rc;
            break;
        }
        case 'f': opts.format = optarg; break;
        case 'l':
            opts.code_layout = (int)strtol(optarg, &end, 10);
            if (end == optarg || *end != '\0' ||
                (opts.code_layout != 16 && opts.code_layout != 15 && opts.code_layout != 20))
                return cli_usage("export", "--code-layout takes 16, 15 or 20, got '%s'", optarg);
            break;
        case 'o': opts.object_code = optarg; break;
        case 'w': opts.overwrite = 1; break;
        case 'V': opts.valid_from = 1; break;
        case 'j': common.json = 1; break;
        case 'q': common.quiet = 1; break;
        case 'h': help(stdout); return CLI_OK;
        case ':': return cli_usage("export", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage("export", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 3)
        return cli_usage("export", "expected PROJECT.sqlite grids OUT");
    const char *project = argv[optind], *what = argv[optind + 1], *out = argv[optind + 2];
    if (strcmp(what, "grids") != 0)
        return cli_usage("export", "cannot export '%s' (expected: grids)", what);
    gg_ctx *ctx = cli_ctx_new("export", &common);
    if (ctx == NULL)
        return CLI_FAILED;
    gg_store *store = NULL;
    int64_t written = 0;
    int rc = CLI_OK;
    gg_status st = gg_store_open(ctx, project, 0, &store);
    if (st == GG_OK)
        st = gg_export_grids(ctx, store, out, &opts, &written);
    if (st != GG_OK)
        rc = st == GG_ERR_ARG ? (cli_fail("export", ctx), CLI_USAGE) : cli_fail("export", ctx);
    else if (common.json)
        rc = cli_print_json(json_pack("{s:s, s:s, s:I, s:i}", "project", project, "output", out, "grids",
                                      (json_int_t)written, "code_layout", opts.code_layout ? opts.code_layout : 16));
    else if (!common.quiet)
        printf("%s: %lld grids\n", out, (long long)written);
    gg_store_close(store);
    gg_ctx_free(ctx);
    return rc;
}

const cli_command cli_cmd_export = {"export", "write a plan's grids to a GIS file", run, help};
