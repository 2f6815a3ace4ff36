/* gg_dedup_write: a comparison's files. Each is written under a temporary
 * name in the directory and renamed into place once complete, so a
 * failure leaves no half-written file behind. */
#include "dedup/dedup.h"
#include "render/dedup_map.h"

#include <errno.h>
#include <math.h>
#include <gdal.h>
#include <jansson.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <cpl_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void csv_text(FILE *f, const char *s)
{
    if (s == NULL)
        return;
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* A department's name as part of a file name: path separators, control
 * characters and a leading dot replaced. */
static void file_safe(const char *in, char *out, size_t size)
{
    size_t k = 0;
    for (size_t i = 0; in[i] && k + 1 < size; i++) {
        unsigned char c = (unsigned char)in[i];
        out[k++] = (c < 0x20 || c == '/' || c == '\\' || c == ':' || (i == 0 && c == '.')) ? '_' : (char)c;
    }
    out[k] = '\0';
}

typedef struct target {
    char path[4096], tmp[4096];
} target;

static gg_status target_make(gg_ctx *ctx, const char *dir, const char *name, target *t)
{
    if ((size_t)snprintf(t->path, sizeof t->path, "%s/%s", dir, name) >= sizeof t->path ||
        (size_t)snprintf(t->tmp, sizeof t->tmp, "%s/.%s.tmp%s", dir, name, strrchr(name, '.')) >= sizeof t->tmp)
        return gg_error(ctx, GG_ERR_ARG, "%s/%s: path too long", dir, name);
    return GG_OK;
}

static gg_status finish_file(gg_ctx *ctx, FILE *f, const target *t, gg_status st)
{
    if (f != NULL) {
        if (ferror(f) && st == GG_OK)
            st = gg_error(ctx, GG_ERR_IO, "%s: write error: %s", t->path, strerror(errno));
        if (fclose(f) != 0 && st == GG_OK)
            st = gg_error(ctx, GG_ERR_IO, "%s: write error: %s", t->path, strerror(errno));
    }
    if (st == GG_OK && rename(t->tmp, t->path) != 0)
        st = gg_error(ctx, GG_ERR_IO, "%s: cannot rename into place: %s", t->path, strerror(errno));
    if (st != GG_OK)
        remove(t->tmp);
    return st;
}

static FILE *open_tmp(gg_ctx *ctx, const target *t)
{
    FILE *f = fopen(t->tmp, "w");
    if (f == NULL)
        gg_error(ctx, GG_ERR_IO, "%s: cannot create: %s", t->tmp, strerror(errno));
    return f;
}

/* A number, or nothing for NaN (not measured). */
static void csv_num(FILE *f, int decimals, double v)
{
    if (!isnan(v))
        fprintf(f, "%.*f", decimals, v);
}

/* A CSV file under its temporary name with its header written, or NULL
 * (the error recorded). */
static FILE *begin_csv(gg_ctx *ctx, const char *dir, const char *name, const char *header, target *t)
{
    if (target_make(ctx, dir, name, t) != GG_OK)
        return NULL;
    FILE *f = open_tmp(ctx, t);
    if (f != NULL)
        fputs(header, f);
    return f;
}

static int core_touch(const gg_dedup_touch *t)
{
    return t->whole || !t->noise;
}

static gg_status write_crosswalk(gg_ctx *ctx, const gg_dedup_result *r, const char *dir)
{
    target t;
    FILE *f = begin_csv(ctx, dir, "crosswalk.csv",
                        "dept,dept_grid_id,name,relation,unified_codes,area_m2,households,area_shares,"
                        "household_shares,iou,best_grid,outside_area_share,outside_households,replacement,"
                        "households_gained,households_lost,repair\n",
                        &t);
    if (f == NULL)
        return gg_ctx_errcode(ctx);
    for (size_t i = 0; i < r->n_items; i++) {
        const gg_dedup_item *it = &r->items[i];
        csv_text(f, it->dept);
        fputc(',', f);
        csv_text(f, it->id);
        fputc(',', f);
        csv_text(f, it->name);
        fprintf(f, ",%s,", gg_relation_name(it->relation));
        int first = 1;
        for (size_t k = 0; k < it->n_touches; k++)
            if (core_touch(&it->touches[k])) {
                fprintf(f, "%s%s", first ? "" : ";", r->grids[it->touches[k].grid].code);
                first = 0;
            }
        fprintf(f, ",%.1f,%lld,", it->area_m2, (long long)it->households);
        first = 1;
        for (size_t k = 0; k < it->n_touches; k++)
            if (core_touch(&it->touches[k])) {
                fprintf(f, "%s%.4f", first ? "" : ";", it->touches[k].area_share);
                first = 0;
            }
        fputc(',', f);
        first = 1;
        for (size_t k = 0; k < it->n_touches; k++)
            if (core_touch(&it->touches[k])) {
                fprintf(f, "%s%.4f", first ? "" : ";", it->touches[k].household_share);
                first = 0;
            }
        fprintf(f, ",%.4f,%s,%.4f,%lld,", it->iou, it->best_grid >= 0 ? r->grids[it->best_grid].code : "",
                it->area_m2 > 0 ? it->outside_area_m2 / it->area_m2 : 0.0, (long long)it->outside_households);
        first = 1;
        for (size_t k = 0; k < it->n_touches; k++)
            if (it->touches[k].replacement) {
                fprintf(f, "%s%s", first ? "" : ";", r->grids[it->touches[k].grid].code);
                first = 0;
            }
        fprintf(f, ",%lld,%lld,", (long long)it->households_gained, (long long)it->households_lost);
        csv_text(f, it->repair);
        fputc('\n', f);
    }
    return finish_file(ctx, f, &t, GG_OK);
}

static gg_status write_touches(gg_ctx *ctx, const gg_dedup_result *r, const char *dir)
{
    target t;
    FILE *f = begin_csv(ctx, dir, "touches.csv",
                        "dept,dept_grid_id,unified_code,community,area_m2,area_share,grid_share,households,"
                        "household_share,noise,whole,replacement\n",
                        &t);
    if (f == NULL)
        return gg_ctx_errcode(ctx);
    for (size_t i = 0; i < r->n_items; i++) {
        const gg_dedup_item *it = &r->items[i];
        for (size_t k = 0; k < it->n_touches; k++) {
            const gg_dedup_touch *x = &it->touches[k];
            const gg_dedup_grid *g = &r->grids[x->grid];
            csv_text(f, it->dept);
            fputc(',', f);
            csv_text(f, it->id);
            fprintf(f, ",%s,%s,", g->code, g->community);
            csv_num(f, 1, x->area_m2);
            fputc(',', f);
            csv_num(f, 4, x->area_share);
            fputc(',', f);
            csv_num(f, 4, x->grid_share);
            fprintf(f, ",%lld,%.4f,%d,%d,%d\n", (long long)x->households, x->household_share, x->noise, x->whole,
                    x->replacement);
        }
    }
    return finish_file(ctx, f, &t, GG_OK);
}

static gg_status write_duplicates(gg_ctx *ctx, const gg_dedup_result *r, const char *dir)
{
    target t;
    FILE *f = begin_csv(ctx, dir, "duplicates.csv", "dept_a,id_a,dept_b,id_b,iou,area_m2,measured\n", &t);
    if (f == NULL)
        return gg_ctx_errcode(ctx);
    for (size_t i = 0; i < r->n_duplicates; i++) {
        const gg_dedup_duplicate *d = &r->duplicates[i];
        const gg_dedup_item *a = &r->items[d->a], *b = &r->items[d->b];
        csv_text(f, a->dept);
        fputc(',', f);
        csv_text(f, a->id);
        fputc(',', f);
        csv_text(f, b->dept);
        fputc(',', f);
        csv_text(f, b->id);
        fprintf(f, ",%.4f,%.1f,%d\n", d->iou, d->area_m2, d->measured);
    }
    return finish_file(ctx, f, &t, GG_OK);
}

static gg_status write_conflicts(gg_ctx *ctx, const gg_dedup_result *r, const char *dir)
{
    target t;
    gg_status st = target_make(ctx, dir, "conflicts.gpkg", &t);
    if (st != GG_OK)
        return st;
    gg_gdal_register();
    gg_gdal_enter(ctx);
    GDALDriverH driver = GDALGetDriverByName("GPKG");
    GDALDatasetH ds = driver ? GDALCreate(driver, t.tmp, 0, 0, 0, GDT_Unknown, NULL) : NULL;
    if (ds == NULL) {
        st = gg_error(ctx, GG_ERR_IO, "%s: cannot create: %s", t.tmp, CPLGetLastErrorMsg());
        gg_gdal_leave(ctx);
        return st;
    }
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 4326);
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    OGRLayerH layer = GDALDatasetCreateLayer(ds, "conflicts", srs, wkbMultiPolygon, NULL);
    OSRDestroySpatialReference(srs);
    if (layer == NULL)
        st = gg_error(ctx, GG_ERR_IO, "%s: cannot create layer 'conflicts': %s", t.path, CPLGetLastErrorMsg());
    const struct {
        const char *name;
        OGRFieldType type;
    } fields[] = {{"kind", OFTString},      {"dept", OFTString},    {"dept_grid_id", OFTString},
                  {"other", OFTString},     {"community", OFTString}, {"area_m2", OFTReal},
                  {"households", OFTInteger64}};
    for (size_t i = 0; st == GG_OK && i < sizeof fields / sizeof fields[0]; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(fields[i].name, fields[i].type);
        if (OGR_L_CreateField(layer, fd, TRUE) != OGRERR_NONE)
            st = gg_error(ctx, GG_ERR_IO, "%s: cannot create field %s: %s", t.path, fields[i].name,
                          CPLGetLastErrorMsg());
        OGR_Fld_Destroy(fd);
    }
    if (st == GG_OK && OGR_L_StartTransaction(layer) != OGRERR_NONE)
        st = gg_error(ctx, GG_ERR_IO, "%s: cannot start writing: %s", t.path, CPLGetLastErrorMsg());
    for (size_t i = 0; st == GG_OK && i < r->n_conflicts; i++) {
        const gg_dedup_conflict *c = &r->conflicts[i];
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
        OGR_F_SetFieldString(f, 0, gg_conflict_kind_name(c->kind));
        OGR_F_SetFieldString(f, 1, c->dept);
        if (c->dept_grid_id)
            OGR_F_SetFieldString(f, 2, c->dept_grid_id);
        if (c->other)
            OGR_F_SetFieldString(f, 3, c->other);
        if (c->community)
            OGR_F_SetFieldString(f, 4, c->community);
        OGR_F_SetFieldDouble(f, 5, c->area_m2);
        OGR_F_SetFieldInteger64(f, 6, c->households);
        OGRGeometryH g = NULL;
        if (OGR_G_CreateFromWkb(c->wkb, NULL, &g, (int)c->wkb_size) == OGRERR_NONE)
            OGR_F_SetGeometryDirectly(f, g);
        if (OGR_L_CreateFeature(layer, f) != OGRERR_NONE)
            st = gg_error(ctx, GG_ERR_IO, "%s: writing conflict %zu: %s", t.path, i + 1, CPLGetLastErrorMsg());
        OGR_F_Destroy(f);
    }
    if (st == GG_OK && OGR_L_CommitTransaction(layer) != OGRERR_NONE)
        st = gg_error(ctx, GG_ERR_IO, "%s: cannot finish writing: %s", t.path, CPLGetLastErrorMsg());
    GDALClose(ds);
    if (st == GG_OK && rename(t.tmp, t.path) != 0)
        st = gg_error(ctx, GG_ERR_IO, "%s: cannot rename into place: %s", t.path, strerror(errno));
    if (st != GG_OK)
        GDALDeleteDataset(driver, t.tmp);
    gg_gdal_leave(ctx);
    return st;
}

static json_t *dept_json(const gg_dedup_dept *d)
{
    json_t *rel = json_object();
    for (int k = 0; k < GG_RELATION_COUNT; k++)
        json_object_set_new(rel, gg_relation_name((gg_relation)k), json_integer((json_int_t)d->by_relation[k]));
    return json_pack("{s:s, s:I, s:o, s:I, s:I, s:{s:I, s:f, s:I}, s:{s:I, s:f, s:I}, s:I, s:f, s:I, s:I}",
                     "dept", d->dept, "grids", (json_int_t)d->n_grids, "relations", rel, "repaired",
                     (json_int_t)d->n_repaired, "communities_covered", (json_int_t)d->communities_covered,
                     "overlaps", "count", (json_int_t)d->n_overlaps, "area_m2", d->overlap_area_m2, "households",
                     (json_int_t)d->overlap_households, "gaps", "count", (json_int_t)d->n_gaps, "area_m2",
                     d->gap_area_m2, "households", (json_int_t)d->gap_households, "cut_pieces",
                     (json_int_t)d->n_cuts, "area_m2", d->area_m2, "households", (json_int_t)d->households,
                     "households_changing_hands", (json_int_t)d->households_changing_hands);
}

static gg_status write_summary(gg_ctx *ctx, const gg_dedup_result *r, const char *dir, int maps)
{
    json_t *root = json_pack("{s:I, s:f, s:f, s:I, s:I, s:I, s:I}", "plan", (json_int_t)r->plan, "equal_iou",
                             r->equal_iou, "tolerance_m", r->tolerance_m, "unified_grids", (json_int_t)r->n_grids,
                             "dept_grids", (json_int_t)r->n_items, "conflicts", (json_int_t)r->n_conflicts,
                             "noise_pieces", (json_int_t)r->noise_pieces);
    if (root == NULL)
        return gg_error_nomem(ctx);
    json_t *depts = json_array(), *pairs = json_array(), *repairs = json_array(), *files = json_array();
    for (size_t i = 0; i < r->n_depts; i++)
        json_array_append_new(depts, dept_json(&r->depts[i]));
    /* duplicates counted per pair of departments */
    for (size_t i = 0; i < r->n_depts; i++)
        for (size_t j = i + 1; j < r->n_depts; j++) {
            json_int_t n = 0;
            for (size_t k = 0; k < r->n_duplicates; k++) {
                const char *a = r->items[r->duplicates[k].a].dept, *b = r->items[r->duplicates[k].b].dept;
                n += strcmp(a, r->depts[i].dept) == 0 && strcmp(b, r->depts[j].dept) == 0;
            }
            if (n > 0)
                json_array_append_new(pairs, json_pack("{s:s, s:s, s:I}", "dept_a", r->depts[i].dept, "dept_b",
                                                       r->depts[j].dept, "pairs", n));
        }
    for (size_t i = 0; i < r->n_items; i++)
        if (r->items[i].repair)
            json_array_append_new(repairs, json_pack("{s:s, s:s, s:s, s:s}", "dept", r->items[i].dept, "id",
                                                     r->items[i].id, "relation",
                                                     gg_relation_name(r->items[i].relation), "what",
                                                     r->items[i].repair));
    const char *names[] = {"crosswalk.csv", "touches.csv", "duplicates.csv", "conflicts.gpkg", "summary.json"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        json_array_append_new(files, json_string(names[i]));
    for (size_t i = 0; maps && i < r->n_depts; i++) {
        char safe[256], name[300];
        file_safe(r->depts[i].dept, safe, sizeof safe);
        snprintf(name, sizeof name, "map-%s.png", safe);
        json_array_append_new(files, json_string(name));
    }
    json_object_set_new(root, "departments", depts);
    json_object_set_new(root, "duplicates", json_integer((json_int_t)r->n_duplicates));
    json_object_set_new(root, "duplicates_by_departments", pairs);
    json_object_set_new(root, "repairs", repairs);
    json_object_set_new(root, "files", files);
    target t;
    gg_status st = target_make(ctx, dir, "summary.json", &t);
    FILE *f = st == GG_OK ? open_tmp(ctx, &t) : NULL;
    if (f == NULL) {
        json_decref(root);
        return st == GG_OK ? GG_ERR_IO : st;
    }
    if (json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)) != 0)
        st = gg_error(ctx, GG_ERR_IO, "%s: write error", t.path);
    fputc('\n', f);
    json_decref(root);
    return finish_file(ctx, f, &t, st);
}

gg_status gg_dedup_write(gg_ctx *ctx, gg_store *store, const gg_dedup_result *result, const char *dir, int maps,
                         int overwrite)
{
    if (ctx == NULL)
        return GG_ERR_ARG;
    if (result == NULL || dir == NULL || (maps && store == NULL))
        return gg_error(ctx, GG_ERR_ARG, "gg_dedup_write: NULL argument");
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        if (mkdir(dir, 0777) != 0)
            return gg_error(ctx, GG_ERR_IO, "%s: cannot create the directory: %s", dir, strerror(errno));
    } else if (!S_ISDIR(sb.st_mode)) {
        return gg_error(ctx, GG_ERR_IO, "%s: not a directory", dir);
    }
    /* every name first, so that a refusal writes nothing */
    const char *names[] = {"crosswalk.csv", "touches.csv", "duplicates.csv", "conflicts.gpkg", "summary.json"};
    for (size_t i = 0; !overwrite && i < sizeof names / sizeof names[0] + (maps ? result->n_depts : 0); i++) {
        char name[300], path[4096];
        if (i < sizeof names / sizeof names[0]) {
            snprintf(name, sizeof name, "%s", names[i]);
        } else {
            char safe[256];
            file_safe(result->depts[i - sizeof names / sizeof names[0]].dept, safe, sizeof safe);
            snprintf(name, sizeof name, "map-%s.png", safe);
        }
        snprintf(path, sizeof path, "%s/%s", dir, name);
        if (stat(path, &sb) == 0)
            return gg_error(ctx, GG_ERR_EXISTS, "%s: already exists (use --overwrite to replace it)", path);
    }
    gg_status st = write_crosswalk(ctx, result, dir);
    if (st == GG_OK)
        st = write_touches(ctx, result, dir);
    if (st == GG_OK)
        st = write_duplicates(ctx, result, dir);
    if (st == GG_OK)
        st = write_conflicts(ctx, result, dir);
    for (size_t i = 0; st == GG_OK && maps && i < result->n_depts; i++) {
        char safe[256], name[300];
        target t;
        file_safe(result->depts[i].dept, safe, sizeof safe);
        snprintf(name, sizeof name, "map-%s.png", safe);
        st = target_make(ctx, dir, name, &t);
        if (st == GG_OK)
            st = gg_dedup_map_render(ctx, store, result, i, t.tmp);
        if (st == GG_OK && rename(t.tmp, t.path) != 0)
            st = gg_error(ctx, GG_ERR_IO, "%s: cannot rename into place: %s", t.path, strerror(errno));
        if (st != GG_OK)
            remove(t.tmp);
    }
    if (st == GG_OK)
        st = write_summary(ctx, result, dir, maps);
    return st;
}
