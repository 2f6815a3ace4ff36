#include "io/fixtures.h"

#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

const char *fx_data(const char *rel)
{
    static char slots[8][1024];
    static int next;
    char *p = slots[next++ % 8];
    snprintf(p, sizeof slots[0], "%s/%s", GG_TEST_DATA_DIR, rel);
    return p;
}

gg_ctx *fx_ctx(void)
{
    gg_ctx *ctx = NULL;
    if (gg_ctx_new(&ctx) != GG_OK)
        gg_test_fail(__FILE__, __LINE__, "gg_ctx_new failed");
    return ctx;
}

gg_store *fx_project(gg_ctx *ctx, const char *name)
{
    gg_store *store = NULL;
    if (gg_store_create(ctx, gg_test_path(name), &store) != GG_OK)
        gg_test_fail(__FILE__, __LINE__, "gg_store_create: %s", gg_ctx_errmsg(ctx));
    return store;
}

gg_status fx_import(gg_ctx *ctx, gg_store *store, gg_layer layer, const char *source,
                    const char *src_layer, const char *const *maps, int append,
                    gg_import_report **report)
{
    gg_binding bindings[16];
    char copies[16][128];
    size_t n = 0;
    for (size_t i = 0; maps && maps[i] && n < 16; i++) {
        snprintf(copies[n], sizeof copies[n], "%s", maps[i]);
        char *eq = strchr(copies[n], '=');
        *eq = '\0';
        bindings[n].target = copies[n];
        bindings[n].value = eq + 1;
        n++;
    }
    gg_import_options opts;
    gg_import_options_init(&opts);
    opts.src_layer = src_layer;
    opts.maps = bindings;
    opts.n_maps = n;
    opts.append = append;
    gg_import_report *r = NULL;
    gg_status st = gg_import(ctx, store, layer, source, &opts, &r);
    if (report)
        *report = r;
    else
        gg_import_report_free(ctx, r);
    return st;
}

void fx_import_monaco_communities(gg_ctx *ctx, gg_store *store)
{
    gg_status st = fx_import(ctx, store, GG_LAYER_DIVISIONS, fx_data("monaco/communities.gpkg"), NULL,
                             NULL, 0, NULL);
    if (st != GG_OK)
        gg_test_fail(__FILE__, __LINE__, "importing Monaco's communities: %s", gg_ctx_errmsg(ctx));
}

static sqlite3_stmt *first_row(gg_store *store, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(store->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        gg_test_fail(__FILE__, __LINE__, "SQL %s: %s", sql, sqlite3_errmsg(store->db));
        return NULL;
    }
    if (sqlite3_step(stmt) != SQLITE_ROW) {
        sqlite3_finalize(stmt);
        return NULL;
    }
    return stmt;
}

int64_t fx_scalar(gg_store *store, const char *sql)
{
    sqlite3_stmt *stmt = first_row(store, sql);
    int64_t v = stmt ? sqlite3_column_int64(stmt, 0) : -1;
    sqlite3_finalize(stmt);
    return v;
}

double fx_scalar_double(gg_store *store, const char *sql)
{
    sqlite3_stmt *stmt = first_row(store, sql);
    double v = stmt ? sqlite3_column_double(stmt, 0) : -1;
    sqlite3_finalize(stmt);
    return v;
}

const char *fx_scalar_text(gg_store *store, const char *sql, char *buf, size_t size)
{
    sqlite3_stmt *stmt = first_row(store, sql);
    const unsigned char *t = stmt ? sqlite3_column_text(stmt, 0) : NULL;
    snprintf(buf, size, "%s", t ? (const char *)t : "");
    sqlite3_finalize(stmt);
    return buf;
}

static void add_polygon(OGRLayerH layer, const char *code, const char *name, const char *wkt)
{
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
    OGR_F_SetFieldString(f, 0, code);
    OGR_F_SetFieldString(f, 1, name);
    OGR_F_SetFieldString(f, 2, "111");
    OGRGeometryH g = NULL;
    char text[256];
    snprintf(text, sizeof text, "%s", wkt);
    char *cursor = text;
    OGR_G_CreateFromWkt(&cursor, NULL, &g);
    OGR_F_SetGeometryDirectly(f, g);
    if (OGR_L_CreateFeature(layer, f) != OGRERR_NONE)
        gg_test_fail(__FILE__, __LINE__, "cannot write the fixture shapefile");
    OGR_F_Destroy(f);
}

const char *fx_gbk_bowtie_shapefile(void)
{
    GDALAllRegister();
    CPLPushErrorHandler(CPLQuietErrorHandler); /* "urban_rural laundered to urban_rura" */
    const char *path = gg_test_path("bowtie.shp");
    GDALDriverH drv = GDALGetDriverByName("ESRI Shapefile");
    GDALDatasetH ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 4326);
    char *lco[] = {"ENCODING=GBK", NULL};
    OGRLayerH layer = GDALDatasetCreateLayer(ds, "bowtie", srs, wkbPolygon, lco);
    OSRDestroySpatialReference(srs);
    const char *names[] = {"code", "name", "urban_rural"};
    for (int i = 0; i < 3; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(names[i], OFTString);
        OGR_L_CreateField(layer, fd, TRUE);
        OGR_Fld_Destroy(fd);
    }
    /* The bow tie's two triangles meet at (7.405, 43.735). */
    add_polygon(layer, "980100001901", "蝴蝶社区",
                "POLYGON((7.40 43.73,7.41 43.74,7.41 43.73,7.40 43.74,7.40 43.73))");
    add_polygon(layer, "980100001902", "正常社区",
                "POLYGON((7.42 43.73,7.43 43.73,7.43 43.74,7.42 43.74,7.42 43.73))");
    GDALClose(ds);
    CPLPopErrorHandler();
    unlink(gg_test_path("bowtie.cpg"));
    return path;
}

int fx_has_issue(const gg_import_report *r, gg_issue_kind kind, const char *id, const char *text)
{
    for (size_t i = 0; r && i < r->n_issues; i++) {
        const gg_import_issue *is = &r->issues[i];
        if (is->kind != kind)
            continue;
        if (id != NULL && (is->id == NULL || strcmp(is->id, id) != 0))
            continue;
        if (text == NULL || strstr(is->message, text) != NULL)
            return 1;
    }
    return 0;
}

/* A project with a sample area's communities, households, roads, waterways
 * and units (data/<area>/). */
gg_store *fx_sample_project(gg_ctx *ctx, const char *area, const char *name)
{
    gg_store *store = fx_project(ctx, name);
    char path[512];
    snprintf(path, sizeof path, "%s/communities.gpkg", area);
    CHECK_INT(fx_import(ctx, store, GG_LAYER_DIVISIONS, fx_data(path), NULL, NULL, 0, NULL), GG_OK);
    const char *hh[] = {"id=hh_id", "count=households", NULL};
    snprintf(path, sizeof path, "%s/households.gpkg", area);
    CHECK_INT(fx_import(ctx, store, GG_LAYER_HOUSEHOLDS, fx_data(path), NULL, hh, 0, NULL), GG_OK);
    const char *roads[] = {"id=road_id", "class=highway", NULL};
    snprintf(path, sizeof path, "%s/roads.gpkg", area);
    CHECK_INT(fx_import(ctx, store, GG_LAYER_ROADS, fx_data(path), "roads", roads, 0, NULL), GG_OK);
    const char *water[] = {"id=water_id", NULL};
    snprintf(path, sizeof path, "%s/waterways.gpkg", area);
    CHECK_INT(fx_import(ctx, store, GG_LAYER_WATERWAYS, fx_data(path), "waterway_lines", water, 0, NULL), GG_OK);
    CHECK_INT(fx_import(ctx, store, GG_LAYER_WATERWAYS, fx_data(path), "water_areas", water, 1, NULL), GG_OK);
    const char *poi[] = {"id=poi_id", NULL};
    snprintf(path, sizeof path, "%s/pois.gpkg", area);
    CHECK_INT(fx_import(ctx, store, GG_LAYER_UNITS, fx_data(path), "poi_areas", poi, 0, NULL), GG_OK);
    return store;
}


int fx_lock_probe_progress(void *user, const char *stage, uint64_t done, uint64_t total)
{
    fx_lock_probe *p = user;
    (void)stage, (void)done, (void)total;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(p->path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
        sqlite3_busy_timeout(db, 250);
        if (sqlite3_exec(db, "BEGIN IMMEDIATE; UPDATE gg_meta SET value = value WHERE key = 'created'; COMMIT", NULL,
                         NULL, NULL) != SQLITE_OK)
            p->refused++;
        sqlite3_stmt *stmt = NULL;
        if (sqlite3_prepare_v2(db, p->count_sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
            p->seen += sqlite3_column_int64(stmt, 0);
        sqlite3_finalize(stmt);
    } else {
        p->refused++;
    }
    sqlite3_close(db);
    if (p->calls++ == 0 && p->reimport != NULL) {
        gg_ctx *ctx = fx_ctx();
        gg_store *store = NULL;
        p->reimported = gg_store_open(ctx, p->path, 1, &store);
        if (p->reimported == GG_OK)
            p->reimported = fx_import(ctx, store, p->reimport_layer, p->reimport, NULL, NULL, 0, NULL);
        gg_store_close(store);
        gg_ctx_free(ctx);
    }
    return 0;
}

gg_store *fx_square_plan(gg_ctx *ctx, const char *name)
{
    gg_store *store = fx_project(ctx, name);
    const char *csv =
        "code,type,community,wkt\n"
        "1101080010011001,1,110108001001,\"POLYGON((116 40,116.01 40,116.01 40.01,116 40.01,116 40))\"\n"
        "1101080010011002,1,110108001001,\"POLYGON((116.01 40,116.02 40,116.02 40.01,116.01 40.01,116.01 40))\"\n"
        "1101080010011003,1,110108001001,\"POLYGON((116 40.01,116.01 40.01,116.01 40.02,116 40.02,116 40.01))\"\n"
        "1101080010014001,4,110108001001,\"POLYGON((116.01 40.01,116.02 40.01,116.02 40.02,116.01 40.02,116.01 40.01))\"\n";
    const char *path = gg_test_path("grids.csv");
    gg_test_write_file(path, csv);
    CHECK_INT(fx_import(ctx, store, GG_LAYER_GRIDS, path, NULL, NULL, 0, NULL), GG_OK);
    const char *roster =
        "id,name,role,phone,grid_code\n"
        "L1,张伟,leader,13800000001,1101080010011001\n"
        "F1,王芳,fulltime,13800000002,1101080010011001\n"
        "F2,李娜,fulltime,13800000003,1101080010011001\n"
        "P1,刘洋,parttime,13800000004,1101080010011001\n"
        "V1,陈静,volunteer,13800000005,1101080010011001\n"
        "L2,杨军,leader,13800000006,1101080010011002\n"
        "P2,赵磊,parttime,13800000007,1101080010011002\n"
        "L3,黄敏,leader,13800000008,1101080010011003\n"
        "X1,周强,fulltime,13800000009,9999\n";
    path = gg_test_path("workers.csv");
    gg_test_write_file(path, roster);
    CHECK_INT(fx_import(ctx, store, GG_LAYER_WORKERS, path, NULL, NULL, 0, NULL), GG_OK);
    return store;
}
