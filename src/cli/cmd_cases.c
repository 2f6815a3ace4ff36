/* govgrid cases: the open incidents with their lights, the dispatcher's
 * list, and the supervision list (督办) of a level. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "govgrid/incident.h"

static void help(FILE *out)
{
    fprintf(out,
            "Usage: govgrid cases PROJECT.sqlite [--state S] [--light L] [--grid CODE]\n"
            "                     [--community CODE] [--department D] [--item CODE]\n"
            "                     [--handler H] [--source S] [--supervision [--level N]]\n"
            "                     [--at TIME] [--limit N] [--json] [--quiet]\n"
            "\n"
            "Lists incidents, newest first, with the light of their running stage: green on\n"
            "time, yellow once the item's share of the stage's time is used (warn_at, 0.8 by\n"
            "default), red when overdue. Stages: dispatched, to reach the site and to handle\n"
            "it; in progress, to handle it; fed back and verified, to close it; suspended,\n"
            "the review date. A red incident is on the supervision list of the level above\n"
            "its own (the last level supervises its own).\n"
            "\n"
            "Options:\n"
            "  --state S        open (every state but rejected and closed; the default), all,\n"
            "                   or one state: reported, accepted, dispatched, in_progress,\n"
            "                   fed_back, verified, closed, rejected, returned, suspended\n"
            "  --light L        green, yellow or red\n"
            "  --grid CODE, --community CODE, --item CODE, --handler H, --source S\n"
            "                   only those of that grid, community, catalogue item, handler or\n"
            "                   channel (hotline, grid, app, open311)\n"
            "  --department D   those D leads or handles with others\n"
            "  --supervision    only red ones: the supervision list\n"
            "  --level N        with --supervision: the list of level N (its incidents are at\n"
            "                   level N-1)\n"
            "  --at TIME        judge the lights at TIME (ISO 8601) instead of now\n"
            "  --limit N        at most N (default 1000)\n"
            "  --json           the list as JSON\n"
            "  --quiet          print nothing but errors\n"
            "  --help           show this help\n");
}

static const char *text_of(const json_t *o, const char *key, const char *none)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s != NULL ? s : none;
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {
        {"state", required_argument, NULL, 's'},     {"light", required_argument, NULL, 'L'},
        {"grid", required_argument, NULL, 'g'},      {"community", required_argument, NULL, 'c'},
        {"department", required_argument, NULL, 'd'}, {"item", required_argument, NULL, 'i'},
        {"handler", required_argument, NULL, 'H'},   {"source", required_argument, NULL, 'S'},
        {"supervision", no_argument, NULL, 'v'},     {"level", required_argument, NULL, 'l'},
        {"at", required_argument, NULL, 'a'},        {"limit", required_argument, NULL, 'n'},
        {"json", no_argument, NULL, 'j'},            {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},            {NULL, 0, NULL, 0},
    };
    cli_common common = {0, 0};
    gg_case_filter f;
    memset(&f, 0, sizeof f);
    f.state = "open";
    f.level = -1;
    const char *light = NULL, *at = NULL;
    char *end = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        switch (c) {
        case 's': f.state = strcmp(optarg, "all") == 0 ? NULL : optarg; break;
        case 'L': light = optarg; break;
        case 'g': f.grid_code = optarg; break;
        case 'c': f.community = optarg; break;
        case 'd': f.department = optarg; break;
        case 'i': f.service_code = optarg; break;
        case 'H': f.handler = optarg; break;
        case 'S': f.source = optarg; break;
        case 'v': f.supervision = 1; break;
        case 'l':
            f.level = (int)strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || f.level < 0 || f.level >= GG_CASE_LEVELS_MAX)
                return cli_usage("cases", "--level takes a level number, got '%s'", optarg);
            break;
        case 'a': at = optarg; break;
        case 'n': {
            long v = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || v < 1 || v > 1000000)
                return cli_usage("cases", "--limit takes a number from 1 to 1000000, got '%s'", optarg);
            f.limit = (size_t)v;
            break;
        }
        case 'j': common.json = 1; break;
        case 'q': common.quiet = 1; break;
        case 'h': help(stdout); return CLI_OK;
        case ':': return cli_usage("cases", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage("cases", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1)
        return cli_usage("cases", "expected PROJECT.sqlite");
    if (f.level >= 0 && !f.supervision)
        return cli_usage("cases", "--level is for --supervision");
    const char *project = argv[optind];
    gg_ctx *ctx = cli_ctx_new("cases", &common);
    if (ctx == NULL)
        return CLI_FAILED;
    int rc = CLI_OK;
    if (light != NULL && gg_case_light_parse(ctx, light, &f.light) != GG_OK)
        rc = cli_usage("cases", "%s", gg_ctx_errmsg(ctx));
    if (rc == CLI_OK && at != NULL) {
        int64_t t = 0;
        if (!gg_case_time_parse(at, &t))
            rc = cli_usage("cases", "--at: '%s' is not a time (ISO 8601)", at);
        f.now = t;
    }
    gg_store *store = NULL;
    char *json = NULL;
    if (rc == CLI_OK && (gg_store_open(ctx, project, 0, &store) != GG_OK ||
                         gg_case_list_json(ctx, store, &f, &json) != GG_OK))
        rc = cli_fail("cases", ctx);
    if (rc == CLI_OK) {
        json_t *doc = json_loads(json, 0, NULL);
        if (common.json) {
            rc = cli_print_json(doc);
        } else if (!common.quiet) {
            json_t *cases = json_object_get(doc, "cases");
            size_t i;
            json_t *o;
            printf("%-8s %-11s %-6s %-6s %-20s %-8s %-20s %-24s %s\n", "id", "state", "light", "stage", "due", "item",
                   "grid", "handler", "supervised by");
            json_array_foreach(cases, i, o)
            {
                json_t *sup = json_object_get(o, "supervised_by");
                char handler[192];
                printf("%-8s %-11s %-6s %-6s %-20s %-8s %-20s %s %s\n", text_of(o, "request_id", "-"),
                       text_of(o, "state", "-"), text_of(o, "light", "-"), text_of(o, "light_stage", "-"),
                       text_of(o, "due", "-"), text_of(o, "service_code", "-"), text_of(o, "grid_code", "-"),
                       cli_pad(handler, sizeof handler, text_of(o, "handler", "-"), 24), text_of(sup, "name", ""));
            }
            printf("%zu incident%s at %s%s\n", json_array_size(cases), json_array_size(cases) == 1 ? "" : "s",
                   json_string_value(json_object_get(doc, "now")),
                   json_is_true(json_object_get(doc, "truncated")) ? " (more: raise --limit)" : "");
            json_decref(doc);
        } else {
            json_decref(doc);
        }
    }
    gg_text_free(ctx, json);
    gg_store_close(store);
    gg_ctx_free(ctx);
    return rc;
}

const cli_command cli_cmd_cases = {"cases", "incidents with the lights of their time limits; the supervision list",
                                   run, help};
