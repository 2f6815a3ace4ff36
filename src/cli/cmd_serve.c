/* govgrid serve: the dispatch service (src/service). */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "service/service.h"

static void help(FILE *out)
{
    fprintf(out,
            "Usage: govgrid serve PROJECT.sqlite [--listen ADDRESS:PORT] [--keys KEYS_FILE]\n"
            "                     [--threads N] [--public-grids] [--quiet]\n"
            "\n"
            "Serves the project over HTTP for dispatch centres and the 12345 hotline:\n"
            "  GET  /                                    the web map (grids, incidents, click to locate)\n"
            "  GET  /healthz                             status, plan, catalogue\n"
            "  GET  /metrics                             Prometheus text\n"
            "  GET  /v1/locate?lon=&lat=[&crs=gcj02|bd09] the grid, workers and status of a point\n"
            "  POST /v1/locate                           a JSON array or NDJSON of points (at most 10000)\n"
            "  GET  /v1/grids?bbox=w,s,e,n&community=&plan=&limit=   GeoJSON (read key unless --public-grids)\n"
            "  GET  /v1/grids/CODE                       one grid with households, area, workers\n"
            "  Open311 GeoReport v2 under /open311/v2/: services.json, services/CODE.json,\n"
            "  requests.json (POST: needs a write key; GET: a read key), requests/ID.json.\n"
            "\n"
            "An incident is committed to the project (WAL, synchronous=FULL) before its 201\n"
            "answer. Request bodies are limited to 1 MiB. SIGTERM or SIGINT stop accepting,\n"
            "finish the requests in flight and close the store; SIGHUP reloads the keys.\n"
            "\n"
            "Options:\n"
            "  --listen ADDR:PORT  IPv4 address and port (default 127.0.0.1:8080; port 0: any)\n"
            "  --keys KEYS_FILE    API keys made with 'govgrid key new'\n"
            "  --threads N         request threads (default: the cores)\n"
            "  --public-grids      serve grid geometry without a key\n"
            "  --quiet             no start and stop lines\n"
            "  --help              this text\n");
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {
        {"listen", required_argument, NULL, 'l'}, {"keys", required_argument, NULL, 'k'},
        {"threads", required_argument, NULL, 't'}, {"public-grids", no_argument, NULL, 'g'},
        {"quiet", no_argument, NULL, 'q'},         {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    gg_service_options o;
    memset(&o, 0, sizeof o);
    o.listen = "127.0.0.1:8080";
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    o.threads = cores > 0 ? (int)(cores > 64 ? 64 : cores) : 2;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        switch (c) {
        case 'l': o.listen = optarg; break;
        case 'k': o.keys_path = optarg; break;
        case 't': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (end == optarg || *end || n < 1 || n > 256)
                return cli_usage("serve", "--threads: expected a whole number from 1 to 256, got '%s'", optarg);
            o.threads = (int)n;
            break;
        }
        case 'g': o.public_grids = 1; break;
        case 'q': o.quiet = 1; break;
        case 'h': help(stdout); return CLI_OK;
        case ':': return cli_usage("serve", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage("serve", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1)
        return cli_usage("serve", "expected one argument, the project file");
    o.project = argv[optind];
    return gg_service_run(&o) == 0 ? CLI_OK : CLI_FAILED;
}

const cli_command cli_cmd_serve = {"serve", "serve locate, grids and Open311 over HTTP", run, help};
