/* govgrid import: one source layer into one project layer. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Issues printed on the terminal; --json lists all the report keeps. */
#define ISSUES_SHOWN 20
#define MAX_BINDINGS 32

static void help(FILE *out)
{
    fprintf(out,
            "Usage: govgrid import PROJECT.sqlite LAYER SOURCE [options]\n"
            "\n"
            "Imports one layer of SOURCE (GeoPackage, Shapefile, GeoJSON, CSV with lon/lat or\n"
            "WKT columns, OSM PBF, ...; with --driver anything GDAL reads, PostGIS included)\n"
            "into the project, in one transaction: on any error the project is left exactly\n"
            "as it was.\n"
            "\n"
            "LAYER and its fields (a source field of the same name is used unless --map says\n"
            "otherwise; * marks a field every feature needs):\n"
            "  divisions   code*, name, parent, urban_rural   (Polygon; 6/9/12-digit codes)\n"
            "  households  id, count (default 1), persons, address   (Point)\n"
            "  roads       id, class, name   (LineString)\n"
            "  waterways   id, kind, name   (LineString or Polygon)\n"
            "  units       id, kind*, name, size   (Point or Polygon)\n"
            "  workers     id, name*, role*, phone, grid_code, shift (duty hours, e.g.\n"
            "              mon-fri 08:30-17:30; sat 09:00-12:00)   (no geometry)\n"
            "  dept-grids  dept*, id, name   (Polygon)\n"
            "  grids       code*, type, community, name   (Polygon; creates a new plan)\n"
            "  catalogue   item_code*, class*, subclass, name*, name_en, department*,\n"
            "              reporting_condition, reach_within*, handle_within*,\n"
            "              closing_condition, attributes, route (grid, department,\n"
            "              level:N or level:community|township|district),\n"
            "              co_departments (a;b), close_within, warn_at (0-1)\n"
            "              (no geometry; creates a new catalogue version; limits like 2h,\n"
            "              30min, 3d, 8wh, 7wd, or stages 1wd:first|7wd:done)\n"
            "Without an id field the feature number is the id.\n");
    fprintf(out,
            "\n"
            "The closed loop's settings, CSV files each replacing what the project had:\n"
            "  staffing-rules  class* (urban, rural or *), leaders*, workers*, fulltime*,\n"
            "                  volunteers*, note   (the roster rule; default 1+2+N)\n"
            "  levels          level*, name*, scope* (grid, community, township,\n"
            "                  district), handle_within   (escalation levels, 0 the grid)\n"
            "  level-contacts  level*, division* (a division code or *), name*, phone\n"
            "\n"
            "Options:\n"
            "  --src-layer NAME       source layer to read (needed when SOURCE has several)\n"
            "  --map TARGET=FIELD     take TARGET from the source field FIELD (repeatable)\n"
            "  --set TARGET=VALUE     give TARGET the value VALUE for every feature (repeatable)\n"
            "  --where EXPR           import only features matching an OGR SQL expression\n"
            "  --encoding ENC         encoding of the source's text, e.g. GBK or GB18030\n"
            "  --s-srs CRS            the source's CRS (e.g. EPSG:4549), overriding what it declares\n"
            "  --oo NAME=VALUE        GDAL open option (repeatable), e.g. X_POSSIBLE_NAMES=jd\n"
            "  --driver NAME          read SOURCE with this GDAL driver (like ogr2ogr -if), e.g.\n"
            "                         CSV for a .txt file, VRT, PostgreSQL for PG:dbname=...\n"
            "  --allow-network        read URLs and /vsicurl/, /vsis3/, ... paths, and let GDAL\n"
            "                         fetch what SOURCE refers to (off: local files only)\n"
            "  --append               add to the layer instead of replacing it (grids: add to\n"
            "                         the newest plan; dept-grids are replaced per department)\n"
            "  --skip-invalid         import the valid features even if others are rejected\n"
            "  --note TEXT            grids: a note for the new plan\n"
            "  --max-count N          households: the most households one point may carry\n"
            "                         (default 100000; persons up to 20 times as many)\n"
            "  --jobs N               threads: 1 reads and writes in turn, 2 or more read and\n"
            "                         check features while writing (default: 2 when the\n"
            "                         machine has 2 or more cores)\n"
            "  --json                 print the report as JSON\n"
            "  --quiet                print nothing but errors\n"
            "  --help                 show this help\n"
            "\n"
            "Without --driver, SOURCE is read only by the driver of the type its name\n"
            "declares, and its content must be that type: .csv/.tsv CSV; .shp, .dbf, .shz,\n"
            ".shp.zip or a folder: shapefiles; .gpkg; .geojson, .json; .geojsonl; .kml,\n"
            ".kmz; .gml; .gpx; .osm, .pbf; .sqlite; .fgb; a .gdb folder; .xlsx, .xls, .ods;\n"
            ".tab, .mif; NAME.gz as NAME. Drivers that read other files, services or\n"
            "databases (VRT, WFS, PostgreSQL, ...) are used only when --driver names them.\n"
            "\n"
            "A source with no CRS is taken as WGS-84 longitude/latitude only when its extent\n"
            "fits; otherwise give --s-srs. CSV coordinates are read from columns named lon,\n"
            "lng, longitude or x and lat, latitude or y, or from a WKT column (wkt, geom,\n"
            "geometry).\n"
            "\n"
            "Exit status: 0 imported; 1 rejected features (nothing imported unless\n"
            "--skip-invalid), unreadable source or store error; 2 usage error.\n");
}

/* The loop's configuration sheets: CSV files the library reads whole and
 * checks line by line, each replacing what the project had, in one
 * transaction. */
static int import_sheet(const char *project, const char *what, const char *source, const cli_common *common)
{
    char *text = NULL;
    size_t len = 0;
    if (!cli_read_text("import", source, 1u << 20, &text, &len))
        return CLI_FAILED;
    gg_ctx *ctx = cli_ctx_new("import", common);
    if (ctx == NULL) {
        free(text);
        return CLI_FAILED;
    }
    gg_store *store = NULL;
    gg_status st = gg_store_open(ctx, project, 1, &store);
    size_t n = 0;
    if (st == GG_OK) {
        gg_store_set_actor(store, cli_actor());
        if (strcmp(what, "staffing-rules") == 0) {
            st = gg_staffing_rules_import(ctx, store, text, len, source);
            n = 2;
        } else if (strcmp(what, "levels") == 0) {
            st = gg_case_levels_import(ctx, store, text, len, source, &n);
        } else {
            st = gg_level_contacts_import(ctx, store, text, len, source, &n);
        }
    }
    int rc;
    if (st != GG_OK) {
        rc = cli_fail("import", ctx);
    } else {
        rc = CLI_OK;
        if (common->json)
            rc = cli_print_json(json_pack("{s:s, s:s, s:s, s:I}", "project", project, "layer", what, "source", source,
                                          "imported", (json_int_t)n));
        else if (!common->quiet)
            printf("%s: %s replaced by %s (%zu %s)\n", project, what, source, n,
                   strcmp(what, "staffing-rules") == 0 ? "classes"
                   : strcmp(what, "levels") == 0       ? "levels"
                                                       : "contacts");
    }
    free(text);
    gg_store_close(store);
    gg_ctx_free(ctx);
    return rc;
}

static json_t *issue_json(const gg_import_report *r, const gg_import_issue *issue)
{
    static const char *const kinds[] = {"warning", "repaired", "rejected"};
    char where[1024];
    gg_import_issue_where(r, issue, where, sizeof where);
    json_t *o = json_object();
    json_object_set_new(o, "kind", json_string(kinds[issue->kind]));
    json_object_set_new(o, "fid", issue->fid >= 0 ? json_integer(issue->fid) : json_null());
    if (issue->line > 0)
        json_object_set_new(o, "line", json_integer(issue->line));
    json_object_set_new(o, "id", issue->id ? json_string(issue->id) : json_null());
    json_object_set_new(o, "message", json_string(issue->message));
    json_object_set_new(o, "where", json_string(where));
    return o;
}

static json_t *report_json(const gg_import_report *r, const char *project, gg_status st,
                           gg_ctx *ctx)
{
    json_t *o = json_object();
    json_object_set_new(o, "project", json_string(project));
    json_object_set_new(o, "layer", json_string(r->layer ? r->layer : ""));
    json_object_set_new(o, "source", json_string(r->source ? r->source : ""));
    json_object_set_new(o, "src_layer", r->src_layer ? json_string(r->src_layer) : json_null());
    json_object_set_new(o, "driver", r->driver ? json_string(r->driver) : json_null());
    json_object_set_new(o, "source_crs", r->source_crs ? json_string(r->source_crs) : json_null());
    json_object_set_new(o, "ok", json_boolean(st == GG_OK));
    if (st != GG_OK)
        json_object_set_new(o, "error", json_string(gg_ctx_errmsg(ctx)));
    json_object_set_new(o, "read", json_integer(r->read));
    json_object_set_new(o, "imported", json_integer(r->imported));
    json_object_set_new(o, "repaired", json_integer(r->repaired));
    json_object_set_new(o, "rejected", json_integer(r->rejected));
    json_object_set_new(o, "warnings", json_integer(r->warnings));
    json_object_set_new(o, "replaced", json_integer(r->replaced));
    if (r->layer && strcmp(r->layer, "households") == 0)
        json_object_set_new(o, "households", json_integer(r->households));
    if (r->layer && (strcmp(r->layer, "households") == 0 || strcmp(r->layer, "units") == 0)) {
        json_t *outside = json_object();
        json_object_set_new(outside, "checked", json_boolean(r->communities_known));
        json_object_set_new(outside, "count", json_integer(r->outside));
        json_t *ids = json_array();
        for (size_t i = 0; i < r->n_outside_ids; i++)
            json_array_append_new(ids, json_string(r->outside_ids[i]));
        json_object_set_new(outside, "first_ids", ids);
        json_object_set_new(o, "outside_communities", outside);
    }
    if (r->plan)
        json_object_set_new(o, "plan", json_integer(r->plan));
    if (r->catalogue_version)
        json_object_set_new(o, "catalogue_version", json_integer(r->catalogue_version));
    json_t *issues = json_array();
    for (size_t i = 0; i < r->n_issues; i++)
        json_array_append_new(issues, issue_json(r, &r->issues[i]));
    json_object_set_new(o, "issues", issues);
    json_object_set_new(o, "issues_not_listed", json_integer(r->issues_dropped));
    return o;
}

static void print_issues(const gg_import_report *r)
{
    static const char *const kinds[] = {"warning", "repaired", "rejected"};
    size_t shown = 0;
    for (size_t i = 0; i < r->n_issues && shown < ISSUES_SHOWN; i++, shown++) {
        char where[1024];
        gg_import_issue_where(r, &r->issues[i], where, sizeof where);
        fprintf(stderr, "%s: %s: %s\n", kinds[r->issues[i].kind], where, r->issues[i].message);
    }
    int64_t more = (int64_t)(r->n_issues - shown) + r->issues_dropped;
    if (more > 0)
        fprintf(stderr, "... and %lld more (--json lists up to 1000)\n", (long long)more);
}

static void print_summary(const gg_import_report *r, gg_status st)
{
    printf("%s: %lld read, %lld imported, %lld repaired, %lld rejected", r->layer,
           (long long)r->read, (long long)r->imported, (long long)r->repaired, (long long)r->rejected);
    if (r->src_layer)
        printf(" (from layer '%s', %s, CRS %s)", r->src_layer, r->driver ? r->driver : "?",
               r->source_crs ? r->source_crs : "?");
    printf("\n");
    if (st != GG_OK)
        return;
    if (r->replaced > 0)
        printf("replaced %lld existing feature(s)\n", (long long)r->replaced);
    if (r->plan)
        printf("plan %lld\n", (long long)r->plan);
    if (r->catalogue_version)
        printf("catalogue version %lld\n", (long long)r->catalogue_version);
    if (strcmp(r->layer, "households") == 0)
        printf("households: %lld in %lld point(s)\n", (long long)r->households, (long long)r->imported);
    if (strcmp(r->layer, "households") == 0 || strcmp(r->layer, "units") == 0) {
        if (!r->communities_known) {
            printf("not checked against communities: the project has none yet\n");
        } else if (r->outside > 0) {
            printf("%lld feature(s) in no community; first:", (long long)r->outside);
            for (size_t i = 0; i < r->n_outside_ids; i++)
                printf(" %s", r->outside_ids[i]);
            printf("\n");
        } else {
            printf("every feature lies in a community\n");
        }
    }
}

static int run(int argc, char **argv)
{
    static const struct option options[] = {
        {"src-layer", required_argument, NULL, 'l'}, {"map", required_argument, NULL, 'm'},
        {"set", required_argument, NULL, 's'},       {"where", required_argument, NULL, 'w'},
        {"encoding", required_argument, NULL, 'e'},  {"s-srs", required_argument, NULL, 'c'},
        {"oo", required_argument, NULL, 'o'},        {"append", no_argument, NULL, 'a'},
        {"skip-invalid", no_argument, NULL, 'k'},    {"note", required_argument, NULL, 'n'},
        {"json", no_argument, NULL, 'j'},            {"quiet", no_argument, NULL, 'q'},
        {"jobs", required_argument, NULL, 'J'},      {"max-count", required_argument, NULL, 'M'},
        {"driver", required_argument, NULL, 'D'},    {"allow-network", no_argument, NULL, 'N'},
        {"help", no_argument, NULL, 'h'},            {NULL, 0, NULL, 0},
    };
    gg_binding maps[MAX_BINDINGS], sets[MAX_BINDINGS], oo[MAX_BINDINGS];
    gg_import_options opts;
    gg_import_options_init(&opts);
    opts.maps = maps;
    opts.sets = sets;
    opts.open_options = oo;
    cli_common common = {0, 0};
    opts.jobs = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 2 : 1;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        gg_binding *list = NULL;
        size_t *count = NULL;
        const char *flag = NULL, *form = NULL;
        switch (c) {
        case 'l': opts.src_layer = optarg; break;
        case 'm': list = maps, count = &opts.n_maps, flag = "--map", form = "TARGET=FIELD"; break;
        case 's': list = sets, count = &opts.n_sets, flag = "--set", form = "TARGET=VALUE"; break;
        case 'o': list = oo, count = &opts.n_open_options, flag = "--oo", form = "NAME=VALUE"; break;
        case 'w': opts.where = optarg; break;
        case 'e': opts.encoding = optarg; break;
        case 'c': opts.source_crs = optarg; break;
        case 'D': opts.driver = optarg; break;
        case 'N': opts.allow_network = 1; break;
        case 'a': opts.append = 1; break;
        case 'k': opts.skip_invalid = 1; break;
        case 'n': opts.note = optarg; break;
        case 'J': {
            char *end = NULL;
            long jobs = strtol(optarg, &end, 10);
            if (end == optarg || *end != '\0' || jobs < 1 || jobs > 256)
                return cli_usage("import", "--jobs takes a whole number from 1 to 256, got '%s'", optarg);
            opts.jobs = (int)jobs;
            break;
        }
        case 'M': {
            char *end = NULL;
            long long max = strtoll(optarg, &end, 10);
            if (end == optarg || *end != '\0' || max < 1 || max > 1000000000LL)
                return cli_usage("import", "--max-count takes a whole number from 1 to 1000000000, got '%s'", optarg);
            opts.max_count = max;
            break;
        }
        case 'j': common.json = 1; break;
        case 'q': common.quiet = 1; break;
        case 'h': help(stdout); return CLI_OK;
        case ':': return cli_usage("import", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage("import", "unknown option '%s'", argv[optind - 1]);
        }
        if (list != NULL) {
            if (*count >= MAX_BINDINGS)
                return cli_usage("import", "too many %s options (at most %d)", flag, MAX_BINDINGS);
            if (!cli_split_binding(optarg, &list[*count].target, &list[*count].value))
                return cli_usage("import", "%s takes %s, got '%s'", flag, form, optarg);
            (*count)++;
        }
    }
    if (argc - optind != 3)
        return cli_usage("import", "expected PROJECT.sqlite LAYER SOURCE");
    const char *project = argv[optind], *layer_name = argv[optind + 1], *source = argv[optind + 2];

    if (strcmp(layer_name, "staffing-rules") == 0 || strcmp(layer_name, "levels") == 0 ||
        strcmp(layer_name, "level-contacts") == 0)
        return import_sheet(project, layer_name, source, &common);
    gg_ctx *ctx = cli_ctx_new("import", &common);
    if (ctx == NULL)
        return CLI_FAILED;
    gg_layer layer;
    if (gg_layer_from_name(ctx, layer_name, &layer) != GG_OK) {
        cli_usage("import", "%s", gg_ctx_errmsg(ctx));
        gg_ctx_free(ctx);
        return CLI_USAGE;
    }
    gg_store *store = NULL;
    if (gg_store_open(ctx, project, 1, &store) != GG_OK) {
        int rc = cli_fail("import", ctx);
        gg_ctx_free(ctx);
        return rc;
    }
    gg_store_set_actor(store, cli_actor());
    gg_import_report *report = NULL;
    gg_status st = gg_import(ctx, store, layer, source, &opts, &report);
    int rc = st == GG_OK ? CLI_OK : st == GG_ERR_ARG ? CLI_USAGE : CLI_FAILED;
    if (common.json && report != NULL) {
        int jrc = cli_print_json(report_json(report, project, st, ctx));
        if (rc == CLI_OK)
            rc = jrc;
    } else if (report != NULL) {
        if (!common.quiet || st != GG_OK)
            print_issues(report);
        if (!common.quiet && (st == GG_OK || st == GG_ERR_INVALID_INPUT))
            print_summary(report, st);
    }
    if (st != GG_OK)
        cli_fail("import", ctx);
    gg_import_report_free(ctx, report);
    gg_store_close(store);
    gg_ctx_free(ctx);
    return rc;
}

const cli_command cli_cmd_import = {"import", "import a layer from any GDAL vector source", run, help};
