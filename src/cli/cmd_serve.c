/* govgrid serve: the dispatch service (src/service). */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "service/service.h"

static void help(FILE *out)
{
    fprintf(out,
            "Usage: govgrid serve PROJECT.sqlite [--listen ADDRESS:PORT] [--keys KEYS_FILE]\n"
            "                     [--threads N] [--public-grids] [--dedup DIR] [--quiet]\n"
            "                     [--max-connections N] [--client-connections N]\n"
            "                     [--request-timeout SECONDS] [--drain SECONDS] [--write-wait SECONDS]\n"
            "\n"
            "Serves the project over HTTP for dispatch centres and the 12345 hotline:\n"
            "  GET  /                                    the web map (grids, incidents, click to locate)\n"
            "  GET  /healthz                             status, plan, catalogue\n"
            "  GET  /metrics                             Prometheus text\n"
            "  GET  /v1/locate?lon=&lat=[&crs=gcj02|bd09] the grid, workers and status of a point\n"
            "  POST /v1/locate                           a JSON array or NDJSON of points (at most 10000)\n"
            "  GET  /v1/grids?bbox=w,s,e,n&community=&plan=&limit=   GeoJSON (read key unless --public-grids)\n"
            "  GET  /v1/grids/CODE                       one grid with households, area, workers\n"
            "  GET  /v1/plans                            the project's plans\n"
            "  GET  /v1/search?q=&limit=&bbox=&crs=      grid codes, names, POIs, roads, addresses, coordinates\n"
            "  GET  /v1/depts, /v1/dept-grids?dept=&bbox=&limit=   departmental grids (GeoJSON)\n"
            "  GET  /v1/conflicts?bbox=&kind=&limit=     dedup conflicts (GeoJSON; needs --dedup)\n"
            "  Open311 GeoReport v2 under /open311/v2/: services.json, services/CODE.json,\n"
            "  requests.json (POST: needs a write key; GET: a read key), requests/ID.json.\n"
            "\n"
            "An incident is committed to the project (WAL, synchronous=FULL) before its 201\n"
            "answer; incidents are written one at a time by a writer thread of their own, so\n"
            "reads are answered while a write waits for the project's write lock (held by\n"
            "another process: an import, a backup). Request bodies are limited to\n"
            "1 MiB. A request must arrive whole, headers and body, within the request timeout\n"
            "of its first byte (else 408 and the connection is closed); a connection idle for\n"
            "30 s is closed. Two Content-Length headers, or Content-Length with\n"
            "Transfer-Encoding, are refused (400). SIGTERM or SIGINT stop accepting, give the\n"
            "requests being answered the drain time, close every other connection (a client\n"
            "still sending is not waited for) and close the store; SIGHUP reloads the keys.\n"
            "\n"
            "Options:\n"
            "  --listen ADDR:PORT  IPv4 address and port (default 127.0.0.1:8080; port 0: any)\n"
            "  --keys KEYS_FILE    API keys made with 'govgrid key new'\n"
            "  --threads N         request threads (default: the cores)\n"
            "  --public-grids      serve grid geometry without a key\n"
            "  --dedup DIR         govgrid dedup's output, whose conflicts.gpkg /v1/conflicts serves\n"
            "  --quiet             no start and stop lines\n"
            "  --max-connections N connections from all clients (default %u)\n"
            "  --client-connections N\n"
            "                      connections from one IP address (default %u); fewer than\n"
            "                      --max-connections, so one client cannot take them all\n"
            "  --request-timeout SECONDS\n"
            "                      a whole request, headers and body, from its first byte\n"
            "                      (default %u)\n"
            "  --drain SECONDS     on SIGTERM, the wait for requests being answered (default %u)\n"
            "  --write-wait SECONDS\n"
            "                      how long an incident waits for the project's write lock\n"
            "                      held by another process before a 503 (default %u)\n"
            "  --help              this text\n",
            GG_SERVICE_MAX_CONNECTIONS, GG_SERVICE_CLIENT_CONNECTIONS, GG_SERVICE_REQUEST_TIMEOUT_S,
            GG_SERVICE_DRAIN_S, GG_SERVICE_WRITE_WAIT_S);
}

/* A whole number from min to max; 0 when text is not one. */
static int count_arg(const char *text, long min, long max, unsigned *out)
{
    char *end;
    errno = 0;
    long n = strtol(text, &end, 10);
    if (end == text || *end || errno || n < min || n > max)
        return 0;
    *out = (unsigned)n;
    return 1;
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {
        {"listen", required_argument, NULL, 'l'}, {"keys", required_argument, NULL, 'k'},
        {"threads", required_argument, NULL, 't'}, {"public-grids", no_argument, NULL, 'g'},
        {"quiet", no_argument, NULL, 'q'},         {"help", no_argument, NULL, 'h'},
        {"dedup", required_argument, NULL, 'd'},
        {"max-connections", required_argument, NULL, 'M'},
        {"client-connections", required_argument, NULL, 'C'},
        {"request-timeout", required_argument, NULL, 'T'},
        {"drain", required_argument, NULL, 'D'},
        {"write-wait", required_argument, NULL, 'W'},
        {NULL, 0, NULL, 0},
    };
    gg_service_options o;
    gg_service_options_init(&o);
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
        case 'M':
            if (!count_arg(optarg, 2, 100000, &o.max_connections))
                return cli_usage("serve", "--max-connections: expected a whole number from 2 to 100000, got '%s'",
                                 optarg);
            break;
        case 'C':
            if (!count_arg(optarg, 1, 100000, &o.client_connections))
                return cli_usage("serve", "--client-connections: expected a whole number from 1 to 100000, got '%s'",
                                 optarg);
            break;
        case 'T':
            if (!count_arg(optarg, 1, 3600, &o.request_timeout_s))
                return cli_usage("serve", "--request-timeout: expected whole seconds from 1 to 3600, got '%s'", optarg);
            break;
        case 'D':
            if (!count_arg(optarg, 0, 3600, &o.drain_s))
                return cli_usage("serve", "--drain: expected whole seconds from 0 to 3600, got '%s'", optarg);
            break;
        case 'W':
            if (!count_arg(optarg, 0, 3600, &o.write_wait_s))
                return cli_usage("serve", "--write-wait: expected whole seconds from 0 to 3600, got '%s'", optarg);
            break;
        case 'g': o.public_grids = 1; break;
        case 'd': o.dedup_dir = optarg; break;
        case 'q': o.quiet = 1; break;
        case 'h': help(stdout); return CLI_OK;
        case ':': return cli_usage("serve", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage("serve", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1)
        return cli_usage("serve", "expected one argument, the project file");
    if (o.client_connections >= o.max_connections)
        return cli_usage("serve", "--client-connections (%u) must be fewer than --max-connections (%u)",
                         o.client_connections, o.max_connections);
    o.project = argv[optind];
    return gg_service_run(&o) == 0 ? CLI_OK : CLI_FAILED;
}

const cli_command cli_cmd_serve = {"serve", "serve locate, grids and Open311 over HTTP", run, help};
