/* govgrid init: create an empty project store. */
#include "cli/cli.h"

#include <unistd.h>


static void help(FILE *out)
{
    fprintf(out,
            "Usage: govgrid init PROJECT.sqlite [--json] [--quiet]\n"
            "\n"
            "Creates a new project file (SpatiaLite) with the current schema, a spatial\n"
            "index on every geometry column, and the item catalogue shipped with govgrid\n"
            "as catalogue version 1 (replace it with 'govgrid import PROJECT catalogue\n"
            "FILE'). An existing file is never overwritten; a failed init leaves no file.\n"
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
    int64_t version = 0;
    rc = CLI_OK;
    if (gg_store_create(ctx, path, &store) != GG_OK) {
        rc = cli_fail("init", ctx);
    } else if (gg_catalogue_load_shipped(ctx, store, &version) != GG_OK) {
        rc = cli_fail("init", ctx);
        gg_store_close(store);
        store = NULL;
        /* The file was created here: remove it and its companions. */
        const char *suffix[] = {"", "-wal", "-shm", "-journal"};
        for (int i = 0; i < 4; i++) {
            char name[4096];
            snprintf(name, sizeof name, "%s%s", path, suffix[i]);
            unlink(name);
        }
    } else if (common.json) {
        rc = cli_print_json(json_pack("{s:s, s:i, s:i, s:I}", "project", path, "schema_version",
                                      gg_store_schema_version(store), "srid", GG_STORAGE_SRID,
                                      "catalogue_version", (json_int_t)version));
    } else if (!common.quiet) {
        printf("created %s (schema version %d, EPSG:%d, catalogue version %lld)\n", path,
               gg_store_schema_version(store), GG_STORAGE_SRID, (long long)version);
    }
    gg_store_close(store);
    gg_ctx_free(ctx);
    return rc;
}

const cli_command cli_cmd_init = {"init", "create an empty project file", run, help};
