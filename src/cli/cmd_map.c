/* govgrid map: draw a plan. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *out)
{
    fprintf(out,
            "Usage: govgrid map PROJECT.sqlite OUT.png|OUT.svg|OUT.pdf [options]\n"
            "\n"
            "Draws a plan (the active plan unless --plan): grids coloured by household count,\n"
            "dedicated grids in their own colour, each labelled with the last four digits of\n"
            "its code and its households; community names; roads and waterways; a legend and\n"
            "a scale bar. Chinese text is set in WenQuanYi Micro Hei (or Noto Sans CJK).\n"
            "\n"
            "Options:\n"
            "  --plan N          the plan (default: the active plan)\n"
            "  --community CODE  only this community\n"
            "  --width N         width in pixels (PNG) or points (SVG, PDF); default 1600\n"
            "  --title TEXT      the title (default: the plan and community)\n"
            "  --quiet           print nothing but errors\n"
            "  --help            show this help\n");
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {
        {"plan", required_argument, NULL, 'p'},  {"community", required_argument, NULL, 'c'},
        {"width", required_argument, NULL, 'w'}, {"title", required_argument, NULL, 't'},
        {"quiet", no_argument, NULL, 'q'},       {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    gg_map_options opts;
    gg_map_options_init(&opts);
    cli_common common = {0, 0};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 'p': {
            int rc = cli_parse_plan("map", optarg, &opts.plan);
            if (rc >= 0)
                return rc;
            break;
        }
        case 'c': opts.community = optarg; break;
        case 'w':
            opts.width_px = (int)strtol(optarg, &end, 10);
            if (end == optarg || *end != '\0' || opts.width_px < 200 || opts.width_px > 20000)
                return cli_usage("map", "--width takes 200 to 20000, got '%s'", optarg);
            break;
        case 't': opts.title = optarg; break;
        case 'q': common.quiet = 1; break;
        case 'h': help(stdout); return CLI_OK;
        case ':': return cli_usage("map", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage("map", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 2)
        return cli_usage("map", "expected PROJECT.sqlite OUT.png|OUT.svg|OUT.pdf");
    const char *project = argv[optind], *out = argv[optind + 1];
    gg_ctx *ctx = cli_ctx_new("map", &common);
    if (ctx == NULL)
        return CLI_FAILED;
    gg_store *store = NULL;
    int rc = CLI_OK;
    gg_status st = gg_store_open(ctx, project, 0, &store);
    if (st == GG_OK)
        st = gg_map_render(ctx, store, out, &opts);
    if (st != GG_OK)
        rc = st == GG_ERR_ARG ? (cli_fail("map", ctx), CLI_USAGE) : cli_fail("map", ctx);
    else if (!common.quiet)
        printf("%s\n", out);
    gg_store_close(store);
    gg_ctx_free(ctx);
    return rc;
}

const cli_command cli_cmd_map = {"map", "draw a plan (PNG, SVG, PDF)", run, help};
