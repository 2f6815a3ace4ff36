/* gg_conflict_layer: dedup's conflicts.gpkg read back into memory, each
 * conflict kept as its GeoJSON feature text with its box, so that a query
 * is a scan and a copy. A dedup output holds thousands of conflicts, not
 * millions; a scan answers in well under a millisecond. */
#define _GNU_SOURCE /* open_memstream */
#include "core/ctx.h"
#include "govgrid/dedup.h"
#include "govgrid/dispatch.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <jansson.h>
#include <ogr_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct conflict_feature {
    int kind;                   /* gg_conflict_kind, -1 for one this library does not name */
    double box[4];
    int has_box;
    char *text;                 /* the Feature as JSON */
} conflict_feature;

struct gg_conflict_layer {
    gg_ctx *ctx;
    conflict_feature *features;
    size_t n;
};

static int kind_of(const char *name)
{
    for (int k = GG_CONFLICT_CUT; k <= GG_CONFLICT_OUTSIDE; k++)
        if (name && strcmp(name, gg_conflict_kind_name((gg_conflict_kind)k)) == 0)
            return k;
    return -1;
}

/* One OGR feature as a GeoJSON Feature: every field by its type. */
static char *feature_text(OGRFeatureH f)
{
    OGRFeatureDefnH defn = OGR_F_GetDefnRef(f);
    json_t *props = json_object();
    for (int i = 0; i < OGR_FD_GetFieldCount(defn); i++) {
        OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, i);
        const char *name = OGR_Fld_GetNameRef(fd);
        json_t *v;
        if (!OGR_F_IsFieldSetAndNotNull(f, i))
            v = json_null();
        else if (OGR_Fld_GetType(fd) == OFTInteger || OGR_Fld_GetType(fd) == OFTInteger64)
            v = json_integer(OGR_F_GetFieldAsInteger64(f, i));
        else if (OGR_Fld_GetType(fd) == OFTReal)
            v = json_real(OGR_F_GetFieldAsDouble(f, i));
        else
            v = json_string(OGR_F_GetFieldAsString(f, i));
        json_object_set_new(props, name, v ? v : json_null());
    }
    json_t *geometry = json_null();
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    if (g != NULL) {
        char *text = OGR_G_ExportToJson(g);
        json_error_t err;
        json_t *parsed = text ? json_loads(text, 0, &err) : NULL;
        CPLFree(text);
        if (parsed) {
            json_decref(geometry);
            geometry = parsed;
        }
    }
    json_t *feature = json_pack("{s:s, s:o, s:o}", "type", "Feature", "properties", props, "geometry", geometry);
    char *out = feature ? json_dumps(feature, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)) : NULL;
    json_decref(feature);
    return out;
}

gg_status gg_conflict_layer_load(gg_ctx *ctx, const char *dir, gg_conflict_layer **out)
{
    if (ctx == NULL || dir == NULL || out == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_conflict_layer_load: NULL argument") : GG_ERR_ARG;
    *out = NULL;
    size_t plen = strlen(dir) + sizeof "/conflicts.gpkg";
    char *path = gg_malloc(ctx, plen);
    if (path == NULL)
        return gg_error_nomem(ctx);
    snprintf(path, plen, "%s/conflicts.gpkg", dir);
    gg_gdal_register();
    gg_gdal_enter(ctx);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    OGRLayerH layer = ds ? GDALDatasetGetLayerByName(ds, "conflicts") : NULL;
    gg_status st = GG_OK;
    if (ds == NULL)
        st = gg_error(ctx, GG_ERR_IO, "%s: cannot open (is %s the output of govgrid dedup?)", path, dir);
    else if (layer == NULL)
        st = gg_error(ctx, GG_ERR_IO, "%s: no layer 'conflicts'", path);
    gg_conflict_layer *c = st == GG_OK ? gg_calloc(ctx, 1, sizeof *c) : NULL;
    if (st == GG_OK && c == NULL)
        st = gg_error_nomem(ctx);
    if (c)
        c->ctx = ctx;
    size_t cap = 0;
    OGRFeatureH f;
    if (st == GG_OK)
        OGR_L_ResetReading(layer);
    while (st == GG_OK && (f = OGR_L_GetNextFeature(layer)) != NULL) {
        st = gg_grow(ctx, (void **)&c->features, &cap, c->n + 1, sizeof *c->features);
        if (st == GG_OK) {
            conflict_feature *cf = &c->features[c->n];
            memset(cf, 0, sizeof *cf);
            int idx = OGR_F_GetFieldIndex(f, "kind");
            cf->kind = idx >= 0 ? kind_of(OGR_F_GetFieldAsString(f, idx)) : -1;
            OGRGeometryH g = OGR_F_GetGeometryRef(f);
            if (g != NULL && !OGR_G_IsEmpty(g)) {
                OGREnvelope e;
                OGR_G_GetEnvelope(g, &e);
                cf->box[0] = e.MinX, cf->box[1] = e.MinY, cf->box[2] = e.MaxX, cf->box[3] = e.MaxY;
                cf->has_box = 1;
            }
            cf->text = feature_text(f);
            if (cf->text == NULL)
                st = gg_error_nomem(ctx);
            else
                c->n++;
        }
        OGR_F_Destroy(f);
    }
    if (ds)
        GDALClose(ds);
    gg_gdal_leave(ctx);
    gg_free(ctx, path);
    if (st != GG_OK) {
        gg_conflict_layer_free(c);
        return st;
    }
    *out = c;
    return GG_OK;
}

void gg_conflict_layer_free(gg_conflict_layer *layer)
{
    if (layer == NULL)
        return;
    for (size_t i = 0; i < layer->n; i++)
        free(layer->features[i].text); /* made by jansson: the C library's heap */
    gg_free(layer->ctx, layer->features);
    gg_free(layer->ctx, layer);
}

size_t gg_conflict_layer_count(const gg_conflict_layer *layer)
{
    return layer ? layer->n : 0;
}

gg_status gg_conflict_layer_geojson(gg_ctx *ctx, const gg_conflict_layer *layer, const double *bbox,
                                    const char *kind, int64_t limit, char **json, size_t *len)
{
    if (ctx == NULL || layer == NULL || json == NULL || len == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_conflict_layer_geojson: NULL argument") : GG_ERR_ARG;
    *json = NULL;
    *len = 0;
    int want = -1;
    if (kind != NULL && (want = kind_of(kind)) < 0)
        return gg_error(ctx, GG_ERR_ARG, "kind: expected cut, overlap, gap or outside");
    FILE *mem = open_memstream(json, len);
    if (mem == NULL)
        return gg_error_nomem(ctx);
    fputs("{\"type\":\"FeatureCollection\",\"features\":[", mem);
    int64_t n = 0;
    for (size_t i = 0; i < layer->n && (limit <= 0 || n < limit); i++) {
        const conflict_feature *cf = &layer->features[i];
        if (want >= 0 && cf->kind != want)
            continue;
        if (bbox != NULL && (!cf->has_box || cf->box[2] < bbox[0] || cf->box[0] > bbox[2] || cf->box[3] < bbox[1] ||
                             cf->box[1] > bbox[3]))
            continue;
        fprintf(mem, "%s%s", n ? "," : "", cf->text);
        n++;
    }
    fprintf(mem, "],\"count\":%lld}\n", (long long)n);
    if (fclose(mem) != 0) {
        free(*json);
        *json = NULL;
        *len = 0;
        return gg_error_nomem(ctx);
    }
    return GG_OK;
}
