/* govgrid key: API keys for the service. */
#include "cli/cli.h"

#include <getopt.h>
#include <string.h>

static void help(FILE *out)
{
    fprintf(out,
            "Usage: govgrid key new KEYS_FILE --name NAME --rights read|write|plan|read,write|...\n"
            "       govgrid key list KEYS_FILE [--json]\n"
            "       govgrid key revoke KEYS_FILE NAME\n"
            "\n"
            "API keys for 'govgrid serve --keys KEYS_FILE'. 'new' makes a key, stores only\n"
            "its SHA-256 hash in KEYS_FILE (created with mode 0600 if missing) and prints\n"
            "the key once, as the last line of its output: keep it, it cannot be shown\n"
            "again. 'read' lets a client read incidents (they hold citizens' contacts);\n"
            "'write' lets it submit them; 'plan' lets it edit plans on the web map (new\n"
            "drafts), delete drafts and publish. 'list' shows names, rights, dates and the first\n"
            "digits of each hash; 'revoke' ends a key at once for a service that reloads\n"
            "the file (on SIGHUP) or starts again.\n"
            "\n"
            "Options:\n"
            "  --name NAME      1-63 letters, digits, '.', '-', '_'\n"
            "  --rights R       read, write, plan, or a list of them (read,write; read,plan)\n"
            "  --json           list as JSON\n"
            "  --quiet          new: print only the key\n"
            "  --help           this text\n");
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {
        {"name", required_argument, NULL, 'n'}, {"rights", required_argument, NULL, 'r'},
        {"json", no_argument, NULL, 'j'},       {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0},
    };
    cli_common common = {0, 0};
    const char *name = NULL, *rights_text = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        switch (c) {
        case 'n': name = optarg; break;
        case 'r': rights_text = optarg; break;
        case 'j': common.json = 1; break;
        case 'q': common.quiet = 1; break;
        case 'h': help(stdout); return CLI_OK;
        case ':': return cli_usage("key", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage("key", "unknown option '%s'", argv[optind - 1]);
        }
    }
    int nargs = argc - optind;
    if (nargs < 2)
        return cli_usage("key", "expected an action (new, list, revoke) and the keys file");
    const char *action = argv[optind], *path = argv[optind + 1];
    if (strcmp(action, "new") == 0) {
        if (nargs != 2 || name == NULL || rights_text == NULL)
            return cli_usage("key", "new needs the keys file, --name and --rights");
    } else if (strcmp(action, "list") == 0) {
        if (nargs != 2)
            return cli_usage("key", "list needs the keys file only");
    } else if (strcmp(action, "revoke") == 0) {
        if (nargs != 3)
            return cli_usage("key", "revoke needs the keys file and the key's name");
    } else {
        return cli_usage("key", "unknown action '%s' (expected new, list or revoke)", action);
    }
    gg_ctx *ctx = cli_ctx_new("key", &common);
    if (ctx == NULL)
        return CLI_FAILED;
    int rc = CLI_OK;
    if (strcmp(action, "new") == 0) {
        int rights = gg_rights_parse(ctx, rights_text);
        char key[64];
        if (rights == 0) {
            rc = cli_usage("key", "%s", gg_ctx_errmsg(ctx));
        } else if (gg_keys_new(ctx, path, name, rights, key, sizeof key) != GG_OK) {
            rc = cli_fail("key", ctx);
        } else {
            if (!common.quiet)
                printf("new key '%s' (%s) added to %s; it is shown this once:\n", name, rights_text, path);
            printf("%s\n", key);
        }
    } else if (strcmp(action, "list") == 0) {
        gg_api_key_info *keys = NULL;
        size_t n = 0;
        if (gg_keys_list(ctx, path, &keys, &n) != GG_OK) {
            rc = cli_fail("key", ctx);
        } else if (common.json) {
            json_t *a = json_array();
            for (size_t i = 0; i < n; i++)
                json_array_append_new(a, json_pack("{s:s, s:b, s:b, s:b, s:s, s:s?, s:s}", "name", keys[i].name, "read",
                                                   (keys[i].rights & GG_RIGHT_READ) != 0, "write",
                                                   (keys[i].rights & GG_RIGHT_WRITE) != 0, "plan",
                                                   (keys[i].rights & GG_RIGHT_PLAN) != 0, "created", keys[i].created,
                                                   "revoked", keys[i].revoked[0] ? keys[i].revoked : NULL, "hash_prefix",
                                                   keys[i].hash_prefix));
            rc = cli_print_json(a);
        } else {
            for (size_t i = 0; i < n; i++) {
                char rights[24];
                gg_rights_text(keys[i].rights, rights, sizeof rights);
                printf("%-20s %-11s %s  created %s%s%s\n", keys[i].name, rights, keys[i].hash_prefix,
                       keys[i].created, keys[i].revoked[0] ? "  revoked " : "", keys[i].revoked);
            }
        }
        gg_keys_list_free(ctx, keys);
    } else {
        if (gg_keys_revoke(ctx, path, argv[optind + 2]) != GG_OK)
            rc = cli_fail("key", ctx);
        else if (!common.quiet)
            printf("revoked '%s' in %s\n", argv[optind + 2], path);
    }
    gg_ctx_free(ctx);
    return rc;
}

const cli_command cli_cmd_key = {"key", "make, list and revoke API keys for the service", run, help};
