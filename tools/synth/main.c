/*
 * main.c - govgrid-synth: command line, the build stages, the summary.
 *
 * Exit status: 0 success, 1 failure while generating or writing, 2 usage.
 */
#include <errno.h>
#include <gdal.h>
#include <ogr_srs_api.h>
#include <cpl_error.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "out.h"
#include "stream.h"
#include "world.h"

static const char usage_text[] =
    "Usage: govgrid-synth --households N [options]\n"
    "\n"
    "Writes a deterministic synthetic Chinese county or province (Jiangsu, around\n"
    "120E 32N) as input files for the govgrid importer.\n"
    "\n"
    "Options:\n"
    "  --households N            resident households, 2000 .. 30000000 (required)\n"
    "  --seed S                  random seed, unsigned 64-bit (default 1)\n"
    "  --out DIR                 output directory, created if missing (default synth-out)\n"
    "  --force                   overwrite existing output files in DIR\n"
    "  --crs EPSG:n              CRS of the GeoPackages (default EPSG:4549; also\n"
    "                            EPSG:4326, EPSG:4490 or any EPSG code PROJ knows)\n"
    "  --grid-vertices MIN-MAX   vertices per grid boundary (default 30-200)\n"
    "  --grids-per-community K   grids per community, 1 .. 999 (default: about one\n"
    "                            grid per 400 households)\n"
    "  --community-households H  mean households per community, 200 .. 20000\n"
    "                            (default 2800; 500 gives a county of many small\n"
    "                            communities, as in older city districts)\n"
    "  --departments D           departmental grid layers, 0 .. 100 (default 5)\n"
    "  --grid-departments D      departmental layers drawn grid by grid after the\n"
    "                            unified grids, 0 .. 100 (default 0): copies, unions\n"
    "                            of neighbours, halves, grids cutting into a\n"
    "                            neighbour, left-out grids, with 3 m of noise\n"
    "  --quiet                   no progress lines\n"
    "  --help                    this text\n"
    "\n"
    "Outputs in DIR: divisions.gpkg, households.gpkg, roads.gpkg, waterways.gpkg,\n"
    "units.gpkg, grids.gpkg, dept_grids.gpkg, workers.csv, incidents.csv, README.txt.\n"
    "The same arguments always give byte-identical files.\n";

static void usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("govgrid-synth: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'govgrid-synth --help'.\n", stderr);
    exit(2);
}

static long parse_long(const char *opt, const char *v, long lo, long hi)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end)
        usage_error("%s: '%s' is not a whole number", opt, v);
    if (x < lo || x > hi)
        usage_error("%s: %ld is out of range %ld..%ld", opt, x, lo, hi);
    return x;
}

static int make_dirs(const char *path)
{
    char *p = sy_strdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = '/';
    }
    int rc = mkdir(p, 0777);
    free(p);
    if (rc != 0 && errno != EEXIST)
        return -1;
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

static void geos_notice(const char *msg, void *data)
{
    (void)msg;
    (void)data;
}

static void free_path_list(sy_path *p, int n)
{
    for (int i = 0; i < n; i++) {
        free(p[i].he);
        free(p[i].pts);
    }
    free(p);
}

void sy_world_free(sy_world *w)
{
    free(w->counties);
    free(w->townships);
    free(w->communities);
    free(w->township_list);
    free(w->community_list);
    free(w->community_cells);
    free(w->seed);
    free(w->cell_size_m);
    free(w->cell_community);
    free(w->cell_he_start);
    free(w->cell_he);
    free(w->ghost);
    free(w->node);
    free(w->edge);
    free(w->edge_pts);
    free(w->node_he_start);
    free(w->node_he);
    for (int i = 0; i < w->n_extras; i++)
        free(w->extras[i].pts);
    free(w->extras);
    free(w->cell_extra_vertices);
    free_path_list(w->road_paths, w->n_road_paths);
    free_path_list(w->water_paths, w->n_water_paths);
    for (int i = 0; i < w->n_waters; i++) {
        sy_mpoly_free(&w->waters[i].geom);
        sy_pip_free(&w->waters[i].pip);
    }
    free(w->waters);
    free(w->wix_start);
    free(w->wix_items);
    sy_mpoly_free(&w->outline);
}

static void write_readme(const char *dir, int argc, char **argv, const sy_world *w, const sy_out *o,
                         const char *summary)
{
    size_t n = strlen(dir) + 16;
    char *path = sy_malloc(n);
    snprintf(path, n, "%s/README.txt", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        sy_die("cannot write %s: %s", path, strerror(errno));
    fputs("Synthetic govgrid input written by govgrid-synth.\n\nCommand line:\n ", f);
    for (int i = 0; i < argc; i++)
        fprintf(f, " %s", i == 0 ? "govgrid-synth" : argv[i]);
    fprintf(f, "\n\nSeed %llu, CRS EPSG:%d (incidents.csv: EPSG:4326 lon/lat).\n",
            (unsigned long long)w->opt.seed, w->opt.epsg);
    fprintf(f, "Counties %d, townships %d, communities %d, grids %d.\n", w->n_counties, w->n_townships,
            w->n_communities, w->n_cells);
    fprintf(f, "Households %ld in %ld points.\n", sy_out_household_sum(o),
            sy_out_count(o, SY_LAYER_HOUSEHOLDS));
    fprintf(f, "\nFeatures per output:\n%s\n", summary);
    fputs("\nSee docs/synth.md in the govgrid sources for the layers and fields.\n", f);
    if (fclose(f) != 0)
        sy_die("cannot write %s: %s", path, strerror(errno));
    free(path);
}

int main(int argc, char **argv)
{
    sy_world w;
    memset(&w, 0, sizeof w);
    w.opt.seed = 1;
    w.opt.vertices_min = 30;
    w.opt.vertices_max = 200;
    w.opt.departments = 5;
    w.opt.epsg = 4549;
    const char *dir = "synth-out";
    int force = 0, have_households = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        char name[64];
        const char *eq = strchr(a, '=');
        if (strncmp(a, "--", 2) == 0 && eq && (size_t)(eq - a) < sizeof name) {
            memcpy(name, a, (size_t)(eq - a));
            name[eq - a] = '\0';
            val = eq + 1;
        } else {
            snprintf(name, sizeof name, "%s", a);
        }
        int takes_value = !strcmp(name, "--households") || !strcmp(name, "--seed") || !strcmp(name, "--out") ||
                          !strcmp(name, "--crs") || !strcmp(name, "--grid-vertices") ||
                          !strcmp(name, "--grids-per-community") || !strcmp(name, "--departments") ||
                          !strcmp(name, "--community-households") || !strcmp(name, "--grid-departments");
        if (takes_value && !val) {
            if (i + 1 >= argc)
                usage_error("%s needs a value", name);
            val = argv[++i];
        } else if (!takes_value && val) {
            usage_error("%s takes no value", name);
        }
        if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
            fputs(usage_text, stdout);
            return 0;
        } else if (!strcmp(name, "--households")) {
            w.opt.households = parse_long(name, val, 2000, 30000000);
            have_households = 1;
        } else if (!strcmp(name, "--seed")) {
            char *end;
            errno = 0;
            unsigned long long s = strtoull(val, &end, 10);
            if (errno || end == val || *end || val[0] == '-')
                usage_error("--seed: '%s' is not an unsigned whole number", val);
            w.opt.seed = s;
        } else if (!strcmp(name, "--out")) {
            if (!*val)
                usage_error("--out: empty directory name");
            dir = val;
        } else if (!strcmp(name, "--crs")) {
            const char *num = val;
            if (!strncmp(val, "EPSG:", 5) || !strncmp(val, "epsg:", 5))
                num = val + 5;
            w.opt.epsg = (int)parse_long("--crs", num, 1, 999999);
        } else if (!strcmp(name, "--grid-vertices")) {
            long lo, hi;
            char extra;
            if (sscanf(val, "%ld-%ld%c", &lo, &hi, &extra) != 2)
                usage_error("--grid-vertices: expected MIN-MAX, e.g. 30-200, got '%s'", val);
            if (lo < 8 || hi < lo || hi > 100000)
                usage_error("--grid-vertices: need 8 <= MIN <= MAX <= 100000, got %ld-%ld", lo, hi);
            w.opt.vertices_min = (int)lo;
            w.opt.vertices_max = (int)hi;
        } else if (!strcmp(name, "--grids-per-community")) {
            w.opt.grids_per_community = (int)parse_long(name, val, 1, 999);
        } else if (!strcmp(name, "--community-households")) {
            w.opt.community_households = (int)parse_long(name, val, 200, 20000);
        } else if (!strcmp(name, "--departments")) {
            w.opt.departments = (int)parse_long(name, val, 0, 100);
        } else if (!strcmp(name, "--grid-departments")) {
            w.opt.grid_departments = (int)parse_long(name, val, 0, 100);
        } else if (!strcmp(name, "--quiet")) {
            w.opt.quiet = 1;
        } else if (!strcmp(name, "--force")) {
            force = 1;
        } else {
            usage_error("unknown option '%s'", a);
        }
    }
    if (!have_households)
        usage_error("--households N is required");
    w.opt.progress = !w.opt.quiet && isatty(STDERR_FILENO);

    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALAllRegister();
    {
        OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
        int ok = OSRImportFromEPSG(srs, w.opt.epsg) == OGRERR_NONE;
        OSRDestroySpatialReference(srs);
        if (!ok)
            usage_error("--crs: EPSG:%d is not a CRS that PROJ knows", w.opt.epsg);
    }
    if (make_dirs(dir) != 0) {
        fprintf(stderr, "govgrid-synth: cannot create output directory %s: %s\n", dir, strerror(errno));
        return 1;
    }
    sy_out *o = sy_out_open(dir, w.opt.epsg, force);
    if (!o)
        return 1;

    w.geos = GEOS_init_r();
    GEOSContext_setNoticeMessageHandler_r(w.geos, geos_notice, NULL);
    GEOSContext_setErrorMessageHandler_r(w.geos, geos_notice, NULL);
    w.island_community = w.island_cell = w.island_extra = w.lake_cell = -1;
    {
        /* Working-plane centre: 120.0E 32.0N on CGCS2000 / 3-degree GK CM 120E. */
        OGRSpatialReferenceH a = OSRNewSpatialReference(NULL), b = OSRNewSpatialReference(NULL);
        OSRImportFromEPSG(a, 4490);
        OSRImportFromEPSG(b, 4549);
        OSRSetAxisMappingStrategy(a, OAMS_TRADITIONAL_GIS_ORDER);
        OSRSetAxisMappingStrategy(b, OAMS_TRADITIONAL_GIS_ORDER);
        OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(a, b);
        double x = 120.0, y = 32.0;
        if (!ct || !OCTTransform(ct, 1, &x, &y, NULL))
            sy_die("cannot transform the area centre to EPSG:4549");
        w.centre.x = x;
        w.centre.y = y;
        OCTDestroyCoordinateTransformation(ct);
        OSRDestroySpatialReference(a);
        OSRDestroySpatialReference(b);
    }

    sy_progress(&w, "structure");
    sy_structure_build(&w);
    sy_progress(&w, "layout");
    sy_layout_build(&w);
    sy_progress(&w, "tessellation (%d grids)", w.n_cells);
    sy_topo_build(&w);
    sy_topo_fix_contiguity(&w);
    sy_structure_name(&w);
    sy_progress(&w, "rivers and roads");
    sy_network_build(&w);
    sy_progress(&w, "grid boundaries");
    sy_water_plan_island(&w);
    sy_densify(&w);
    sy_progress(&w, "water bodies");
    sy_water_build(&w);
    sy_stream_write(&w, o);

    char summary[1024];
    snprintf(summary, sizeof summary,
             "divisions=%ld households=%ld (households_sum=%ld) roads=%ld waterways=%ld units=%ld grids=%ld "
             "dept_grids=%ld workers=%ld incidents=%ld",
             sy_out_count(o, SY_LAYER_DIVISIONS), sy_out_count(o, SY_LAYER_HOUSEHOLDS), sy_out_household_sum(o),
             sy_out_count(o, SY_LAYER_ROADS), sy_out_count(o, SY_LAYER_WATERWAYS), sy_out_count(o, SY_LAYER_UNITS),
             sy_out_count(o, SY_LAYER_GRIDS), sy_out_count(o, SY_LAYER_DEPT_GRIDS), sy_out_workers(o),
             sy_out_incidents(o));
    if (sy_out_household_sum(o) != w.opt.households)
        sy_die("internal: wrote %ld households, expected %ld", sy_out_household_sum(o), w.opt.households);
    write_readme(dir, argc, argv, &w, o, summary);
    int rc = sy_out_close(o);
    if (w.opt.progress)
        fputs("\r\033[K", stderr);
    if (rc) {
        fprintf(stderr, "govgrid-synth: writing the outputs failed\n");
        sy_world_free(&w);
        GEOS_finish_r(w.geos);
        return 1;
    }
    printf("%s\n", summary);
    sy_world_free(&w);
    GEOS_finish_r(w.geos);
    CPLPopErrorHandler();
    return 0;
}
