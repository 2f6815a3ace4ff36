/* gg_dedup_write: a comparison's files. Each is written under a temporary
 * name in the directory and renamed into place once complete, so a
 * failure leaves no half-written file behind. */
#include "dedup/dedup.h"
#include "render/dedup_map.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
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

/* A map's name in the directory: map-DEPT.png. */
static void map_name(const gg_dedup_dept *d, char *name, size_t size)
{
    char safe[256];
    file_safe(d->dept, safe, sizeof safe);
    snprintf(name, size, "map-%s.png", safe);
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

/* q's decimal digits, a minus before them when negative, written to end
 * just before p; returns where they start. */
static char *signed_digits(char *p, unsigned long long q, int negative)
{
    do {
        *--p = (char)('0' + q % 10);
        q /= 10;
    } while (q > 0);
    if (negative)
        *--p = '-';
    return p;
}

/* v with the given decimals (at most 6), as printf's %.*f writes it but
 * without its cost (touches.csv holds a few million numbers): the digits
 * of v scaled and rounded to an integer; large or odd values go to
 * printf. NaN (not measured) writes nothing. */
static void csv_num(FILE *f, int decimals, double v)
{
    static const double scale[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};
    if (isnan(v))
        return;
    if (decimals < 0 || decimals > 6 || !(fabs(v) < 1e12)) {
        fprintf(f, "%.*f", decimals, v);
        return;
    }
    double t = fabs(v) * scale[decimals];
    unsigned long long q = (unsigned long long)llround(t);
    /* a tie in the scaled value is where rounding the binary value and
     * rounding its decimal expansion may differ: printf decides */
    if (fabs(t - floor(t) - 0.5) < 1e-6) {
        fprintf(f, "%.*f", decimals, v);
        return;
    }
    char buf[48];
    char *p = buf + sizeof buf;
    *--p = '\0';
    for (int k = 0; k < decimals; k++, q /= 10)
        *--p = (char)('0' + q % 10);
    if (decimals > 0)
        *--p = '.';
    fputs(signed_digits(p, q, signbit(v)), f);
}

static void csv_int(FILE *f, long long v)
{
    char buf[24];
    buf[sizeof buf - 1] = '\0';
    unsigned long long q = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    fputs(signed_digits(buf + sizeof buf - 1, q, v < 0), f);
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
        fputc(',', f);
        csv_num(f, 1, it->area_m2);
        fputc(',', f);
        csv_int(f, it->households);
        fputc(',', f);
        first = 1;
        for (size_t k = 0; k < it->n_touches; k++)
            if (core_touch(&it->touches[k])) {
                if (!first)
                    fputc(';', f);
                csv_num(f, 4, it->touches[k].area_share);
                first = 0;
            }
        fputc(',', f);
        first = 1;
        for (size_t k = 0; k < it->n_touches; k++)
            if (core_touch(&it->touches[k])) {
                if (!first)
                    fputc(';', f);
                csv_num(f, 4, it->touches[k].household_share);
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
            fputc(',', f);
            csv_text(f, g->code);
            fputc(',', f);
            csv_text(f, g->community);
            fputc(',', f);
            csv_num(f, 1, x->area_m2);
            fputc(',', f);
            csv_num(f, 4, x->area_share);
            fputc(',', f);
            csv_num(f, 4, x->grid_share);
            fputc(',', f);
            csv_int(f, x->households);
            fputc(',', f);
            csv_num(f, 4, x->household_share);
            fprintf(f, ",%d,%d,%d\n", x->noise, x->whole, x->replacement);
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
        char name[300];
        map_name(&r->depts[i], name, sizeof name);
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

/* conflicts.gpkg written on a thread of its own (GDAL's time is mostly
 * its own), with a context of its own: its failure is kept here. */
typedef struct conflicts_job {
    gg_ctx *ctx;
    const gg_dedup_result *r;
    const char *dir;
    gg_status status;
    char msg[GG_ERRMSG_MAX];
} conflicts_job;

static void *conflicts_main(void *arg)
{
    conflicts_job *job = arg;
    job->status = write_conflicts(job->ctx, job->r, job->dir);
    if (job->status != GG_OK)
        snprintf(job->msg, sizeof job->msg, "%s", gg_ctx_errmsg(job->ctx));
    return NULL;
}

void gg_dedup_write_options_init(gg_dedup_write_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->maps = 1;
    opts->jobs = 1;
}

gg_status gg_dedup_write(gg_ctx *ctx, gg_store *store, const gg_dedup_result *result, const char *dir,
                         const gg_dedup_write_options *opts)
{
    if (ctx == NULL)
        return GG_ERR_ARG;
    gg_dedup_write_options defaults;
    gg_dedup_write_options_init(&defaults);
    if (opts == NULL)
        opts = &defaults;
    int maps = opts->maps;
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
    size_t n_names = sizeof names / sizeof names[0];
    for (size_t i = 0; !opts->overwrite && i < n_names + (maps ? result->n_depts : 0); i++) {
        char name[300], path[4096];
        if (i < n_names)
            snprintf(name, sizeof name, "%s", names[i]);
        else
            map_name(&result->depts[i - n_names], name, sizeof name);
        snprintf(path, sizeof path, "%s/%s", dir, name);
        if (stat(path, &sb) == 0)
            return gg_error(ctx, GG_ERR_EXISTS, "%s: already exists (use --overwrite to replace it)", path);
    }
    /* The maps first: their workers draw while this thread writes the
     * other files. */
    gg_dedup_maps *drawing = NULL;
    target *map_targets = NULL;
    gg_status st = GG_OK;
    if (maps && result->n_depts > 0) {
        map_targets = gg_calloc(ctx, result->n_depts, sizeof *map_targets);
        st = map_targets ? gg_dedup_maps_begin(ctx, store, result, opts->jobs, &drawing) : GG_ERR_NOMEM;
        for (size_t i = 0; st == GG_OK && i < result->n_depts; i++) {
            char name[300];
            map_name(&result->depts[i], name, sizeof name);
            st = target_make(ctx, dir, name, &map_targets[i]);
            if (st == GG_OK)
                st = gg_dedup_maps_add(drawing, i, map_targets[i].tmp);
        }
    }
    /* conflicts.gpkg beside the CSV files when there are threads to spare */
    conflicts_job gpkg = {NULL, result, dir, GG_OK, ""};
    pthread_t gpkg_thread;
    int gpkg_threaded = 0;
    if (st == GG_OK && opts->jobs > 1 && gg_ctx_new_with_allocator(&ctx->alloc, &gpkg.ctx) == GG_OK) {
        gg_gdal_register();
        gpkg_threaded = pthread_create(&gpkg_thread, NULL, conflicts_main, &gpkg) == 0;
    }
    if (st == GG_OK)
        st = write_crosswalk(ctx, result, dir);
    if (st == GG_OK)
        st = write_touches(ctx, result, dir);
    if (st == GG_OK)
        st = write_duplicates(ctx, result, dir);
    if (gpkg_threaded) {
        pthread_join(gpkg_thread, NULL);
        if (st == GG_OK && gpkg.status != GG_OK)
            st = gg_error(ctx, gpkg.status, "%s", gpkg.msg);
    } else if (st == GG_OK) {
        st = write_conflicts(ctx, result, dir);
    }
    if (gpkg.ctx != NULL)
        gg_ctx_free(gpkg.ctx);
    int drew = drawing != NULL;
    st = gg_dedup_maps_end(drawing, st); /* on failure, removes the maps */
    for (size_t i = 0; st == GG_OK && drew && i < result->n_depts; i++)
        if (rename(map_targets[i].tmp, map_targets[i].path) != 0)
            st = gg_error(ctx, GG_ERR_IO, "%s: cannot rename into place: %s", map_targets[i].path, strerror(errno));
    gg_free(ctx, map_targets);
    if (st == GG_OK)
        st = write_summary(ctx, result, dir, maps);
    return st;
}
