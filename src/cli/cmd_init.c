/* govgrid init: create an empty project store. */
#include "cli/cli.h"


static void help(FILE *out)
{
    fprintf(out,
            "Usage: govgrid init PROJECT.sqlite [--json] [--quiet]\n"
            "\n"
            "Creates a new, empty project file (SpatiaLite) with the current schema and a\n"
            "spatial index on every geometry column. An existing file is never overwritten.\n"
            "\n"
            "Options:\n"
            "  --json     print the result as JSON\n"
            "  --quiet    print nothing on success\n"
            "  --help     show this help\n");
}

static int run(int argc, char **argv)
{
    cli_common common;
    int first_arg = 0;
    int rc = cli_parse_common(&cli_cmd_init, argc, argv, &common, &first_arg);
    if (rc >= 0)
        return rc;
    if (argc - first_arg != 1)
        return cli_usage("init", "expected one argument, the project file");
    const char *path = argv[first_arg];
    gg_ctx *ctx = cli_ctx_new("init", &common);
    if (ctx == NULL)
        return CLI_FAILED;
    gg_store *store = NULL;
    rc = CLI_OK;
    if (gg_store_create(ctx, path, &store) != GG_OK) {
        rc = cli_fail("init", ctx);
    } else if (common.json) {
        rc = cli_print_json(json_pack("{s:s, s:i, s:i}", "project", path, "schema_version",
                                      gg_store_schema_version(store), "srid", GG_STORAGE_SRID));
    } else if (!common.quiet) {
        printf("created %s (schema version %d, EPSG:%d)\n", path, gg_store_schema_version(store),
               GG_STORAGE_SRID);
    }
    gg_store_close(store);
    gg_ctx_free(ctx);
    return rc;
}

const cli_command cli_cmd_init = {"init", "create an empty project file", run, help};
