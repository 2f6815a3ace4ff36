/* Plans as versions and the register of grid codes: the SQL of
 * store/versions.h and of the register's public readers. */
#include "store/versions.h"

#include <stdio.h>
#include <string.h>

#include "govgrid/code.h"
#include "govgrid/plan.h"

/* Two stored geometries x and y of a grid are the same grid when their
 * bytes are, or else when they are equal as shapes or differ by at most
 * 1 m² (the coverage's smallest part): a coverage rebuilt around a
 * repaired neighbour adds vertices on shared edges, and its precision grid
 * may move a vertex by a few millimetres, without changing the grid.
 * A grid two plans share (the same stored row) is the same without a
 * look at its geometry. SQLite evaluates OR from the left and stops at
 * the first true term, so the bytes are read only for grids stored twice
 * and the geometry functions run only for grids whose bytes differ. The
 * arguments are the two grids' table aliases. */
#define SAME_GRID(x, y)                                                                                          \
    "(" x ".fid = " y ".fid OR " x ".geom = " y ".geom OR ST_Equals(" x ".geom, " y ".geom) = 1"                 \
    " OR Area(SymDifference(" x ".geom, " y ".geom), 1) <= 1.0)"


gg_status gg_store_plan_identity(gg_store *store, int64_t id, char state[12], char published[24], char created[24])
{
    state[0] = published[0] = created[0] = '\0';
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT state, coalesce(published, ''),"
                                    " coalesce((SELECT value FROM gg_meta WHERE key = 'created'), '')"
                                    " FROM plan WHERE id = ?1",
                                    &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, id);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        gg_store_column_text(stmt, 0, state, 12);
        gg_store_column_text(stmt, 1, published, 24);
        gg_store_column_text(stmt, 2, created, 24);
    } else if (rc == SQLITE_DONE) {
        st = gg_error(store->ctx, GG_ERR_NOT_FOUND, "%s: no plan %lld", store->path, (long long)id);
    } else {
        st = gg_store_sql_error(store, "reading a plan");
    }
    sqlite3_finalize(stmt);
    return st;
}

gg_status gg_store_plan_row(gg_store *store, int64_t id, gg_plan_row *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT id, coalesce(parent, 0), state, source, coalesce(published, ''),"
                                    " coalesce(superseded, ''), coalesce(superseded_by, 0),"
                                    " (SELECT count(*) FROM grid g WHERE g.plan = p.id)"
                                    " FROM plan p WHERE id = ?1",
                                    &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, id);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(stmt, 0);
        out->parent = sqlite3_column_int64(stmt, 1);
        gg_store_column_text(stmt, 2, out->state, sizeof out->state);
        gg_store_column_text(stmt, 3, out->source, sizeof out->source);
        gg_store_column_text(stmt, 4, out->published, sizeof out->published);
        gg_store_column_text(stmt, 5, out->superseded, sizeof out->superseded);
        out->superseded_by = sqlite3_column_int64(stmt, 6);
        out->grids = sqlite3_column_int64(stmt, 7);
    } else if (rc == SQLITE_DONE) {
        st = gg_error(store->ctx, GG_ERR_NOT_FOUND, "%s: no plan %lld", store->path, (long long)id);
    } else {
        st = gg_store_sql_error(store, "reading a plan");
    }
    sqlite3_finalize(stmt);
    return st;
}

gg_status gg_store_published_plan(gg_store *store, int64_t *id)
{
    *id = 0;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store, "SELECT id FROM plan WHERE state = 'published'", &stmt);
    if (st != GG_OK)
        return st;
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(stmt, 0);
    else if (rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading the published plan");
    sqlite3_finalize(stmt);
    return st;
}

gg_status gg_store_plan_children(gg_store *store, int64_t id, char *list, size_t size, int64_t *n)
{
    *n = 0;
    list[0] = '\0';
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store, "SELECT id FROM plan WHERE parent = ?1 ORDER BY id", &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, id);
    int rc, cut = 0;
    size_t len = 0;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        char one[32];
        int w = snprintf(one, sizeof one, "%s%lld", *n ? ", " : "", (long long)sqlite3_column_int64(stmt, 0));
        if (!cut && len + (size_t)w + sizeof ", ..." <= size) {
            memcpy(list + len, one, (size_t)w + 1);
            len += (size_t)w;
        } else if (!cut) {
            cut = 1;
            snprintf(list + len, size - len, ", ...");
        }
        (*n)++;
    }
    if (rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading the plans made from a plan");
    sqlite3_finalize(stmt);
    return st;
}

gg_status gg_store_plan_mark_published(gg_store *store, int64_t published, int64_t superseded, const char *now)
{
    sqlite3_stmt *stmt = NULL;
    gg_status st = GG_OK;
    if (superseded != 0) {
        st = gg_store_prepare(store,
                              "UPDATE plan SET state = 'superseded', superseded = ?2, superseded_by = ?3 WHERE id = ?1",
                              &stmt);
        if (st != GG_OK)
            return st;
        sqlite3_bind_int64(stmt, 1, superseded);
        sqlite3_bind_text(stmt, 2, now, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 3, published);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            st = gg_store_sql_error(store, "superseding the published plan");
        sqlite3_finalize(stmt);
        if (st != GG_OK)
            return st;
    }
    /* published and published_by first, while the plan is a draft: the
     * triggers keep them once it is published. */
    st = gg_store_prepare(store, "UPDATE plan SET published = ?2, published_by = nullif(?3, '') WHERE id = ?1",
                          &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, published);
    sqlite3_bind_text(stmt, 2, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, store->actor, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        st = gg_store_sql_error(store, "publishing a plan");
    sqlite3_finalize(stmt);
    if (st == GG_OK)
        st = gg_store_prepare(store, "UPDATE plan SET state = 'published' WHERE id = ?1", &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, published);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        st = gg_store_sql_error(store, "publishing a plan");
    sqlite3_finalize(stmt);
    return st;
}

gg_status gg_store_plan_delete_row(gg_store *store, int64_t id)
{
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store, "DELETE FROM plan WHERE id = ?1", &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, id);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        st = gg_store_sql_error(store, "deleting a plan");
    sqlite3_finalize(stmt);
    return st;
}

gg_status gg_store_plan_codes(gg_store *store, int64_t plan, gg_plan_code **out, size_t *n)
{
    gg_ctx *ctx = store->ctx;
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT g.code, coalesce(g.community, ''), coalesce(g.type, 0),"
                                    " r.code IS NOT NULL, coalesce(r.issued_by, 0), coalesce(r.retired_by, 0),"
                                    " coalesce(r.valid_to, '')"
                                    " FROM grid g LEFT JOIN grid_code r ON r.code = g.code"
                                    " WHERE g.plan = ?1 ORDER BY g.code",
                                    &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, plan);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        st = gg_grow(ctx, (void **)out, &cap, *n + 1, sizeof **out);
        if (st != GG_OK)
            break;
        gg_plan_code *c = &(*out)[(*n)++];
        memset(c, 0, sizeof *c);
        gg_store_column_text(stmt, 0, c->code, sizeof c->code);
        gg_store_column_text(stmt, 1, c->community, sizeof c->community);
        c->type = sqlite3_column_int(stmt, 2);
        c->registered = sqlite3_column_int(stmt, 3);
        c->issued_by = sqlite3_column_int64(stmt, 4);
        c->retired_by = sqlite3_column_int64(stmt, 5);
        gg_store_column_text(stmt, 6, c->valid_to, sizeof c->valid_to);
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading a plan's codes");
    sqlite3_finalize(stmt);
    if (st != GG_OK) {
        gg_free(ctx, *out);
        *out = NULL;
        *n = 0;
    }
    return st;
}

gg_status gg_store_codes_issue(gg_store *store, int64_t plan, const char *now, const gg_plan_code *codes, size_t n)
{
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "INSERT INTO grid_code(code, community, type, issued_by, valid_from)"
                                    " VALUES (?1, ?2, ?3, ?4, ?5)",
                                    &stmt);
    if (st != GG_OK)
        return st;
    for (size_t i = 0; i < n && st == GG_OK; i++) {
        sqlite3_bind_text(stmt, 1, codes[i].code, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 2, codes[i].community, -1, SQLITE_STATIC);
        sqlite3_bind_int(stmt, 3, codes[i].type);
        sqlite3_bind_int64(stmt, 4, plan);
        sqlite3_bind_text(stmt, 5, now, -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            st = gg_store_sql_error(store, "issuing a grid code");
        sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    return st;
}

gg_status gg_store_codes_retire_absent(gg_store *store, int64_t plan, const char *now, int64_t *retired)
{
    *retired = 0;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "UPDATE grid_code SET retired_by = ?1, valid_to = ?2 WHERE retired_by IS NULL"
                                    " AND NOT EXISTS (SELECT 1 FROM grid g WHERE g.plan = ?1 AND g.code = grid_code.code)",
                                    &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, plan);
    sqlite3_bind_text(stmt, 2, now, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        st = gg_store_sql_error(store, "retiring grid codes");
    else
        *retired = sqlite3_changes(store->db);
    sqlite3_finalize(stmt);
    return st;
}

gg_status gg_store_grids_changed(gg_store *store, int64_t a, int64_t b, gg_plan_grid **out, size_t *n)
{
    gg_ctx *ctx = store->ctx;
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT x.code, coalesce(x.type, 0), coalesce(x.community, ''), AsBinary(x.geom)"
                                    " FROM grid x WHERE x.plan = ?1 AND NOT EXISTS (SELECT 1 FROM grid y"
                                    "  WHERE y.plan = ?2 AND y.code = x.code AND " SAME_GRID("y", "x") ")"
                                    " ORDER BY x.code",
                                    &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, a);
    sqlite3_bind_int64(stmt, 2, b);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        st = gg_grow(ctx, (void **)out, &cap, *n + 1, sizeof **out);
        if (st != GG_OK)
            break;
        gg_plan_grid *g = &(*out)[(*n)++];
        memset(g, 0, sizeof *g);
        gg_store_column_text(stmt, 0, g->code, sizeof g->code);
        g->type = sqlite3_column_int(stmt, 1);
        gg_store_column_text(stmt, 2, g->community, sizeof g->community);
        g->geom = gg_store_column_geom(ctx, stmt, 3);
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "comparing two plans' grids");
    sqlite3_finalize(stmt);
    if (st != GG_OK) {
        gg_plan_grids_free(ctx, *out, *n);
        *out = NULL;
        *n = 0;
    }
    return st;
}

gg_status gg_store_count_reshaped(gg_store *store, int64_t a, int64_t b, int64_t *n)
{
    *n = 0;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT count(*) FROM grid x JOIN grid y ON y.plan = ?2 AND y.code = x.code"
                                    " WHERE x.plan = ?1 AND NOT " SAME_GRID("x", "y"),
                                    &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, a);
    sqlite3_bind_int64(stmt, 2, b);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        *n = sqlite3_column_int64(stmt, 0);
    else
        st = gg_store_sql_error(store, "comparing two plans' grids");
    sqlite3_finalize(stmt);
    return st;
}

gg_status gg_store_grids_compare(gg_store *store, int64_t a, int64_t b, gg_grid_pair **out, size_t *n)
{
    gg_ctx *ctx = store->ctx;
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    sqlite3_stmt *stmt = NULL;
    /* Both sides of a full outer join, through the (plan, code) index. */
    gg_status st = gg_store_prepare(store,
                                    "SELECT x.code, coalesce(y.community, x.community, ''), 1, y.code IS NOT NULL,"
                                    " y.geom IS NOT NULL AND " SAME_GRID("x", "y") ", coalesce(x.area_m2, Area(x.geom, 1), 0),"
                                    " coalesce(y.area_m2, Area(y.geom, 1), 0)"
                                    " FROM grid x LEFT JOIN grid y ON y.plan = ?2 AND y.code = x.code WHERE x.plan = ?1"
                                    " UNION ALL"
                                    " SELECT y.code, coalesce(y.community, ''), 0, 1, 0, 0, coalesce(y.area_m2, Area(y.geom, 1), 0)"
                                    " FROM grid y WHERE y.plan = ?2"
                                    "  AND NOT EXISTS (SELECT 1 FROM grid x WHERE x.plan = ?1 AND x.code = y.code)"
                                    " ORDER BY 1",
                                    &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, a);
    sqlite3_bind_int64(stmt, 2, b);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        st = gg_grow(ctx, (void **)out, &cap, *n + 1, sizeof **out);
        if (st != GG_OK)
            break;
        gg_grid_pair *p = &(*out)[(*n)++];
        memset(p, 0, sizeof *p);
        gg_store_column_text(stmt, 0, p->code, sizeof p->code);
        gg_store_column_text(stmt, 1, p->community, sizeof p->community);
        p->in_a = sqlite3_column_int(stmt, 2);
        p->in_b = sqlite3_column_int(stmt, 3);
        p->same_geom = sqlite3_column_int(stmt, 4);
        p->area_a_m2 = sqlite3_column_double(stmt, 5);
        p->area_b_m2 = sqlite3_column_double(stmt, 6);
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "comparing two plans' grids");
    sqlite3_finalize(stmt);
    if (st != GG_OK) {
        gg_free(ctx, *out);
        *out = NULL;
        *n = 0;
    }
    return st;
}

gg_status gg_store_lineage_add(gg_store *store, int64_t plan, const char *from_code, const char *to_code,
                               double area_m2)
{
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "INSERT INTO grid_lineage(plan, from_code, to_code, area_m2) VALUES (?1, ?2, ?3, ?4)",
                                    &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, plan);
    sqlite3_bind_text(stmt, 2, from_code, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, to_code, -1, SQLITE_STATIC);
    sqlite3_bind_double(stmt, 4, area_m2);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        st = gg_store_sql_error(store, "recording a grid's lineage");
    sqlite3_finalize(stmt);
    return st;
}

gg_status gg_store_codes_highest(gg_store *store, const char *community, int highest[10])
{
    memset(highest, 0, 10 * sizeof *highest);
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store, "SELECT code FROM grid_code WHERE community = ?1", &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_text(stmt, 1, community, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(stmt, 0);
        if (code == NULL || gg_grid_code_layout(code, NULL) != GG_CODE_LAYOUT_UNIFIED16)
            continue;
        int type = code[12] - '0', seq = (code[13] - '0') * 100 + (code[14] - '0') * 10 + (code[15] - '0');
        if (seq > highest[type])
            highest[type] = seq;
    }
    if (rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading the codes issued in a community");
    sqlite3_finalize(stmt);
    return st;
}

/* ---- the register's public readers ---- */

gg_status gg_codes_list(gg_ctx *ctx, gg_store *store, const char *code, gg_code_record **records, size_t *n)
{
    if (ctx == NULL || store == NULL || records == NULL || n == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_codes_list: NULL argument") : GG_ERR_ARG;
    *records = NULL;
    *n = 0;
    size_t cap = 0;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT code, community, type, issued_by, valid_from, coalesce(retired_by, 0),"
                                    " coalesce(valid_to, '') FROM grid_code"
                                    " WHERE ?1 IS NULL OR substr(code, 1, length(?1)) = ?1"
                                    "  OR substr(community, 1, length(?1)) = ?1"
                                    " ORDER BY code",
                                    &stmt);
    if (st != GG_OK)
        return st;
    if (code != NULL && code[0] != '\0')
        sqlite3_bind_text(stmt, 1, code, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        st = gg_grow(ctx, (void **)records, &cap, *n + 1, sizeof **records);
        if (st != GG_OK)
            break;
        gg_code_record *r = &(*records)[(*n)++];
        memset(r, 0, sizeof *r);
        gg_store_column_text(stmt, 0, r->code, sizeof r->code);
        gg_store_column_text(stmt, 1, r->community, sizeof r->community);
        r->type = sqlite3_column_int(stmt, 2);
        r->issued_by = sqlite3_column_int64(stmt, 3);
        gg_store_column_text(stmt, 4, r->valid_from, sizeof r->valid_from);
        r->retired_by = sqlite3_column_int64(stmt, 5);
        gg_store_column_text(stmt, 6, r->valid_to, sizeof r->valid_to);
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading the code register");
    sqlite3_finalize(stmt);
    if (st != GG_OK) {
        gg_free(ctx, *records);
        *records = NULL;
        *n = 0;
    }
    return st;
}

void gg_codes_free(gg_ctx *ctx, gg_code_record *records)
{
    gg_free(ctx, records);
}

gg_status gg_code_lineage(gg_ctx *ctx, gg_store *store, const char *code, gg_code_link **links, size_t *n)
{
    if (ctx == NULL || store == NULL || code == NULL || links == NULL || n == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_code_lineage: NULL argument") : GG_ERR_ARG;
    *links = NULL;
    *n = 0;
    size_t cap = 0;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT plan, from_code, to_code, area_m2 FROM grid_lineage"
                                    " WHERE from_code = ?1 OR to_code = ?1 ORDER BY plan, from_code, to_code",
                                    &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_text(stmt, 1, code, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        st = gg_grow(ctx, (void **)links, &cap, *n + 1, sizeof **links);
        if (st != GG_OK)
            break;
        gg_code_link *l = &(*links)[(*n)++];
        memset(l, 0, sizeof *l);
        l->plan = sqlite3_column_int64(stmt, 0);
        gg_store_column_text(stmt, 1, l->from_code, sizeof l->from_code);
        gg_store_column_text(stmt, 2, l->to_code, sizeof l->to_code);
        l->area_m2 = sqlite3_column_double(stmt, 3);
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading a code's lineage");
    sqlite3_finalize(stmt);
    if (st != GG_OK) {
        gg_free(ctx, *links);
        *links = NULL;
        *n = 0;
    }
    return st;
}

void gg_code_links_free(gg_ctx *ctx, gg_code_link *links)
{
    gg_free(ctx, links);
}

/* ---- edits ---- */

/* A JSON array of texts, for binding a list to json_each. */
static char *json_list(gg_ctx *ctx, const char *const *items, size_t n)
{
    size_t len = 3;
    for (size_t i = 0; i < n; i++)
        len += strlen(items[i]) * 2 + 3;
    char *s = gg_malloc(ctx, len), *p = s;
    if (s == NULL)
        return NULL;
    *p++ = '[';
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        *p++ = '"';
        for (const char *c = items[i]; *c; c++) {
            if (*c == '"' || *c == '\\')
                *p++ = '\\';
            *p++ = *c;
        }
        *p++ = '"';
    }
    *p++ = ']';
    *p = '\0';
    return s;
}

gg_status gg_store_edit_grids(gg_store *store, int64_t plan, const char *const *codes, size_t n,
                              gg_edit_grid **out)
{
    gg_ctx *ctx = store->ctx;
    *out = gg_calloc(ctx, n ? n : 1, sizeof **out);
    if (*out == NULL)
        return gg_error_nomem(ctx);
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT coalesce(type, 0), coalesce(community, ''), coalesce(name, ''),"
                                    " households IS NOT NULL, households, persons, coalesce(area_m2, 0),"
                                    " coalesce(flags, ''), coalesce(beidou, ''), locked, AsBinary(geom)"
                                    " FROM main.grid WHERE plan = ?1 AND code = ?2",
                                    &stmt);
    for (size_t i = 0; i < n && st == GG_OK; i++) {
        gg_edit_grid *g = &(*out)[i];
        snprintf(g->code, sizeof g->code, "%s", codes[i]);
        sqlite3_bind_int64(stmt, 1, plan);
        sqlite3_bind_text(stmt, 2, codes[i], -1, SQLITE_STATIC);
        int rc = sqlite3_step(stmt);
        if (rc == SQLITE_ROW) {
            g->type = sqlite3_column_int(stmt, 0);
            gg_store_column_text(stmt, 1, g->community, sizeof g->community);
            gg_store_column_text(stmt, 2, g->name, sizeof g->name);
            g->counted = sqlite3_column_int(stmt, 3);
            g->households = sqlite3_column_int64(stmt, 4);
            g->persons = sqlite3_column_int64(stmt, 5);
            g->area_m2 = sqlite3_column_double(stmt, 6);
            gg_store_column_text(stmt, 7, g->flags, sizeof g->flags);
            gg_store_column_text(stmt, 8, g->beidou, sizeof g->beidou);
            g->locked = sqlite3_column_int(stmt, 9);
            g->geom = gg_store_column_geom(ctx, stmt, 10);
            if (g->geom == NULL)
                st = gg_error(ctx, GG_ERR_GEOMETRY, "%s: plan %lld: grid %s has no readable geometry", store->path,
                              (long long)plan, codes[i]);
        } else if (rc == SQLITE_DONE) {
            st = gg_error(ctx, GG_ERR_NOT_FOUND, "%s: plan %lld has no grid %s", store->path, (long long)plan,
                          codes[i]);
        } else {
            st = gg_store_sql_error(store, "reading a grid");
        }
        sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    if (st != GG_OK) {
        gg_edit_grids_free(ctx, *out, n);
        *out = NULL;
    }
    return st;
}

gg_status gg_store_grid_codes_in_box(gg_store *store, int64_t plan, const double box[4], gg_grid_code **out,
                                     size_t *n)
{
    gg_ctx *ctx = store->ctx;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT code FROM main.grid WHERE plan = ?1 AND fid IN"
                                    " (SELECT pkid FROM idx_grid_row_geom WHERE xmax >= ?2 AND xmin <= ?4"
                                    " AND ymax >= ?3 AND ymin <= ?5) ORDER BY code",
                                    &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, plan);
    for (int i = 0; i < 4; i++)
        sqlite3_bind_double(stmt, i + 2, box[i]);
    size_t cap = 0;
    int rc;
    while (st == GG_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if ((st = gg_grow(ctx, (void **)out, &cap, *n + 1, sizeof **out)) != GG_OK)
            break;
        gg_store_column_text(stmt, 0, (*out)[*n].code, sizeof (*out)[*n].code);
        (*n)++;
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading the grids in a box");
    sqlite3_finalize(stmt);
    if (st != GG_OK) {
        gg_free(ctx, *out);
        *out = NULL;
        *n = 0;
    }
    return st;
}

void gg_edit_grids_free(gg_ctx *ctx, gg_edit_grid *grids, size_t n)
{
    for (size_t i = 0; grids != NULL && i < n; i++)
        if (grids[i].geom)
            GEOSGeom_destroy_r(ctx->geos, grids[i].geom);
    gg_free(ctx, grids);
}

gg_status gg_store_plan_new_edit(gg_store *store, int64_t parent, const char *note, const char *params, int64_t *id)
{
    char now[32];
    gg_utc_now(now, sizeof now);
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "INSERT INTO plan(parent, created, source, note, params, made_by)"
                                    " VALUES (?1, ?2, 'edit', ?3, ?4, nullif(?5, ''))",
                                    &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, parent);
    sqlite3_bind_text(stmt, 2, now, -1, SQLITE_TRANSIENT);
    if (note)
        sqlite3_bind_text(stmt, 3, note, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, params, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 5, store->actor, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        st = gg_store_sql_error(store, "creating a plan");
    else
        *id = sqlite3_last_insert_rowid(store->db);
    sqlite3_finalize(stmt);
    return st;
}

gg_status gg_store_share_grids_except(gg_store *store, int64_t from, int64_t to, const char *const *except, size_t n)
{
    char *list = json_list(store->ctx, except, n);
    if (list == NULL)
        return gg_error_nomem(store->ctx);
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "INSERT INTO main.plan_grid(plan, code, fid) SELECT ?2, code, fid FROM main.plan_grid"
                                    " WHERE plan = ?1 AND code NOT IN (SELECT value FROM json_each(?3))",
                                    &stmt);
    if (st == GG_OK) {
        sqlite3_bind_int64(stmt, 1, from);
        sqlite3_bind_int64(stmt, 2, to);
        sqlite3_bind_text(stmt, 3, list, -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            st = gg_store_sql_error(store, "copying a plan's grids");
        sqlite3_finalize(stmt);
    }
    gg_free(store->ctx, list);
    return st;
}

gg_status gg_store_grid_insert(gg_store *store, int64_t plan, const gg_edit_grid *g)
{
    unsigned char *wkb = NULL;
    size_t size = 0;
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(store->ctx->geos);
    if (w != NULL)
        wkb = GEOSWKBWriter_write_r(store->ctx->geos, w, g->geom, &size);
    if (w != NULL)
        GEOSWKBWriter_destroy_r(store->ctx->geos, w);
    if (wkb == NULL)
        return gg_error(store->ctx, GG_ERR_GEOMETRY, "grid %s: cannot write its geometry: %s", g->code,
                        store->ctx->geos_msg);
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "INSERT INTO main.grid(plan, code, type, community, name, households, persons,"
                                    " area_m2, flags, geom, beidou, locked) VALUES (?1, ?2, ?3, ?4, nullif(?5, ''),"
                                    " ?6, ?7, nullif(?8, 0), nullif(?9, ''), CastToMultiPolygon(GeomFromWKB(?10, 4326)),"
                                    " nullif(?11, ''), ?12)",
                                    &stmt);
    if (st == GG_OK) {
        sqlite3_bind_int64(stmt, 1, plan);
        sqlite3_bind_text(stmt, 2, g->code, -1, SQLITE_STATIC);
        sqlite3_bind_int(stmt, 3, g->type);
        sqlite3_bind_text(stmt, 4, g->community, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 5, g->name, -1, SQLITE_STATIC);
        if (g->counted) {
            sqlite3_bind_int64(stmt, 6, g->households);
            sqlite3_bind_int64(stmt, 7, g->persons);
        }
        sqlite3_bind_double(stmt, 8, g->area_m2);
        sqlite3_bind_text(stmt, 9, g->flags, -1, SQLITE_STATIC);
        sqlite3_bind_blob(stmt, 10, wkb, (int)size, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 11, g->beidou, -1, SQLITE_STATIC);
        sqlite3_bind_int(stmt, 12, g->locked != 0);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            st = gg_store_sql_error(store, "storing a grid");
        sqlite3_finalize(stmt);
    }
    GEOSFree_r(store->ctx->geos, wkb);
    return st;
}

gg_status gg_store_grids_lock(gg_store *store, int64_t plan, const char *const *codes, size_t n, int locked)
{
    char *list = json_list(store->ctx, codes, n);
    if (list == NULL)
        return gg_error_nomem(store->ctx);
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "UPDATE main.grid SET locked = ?3 WHERE plan = ?1"
                                    " AND code IN (SELECT value FROM json_each(?2))",
                                    &stmt);
    if (st == GG_OK) {
        sqlite3_bind_int64(stmt, 1, plan);
        sqlite3_bind_text(stmt, 2, list, -1, SQLITE_STATIC);
        sqlite3_bind_int(stmt, 3, locked != 0);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            st = gg_store_sql_error(store, "locking grids");
        sqlite3_finalize(stmt);
    }
    gg_free(store->ctx, list);
    return st;
}

gg_status gg_store_locked_grids(gg_store *store, int64_t plan, const char (*communities)[13], size_t n, int64_t *count,
                                char *first, size_t size)
{
    *count = 0;
    first[0] = '\0';
    const char **list = gg_calloc(store->ctx, n ? n : 1, sizeof *list);
    if (list == NULL)
        return gg_error_nomem(store->ctx);
    for (size_t i = 0; i < n; i++)
        list[i] = communities[i];
    char *json = json_list(store->ctx, list, n);
    gg_free(store->ctx, list);
    if (json == NULL)
        return gg_error_nomem(store->ctx);
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT count(*), min(code) FROM main.grid WHERE plan = ?1 AND locked"
                                    " AND community IN (SELECT value FROM json_each(?2))",
                                    &stmt);
    if (st == GG_OK) {
        sqlite3_bind_int64(stmt, 1, plan);
        sqlite3_bind_text(stmt, 2, json, -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) == SQLITE_ROW) {
            *count = sqlite3_column_int64(stmt, 0);
            gg_store_column_text(stmt, 1, first, size);
        } else {
            st = gg_store_sql_error(store, "reading locked grids");
        }
        sqlite3_finalize(stmt);
    }
    gg_free(store->ctx, json);
    return st;
}
