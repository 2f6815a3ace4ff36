/* govgrid config: a project's settings. */
#include "cli/cli.h"

#include <string.h>

static void help(FILE *out)
{
    fprintf(out,
            "Usage: govgrid config PROJECT.sqlite [--json]              list the settings\n"
            "       govgrid config PROJECT.sqlite NAME [--json]         print one\n"
            "       govgrid config PROJECT.sqlite NAME VALUE [--quiet]  set one\n"
            "       govgrid config PROJECT.sqlite --unset NAME          back to its default\n"
            "\n"
            "The settings a project carries for its services (govgrid serve reads them\n"
            "when it starts):\n"
            "  contacts.public          yes|no (default no): publish grid workers' names\n"
            "                           and phones (上岗公示). When no, answers given\n"
            "                           without an API key carry the grid and community\n"
            "                           only, and batch locate needs a key\n"
            "  open311.jurisdiction_id  the jurisdiction the Open311 endpoint serves (a\n"
            "                           division code or a domain name); when set, a\n"
            "                           request naming another is refused with 404\n"
            "  open311.crs              the coordinates Open311 clients send when they do\n"
            "                           not say (crs=...): wgs84 (default), cgcs2000,\n"
            "                           gcj02 (most Chinese map apps) or bd09 (Baidu)\n"
            "  open311.retry_window     how long a resent request (same key, service,\n"
            "                           position, description, email and attributes) is\n"
            "                           taken for the first one: 30s, 15m, 24h (default),\n"
            "                           7d; 0 turns it off (Idempotency-Key still works)\n"
            "  open311.contact          the contact text of the discovery document\n"
            "  open311.key_service      how to get a key, in the discovery document\n"
            "\n"
            "Options:\n"
            "  --unset NAME  remove a setting (its default applies)\n"
            "  --json        print as JSON\n"
            "  --quiet       print nothing when setting\n"
            "  --help        show this help\n");
}

static json_t *setting_json(const char *name, const char *value, int is_set)
{
    return json_pack("{s:s, s:s, s:b}", "name", name, "value", value, "set", is_set);
}

static int run(int argc, char **argv)
{
    /* --unset NAME is this command's own; the rest are the common flags. */
    const char *unset = NULL;
    char *rest[64];
    int n = 0;
    for (int i = 0; i < argc && n < 63; i++) {
        if (strcmp(argv[i], "--unset") == 0) {
            if (i + 1 >= argc)
                return cli_usage("config", "--unset needs the name of a setting");
            unset = argv[++i];
        } else {
            rest[n++] = argv[i];
        }
    }
    rest[n] = NULL;
    cli_common common;
    int first = 0;
    int rc = cli_parse_common(&cli_cmd_config, n, rest, &common, &first);
    if (rc >= 0)
        return rc;
    int args = n - first;
    if (args < 1 || args > 3 || (unset && args != 1))
        return cli_usage("config", "expected PROJECT [NAME [VALUE]] or PROJECT --unset NAME");
    const char *path = rest[first], *name = args >= 2 ? rest[first + 1] : unset,
               *value = args == 3 ? rest[first + 2] : NULL;
    gg_ctx *ctx = cli_ctx_new("config", &common);
    if (ctx == NULL)
        return CLI_FAILED;
    gg_store *store = NULL;
    int writing = value != NULL || unset != NULL;
    if (gg_store_open(ctx, path, writing, &store) != GG_OK) {
        rc = cli_fail("config", ctx);
        gg_ctx_free(ctx);
        return rc;
    }
    char v[600];
    int is_set = 0;
    rc = CLI_OK;
    if (writing) {
        if (gg_setting_set(ctx, store, name, unset ? NULL : value) != GG_OK)
            rc = cli_fail("config", ctx);
        else if (gg_setting_get(ctx, store, name, v, sizeof v, &is_set) != GG_OK)
            rc = cli_fail("config", ctx);
        else if (common.json)
            rc = cli_print_json(setting_json(name, v, is_set));
        else if (!common.quiet)
            printf("%s = %s%s\n", name, v, is_set ? "" : " (default)");
    } else if (name != NULL) {
        if (gg_setting_get(ctx, store, name, v, sizeof v, &is_set) != GG_OK)
            rc = cli_fail("config", ctx);
        else if (common.json)
            rc = cli_print_json(setting_json(name, v, is_set));
        else
            printf("%s\n", v);
    } else {
        json_t *all = json_array();
        for (const char *const *k = gg_setting_names(); *k && rc == CLI_OK; k++) {
            if (gg_setting_get(ctx, store, *k, v, sizeof v, &is_set) != GG_OK) {
                rc = cli_fail("config", ctx);
                break;
            }
            if (common.json)
                json_array_append_new(all, setting_json(*k, v, is_set));
            else
                printf("%-24s %s%s\n", *k, v[0] || is_set ? v : "(none)", is_set ? "" : "  (default)");
        }
        if (common.json && rc == CLI_OK)
            rc = cli_print_json(all);
        else
            json_decref(all);
    }
    gg_store_close(store);
    gg_ctx_free(ctx);
    return rc;
}

const cli_command cli_cmd_config = {"config", "show or change a project's settings (contacts, Open311)", run, help};
