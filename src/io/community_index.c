/* Point-in-community lookup for the import: an STRtree over the project's
 * community polygons, each prepared. Ties (a point on a shared boundary)
 * go to the lowest community code, so assignment never depends on order. */
#include "io/import.h"

#include <string.h>

typedef struct community_entry {
    char code[13];
    GEOSGeometry *geom;
    const GEOSPreparedGeometry *prepared;
} community_entry;

struct gg_community_index {
    gg_ctx *ctx;
    community_entry *entries; /* sorted by code */
    size_t n;
    GEOSSTRtree *tree;
};

void gg_community_index_free(gg_community_index *index)
{
    if (index == NULL)
        return;
    gg_ctx *ctx = index->ctx;
    GEOSContextHandle_t h = ctx->geos;
    if (index->tree)
        GEOSSTRtree_destroy_r(h, index->tree);
    for (size_t i = 0; i < index->n; i++) {
        if (index->entries[i].prepared)
            GEOSPreparedGeom_destroy_r(h, index->entries[i].prepared);
        if (index->entries[i].geom)
            GEOSGeom_destroy_r(h, index->entries[i].geom);
    }
    gg_free(ctx, index->entries);
    gg_free(ctx, index);
}

gg_status gg_community_index_new(gg_ctx *ctx, gg_store *store, gg_community_index **out)
{
    *out = NULL;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT code, AsBinary(geom) FROM division WHERE level = "
                                    "'community' AND geom IS NOT NULL ORDER BY code",
                                    &stmt);
    if (st != GG_OK)
        return st;
    gg_community_index *index = gg_calloc(ctx, 1, sizeof *index);
    if (index == NULL) {
        sqlite3_finalize(stmt);
        return gg_error_nomem(ctx);
    }
    index->ctx = ctx;
    GEOSContextHandle_t h = ctx->geos;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        st = gg_grow(ctx, (void **)&index->entries, &cap, index->n + 1, sizeof *index->entries);
        if (st != GG_OK)
            break;
        community_entry *e = &index->entries[index->n];
        memset(e, 0, sizeof *e);
        const char *code = (const char *)sqlite3_column_text(stmt, 0);
        strncpy(e->code, code ? code : "", sizeof e->code - 1);
        e->geom = gg_store_column_geom(ctx, stmt, 1);
        if (e->geom == NULL) {
            st = gg_error(ctx, GG_ERR_STORE, "community %s: stored geometry cannot be read", e->code);
            break;
        }
        index->n++;
        e->prepared = GEOSPrepare_r(h, e->geom);
        if (e->prepared == NULL) {
            st = gg_error(ctx, GG_ERR_GEOMETRY, "community %s: cannot prepare geometry", e->code);
            break;
        }
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading communities");
    sqlite3_finalize(stmt);
    if (st == GG_OK && index->n > 0) {
        index->tree = GEOSSTRtree_create_r(h, 10);
        if (index->tree == NULL)
            st = gg_error_nomem(ctx);
        for (size_t i = 0; st == GG_OK && i < index->n; i++)
            GEOSSTRtree_insert_r(h, index->tree, index->entries[i].geom, &index->entries[i]);
    }
    if (st != GG_OK || index->n == 0) {
        gg_community_index_free(index);
        return st;
    }
    *out = index;
    return GG_OK;
}

typedef struct query_state {
    GEOSContextHandle_t h;
    const GEOSGeometry *point;
    community_entry *best;
} query_state;

static void query_visit(void *item, void *userdata)
{
    community_entry *e = item;
    query_state *q = userdata;
    if (q->best != NULL && q->best < e)
        return; /* entries are sorted by code: a lower one already covers */
    if (GEOSPreparedCovers_r(q->h, e->prepared, q->point) == 1)
        q->best = e;
}

const char *gg_community_index_find(gg_community_index *index, double x, double y)
{
    GEOSContextHandle_t h = index->ctx->geos;
    GEOSGeometry *point = GEOSGeom_createPointFromXY_r(h, x, y);
    if (point == NULL)
        return NULL;
    query_state q = {h, point, NULL};
    GEOSSTRtree_query_r(h, index->tree, point, query_visit, &q);
    GEOSGeom_destroy_r(h, point);
    return q.best ? q.best->code : NULL;
}
