/* govgrid locate: incidents in, each row back with its grid, community,
 * workers and status. */
#define _GNU_SOURCE /* renameat2 */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static void help(FILE *out)
{
    fprintf(out,
            "Usage: govgrid locate PROJECT.sqlite [INPUT|-] [options]\n"
            "\n"
            "Finds the grid, community, township, county and grid workers that own each\n"
            "incident, and writes every input row back in input order with these fields\n"
            "added: grid_code, grid_type, community, township, county, worker_id,\n"
            "worker_name, worker_phone, leader_id, leader_name, status, distance_m, reason.\n"
            "INPUT is CSV with a header, NDJSON (one JSON object or GeoJSON Feature per\n"
            "line) or GeoJSON (a FeatureCollection of Points), told apart by content;\n"
            "standard input when INPUT is '-' or absent.\n"
            "\n"
            "status: inside; near_boundary (within --near-m of another grid: confirm\n"
            "it); snapped (outside every grid but within --snap-m of one, given to it);\n"
            "outside; invalid (reason says why: missing field, not a number, out of range).\n"
            "distance_m: to the nearest other grid's boundary when inside or near, to the\n"
            "grid when snapped or outside. A point on an edge shared by grids goes to the\n"
            "dedicated grid if one is among them, else to the lowest code.\n"
            "The worker is the grid's full-time worker with the fewest incidents handed\n"
            "out so far (part-time workers when it has no full-time one); a grid with no\n"
            "worker gives the row to its leader, counted in the summary.\n"
            "\n"
            "Options:\n"
            "  --plan N            the plan to use (default: the active plan)\n"
            "  --crs CRS           coordinates of the input: wgs84 (default), cgcs2000,\n"
            "                      gcj02 or bd09 (the offsets of Chinese map apps), or EPSG:n\n"
            "  --id-field F        the incidents' id field (checked to exist)\n"
            "  --lon-field F       longitude field (default: lon, lng, long, longitude or x)\n"
            "  --lat-field F       latitude field (default: lat, latitude or y)\n"
            "  --input-format FMT  csv, ndjson or geojson (default: from the content)\n"
            "  --format FMT        output: csv, ndjson or geojson (default: as the input)\n"
            "  --near-m M          near_boundary distance in metres (default 10)\n"
            "  --snap-m M          snapping distance in metres (default 50)\n"
            "  --jobs N            threads that locate and format rows, and build the\n"
            "                      index (default: the cores)\n"
            "  -o, --output OUT    write to OUT (default: standard output); written whole\n"
            "                      or not at all\n"
            "  --overwrite         replace OUT if it exists\n"
            "  --json              the summary as JSON on standard output (needs -o)\n"
            "  --quiet             no summary, no progress\n"
            "  --help              this text\n"
            "\n"
            "The summary (rows by status and by grid type) goes to standard error.\n");
}

static int parse_format(const char *arg, gg_table_format *out)
{
    if (!strcasecmp(arg, "csv"))
        *out = GG_TABLE_CSV;
    else if (!strcasecmp(arg, "ndjson") || !strcasecmp(arg, "jsonl"))
        *out = GG_TABLE_NDJSON;
    else if (!strcasecmp(arg, "geojson"))
        *out = GG_TABLE_GEOJSON;
    else
        return 0;
    return 1;
}

static int parse_crs(const char *arg, gg_locate_batch_options *o)
{
    if (!strcasecmp(arg, "wgs84") || !strcasecmp(arg, "EPSG:4326")) {
        o->crs = GG_COORD_WGS84;
    } else if (!strcasecmp(arg, "cgcs2000") || !strcasecmp(arg, "EPSG:4490")) {
        o->crs = GG_COORD_CGCS2000;
    } else if (!strcasecmp(arg, "gcj02") || !strcasecmp(arg, "gcj-02")) {
        o->crs = GG_COORD_GCJ02;
    } else if (!strcasecmp(arg, "bd09") || !strcasecmp(arg, "bd-09")) {
        o->crs = GG_COORD_BD09;
    } else if (!strncasecmp(arg, "EPSG:", 5)) {
        char *end;
        errno = 0;
        long n = strtol(arg + 5, &end, 10);
        if (errno || end == arg + 5 || *end || n <= 0 || n > 999999)
            return 0;
        o->crs = GG_COORD_EPSG;
        o->epsg = (int)n;
    } else {
        return 0;
    }
    return 1;
}

static int parse_metres(const char *name, const char *arg, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (errno || end == arg || *end || !(v >= 0) || v > 1e6)
        return cli_usage("locate", "%s: expected metres between 0 and 1000000, got '%s'", name, arg);
    *out = v;
    return -1;
}

static void print_summary(FILE *out, const gg_locate_summary *s)
{
    fprintf(out, "%lld rows: %lld inside, %lld near a boundary, %lld snapped, %lld outside, %lld invalid\n",
            (long long)s->rows, (long long)s->by_status[GG_LOCATE_INSIDE],
            (long long)s->by_status[GG_LOCATE_NEAR_BOUNDARY], (long long)s->by_status[GG_LOCATE_SNAPPED],
            (long long)s->by_status[GG_LOCATE_OUTSIDE], (long long)s->by_status[GG_LOCATE_INVALID]);
    static const char *const types[10] = {"no grid", "comprehensive", "government", "industrial park",
                                          "enterprise/institution", "office tower", "market", "scenic area",
                                          "type 8", "other dedicated"};
    fprintf(out, "by grid type:");
    int any = 0;
    for (int t = 1; t <= 9; t++)
        if (s->by_type[t]) {
            fprintf(out, "%s %lld %s", any ? "," : "", (long long)s->by_type[t], types[t]);
            any = 1;
        }
    fprintf(out, "%s %lld with no grid\n", any ? "," : "", (long long)s->by_type[0]);
    if (s->to_leader)
        fprintf(out, "warning: %lld row(s) went to a grid leader: their grid has no worker on the roster\n",
                (long long)s->to_leader);
    if (s->no_contact)
        fprintf(out, "warning: %lld row(s) are in grids with neither worker nor leader on the roster\n",
                (long long)s->no_contact);
    if (s->first_invalid[0])
        fprintf(out, "first invalid row: %s\n", s->first_invalid);
}

static json_t *summary_json(const char *project, int64_t plan, const gg_locate_summary *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "project", json_string(project));
    json_object_set_new(o, "plan", json_integer(plan));
    json_object_set_new(o, "rows", json_integer(s->rows));
    json_t *st = json_object();
    for (int i = 0; i < 5; i++)
        json_object_set_new(st, gg_locate_status_name((gg_locate_status)i), json_integer(s->by_status[i]));
    json_object_set_new(o, "by_status", st);
    json_t *ty = json_object();
    for (int t = 0; t <= 9; t++)
        if (s->by_type[t] || t == 0) {
            char key[8];
            snprintf(key, sizeof key, "%d", t);
            json_object_set_new(ty, t == 0 ? "none" : key, json_integer(s->by_type[t]));
        }
    json_object_set_new(o, "by_grid_type", ty);
    json_object_set_new(o, "to_leader", json_integer(s->to_leader));
    json_object_set_new(o, "no_contact", json_integer(s->no_contact));
    json_object_set_new(o, "first_invalid", s->first_invalid[0] ? json_string(s->first_invalid) : json_null());
    return o;
}

/* Puts the finished output (tmp) in place of out_path. An existing
 * regular file there is swapped out (RENAME_EXCHANGE: a reader sees the
 * old file or the new one, never none), and is then at tmp, to be
 * removed. Renaming over it would do the same for a reader, but ext4
 * (auto_da_alloc, for programs that replace a file without fsync) then
 * starts writing the new file back inside rename: 28 ms for the 122 MB of
 * the benchmark's output, which the swap leaves to the background
 * writeback, as for any new file. The output was never fsync'ed. Where
 * the swap is not supported, rename. Returns 0 (renamed), 1 (swapped:
 * the old file is at tmp) or -1 with errno. */
static int replace_output(const char *tmp, const char *out_path)
{
#ifdef RENAME_EXCHANGE
    struct stat sb;
    if (lstat(out_path, &sb) == 0 && S_ISREG(sb.st_mode) &&
        renameat2(AT_FDCWD, tmp, AT_FDCWD, out_path, RENAME_EXCHANGE) == 0)
        return 1;
#endif
    return rename(tmp, out_path) == 0 ? 0 : -1;
}

/* The replaced output, removed on a thread of its own (22 ms for the 122
 * MB of the benchmark's output: its pages and blocks freed) while this
 * one frees the locator (unmapping the index file: 11-17 ms when its page
 * cache is in small pages). */
typedef struct remover {
    const char *path;
    pthread_t thread;
    int started, err;
} remover;

static void *remove_main(void *arg)
{
    remover *r = arg;
    r->err = unlink(r->path) == 0 ? 0 : errno;
    return NULL;
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {
        {"plan", required_argument, NULL, 'p'},        {"crs", required_argument, NULL, 'c'},
        {"id-field", required_argument, NULL, 'I'},    {"lon-field", required_argument, NULL, 'X'},
        {"lat-field", required_argument, NULL, 'Y'},   {"input-format", required_argument, NULL, 'i'},
        {"format", required_argument, NULL, 'f'},      {"near-m", required_argument, NULL, 'n'},
        {"snap-m", required_argument, NULL, 's'},      {"jobs", required_argument, NULL, 'J'},
        {"output", required_argument, NULL, 'o'},      {"overwrite", no_argument, NULL, 'w'},
        {"json", no_argument, NULL, 'j'},              {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},              {NULL, 0, NULL, 0},
    };
    cli_common common = {0, 0};
    gg_locator_options lopts;
    gg_locator_options_init(&lopts);
    gg_locate_batch_options bopts;
    gg_locate_batch_options_init(&bopts);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    bopts.jobs = cores > 0 ? (int)(cores > 64 ? 64 : cores) : 1;
    const char *out_path = NULL;
    int overwrite = 0, c, rc;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:", options, NULL)) != -1) {
        switch (c) {
        case 'p':
            if ((rc = cli_parse_plan("locate", optarg, &lopts.plan)) >= 0)
                return rc;
            break;
        case 'c':
            if (!parse_crs(optarg, &bopts))
                return cli_usage("locate", "--crs: expected wgs84, cgcs2000, gcj02, bd09 or EPSG:n, got '%s'", optarg);
            break;
        case 'I': bopts.id_field = optarg; break;
        case 'X': bopts.lon_field = optarg; break;
        case 'Y': bopts.lat_field = optarg; break;
        case 'i':
            if (!parse_format(optarg, &bopts.input_format))
                return cli_usage("locate", "--input-format: expected csv, ndjson or geojson, got '%s'", optarg);
            break;
        case 'f':
            if (!parse_format(optarg, &bopts.output_format))
                return cli_usage("locate", "--format: expected csv, ndjson or geojson, got '%s'", optarg);
            break;
        case 'n':
            if ((rc = parse_metres("--near-m", optarg, &lopts.near_m)) >= 0)
                return rc;
            break;
        case 's':
            if ((rc = parse_metres("--snap-m", optarg, &lopts.snap_m)) >= 0)
                return rc;
            break;
        case 'J': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (end == optarg || *end || n < 1 || n > 64)
                return cli_usage("locate", "--jobs: expected a whole number from 1 to 64, got '%s'", optarg);
            bopts.jobs = (int)n;
            break;
        }
        case 'o': out_path = optarg; break;
        case 'w': overwrite = 1; break;
        case 'j': common.json = 1; break;
        case 'q': common.quiet = 1; break;
        case 'h': help(stdout); return CLI_OK;
        case ':': return cli_usage("locate", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage("locate", "unknown option '%s'", argv[optind - 1]);
        }
    }
    int nargs = argc - optind;
    if (nargs < 1 || nargs > 2)
        return cli_usage("locate", "expected the project file and at most one input file");
    if (common.json && out_path == NULL)
        return cli_usage("locate", "--json prints the summary on standard output: give the rows a file with -o");
    const char *project = argv[optind];
    const char *input = nargs == 2 ? argv[optind + 1] : "-";
    FILE *in = stdin;
    if (strcmp(input, "-") != 0) {
        in = fopen(input, "rb");
        if (in == NULL) {
            cli_error("locate", "%s: cannot open: %s", input, strerror(errno));
            return CLI_FAILED;
        }
    }
    /* Output to a temporary name beside OUT, renamed once complete. */
    char *tmp = NULL;
    FILE *out = stdout;
    struct stat sb;
    if (out_path != NULL) {
        if (stat(out_path, &sb) == 0 && !overwrite) {
            cli_error("locate", "%s: already exists (use --overwrite to replace it)", out_path);
            if (in != stdin)
                fclose(in);
            return CLI_FAILED;
        }
        size_t n = strlen(out_path) + 16;
        tmp = malloc(n);
        if (tmp == NULL)
            return CLI_FAILED;
        snprintf(tmp, n, "%s.partial", out_path);
        out = fopen(tmp, "wb");
        if (out == NULL) {
            cli_error("locate", "%s: cannot create: %s", tmp, strerror(errno));
            free(tmp);
            if (in != stdin)
                fclose(in);
            return CLI_FAILED;
        }
    }
    gg_ctx *ctx = cli_ctx_new("locate", &common);
    gg_store *store = NULL;
    gg_locator *loc = NULL;
    gg_locate_summary sum;
    memset(&sum, 0, sizeof sum);
    rc = CLI_OK;
    lopts.threads = bopts.jobs; /* the index is built with as many */
    if (ctx == NULL) {
        rc = CLI_FAILED;
    } else if (gg_store_open(ctx, project, 0, &store) != GG_OK || gg_locator_new(ctx, store, &lopts, &loc) != GG_OK) {
        rc = cli_fail("locate", ctx);
    } else {
        gg_store_close(store); /* the locator needs no store from here on */
        store = NULL;
        const char *why = NULL;
        if (gg_locator_index_status(loc, &why) == GG_LOCATOR_INDEX_REFUSED && !common.quiet)
            fprintf(stderr, "govgrid locate: warning: %s\n", why);
        /* Each row's worker by the dispatcher's balance, from zero: a
         * batch is not a stream of stored incidents. */
        gg_dispatcher *d = NULL;
        if (gg_dispatcher_new(ctx, loc, &d) != GG_OK) {
            rc = cli_fail("locate", ctx);
        } else {
            bopts.pick = gg_dispatcher_as_pick(d);
            if (gg_locate_batch(ctx, loc, &bopts, in, input, out, &sum) != GG_OK)
                rc = cli_fail("locate", ctx);
            gg_dispatcher_free(d);
        }
    }
    if (out != stdout && fclose(out) != 0 && rc == CLI_OK) {
        cli_error("locate", "%s: %s", tmp, strerror(errno));
        rc = CLI_FAILED;
    }
    remover old = {NULL, 0, 0, 0};
    if (tmp != NULL) {
        int put = rc == CLI_OK ? replace_output(tmp, out_path) : 0;
        if (put < 0) {
            cli_error("locate", "%s: cannot rename to %s: %s", tmp, out_path, strerror(errno));
            rc = CLI_FAILED;
        }
        if (rc != CLI_OK) {
            unlink(tmp);
        } else if (put == 1) {
            old.path = tmp;
            old.started = pthread_create(&old.thread, NULL, remove_main, &old) == 0;
            if (!old.started)
                remove_main(&old);
        }
    }
    if (rc == CLI_OK) {
        if (common.json)
            rc = cli_print_json(summary_json(project, gg_locator_plan(loc), &sum));
        else if (!common.quiet)
            print_summary(stderr, &sum);
    }
    if (in != stdin)
        fclose(in);
    gg_locator_free(loc);
    gg_store_close(store);
    gg_ctx_free(ctx);
    if (old.started)
        pthread_join(old.thread, NULL);
    if (old.path != NULL && old.err != 0)
        cli_error("locate", "warning: %s: the replaced output is left there: %s", old.path, strerror(old.err));
    free(tmp);
    return rc;
}

const cli_command cli_cmd_locate = {"locate", "find the grid and workers of incidents", run, help};
