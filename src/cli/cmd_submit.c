/* govgrid submit: an incident taken by a dispatcher (a hotline call, a grid
 * worker's report) stored, located and routed as the service does it. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "govgrid/incident.h"

static void help(FILE *out)
{
    fprintf(out,
            "Usage: govgrid submit PROJECT.sqlite ITEM (--lonlat LON,LAT | --address TEXT)\n"
            "                      [--description TEXT] [--source hotline|grid|app|open311]\n"
            "                      [--phone P] [--name NAME] [--at TIME] [--key K] [--json] [--quiet]\n"
            "\n"
            "Stores one incident of catalogue item ITEM in one transaction, as the\n"
            "service's Open311 POST does: located on the active plan (WGS-84 --lonlat)\n"
            "and routed by its place and its item: what the grid handles to the grid's\n"
            "worker on duty (else its leader), the rest to the item's department, the\n"
            "grid's worker copied; a grid with nobody on its roster, or no place, leaves\n"
            "what the grid handles waiting in the dispatch queue. Prints the incident's\n"
            "number, state, handler and deadline (--json: the receipt).\n"
            "\n"
            "Options:\n"
            "  --lonlat LON,LAT   where it is (WGS-84)\n"
            "  --address TEXT     where it is, in words (without --lonlat: not located)\n"
            "  --description T    what was reported\n"
            "  --source S         the channel it came by (default hotline)\n"
            "  --phone P, --name NAME   the reporter, to call back\n"
            "  --at TIME          when it was reported (ISO 8601; default now)\n"
            "  --key K            an idempotency key: the same key again is the same incident\n"
            "  --json             print the receipt as JSON\n"
            "  --quiet            print nothing but errors\n"
            "  --help             show this help\n");
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {
        {"lonlat", required_argument, NULL, 'l'},      {"address", required_argument, NULL, 'a'},
        {"description", required_argument, NULL, 'd'}, {"source", required_argument, NULL, 's'},
        {"phone", required_argument, NULL, 'p'},       {"name", required_argument, NULL, 'n'},
        {"at", required_argument, NULL, 't'},          {"key", required_argument, NULL, 'k'},
        {"json", no_argument, NULL, 'j'},              {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},              {NULL, 0, NULL, 0},
    };
    cli_common common = {0, 0};
    gg_incident_input in;
    memset(&in, 0, sizeof in);
    in.source = "hotline";
    const char *at = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        switch (c) {
        case 'l': {
            char *end = NULL;
            in.lon = strtod(optarg, &end);
            if (end == optarg || *end != ',')
                return cli_usage("submit", "--lonlat takes LON,LAT, got '%s'", optarg);
            const char *lat = end + 1;
            in.lat = strtod(lat, &end);
            if (end == lat || *end != '\0')
                return cli_usage("submit", "--lonlat takes LON,LAT, got '%s'", optarg);
            in.has_location = 1;
            break;
        }
        case 'a': in.address = optarg; break;
        case 'd': in.description = optarg; break;
        case 's': in.source = optarg; break;
        case 'p': in.phone = optarg; break;
        case 'n': in.first_name = optarg; break;
        case 't': at = optarg; break;
        case 'k': in.idempotency_key = optarg; break;
        case 'j': common.json = 1; break;
        case 'q': common.quiet = 1; break;
        case 'h': help(stdout); return CLI_OK;
        case ':': return cli_usage("submit", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage("submit", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 2)
        return cli_usage("submit", "expected PROJECT.sqlite ITEM");
    if (!in.has_location && in.address == NULL)
        return cli_usage("submit", "give where it is: --lonlat LON,LAT or --address TEXT");
    if (at != NULL && !gg_case_time_parse(at, &in.requested))
        return cli_usage("submit", "--at: '%s' is not a time (ISO 8601)", at);
    const char *project = argv[optind];
    in.service_code = argv[optind + 1];
    in.api_key_name = cli_actor();
    gg_ctx *ctx = cli_ctx_new("submit", &common);
    if (ctx == NULL)
        return CLI_FAILED;
    gg_store *store = NULL;
    gg_catalogue *cat = NULL;
    gg_locator *loc = NULL;
    gg_dispatcher *d = NULL;
    gg_incident_receipt r;
    memset(&r, 0, sizeof r);
    gg_status st = gg_store_open(ctx, project, 1, &store);
    if (st == GG_OK)
        st = gg_catalogue_read(ctx, store, 0, &cat);
    if (st == GG_OK)
        st = gg_locator_new(ctx, store, NULL, &loc);
    if (st == GG_OK)
        st = gg_dispatcher_new(ctx, loc, &d);
    if (st == GG_OK)
        st = gg_dispatcher_load_open(ctx, store, d);
    if (st == GG_OK) {
        gg_store_set_actor(store, cli_actor());
        st = gg_incident_submit(ctx, store, cat, loc, d, &in, &r);
    }
    int rc = CLI_OK;
    if (st != GG_OK) {
        rc = st == GG_ERR_ARG ? CLI_USAGE : CLI_FAILED;
        cli_fail("submit", ctx);
    } else if (common.json) {
        rc = cli_print_json(json_pack("{s:I, s:s, s:s, s:s?, s:s?, s:s?, s:s, s:b}", "id", (json_int_t)r.id,
                                      "request_id", r.request_id, "stage", r.stage, "grid_code",
                                      r.grid_code[0] ? r.grid_code : NULL, "worker_id",
                                      r.worker_id[0] ? r.worker_id : NULL, "expected",
                                      r.expected[0] ? r.expected : NULL, "notice", r.notice, "replayed",
                                      r.replayed));
    } else if (!common.quiet) {
        printf("incident %lld: %s%s%s%s\n", (long long)r.id, r.notice, r.expected[0] ? "; due " : "", r.expected,
               r.replayed ? " (sent before: the stored incident)" : "");
    }
    gg_dispatcher_free(d);
    gg_locator_free(loc);
    gg_catalogue_free(cat);
    gg_store_close(store);
    gg_ctx_free(ctx);
    return rc;
}

const cli_command cli_cmd_submit = {"submit", "store an incident taken by a dispatcher, located and routed", run, help};
