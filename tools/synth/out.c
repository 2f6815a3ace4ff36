#include "out.h"

#include <errno.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <cpl_conv.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct sy_layer {
    GDALDatasetH ds;
    OGRLayerH lyr;
    OGRFeatureDefnH defn;
    long n;
    long pending;
} sy_layer;

struct sy_out {
    sy_layer layer[SY_LAYER_COUNT];
    FILE *workers, *incidents;
    char *workers_path, *incidents_path;
    OGRSpatialReferenceH srs_work, srs_out, srs_wgs;
    OGRCoordinateTransformationH to_out, to_wgs;
    long n_workers, n_incidents, household_sum;
    sy_wkb wkb;
    int failed;
};

typedef struct field_spec {
    const char *name;
    OGRFieldType type;
} field_spec;

static const struct layer_spec {
    const char *file, *name;
    OGRwkbGeometryType gtype;
    field_spec fields[6];
} layer_specs[SY_LAYER_COUNT] = {
    {"divisions.gpkg", "divisions", wkbMultiPolygon,
     {{"code", OFTString}, {"name", OFTString}, {"parent", OFTString}, {"urban_rural", OFTString}, {NULL, OFTString}}},
    {"households.gpkg", "households", wkbPoint,
     {{"id", OFTString}, {"count", OFTInteger}, {"persons", OFTInteger}, {"address", OFTString}, {NULL, OFTString}}},
    {"roads.gpkg", "roads", wkbLineString, {{"id", OFTString}, {"class", OFTString}, {"name", OFTString}, {NULL, OFTString}}},
    {"waterways.gpkg", "waterways", wkbUnknown, {{"id", OFTString}, {"kind", OFTString}, {"name", OFTString}, {NULL, OFTString}}},
    {"units.gpkg", "units", wkbUnknown,
     {{"id", OFTString}, {"kind", OFTString}, {"name", OFTString}, {"size", OFTReal}, {NULL, OFTString}}},
    {"grids.gpkg", "grids", wkbMultiPolygon,
     {{"code", OFTString}, {"type", OFTInteger}, {"community", OFTString}, {"name", OFTString}, {NULL, OFTString}}},
    {"dept_grids.gpkg", "dept_grids", wkbMultiPolygon,
     {{"dept", OFTString}, {"id", OFTString}, {"name", OFTString}, {NULL, OFTString}}},
};

static char *join_path(const char *dir, const char *file)
{
    size_t n = strlen(dir) + strlen(file) + 2;
    char *p = sy_malloc(n);
    snprintf(p, n, "%s/%s", dir, file);
    return p;
}

static int prepare_path(const char *path, int force)
{
    if (access(path, F_OK) == 0) {
        if (!force) {
            fprintf(stderr, "govgrid-synth: %s already exists (use --force to overwrite)\n", path);
            return -1;
        }
        if (unlink(path) != 0) {
            fprintf(stderr, "govgrid-synth: cannot remove %s: %s\n", path, strerror(errno));
            return -1;
        }
    }
    return 0;
}

static void commit(sy_layer *l)
{
    if (l->ds && l->pending >= 0) {
        GDALDatasetCommitTransaction(l->ds);
        l->pending = -1;
    }
}

static void begin_feature(sy_layer *l)
{
    if (l->pending < 0) {
        GDALDatasetStartTransaction(l->ds, FALSE);
        l->pending = 0;
    }
}

static void end_feature(sy_out *o, sy_layer *l, OGRFeatureH f)
{
    if (OGR_L_CreateFeature(l->lyr, f) != OGRERR_NONE) {
        if (!o->failed)
            fprintf(stderr, "govgrid-synth: writing a feature to layer %s failed: %s\n",
                    OGR_L_GetName(l->lyr), CPLGetLastErrorMsg());
        o->failed = 1;
    }
    OGR_F_Destroy(f);
    l->n++;
    if (++l->pending >= SY_OUT_BATCH)
        commit(l);
}

static void set_geometry(sy_out *o, OGRFeatureH f)
{
    OGRGeometryH g = NULL;
    if (OGR_G_CreateFromWkb(o->wkb.buf, NULL, &g, (int)o->wkb.len) != OGRERR_NONE || !g)
        sy_die("internal: WKB conversion failed");
    if (o->to_out && OGR_G_Transform(g, o->to_out) != OGRERR_NONE)
        sy_die("coordinate transformation to the output CRS failed");
    OGR_F_SetGeometryDirectly(f, g);
    o->wkb.len = 0;
}

sy_out *sy_out_open(const char *dir, int epsg, int force)
{
    sy_out *o = sy_calloc(1, sizeof *o);
    CPLSetConfigOption("OGR_CURRENT_DATE", "2000-01-01T00:00:00.000Z");
    CPLSetConfigOption("OGR_SQLITE_SYNCHRONOUS", "OFF");
    CPLSetConfigOption("OGR_SQLITE_CACHE", "256");
    GDALAllRegister();
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    if (!drv) {
        fprintf(stderr, "govgrid-synth: GDAL has no GPKG driver\n");
        free(o);
        return NULL;
    }
    o->srs_work = OSRNewSpatialReference(NULL);
    o->srs_out = OSRNewSpatialReference(NULL);
    o->srs_wgs = OSRNewSpatialReference(NULL);
    if (OSRImportFromEPSG(o->srs_work, 4549) != OGRERR_NONE || OSRImportFromEPSG(o->srs_wgs, 4326) != OGRERR_NONE) {
        fprintf(stderr, "govgrid-synth: PROJ does not know EPSG:4549/4326 (is proj-data installed?)\n");
        return NULL;
    }
    if (OSRImportFromEPSG(o->srs_out, epsg) != OGRERR_NONE) {
        fprintf(stderr, "govgrid-synth: unknown CRS EPSG:%d\n", epsg);
        return NULL;
    }
    OSRSetAxisMappingStrategy(o->srs_work, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(o->srs_out, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(o->srs_wgs, OAMS_TRADITIONAL_GIS_ORDER);
    if (epsg != 4549) {
        o->to_out = OCTNewCoordinateTransformation(o->srs_work, o->srs_out);
        if (!o->to_out) {
            fprintf(stderr, "govgrid-synth: no transformation from EPSG:4549 to EPSG:%d\n", epsg);
            return NULL;
        }
    }
    o->to_wgs = OCTNewCoordinateTransformation(o->srs_work, o->srs_wgs);
    if (!o->to_wgs) {
        fprintf(stderr, "govgrid-synth: no transformation from EPSG:4549 to EPSG:4326\n");
        return NULL;
    }

    o->workers_path = join_path(dir, "workers.csv");
    o->incidents_path = join_path(dir, "incidents.csv");
    char *readme = join_path(dir, "README.txt");
    int bad = prepare_path(o->workers_path, force) || prepare_path(o->incidents_path, force) ||
              prepare_path(readme, force);
    free(readme);
    for (int i = 0; i < SY_LAYER_COUNT && !bad; i++) {
        char *p = join_path(dir, layer_specs[i].file);
        bad = prepare_path(p, force);
        free(p);
    }
    if (bad) {
        sy_out_close(o);
        return NULL;
    }
    for (int i = 0; i < SY_LAYER_COUNT; i++) {
        const struct layer_spec *ls = &layer_specs[i];
        char *p = join_path(dir, ls->file);
        sy_layer *l = &o->layer[i];
        l->pending = -1;
        l->ds = GDALCreate(drv, p, 0, 0, 0, GDT_Unknown, NULL);
        if (!l->ds) {
            fprintf(stderr, "govgrid-synth: cannot create %s: %s\n", p, CPLGetLastErrorMsg());
            free(p);
            sy_out_close(o);
            return NULL;
        }
        char *opts[] = {"GEOMETRY_NAME=geom", "FID=fid", "SPATIAL_INDEX=YES", NULL};
        l->lyr = GDALDatasetCreateLayer(l->ds, ls->name, o->srs_out, ls->gtype, opts);
        if (!l->lyr) {
            fprintf(stderr, "govgrid-synth: cannot create layer %s in %s: %s\n", ls->name, p, CPLGetLastErrorMsg());
            free(p);
            sy_out_close(o);
            return NULL;
        }
        free(p);
        for (int k = 0; ls->fields[k].name; k++) {
            OGRFieldDefnH fd = OGR_Fld_Create(ls->fields[k].name, ls->fields[k].type);
            OGR_L_CreateField(l->lyr, fd, TRUE);
            OGR_Fld_Destroy(fd);
        }
        l->defn = OGR_L_GetLayerDefn(l->lyr);
    }
    o->workers = fopen(o->workers_path, "w");
    o->incidents = fopen(o->incidents_path, "w");
    if (!o->workers || !o->incidents) {
        fprintf(stderr, "govgrid-synth: cannot create CSV files in %s: %s\n", dir, strerror(errno));
        sy_out_close(o);
        return NULL;
    }
    fputs("id,name,role,phone,grid_code\n", o->workers);
    fputs("id,lon,lat,category,placement\n", o->incidents);
    return o;
}

int sy_out_close(sy_out *o)
{
    int rc = o->failed;
    for (int i = 0; i < SY_LAYER_COUNT; i++) {
        sy_layer *l = &o->layer[i];
        if (!l->ds)
            continue;
        commit(l);
        CPLErrorReset();
        GDALClose(l->ds);
        if (CPLGetLastErrorType() == CE_Failure || CPLGetLastErrorType() == CE_Fatal) {
            fprintf(stderr, "govgrid-synth: closing %s failed: %s\n", layer_specs[i].file, CPLGetLastErrorMsg());
            rc = 1;
        }
    }
    if (o->workers && fclose(o->workers) != 0)
        rc = 1;
    if (o->incidents && fclose(o->incidents) != 0)
        rc = 1;
    if (o->to_out)
        OCTDestroyCoordinateTransformation(o->to_out);
    if (o->to_wgs)
        OCTDestroyCoordinateTransformation(o->to_wgs);
    if (o->srs_work)
        OSRDestroySpatialReference(o->srs_work);
    if (o->srs_out)
        OSRDestroySpatialReference(o->srs_out);
    if (o->srs_wgs)
        OSRDestroySpatialReference(o->srs_wgs);
    free(o->workers_path);
    free(o->incidents_path);
    sy_wkb_free(&o->wkb);
    free(o);
    return rc;
}

static OGRFeatureH feature(sy_layer *l)
{
    begin_feature(l);
    return OGR_F_Create(l->defn);
}

void sy_out_division(sy_out *o, const char *code, const char *name, const char *parent, const char *urban_rural,
                     const sy_mpoly *m)
{
    sy_layer *l = &o->layer[SY_LAYER_DIVISIONS];
    OGRFeatureH f = feature(l);
    OGR_F_SetFieldString(f, 0, code);
    OGR_F_SetFieldString(f, 1, name);
    OGR_F_SetFieldString(f, 2, parent);
    OGR_F_SetFieldString(f, 3, urban_rural);
    sy_wkb_multipolygon(&o->wkb, m);
    set_geometry(o, f);
    end_feature(o, l, f);
}

long sy_out_household(sy_out *o, sy_pt p, int count, int persons, const char *address)
{
    sy_layer *l = &o->layer[SY_LAYER_HOUSEHOLDS];
    OGRFeatureH f = feature(l);
    char id[24];
    long seq = l->n + 1;
    snprintf(id, sizeof id, "H%08ld", seq);
    OGR_F_SetFieldString(f, 0, id);
    OGR_F_SetFieldInteger(f, 1, count);
    OGR_F_SetFieldInteger(f, 2, persons);
    OGR_F_SetFieldString(f, 3, address);
    sy_wkb_point(&o->wkb, p);
    set_geometry(o, f);
    end_feature(o, l, f);
    o->household_sum += count;
    return seq;
}

static void line_feature(sy_out *o, int layer, char prefix, const char *c1, const char *c2, const sy_pt *pts, int n)
{
    if (n < 2)
        return;
    sy_layer *l = &o->layer[layer];
    OGRFeatureH f = feature(l);
    char id[24];
    snprintf(id, sizeof id, "%c%07ld", prefix, l->n + 1);
    OGR_F_SetFieldString(f, 0, id);
    OGR_F_SetFieldString(f, 1, c1);
    OGR_F_SetFieldString(f, 2, c2);
    sy_wkb_linestring(&o->wkb, pts, n);
    set_geometry(o, f);
    end_feature(o, l, f);
}

void sy_out_road(sy_out *o, const char *road_class, const char *name, const sy_pt *pts, int n)
{
    line_feature(o, SY_LAYER_ROADS, 'R', road_class, name, pts, n);
}

void sy_out_water_line(sy_out *o, const char *kind, const char *name, const sy_pt *pts, int n)
{
    line_feature(o, SY_LAYER_WATERWAYS, 'W', kind, name, pts, n);
}

void sy_out_water_polygons(sy_out *o, const char *kind, const char *name, const sy_mpoly *m)
{
    sy_layer *l = &o->layer[SY_LAYER_WATERWAYS];
    for (int k = 0; k < m->n_polys; k++) {
        OGRFeatureH f = feature(l);
        char id[24];
        snprintf(id, sizeof id, "W%07ld", l->n + 1);
        OGR_F_SetFieldString(f, 0, id);
        OGR_F_SetFieldString(f, 1, kind);
        OGR_F_SetFieldString(f, 2, name);
        sy_wkb_polygon(&o->wkb, m, k);
        set_geometry(o, f);
        end_feature(o, l, f);
    }
}

void sy_out_unit_point(sy_out *o, const char *kind, const char *name, double size, sy_pt p)
{
    sy_layer *l = &o->layer[SY_LAYER_UNITS];
    OGRFeatureH f = feature(l);
    char id[24];
    snprintf(id, sizeof id, "U%07ld", l->n + 1);
    OGR_F_SetFieldString(f, 0, id);
    OGR_F_SetFieldString(f, 1, kind);
    OGR_F_SetFieldString(f, 2, name);
    OGR_F_SetFieldDouble(f, 3, size);
    sy_wkb_point(&o->wkb, p);
    set_geometry(o, f);
    end_feature(o, l, f);
}

void sy_out_unit_polygon(sy_out *o, const char *kind, const char *name, double size, const sy_mpoly *m)
{
    if (m->n_polys < 1)
        return;
    sy_layer *l = &o->layer[SY_LAYER_UNITS];
    OGRFeatureH f = feature(l);
    char id[24];
    snprintf(id, sizeof id, "U%07ld", l->n + 1);
    OGR_F_SetFieldString(f, 0, id);
    OGR_F_SetFieldString(f, 1, kind);
    OGR_F_SetFieldString(f, 2, name);
    OGR_F_SetFieldDouble(f, 3, size);
    sy_wkb_polygon(&o->wkb, m, 0);
    set_geometry(o, f);
    end_feature(o, l, f);
}

void sy_out_grid(sy_out *o, const char *code, const char *community, const char *name, const sy_mpoly *m)
{
    sy_layer *l = &o->layer[SY_LAYER_GRIDS];
    OGRFeatureH f = feature(l);
    OGR_F_SetFieldString(f, 0, code);
    OGR_F_SetFieldInteger(f, 1, 1);
    OGR_F_SetFieldString(f, 2, community);
    OGR_F_SetFieldString(f, 3, name);
    sy_wkb_multipolygon(&o->wkb, m);
    set_geometry(o, f);
    end_feature(o, l, f);
}

void sy_out_dept_grid(sy_out *o, const char *dept, const char *id, const char *name, const sy_mpoly *m)
{
    sy_layer *l = &o->layer[SY_LAYER_DEPT_GRIDS];
    OGRFeatureH f = feature(l);
    OGR_F_SetFieldString(f, 0, dept);
    OGR_F_SetFieldString(f, 1, id);
    OGR_F_SetFieldString(f, 2, name);
    sy_wkb_multipolygon(&o->wkb, m);
    set_geometry(o, f);
    end_feature(o, l, f);
}

void sy_out_worker(sy_out *o, const char *name, const char *role, const char *phone, const char *grid_code)
{
    o->n_workers++;
    fprintf(o->workers, "W%08ld,%s,%s,%s,%s\n", o->n_workers, name, role, phone, grid_code);
}

void sy_out_to_lonlat(sy_out *o, sy_pt p, double *lon, double *lat)
{
    double x = p.x, y = p.y;
    if (!OCTTransform(o->to_wgs, 1, &x, &y, NULL))
        sy_die("coordinate transformation to EPSG:4326 failed");
    *lon = x;
    *lat = y;
}

void sy_out_incident(sy_out *o, sy_pt p, const char *category, const char *placement)
{
    double lon, lat;
    sy_out_to_lonlat(o, p, &lon, &lat);
    o->n_incidents++;
    fprintf(o->incidents, "I%08ld,%.10f,%.10f,%s,%s\n", o->n_incidents, lon, lat, category, placement);
}

long sy_out_count(const sy_out *o, int layer)
{
    return o->layer[layer].n;
}

long sy_out_workers(const sy_out *o)
{
    return o->n_workers;
}

long sy_out_incidents(const sy_out *o)
{
    return o->n_incidents;
}

long sy_out_household_sum(const sy_out *o)
{
    return o->household_sum;
}
