/* govgrid blocks: the street blocks of a grid, the pieces a planner moves
 * to a neighbour (govgrid edit ... move --block). */
#include "cli/cli.h"

#include <string.h>

static void help(FILE *out)
{
    fprintf(out,
            "Usage: govgrid blocks PROJECT.sqlite CODE [--plan N] [--json | --geojson]\n"
            "\n"
            "Lists the street blocks of grid CODE: the parts of the grid between the roads\n"
            "and waterways that cross it (those a partition follows: streets and lanes in\n"
            "towns, main roads in villages; rivers and canals, not drains or ditches). A\n"
            "grid no line crosses is one block; faces under 1 m² are none. Blocks are\n"
            "numbered CODE/1, CODE/2, ... north to south, then west to east: the same\n"
            "numbers for the same plan and roads. Each shows its households and persons\n"
            "(the household points it covers), its area and the neighbouring grids of its\n"
            "community it shares an edge with: one of them can take it with\n"
            "  govgrid edit PROJECT --plan N move --to NEIGHBOUR --block CODE/k\n"
            "\n"
            "Options:\n"
            "  --plan N    the plan (default: the active plan)\n"
            "  --json      print as JSON, with each block's polygon as WKT\n"
            "  --geojson   print a GeoJSON FeatureCollection of the blocks (EPSG:4326)\n"
            "  --help      show this help\n");
}

static json_t *touches_json(const gg_grid_block *b)
{
    json_t *a = json_array();
    for (size_t k = 0; k < b->n_touches; k++)
        json_array_append_new(a, json_string(b->touches[k]));
    return a;
}

static int run(int argc, char **argv)
{
    const char *plan_text = NULL;
    int geojson = 0;
    char *rest[64];
    int n = 0;
    for (int i = 0; i < argc && n < 63; i++) {
        if (strcmp(argv[i], "--plan") == 0) {
            if (i + 1 >= argc)
                return cli_usage("blocks", "--plan needs a plan number");
            plan_text = argv[++i];
        } else if (strncmp(argv[i], "--plan=", 7) == 0) {
            plan_text = argv[i] + 7;
        } else if (strcmp(argv[i], "--geojson") == 0) {
            geojson = 1;
        } else {
            rest[n++] = argv[i];
        }
    }
    rest[n] = NULL;
    cli_common common;
    int first = 0;
    int rc = cli_parse_common(&cli_cmd_blocks, n, rest, &common, &first);
    if (rc >= 0)
        return rc;
    if (n - first != 2)
        return cli_usage("blocks", "expected PROJECT CODE");
    if (geojson && common.json)
        return cli_usage("blocks", "--json and --geojson are two forms: choose one");
    int64_t plan = 0;
    if (plan_text != NULL && (rc = cli_parse_plan("blocks", plan_text, &plan)) >= 0)
        return rc;
    const char *code = rest[first + 1];
    gg_ctx *ctx = cli_ctx_new("blocks", &common);
    if (ctx == NULL)
        return CLI_FAILED;
    gg_store *store = NULL;
    gg_grid_block *b = NULL;
    size_t nb = 0;
    if (gg_store_open(ctx, rest[first], 0, &store) != GG_OK || gg_plan_grid_blocks(ctx, store, plan, code, &b, &nb) != GG_OK) {
        rc = cli_fail("blocks", ctx);
        goto done;
    }
    rc = CLI_OK;
    if (common.json || geojson) {
        json_t *list = json_array();
        for (size_t i = 0; i < nb; i++) {
            json_t *props = json_pack("{s:s, s:I, s:I, s:f, s:[f, f], s:o}", "id", b[i].id, "households",
                                      (json_int_t)b[i].households, "persons", (json_int_t)b[i].persons, "area_m2",
                                      b[i].area_m2, "point", b[i].x, b[i].y, "touches", touches_json(&b[i]));
            if (geojson) {
                json_t *geometry = json_loads(b[i].geojson, 0, NULL);
                json_array_append_new(list, json_pack("{s:s, s:o, s:o}", "type", "Feature", "properties", props,
                                                      "geometry", geometry ? geometry : json_null()));
            } else {
                json_object_set_new(props, "wkt", json_string(b[i].wkt));
                json_array_append_new(list, props);
            }
        }
        json_t *out = geojson ? json_pack("{s:s, s:o}", "type", "FeatureCollection", "features", list)
                              : json_pack("{s:s, s:o}", "grid", code, "blocks", list);
        rc = cli_print_json(out);
    } else {
        printf("grid %s: %zu block%s\n\n", code, nb, nb == 1 ? "" : "s");
        printf("%-22s  %10s  %8s  %10s  %s\n", "block", "households", "persons", "area m²", "touches");
        for (size_t i = 0; i < nb; i++) {
            printf("%-22s  %10lld  %8lld  %10.0f  ", b[i].id, (long long)b[i].households, (long long)b[i].persons,
                   b[i].area_m2);
            for (size_t k = 0; k < b[i].n_touches; k++)
                printf("%s%s", k ? " " : "", b[i].touches[k]);
            printf("%s\n", b[i].n_touches ? "" : "-");
        }
    }
done:
    gg_grid_blocks_free(ctx, b, nb);
    gg_store_close(store);
    gg_ctx_free(ctx);
    return rc;
}

const cli_command cli_cmd_blocks = {"blocks", "the street blocks of a grid, to move to a neighbour", run, help};
