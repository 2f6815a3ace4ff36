/* gg_import: one source layer into one project layer, in one transaction.
 *
 * The loop reads each feature, converts its fields and geometry, applies
 * the layer's rules and inserts it. Problems with a feature are collected
 * in the report rather than stopping the loop, so that one run lists every
 * bad feature; at the end the transaction is committed only when nothing
 * was rejected (or the caller asked to skip rejected features).
 *
 * The rows are inserted into a staged copy of the layer's table
 * (store/stage.h: a TEMP table of the same name and constraints, which
 * the unqualified SQL below reaches, and only this connection sees), read
 * against one snapshot of the project, while other connections keep
 * writing. Only then is the write lock taken: if the tables the import
 * read are unchanged, the project's rows are replaced, the staged rows
 * copied in and the spatial index rebuilt, in one short transaction. */
#include "io/binding.h"
#include "io/feed.h"
#include "io/import.h"

#include "govgrid/incident.h"
#include "incident/attributes.h"
#include "worktime/limits.h"
#include "govgrid/code.h"
#include "govgrid/locate.h"
#include "store/rtree_bulk.h"
#include "store/stage.h"

#include <cpl_error.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PROGRESS_EVERY 8192
#define OUTSIDE_IDS_MAX 10
#define LISTED_CODES_MAX 10

void gg_import_options_init(gg_import_options *opts)
{
    memset(opts, 0, sizeof *opts);
}

/* The running state of one import. */
typedef struct importer {
    gg_ctx *ctx;
    gg_store *store;
    const layer_spec *spec;
    const gg_import_options *opts;
    gg_import_report *report;
    gg_source src;
    field_binding bindings[GG_MAX_FIELDS];
    sqlite3_stmt *insert;
    sqlite3_stmt *find_dup;     /* finds the rowid holding a duplicate key */
    gg_rtree_entries boxes;     /* new rows for the spatial index, loaded in bulk at the end */
    sqlite3_stmt *find_division; /* grids: is a community in the project? */
    gg_saved_triggers triggers; /* the layer's SpatiaLite triggers, suspended */
    int triggers_suspended;
    gg_feed *feed;              /* owns the source layer while it runs: no OGR calls on it here */
    int64_t total_features;     /* for progress; counted before the feed starts */
    int64_t next_rowid;         /* rows are given explicit rowids from here */
    int64_t first_rowid;
    int64_t *row_fids;          /* source feature number of each inserted row */
    size_t row_fids_cap;
    int64_t plan;
    int plan_is_new;            /* grids, catalogue: the plan (version) row is staged, to be stored */
    int replace_all;            /* the layer's rows are all replaced */
    char **replaced_depts;      /* dept-grids: departments whose rows are replaced */
    size_t n_replaced_depts, replaced_depts_cap;
    int reassigned;             /* divisions: community changes of points are staged */
    char **unknown;             /* grids: codes of no known layout; units: unknown kinds */
    size_t n_unknown, unknown_cap;
    int64_t unknown_total;
    int64_t missing_community; /* grids: community not in the project */
    int64_t top_level;          /* catalogue: the project's highest escalation level */
    int64_t level_scopes;       /* catalogue: scopes of the levels above the grid (1 community, 2 township,
                                   4 district) */
    double ext[4];              /* data extent in storage coordinates */
    int has_ext;
} importer;

static const char *const known_unit_kinds[] = {
    "government", "industrial", "enterprise", "school", "hospital", "office",
    "market", "scenic", "institution", "other", NULL};

/* Chinese and English names of the roster roles. */
static const struct {
    const char *name;
    const char *role;
} role_names[] = {
    {"leader", "leader"},         {"fulltime", "fulltime"},     {"full-time", "fulltime"},
    {"parttime", "parttime"},     {"part-time", "parttime"},    {"volunteer", "volunteer"},
    {"instructor", "instructor"}, {"网格长", "leader"},         {"专职网格员", "fulltime"},
    {"网格员", "fulltime"},       {"兼职网格员", "parttime"},   {"志愿者", "volunteer"},
    {"网格信息员", "volunteer"},  {"信息员", "volunteer"},      {"网格指导员", "instructor"},
    {"指导员", "instructor"},
};

static void where_text(const char *source, const char *layer, int csv, int64_t fid, int64_t line,
                       const char *id, char *buf, size_t size)
{
    int n;
    if (fid < 0)
        n = snprintf(buf, size, "%s: layer '%s'", source, layer);
    else if (csv && line > 0)
        n = snprintf(buf, size, "%s: line %lld", source, (long long)line);
    else
        n = snprintf(buf, size, "%s: layer '%s': feature %lld", source, layer, (long long)fid);
    if (id != NULL && n > 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, " (%s '%s')", strchr(id, '/') ? "dept/id" : "id", id);
}

void gg_import_issue_where(const gg_import_report *report, const gg_import_issue *issue,
                           char *buf, size_t size)
{
    where_text(report->source ? report->source : "", report->src_layer ? report->src_layer : "",
               issue->line > 0, issue->fid, issue->line, issue->id, buf, size);
}

static int64_t csv_line(const importer *im, int64_t fid)
{
    /* GDAL numbers CSV records from 1 after the header line. */
    return im->src.is_csv ? fid + 1 : 0;
}

static gg_status issue(importer *im, gg_issue_kind kind, int64_t fid, const char *id,
                       const char *message)
{
    return gg_report_issue(im->ctx, im->report, im->opts->max_issues, kind, fid,
                           fid >= 0 ? csv_line(im, fid) : 0, id, "%s", message);
}

static gg_status remember(importer *im, char ***list, size_t *n, size_t *cap, const char *value)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*list)[i], value) == 0)
            return GG_OK;
    gg_status st = gg_grow(im->ctx, (void **)list, cap, *n + 1, sizeof **list);
    if (st != GG_OK)
        return st;
    (*list)[*n] = gg_strdup(im->ctx, value);
    if ((*list)[*n] == NULL)
        return gg_error_nomem(im->ctx);
    (*n)++;
    return GG_OK;
}

static void free_list(gg_ctx *ctx, char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        gg_free(ctx, list[i]);
    gg_free(ctx, list);
}

/* ---- statements ---- */

static const char *insert_sql(gg_layer layer)
{
    switch (layer) {
    case GG_LAYER_DIVISIONS:
        return "INSERT INTO division(rowid, code, level, name, parent, urban_rural, geom)"
               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    case GG_LAYER_HOUSEHOLDS:
        return "INSERT INTO household(fid, id, count, persons, address, community, geom)"
               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    case GG_LAYER_ROADS:
        return "INSERT INTO road(fid, id, class, name, geom) VALUES (?1, ?2, ?3, ?4, ?5)";
    case GG_LAYER_WATERWAYS:
        return "INSERT INTO waterway(fid, id, kind, name, geom) VALUES (?1, ?2, ?3, ?4, ?5)";
    case GG_LAYER_UNITS:
        return "INSERT INTO unit(fid, id, kind, name, size, community, geom)"
               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    case GG_LAYER_WORKERS:
        return "INSERT INTO worker(fid, id, name, role, phone, grid_code, shift) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    case GG_LAYER_DEPT_GRIDS:
        return "INSERT INTO dept_grid(fid, dept, id, name, geom) VALUES (?1, ?2, ?3, ?4, ?5)";
    case GG_LAYER_GRIDS:
        return "INSERT INTO grid(fid, plan, code, type, community, name, geom, households, persons)"
               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
    case GG_LAYER_CATALOGUE:
        return "INSERT INTO catalogue(fid, version, item_code, class, subclass, name, name_en, department,"
               " reporting_condition, reach_within, handle_within, closing_condition, attributes, route,"
               " co_departments, close_within, warn_at)"
               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";
    case GG_LAYER_COUNT: break;
    }
    return NULL;
}

static const char *find_dup_sql(gg_layer layer)
{
    switch (layer) {
    case GG_LAYER_DIVISIONS: return "SELECT rowid FROM division WHERE code = ?1";
    case GG_LAYER_DEPT_GRIDS: return "SELECT fid FROM dept_grid WHERE dept = ?1 AND id = ?2";
    case GG_LAYER_GRIDS: return "SELECT fid FROM grid WHERE plan = ?1 AND code = ?2";
    case GG_LAYER_CATALOGUE: return "SELECT fid FROM catalogue WHERE version = ?1 AND item_code = ?2";
    default: break;
    }
    return NULL;
}

static gg_status prepare_statements(importer *im)
{
    gg_layer layer = im->spec->layer;
    gg_status st = gg_store_prepare(im->store, insert_sql(layer), &im->insert);
    if (st != GG_OK)
        return st;
    char buf[160];
    const char *dup = find_dup_sql(layer);
    if (dup == NULL) {
        snprintf(buf, sizeof buf, "SELECT fid FROM %s WHERE id = ?1", gg_layer_table_of(layer)->table);
        dup = buf;
    }
    return gg_store_prepare(im->store, dup, &im->find_dup);
}

static gg_status query_int64(importer *im, const char *sql, int64_t *out)
{
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(im->store, sql, &stmt);
    if (st != GG_OK)
        return st;
    *out = 0;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        *out = sqlite3_column_int64(stmt, 0);
    else
        st = gg_store_sql_error(im->store, "reading the project");
    sqlite3_finalize(stmt);
    return st;
}

/* ---- replace and plans ---- */

/* What the import of a layer reads, and so must find unchanged when it
 * stores its rows (the store's change counters): its own table, the
 * communities that points are located in and data are checked against,
 * and for a divisions import the points it assigns to them anew. */
static size_t layer_inputs(gg_layer layer, const char *tables[4])
{
    size_t n = 0;
    tables[n++] = gg_layer_table_of(layer)->table;
    switch (layer) {
    case GG_LAYER_DIVISIONS:
        tables[n++] = "household";
        tables[n++] = "unit";
        break;
    case GG_LAYER_GRIDS:
        tables[n++] = "plan";
        tables[n++] = "household";
        tables[n++] = "division";
        break;
    case GG_LAYER_WORKERS:
    case GG_LAYER_CATALOGUE:
    case GG_LAYER_COUNT:
        break;
    default:
        tables[n++] = "division";
        break;
    }
    return n;
}

/* The tables staged for the import of a layer (parents first). */
static size_t layer_staged(gg_layer layer, const char *tables[2])
{
    if (layer == GG_LAYER_GRIDS) {
        tables[0] = "plan";
        tables[1] = "grid";
        return 2;
    }
    if (layer == GG_LAYER_CATALOGUE) {
        tables[0] = "catalogue_version";
        tables[1] = "catalogue";
        return 2;
    }
    tables[0] = gg_layer_table_of(layer)->table;
    return 1;
}

/* Staged new plan or catalogue version: the project's next id, so that
 * the staged rows can carry it (the change counters guarantee that it is
 * still free when the rows are stored). */
static gg_status stage_new_plan(importer *im, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    char now[32];
    gg_utc_now(now, sizeof now);
    gg_status st = gg_store_prepare(im->store, sql, &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_text(stmt, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 2, im->src.path, -1, SQLITE_STATIC);
    if (im->opts->note)
        sqlite3_bind_text(stmt, 3, im->opts->note, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(stmt, 3);
    if (sqlite3_bind_parameter_count(stmt) >= 4)
        sqlite3_bind_text(stmt, 4, gg_store_actor(im->store), -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        st = gg_store_sql_error(im->store, im->spec->layer == GG_LAYER_GRIDS ? "creating a plan"
                                                                             : "creating a catalogue version");
    sqlite3_finalize(stmt);
    if (st != GG_OK)
        return st;
    im->plan = sqlite3_last_insert_rowid(im->store->db);
    im->plan_is_new = 1;
    return GG_OK;
}

/* Decides, from the snapshot of the project, what the import replaces and
 * where its rows start, and stages what the rules must see: the plan or
 * catalogue version the rows belong to, and for --append the rows already
 * there (so that a duplicate key is found, and named as the project's). */
static gg_status begin_layer(importer *im)
{
    gg_layer layer = im->spec->layer;
    const char *table = gg_layer_table_of(layer)->table;
    char sql[256];
    gg_status st = GG_OK;
    if (layer == GG_LAYER_CATALOGUE) {
        if (im->opts->append)
            return gg_error(im->ctx, GG_ERR_ARG,
                            "each catalogue import makes a new version of the whole catalogue: --append does not apply");
        st = stage_new_plan(im, "INSERT INTO catalogue_version(version, loaded, source, note) VALUES"
                                " ((SELECT coalesce(max(version), 0) + 1 FROM main.catalogue_version), ?1, ?2, ?3)");
        if (st != GG_OK)
            return st;
        im->report->catalogue_version = im->plan;
        st = query_int64(im, "SELECT coalesce(max(level), 0) FROM main.case_level", &im->top_level);
        if (st == GG_OK)
            st = query_int64(im,
                             "SELECT coalesce(max(scope = 'community'), 0) + 2 * coalesce(max(scope = 'township'), 0)"
                             " + 4 * coalesce(max(scope = 'district'), 0) FROM main.case_level WHERE level > 0",
                             &im->level_scopes);
        if (st != GG_OK)
            return st;
    } else if (layer == GG_LAYER_GRIDS) {
        if (im->opts->append) {
            st = query_int64(im, "SELECT coalesce(max(id), 0) FROM main.plan WHERE source = 'import'"
                                 " AND state = 'draft' AND id = (SELECT max(id) FROM main.plan)",
                             &im->plan);
            if (st == GG_OK && im->plan == 0)
                st = gg_error(im->ctx, GG_ERR_ARG,
                              "grids --append adds to the newest plan when that plan was imported and is a draft "
                              "(a published plan never changes); the project has no such plan (import without "
                              "--append to create one)");
            if (st == GG_OK)
                st = gg_stage_fill(im->store, "plan", "id = ?1", im->plan, NULL);
            if (st == GG_OK)
                st = gg_stage_fill(im->store, "grid", "plan = ?1", im->plan, NULL);
            if (st != GG_OK)
                return st;
        } else {
            st = stage_new_plan(im, "INSERT INTO plan(id, created, source, note, params, made_by) VALUES"
                                    " ((SELECT coalesce(max(id), 0) + 1 FROM main.plan), ?1, 'import',"
                                    " coalesce(?3, ?2), NULL, nullif(?4, ''))");
            if (st != GG_OK)
                return st;
        }
        im->report->plan = im->plan;
    } else if (im->opts->append) {
        st = gg_stage_fill(im->store, table, NULL, 0, NULL);
        if (st != GG_OK)
            return st;
    } else if (layer != GG_LAYER_DEPT_GRIDS) {
        im->replace_all = 1;
        snprintf(sql, sizeof sql, "SELECT count(*) FROM main.%s", table);
        st = query_int64(im, sql, &im->report->replaced);
        if (st != GG_OK)
            return st;
    }
    if (im->replace_all) {
        im->next_rowid = 1;
    } else {
        snprintf(sql, sizeof sql, "SELECT coalesce(max(rowid), 0) + 1 FROM main.%s", gg_layer_table_of(layer)->rows);
        st = query_int64(im, sql, &im->next_rowid);
    }
    im->first_rowid = im->next_rowid;
    return st;
}

/* Departmental layers are replaced one department at a time: importing the
 * fire brigade's grids must not remove the environment bureau's. The
 * department's rows are counted here and removed when the import is
 * stored. */
static gg_status clear_dept(importer *im, const char *dept)
{
    if (im->opts->append)
        return GG_OK;
    for (size_t i = 0; i < im->n_replaced_depts; i++)
        if (strcmp(im->replaced_depts[i], dept) == 0)
            return GG_OK;
    gg_status st = remember(im, &im->replaced_depts, &im->n_replaced_depts,
                            &im->replaced_depts_cap, dept);
    sqlite3_stmt *stmt = NULL;
    if (st == GG_OK)
        st = gg_store_prepare(im->store, "SELECT count(*) FROM main.dept_grid WHERE dept = ?1", &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_text(stmt, 1, dept, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        im->report->replaced += sqlite3_column_int64(stmt, 0);
    else
        st = gg_store_sql_error(im->store, "replacing departmental grids");
    sqlite3_finalize(stmt);
    return st;
}

/* In the write transaction: the project's rows the import replaces
 * removed (with their spatial index entries), and the staged plan or
 * catalogue version stored. */
static gg_status replace_rows(importer *im)
{
    gg_layer layer = im->spec->layer;
    const gg_layer_table *t = gg_layer_table_of(layer);
    char sql[256];
    gg_status st = GG_OK;
    if (im->replace_all) {
        /* The spatial index is rebuilt without its old entries (finish_write). */
        snprintf(sql, sizeof sql, "DELETE FROM main.%s", t->table);
        st = gg_store_exec(im->store, sql);
    }
    for (size_t i = 0; i < im->n_replaced_depts && st == GG_OK; i++) {
        st = gg_store_exec_text(im->store,
                                "DELETE FROM main.idx_dept_grid_geom WHERE pkid IN"
                                " (SELECT fid FROM main.dept_grid WHERE dept = ?1)",
                                im->replaced_depts[i], NULL, "replacing departmental grids");
        if (st == GG_OK)
            st = gg_store_exec_text(im->store, "DELETE FROM main.dept_grid WHERE dept = ?1", im->replaced_depts[i],
                                    NULL, "replacing departmental grids");
    }
    if (st == GG_OK && im->plan_is_new)
        st = gg_stage_copy(im->store, layer == GG_LAYER_GRIDS ? "plan" : "catalogue_version", im->plan, NULL);
    return st;
}

/* ---- binding helpers ---- */

static void bind_text_or_null(sqlite3_stmt *stmt, int col, const char *text)
{
    if (text != NULL && text[0] != '\0')
        sqlite3_bind_text(stmt, col, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(stmt, col);
}

static void bind_value(sqlite3_stmt *stmt, int col, const field_value *v, field_kind kind)
{
    if (!v->present)
        sqlite3_bind_null(stmt, col);
    else if (kind == FIELD_INT)
        sqlite3_bind_int64(stmt, col, v->i);
    else if (kind == FIELD_REAL)
        sqlite3_bind_double(stmt, col, v->r);
    else
        sqlite3_bind_text(stmt, col, v->text, -1, SQLITE_TRANSIENT);
}

/* Binds the row's encoded geometry; the statement takes the BLOB over. */
static void bind_geom(importer *im, int col, feed_row *row)
{
    if (row->blob == NULL) {
        sqlite3_bind_null(im->insert, col);
        return;
    }
    sqlite3_bind_blob(im->insert, col, row->blob, row->blob_size, free);
    row->blob = NULL;
}

static void grow_extent(importer *im, const double box[4])
{
    if (!im->has_ext) {
        im->ext[0] = box[0], im->ext[1] = box[2], im->ext[2] = box[1], im->ext[3] = box[3];
        im->has_ext = 1;
        return;
    }
    im->ext[0] = fmin(im->ext[0], box[0]);
    im->ext[1] = fmin(im->ext[1], box[2]);
    im->ext[2] = fmax(im->ext[2], box[1]);
    im->ext[3] = fmax(im->ext[3], box[3]);
}

/* A point layer's feature in no community (the feed looked it up) is
 * counted and its id kept among the first few. */
static gg_status note_outside(importer *im, const feed_row *row, const char *id)
{
    if (im->feed == NULL || !gg_feed_has_communities(im->feed) || row->community != NULL)
        return GG_OK;
    gg_import_report *r = im->report;
    r->outside++;
    if (r->n_outside_ids < OUTSIDE_IDS_MAX) {
        size_t cap = r->n_outside_ids;
        gg_status st = gg_grow(im->ctx, (void **)&r->outside_ids, &cap, r->n_outside_ids + 1,
                               sizeof *r->outside_ids);
        if (st != GG_OK)
            return st;
        r->outside_ids[r->n_outside_ids] = gg_strdup(im->ctx, id);
        if (r->outside_ids[r->n_outside_ids] == NULL)
            return gg_error_nomem(im->ctx);
        r->n_outside_ids++;
    }
    return GG_OK;
}

/* ---- per-layer rules: fill the INSERT or give a reason to reject ---- */

typedef struct feature_ctx {
    int64_t fid;
    field_value *v;
    feed_row *row;
    char key[160];
    char why[512];
    int64_t households;         /* households layer: this point's count */
} feature_ctx;

static int rejectf(feature_ctx *f, const char *fmt, ...) GG_PRINTF(2, 3);
static int rejectf(feature_ctx *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->why, sizeof f->why, fmt, ap);
    va_end(ap);
    return 0;
}

/* Each rule returns 1 (bound, insert it), 0 (rejected: f->why) or -1 (a
 * failure recorded on the context). */
static int rule_divisions(importer *im, feature_ctx *f)
{
    gg_division_code code;
    field_value *v = f->v;
    if (gg_division_code_parse(im->ctx, v[0].text, &code) != GG_OK) {
        rejectf(f, "%s", gg_ctx_errmsg(im->ctx));
        gg_ctx_clear_error(im->ctx);
        return 0;
    }
    snprintf(f->key, sizeof f->key, "%s", code.code);
    const char *parent = v[2].present ? v[2].text : code.parent;
    if (v[2].present && code.parent[0] != '\0' && strcmp(v[2].text, code.parent) != 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "parent '%.40s' differs from the parent the code gives (%s); kept as given",
                 v[2].text, code.parent);
        if (issue(im, GG_ISSUE_WARNING, f->fid, f->key, msg) != GG_OK)
            return -1;
    }
    if (v[3].present && !gg_urban_rural_valid(v[3].text))
        return rejectf(f, "urban_rural '%.40s' is not one of 111, 112, 121, 122, 123, 210, 220", v[3].text);
    if (code.level == GG_LEVEL_COMMUNITY && !f->row->has_geom)
        return rejectf(f, "community %s has no geometry", code.code);
    if (code.level == GG_LEVEL_COMMUNITY && !v[3].present &&
        issue(im, GG_ISSUE_WARNING, f->fid, f->key,
              "community has no urban_rural class; partitioning will use the urban rule") != GG_OK)
        return -1;
    sqlite3_stmt *s = im->insert;
    sqlite3_bind_text(s, 2, code.code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, gg_division_level_name(code.level), -1, SQLITE_STATIC);
    bind_text_or_null(s, 4, v[1].present ? v[1].text : NULL);
    bind_text_or_null(s, 5, parent);
    bind_text_or_null(s, 6, v[3].present ? v[3].text : NULL);
    bind_geom(im, 7, f->row);
    return 1;
}

static int rule_households(importer *im, feature_ctx *f)
{
    field_value *v = f->v;
    int64_t count = v[1].present ? v[1].i : 1;
    int64_t max = im->opts->max_count > 0 ? im->opts->max_count : GG_HOUSEHOLDS_PER_POINT_MAX;
    if (count < 0)
        return rejectf(f, "count %lld is negative", (long long)count);
    if (count > max)
        return rejectf(f, "count %lld is above the %lld households one point may carry (import --max-count)",
                       (long long)count, (long long)max);
    if (v[2].present && v[2].i < 0)
        return rejectf(f, "persons %lld is negative", (long long)v[2].i);
    if (v[2].present && v[2].i > 20 * max)
        return rejectf(f, "persons %lld is above the %lld one point may carry (20 per household of import "
                          "--max-count)",
                       (long long)v[2].i, (long long)(20 * max));
    sqlite3_stmt *s = im->insert;
    sqlite3_bind_text(s, 2, f->key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, count);
    bind_value(s, 4, &v[2], FIELD_INT);
    bind_value(s, 5, &v[3], FIELD_TEXT);
    bind_text_or_null(s, 6, f->row->community);
    bind_geom(im, 7, f->row);
    f->households = count;
    return 1;
}

static int rule_lines(importer *im, feature_ctx *f)
{
    sqlite3_stmt *s = im->insert;
    sqlite3_bind_text(s, 2, f->key, -1, SQLITE_TRANSIENT);
    bind_value(s, 3, &f->v[1], FIELD_TEXT);
    bind_value(s, 4, &f->v[2], FIELD_TEXT);
    bind_geom(im, 5, f->row);
    return 1;
}

static int rule_units(importer *im, feature_ctx *f)
{
    field_value *v = f->v;
    char kind[64];
    snprintf(kind, sizeof kind, "%s", v[1].text);
    for (char *p = kind; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    int known = 0;
    for (int i = 0; known_unit_kinds[i]; i++)
        known |= strcmp(kind, known_unit_kinds[i]) == 0;
    if (!known) {
        im->unknown_total++;
        if (im->n_unknown < LISTED_CODES_MAX &&
            remember(im, &im->unknown, &im->n_unknown, &im->unknown_cap, kind) != GG_OK)
            return -1;
    }
    if (v[3].present && v[3].r < 0)
        return rejectf(f, "size %g is negative", v[3].r);
    sqlite3_stmt *s = im->insert;
    sqlite3_bind_text(s, 2, f->key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, kind, -1, SQLITE_TRANSIENT);
    bind_value(s, 4, &v[2], FIELD_TEXT);
    bind_value(s, 5, &v[3], FIELD_REAL);
    bind_text_or_null(s, 6, f->row->community);
    bind_geom(im, 7, f->row);
    return 1;
}

static int rule_workers(importer *im, feature_ctx *f)
{
    field_value *v = f->v;
    const char *role = NULL;
    char lowered[64];
    snprintf(lowered, sizeof lowered, "%s", v[2].text);
    for (char *p = lowered; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    for (size_t i = 0; i < sizeof role_names / sizeof role_names[0]; i++)
        if (strcmp(lowered, role_names[i].name) == 0)
            role = role_names[i].role;
    if (role == NULL)
        return rejectf(f, "role '%.40s' is not one of leader, fulltime, parttime, volunteer, "
                          "instructor (or 网格长, 专职网格员, 兼职网格员, 志愿者, 网格指导员)",
                       v[2].text);
    sqlite3_stmt *s = im->insert;
    sqlite3_bind_text(s, 2, f->key, -1, SQLITE_TRANSIENT);
    bind_value(s, 3, &v[1], FIELD_TEXT);
    sqlite3_bind_text(s, 4, role, -1, SQLITE_STATIC);
    bind_value(s, 5, &v[3], FIELD_TEXT);
    bind_value(s, 6, &v[4], FIELD_TEXT);
    char why[160];
    if (v[5].present && v[5].text[0] != '\0' && !gg_duty_valid(v[5].text, why, sizeof why))
        return rejectf(f, "shift: %s (e.g. mon-fri 08:30-17:30; sat 09:00-12:00)", why);
    bind_value(s, 7, &v[5], FIELD_TEXT);
    return 1;
}

static int rule_dept_grids(importer *im, feature_ctx *f)
{
    field_value *v = f->v;
    snprintf(f->key, sizeof f->key, "%.60s/%.90s", v[0].text, v[1].text);
    if (clear_dept(im, v[0].text) != GG_OK)
        return -1;
    sqlite3_stmt *s = im->insert;
    sqlite3_bind_text(s, 2, v[0].text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, v[1].text, -1, SQLITE_TRANSIENT);
    bind_value(s, 4, &v[2], FIELD_TEXT);
    bind_geom(im, 5, f->row);
    return 1;
}

static int division_exists(importer *im, const char *code)
{
    if (im->find_division == NULL &&
        gg_store_prepare(im->store, "SELECT 1 FROM division WHERE code = ?1", &im->find_division) != GG_OK)
        return -1;
    sqlite3_reset(im->find_division);
    sqlite3_bind_text(im->find_division, 1, code, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(im->find_division);
    sqlite3_reset(im->find_division);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        gg_store_sql_error(im->store, "looking up a community");
        return -1;
    }
    return rc == SQLITE_ROW;
}

static int rule_grids(importer *im, feature_ctx *f)
{
    field_value *v = f->v;
    char community[13];
    const char *code = f->key;
    gg_code_layout layout = gg_grid_code_layout(code, community);
    if (layout == GG_CODE_LAYOUT_UNKNOWN) {
        im->unknown_total++;
        if (im->n_unknown < LISTED_CODES_MAX &&
            remember(im, &im->unknown, &im->n_unknown, &im->unknown_cap, code) != GG_OK)
            return -1;
    }
    int64_t type = 0;
    if (v[1].present) {
        type = v[1].i;
        if (type < 1 || type > 9 || type == 8)
            return rejectf(f, "type %lld is not a grid type (1 comprehensive; 2-7, 9 dedicated)",
                           (long long)type);
    } else {
        type = gg_grid_code_type(code);
    }
    const char *comm = v[2].present ? v[2].text : (community[0] ? community : NULL);
    if (comm != NULL) {
        int exists = division_exists(im, comm);
        if (exists < 0)
            return -1;
        if (!exists)
            im->missing_community++;
    }
    sqlite3_stmt *s = im->insert;
    sqlite3_bind_int64(s, 2, im->plan);
    sqlite3_bind_text(s, 3, code, -1, SQLITE_TRANSIENT);
    if (type > 0)
        sqlite3_bind_int64(s, 4, type);
    else
        sqlite3_bind_null(s, 4);
    bind_text_or_null(s, 5, comm);
    bind_value(s, 6, &v[3], FIELD_TEXT);
    bind_geom(im, 7, f->row);
    if (v[4].present && v[4].i < 0)
        return rejectf(f, "households %lld is negative", (long long)v[4].i);
    if (v[5].present && v[5].i < 0)
        return rejectf(f, "persons %lld is negative", (long long)v[5].i);
    bind_value(s, 8, &v[4], FIELD_INT);
    bind_value(s, 9, &v[5], FIELD_INT);
    return 1;
}

/* A catalogue item: a code of letters, digits, '-' and '_', time limits
 * that parse ("2h", "7wd", "1wd:temporary repair|5wd:repaired"), and
 * Open311 attribute definitions that do (incident/attributes.h), stored
 * whole. */
static int rule_catalogue(importer *im, feature_ctx *f)
{
    field_value *v = f->v;
    const char *code = f->key;
    size_t n = strlen(code);
    int ok = n > 0 && n <= 32;
    for (size_t i = 0; i < n && ok; i++)
        ok = (code[i] >= '0' && code[i] <= '9') || (code[i] >= 'A' && code[i] <= 'Z') ||
             (code[i] >= 'a' && code[i] <= 'z') || code[i] == '-' || code[i] == '_';
    if (!ok)
        return rejectf(f, "item_code '%.40s' is not 1-32 letters, digits, '-' or '_'", code);
    gg_limit stages[GG_MAX_STAGES];
    char why[400];
    if (gg_limits_parse(v[7].text, stages, GG_MAX_STAGES, why, sizeof why) == 0)
        return rejectf(f, "reach_within: %s", why);
    if (gg_limits_parse(v[8].text, stages, GG_MAX_STAGES, why, sizeof why) == 0)
        return rejectf(f, "handle_within: %s", why);
    if (v[13].present && v[13].text[0] != '\0' && gg_limits_parse(v[13].text, stages, GG_MAX_STAGES, why, sizeof why) == 0)
        return rejectf(f, "close_within: %s", why);
    if (v[11].present && v[11].text[0] != '\0' && strcmp(v[11].text, "grid") != 0 &&
        strcmp(v[11].text, "department") != 0) {
        const char *to = strncmp(v[11].text, "level:", 6) == 0 ? v[11].text + 6 : NULL;
        int number = to != NULL && to[0] >= '1' && to[0] <= '7' && to[1] == '\0';
        int scope = to != NULL && (strcmp(to, "community") == 0 || strcmp(to, "township") == 0 ||
                                   strcmp(to, "district") == 0);
        if (!number && !scope)
            return rejectf(f,
                           "route '%.40s' is not grid, department, level:N (N from 1 to 7) or level:community,"
                           " township or district",
                           v[11].text);
        int found = number ? to[0] - '0' <= im->top_level
                           : (im->level_scopes & (to[0] == 'c' ? 1 : to[0] == 't' ? 2 : 4)) != 0;
        if (!found)
            return rejectf(f, "route '%s': the project has no such escalation level (govgrid import PROJECT levels"
                              " FILE.csv sets them)",
                           v[11].text);
    }
    if (v[14].present && !(v[14].r > 0 && v[14].r <= 1))
        return rejectf(f, "warn_at %g is not a share of the time from 0 (excluded) to 1", v[14].r);
    char *attributes = NULL;
    if (v[10].present && !gg_attributes_normalise(v[10].text, &attributes, why, sizeof why))
        return rejectf(f, "%s", why);
    sqlite3_stmt *s = im->insert;
    sqlite3_bind_int64(s, 2, im->plan);
    sqlite3_bind_text(s, 3, code, -1, SQLITE_TRANSIENT);
    for (int k = 1; k < 10; k++)
        bind_value(s, 3 + k, &v[k], FIELD_TEXT);
    if (attributes != NULL)
        sqlite3_bind_text(s, 13, attributes, -1, free);
    else
        sqlite3_bind_null(s, 13);
    for (int k = 11; k < 14; k++)
        bind_value(s, 3 + k, &v[k], FIELD_TEXT);
    bind_value(s, 17, &v[14], FIELD_REAL);
    return 1;
}

static int apply_rule(importer *im, feature_ctx *f)
{
    switch (im->spec->layer) {
    case GG_LAYER_DIVISIONS: return rule_divisions(im, f);
    case GG_LAYER_HOUSEHOLDS: return rule_households(im, f);
    case GG_LAYER_ROADS:
    case GG_LAYER_WATERWAYS: return rule_lines(im, f);
    case GG_LAYER_UNITS: return rule_units(im, f);
    case GG_LAYER_WORKERS: return rule_workers(im, f);
    case GG_LAYER_DEPT_GRIDS: return rule_dept_grids(im, f);
    case GG_LAYER_GRIDS: return rule_grids(im, f);
    case GG_LAYER_CATALOGUE: return rule_catalogue(im, f);
    case GG_LAYER_COUNT: break;
    }
    return -1;
}

/* A UNIQUE violation: name the feature that holds the key already. */
static gg_status describe_duplicate(importer *im, feature_ctx *f, const field_value *v)
{
    sqlite3_stmt *q = im->find_dup;
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    gg_layer layer = im->spec->layer;
    if (layer == GG_LAYER_DEPT_GRIDS) {
        sqlite3_bind_text(q, 1, v[0].text, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 2, v[1].text, -1, SQLITE_TRANSIENT);
    } else if (layer == GG_LAYER_GRIDS || layer == GG_LAYER_CATALOGUE) {
        sqlite3_bind_int64(q, 1, im->plan);
        sqlite3_bind_text(q, 2, f->key, -1, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_text(q, 1, f->key, -1, SQLITE_TRANSIENT);
    }
    int64_t rowid = 0;
    if (sqlite3_step(q) == SQLITE_ROW)
        rowid = sqlite3_column_int64(q, 0);
    sqlite3_reset(q);
    const char *what = im->spec->key;
    if (rowid >= im->first_rowid && rowid < im->next_rowid) {
        int64_t earlier = im->row_fids[rowid - im->first_rowid];
        if (im->src.is_csv)
            snprintf(f->why, sizeof f->why, "duplicate %s '%s': line %lld has it already", what,
                     f->key, (long long)csv_line(im, earlier));
        else
            snprintf(f->why, sizeof f->why, "duplicate %s '%s': feature %lld has it already", what,
                     f->key, (long long)earlier);
    } else {
        snprintf(f->why, sizeof f->why,
                 "duplicate %s '%s': the project has it already (import without --append to "
                 "replace the layer)",
                 what, f->key);
    }
    return GG_OK;
}

/* Inserts the bound row. Returns 1 inserted, 0 rejected as a duplicate,
 * -1 on failure. */
static int insert_row(importer *im, feature_ctx *f)
{
    sqlite3_bind_int64(im->insert, 1, im->next_rowid);
    int rc = sqlite3_step(im->insert);
    sqlite3_reset(im->insert);
    sqlite3_clear_bindings(im->insert);
    if (rc == SQLITE_DONE && f->row->has_geom &&
        gg_rtree_entries_add(im->ctx, &im->boxes, im->next_rowid, f->row->box) != GG_OK)
        return -1;
    if (rc == SQLITE_DONE) {
        size_t need = (size_t)(im->next_rowid - im->first_rowid) + 1;
        if (gg_grow(im->ctx, (void **)&im->row_fids, &im->row_fids_cap, need, sizeof *im->row_fids) != GG_OK)
            return -1;
        im->row_fids[need - 1] = f->fid;
        im->next_rowid++;
        return 1;
    }
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        describe_duplicate(im, f, f->v);
        return 0;
    }
    gg_store_sql_error(im->store, "inserting a feature");
    return -1;
}

/* ---- after the loop ---- */

/* Data that lies wholly outside the project's communities but would lie
 * inside with x and y exchanged was almost certainly read with longitude
 * and latitude swapped. */
static gg_status check_swapped(importer *im)
{
    if (!im->has_ext || !im->src.geographic || im->spec->layer == GG_LAYER_DIVISIONS)
        return GG_OK;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(im->store,
                                    "SELECT min(MbrMinX(geom)), min(MbrMinY(geom)), max(MbrMaxX(geom)),"
                                    " max(MbrMaxY(geom)), count(geom) FROM division WHERE level = 'community'",
                                    &stmt);
    if (st != GG_OK)
        return st;
    double c[4] = {0};
    int have = 0;
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_int64(stmt, 4) > 0) {
        for (int i = 0; i < 4; i++)
            c[i] = sqlite3_column_double(stmt, i);
        have = 1;
    }
    sqlite3_finalize(stmt);
    if (!have)
        return GG_OK;
    const double *e = im->ext;
    int overlaps = e[0] <= c[2] && e[2] >= c[0] && e[1] <= c[3] && e[3] >= c[1];
    int swapped_overlaps = e[1] <= c[2] && e[3] >= c[0] && e[0] <= c[3] && e[2] >= c[1];
    if (overlaps || !swapped_overlaps)
        return GG_OK;
    return gg_error(im->ctx, GG_ERR_CRS,
                    "%s: layer '%s': the data (lon %.6f..%.6f, lat %.6f..%.6f) lies outside the "
                    "project's communities (lon %.6f..%.6f, lat %.6f..%.6f) but would lie inside with "
                    "longitude and latitude swapped: check which column is which (--oo "
                    "X_POSSIBLE_NAMES=... --oo Y_POSSIBLE_NAMES=...) or the CRS",
                    im->src.path, im->src.layer_name, e[0], e[2], e[1], e[3], c[0], c[2], c[1], c[3]);
}

/* Re-imported divisions move boundaries: the household and unit points
 * already in the project are assigned to the communities anew. The new
 * communities are those of the staged division table (what the project
 * will hold); the points whose community changes are staged in
 * temp.gg_reassign_<table> and updated when the import is stored. */
static const char *const reassigned_tables[] = {"household", "unit"};

static gg_status reassign_communities(importer *im)
{
    gg_community_index *index = NULL;
    gg_status st = gg_community_index_new(im->ctx, im->store, &index);
    if (st != GG_OK)
        return st;
    im->reassigned = 1;
    for (int t = 0; t < 2 && st == GG_OK; t++) {
        char sql[256];
        sqlite3_stmt *read = NULL, *stage = NULL;
        snprintf(sql, sizeof sql, "CREATE TEMP TABLE gg_reassign_%s(fid INTEGER PRIMARY KEY, community TEXT)",
                 reassigned_tables[t]);
        st = gg_store_exec(im->store, sql);
        snprintf(sql, sizeof sql,
                 "SELECT fid, X(PointOnSurface(geom)), Y(PointOnSurface(geom)), community FROM main.%s",
                 reassigned_tables[t]);
        if (t == 0)
            snprintf(sql, sizeof sql, "SELECT fid, X(geom), Y(geom), community FROM main.%s", reassigned_tables[t]);
        if (st == GG_OK)
            st = gg_store_prepare(im->store, sql, &read);
        snprintf(sql, sizeof sql, "INSERT INTO temp.gg_reassign_%s(fid, community) VALUES (?2, ?1)",
                 reassigned_tables[t]);
        if (st == GG_OK)
            st = gg_store_prepare(im->store, sql, &stage);
        int64_t outside = 0;
        int rc = SQLITE_DONE;
        while (st == GG_OK && (rc = sqlite3_step(read)) == SQLITE_ROW) {
            const char *code = NULL;
            if (index != NULL && sqlite3_column_type(read, 1) != SQLITE_NULL)
                code = gg_community_index_find(index, sqlite3_column_double(read, 1),
                                               sqlite3_column_double(read, 2));
            outside += code == NULL;
            const char *was = (const char *)sqlite3_column_text(read, 3);
            if (code == NULL ? was == NULL : (was != NULL && strcmp(code, was) == 0))
                continue;
            bind_text_or_null(stage, 1, code);
            sqlite3_bind_int64(stage, 2, sqlite3_column_int64(read, 0));
            if (sqlite3_step(stage) != SQLITE_DONE)
                st = gg_store_sql_error(im->store, "assigning communities");
            sqlite3_reset(stage);
        }
        if (st == GG_OK && rc != SQLITE_DONE)
            st = gg_store_sql_error(im->store, "assigning communities");
        sqlite3_finalize(read);
        sqlite3_finalize(stage);
        if (st == GG_OK && outside > 0) {
            char msg[200];
            snprintf(msg, sizeof msg, "%lld %s point(s) already in the project lie in no community",
                     (long long)outside, t == 0 ? "household" : "unit");
            st = issue(im, GG_ISSUE_WARNING, -1, NULL, msg);
        }
    }
    gg_community_index_free(index);
    return st;
}

/* In the write transaction: the staged community changes applied, the
 * tables' SpatiaLite triggers suspended meanwhile (the geometry does not
 * change). */
static gg_status store_reassigned(importer *im)
{
    gg_status st = GG_OK;
    for (int t = 0; t < 2 && st == GG_OK && im->reassigned; t++) {
        gg_saved_triggers saved;
        st = gg_store_suspend_triggers(im->store, reassigned_tables[t], &saved);
        if (st != GG_OK)
            break;
        char sql[256];
        snprintf(sql, sizeof sql,
                 "UPDATE main.%s SET community = r.community FROM temp.gg_reassign_%s AS r WHERE %s.fid = r.fid",
                 reassigned_tables[t], reassigned_tables[t], reassigned_tables[t]);
        st = gg_store_exec(im->store, sql);
        if (st == GG_OK)
            st = gg_store_restore_triggers(im->store, &saved);
        else
            gg_saved_triggers_free(im->store, &saved);
    }
    return st;
}

static void drop_reassigned(importer *im)
{
    if (!im->reassigned)
        return;
    for (int t = 0; t < 2; t++) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS temp.gg_reassign_%s", reassigned_tables[t]);
        sqlite3_exec(im->store->db, sql, NULL, NULL, NULL);
    }
}

static gg_status list_warning(importer *im, const char *what)
{
    if (im->unknown_total == 0)
        return GG_OK;
    char msg[900];
    int n = snprintf(msg, sizeof msg, "%lld %s: ", (long long)im->unknown_total, what);
    for (size_t i = 0; i < im->n_unknown && n > 0 && (size_t)n < sizeof msg; i++)
        n += snprintf(msg + n, sizeof msg - (size_t)n, "%s%s", i ? ", " : "", im->unknown[i]);
    if (im->unknown_total > (int64_t)im->n_unknown && n > 0 && (size_t)n < sizeof msg)
        snprintf(msg + n, sizeof msg - (size_t)n, ", ...");
    return issue(im, GG_ISSUE_WARNING, -1, NULL, msg);
}

/* An imported plan's grids get the households and persons of the points
 * their polygons hold, by the rule of locate, where the source gave none;
 * counts the source gave are kept, and those that differ from the points
 * are named in a warning (govgrid check lists them). */
static gg_status count_grid_households(importer *im)
{
    gg_plan_counts counts;
    gg_status st = gg_plan_count_households(im->ctx, im->store, im->report->plan, 1, &counts);
    char msg[256];
    if (st == GG_ERR_GEOMETRY || st == GG_ERR_INVALID_INPUT) {
        snprintf(msg, sizeof msg, "households not counted into the grids: %s", gg_ctx_errmsg(im->ctx));
        gg_ctx_clear_error(im->ctx);
        return issue(im, GG_ISSUE_WARNING, -1, NULL, msg);
    }
    if (st != GG_OK)
        return st;
    if (counts.disagree > 0) {
        snprintf(msg, sizeof msg,
                 "%lld grid(s) carry household counts that differ from the household points their polygons hold"
                 " (kept as given; 'govgrid check' lists them)",
                 (long long)counts.disagree);
        st = issue(im, GG_ISSUE_WARNING, -1, NULL, msg);
    }
    if (st == GG_OK && counts.points_outside > 0) {
        snprintf(msg, sizeof msg, "%lld household point(s) (%lld households) lie in no grid of plan %lld",
                 (long long)counts.points_outside, (long long)counts.households_outside,
                 (long long)im->report->plan);
        st = issue(im, GG_ISSUE_WARNING, -1, NULL, msg);
    }
    return st;
}

/* After the loop, still against the snapshot: the checks and warnings
 * over the whole layer, the households counted into an imported plan's
 * staged grids, the communities of the points already in the project
 * worked out anew after divisions. */
static gg_status finish_read(importer *im)
{
    gg_status st = check_swapped(im);
    if (st == GG_OK && im->spec->layer == GG_LAYER_GRIDS) {
        st = list_warning(im, "grid code(s) match no known layout (16-digit unified, 15-digit "
                              "DB11/T 2157, 20-digit CJ/T 349); kept as given");
        if (st == GG_OK && im->missing_community > 0) {
            char msg[160];
            snprintf(msg, sizeof msg, "%lld grid(s) name a community that is not in the project",
                     (long long)im->missing_community);
            st = issue(im, GG_ISSUE_WARNING, -1, NULL, msg);
        }
        if (st == GG_OK && im->report->plan > 0)
            st = count_grid_households(im);
    }
    if (st == GG_OK && im->spec->layer == GG_LAYER_UNITS)
        st = list_warning(im, "unit(s) of a kind govgrid does not know (known: government, "
                              "industrial, enterprise, school, hospital, office, market, scenic, "
                              "institution, other); kept, but no dedicated grid rule applies");
    if (st == GG_OK && im->spec->layer == GG_LAYER_DIVISIONS && im->report->imported > 0)
        st = reassign_communities(im);
    if (st == GG_OK && im->report->outside > 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "%lld feature(s) lie in no community", (long long)im->report->outside);
        st = issue(im, GG_ISSUE_WARNING, -1, NULL, msg);
    }
    return st;
}

/* grids --append: the plan's grids that were there before and had no
 * counts got them in the staging table (counted with the new grids);
 * stored in the write transaction. */
static gg_status store_appended_counts(importer *im)
{
    if (im->spec->layer != GG_LAYER_GRIDS || im->plan_is_new)
        return GG_OK;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(im->store,
                                    "UPDATE main.grid SET households = s.households, persons = s.persons"
                                    " FROM temp.grid AS s WHERE grid.fid = s.fid AND s.fid < ?1"
                                    " AND grid.households IS NULL AND s.households IS NOT NULL",
                                    &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, im->first_rowid);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        st = gg_store_sql_error(im->store, "storing grid household counts");
    sqlite3_finalize(stmt);
    return st;
}

/* In the write transaction, once the staged tables are gone: the log
 * entry, the spatial index and SpatiaLite's bookkeeping. */
static gg_status finish_write(importer *im)
{
    sqlite3_stmt *log = NULL;
    gg_status st = gg_store_prepare(im->store,
                          "INSERT INTO import_log(at, layer, source, src_layer, mode, features_read,"
                          " imported, repaired, rejected, plan) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                          &log);
    if (st != GG_OK)
        return st;
    char now[32];
    gg_utc_now(now, sizeof now);
    gg_import_report *r = im->report;
    sqlite3_bind_text(log, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(log, 2, r->layer, -1, SQLITE_STATIC);
    sqlite3_bind_text(log, 3, r->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(log, 4, r->src_layer, -1, SQLITE_STATIC);
    sqlite3_bind_text(log, 5, im->opts->append ? "append" : "replace", -1, SQLITE_STATIC);
    sqlite3_bind_int64(log, 6, r->read);
    sqlite3_bind_int64(log, 7, r->imported);
    sqlite3_bind_int64(log, 8, r->repaired);
    sqlite3_bind_int64(log, 9, r->rejected);
    if (r->plan)
        sqlite3_bind_int64(log, 10, r->plan);
    else
        sqlite3_bind_null(log, 10);
    if (sqlite3_step(log) != SQLITE_DONE)
        st = gg_store_sql_error(im->store, "logging the import");
    sqlite3_finalize(log);
    const gg_layer_table *t = gg_layer_table_of(im->spec->layer);
    if (st == GG_OK && t->geom_type != NULL) {
        char rtree[64];
        snprintf(rtree, sizeof rtree, "idx_%s_geom", t->rows);
        st = gg_rtree_rebuild(im->store, rtree, &im->boxes, !im->replace_all);
    }
    if (st == GG_OK && t->geom_type != NULL) {
        /* What SpatiaLite's per-row bookkeeping triggers would have said. */
        char *sql = sqlite3_mprintf(
            "UPDATE geometry_columns_time SET last_insert = strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', 'now')%s"
            " WHERE Lower(f_table_name) = Lower('%q') AND Lower(f_geometry_column) = 'geom'",
            r->replaced > 0 ? ", last_delete = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')" : "", t->rows);
        st = sql ? gg_store_exec(im->store, sql) : gg_error_nomem(im->ctx);
        sqlite3_free(sql);
    }
    return st;
}

/* ---- the loop ---- */

/* Checks one prepared row against the layer's rules and writes it, or
 * records why not. */
static gg_status consume_row(importer *im, feed_row *row)
{
    gg_ctx *ctx = im->ctx;
    const layer_spec *spec = im->spec;
    feature_ctx f;
    f.fid = row->fid;
    f.v = row->values;
    f.row = row;
    f.households = 0;
    f.why[0] = '\0';
    f.key[0] = '\0';
    size_t key_index = 0;
    while (strcmp(spec->fields[key_index].name, spec->key) != 0)
        key_index++;
    if (row->values[key_index].present) {
        size_t len = strlen(row->values[key_index].text);
        if (len >= sizeof f.key)
            len = sizeof f.key - 1;
        memcpy(f.key, row->values[key_index].text, len);
        f.key[len] = '\0';
    }
    im->report->read++;
    int result;
    if (row->rejected) {
        snprintf(f.why, sizeof f.why, "%s", row->why ? row->why : "rejected");
        result = 0;
    } else {
        result = apply_rule(im, &f);
        if (result == 1)
            result = insert_row(im, &f);
    }
    const char *key = f.key[0] ? f.key : NULL;
    gg_status st = GG_OK;
    if (result == 1) {
        im->report->imported++;
        im->report->households += f.households;
        if (row->repair != NULL)
            st = issue(im, GG_ISSUE_REPAIRED, f.fid, key, row->repair);
        if (st == GG_OK && row->has_geom)
            grow_extent(im, row->box);
        if (st == GG_OK && (spec->layer == GG_LAYER_HOUSEHOLDS || spec->layer == GG_LAYER_UNITS))
            st = note_outside(im, row, f.key);
    } else if (result == 0) {
        sqlite3_reset(im->insert);
        sqlite3_clear_bindings(im->insert);
        st = issue(im, GG_ISSUE_REJECTED, f.fid, key, f.why);
    } else {
        sqlite3_reset(im->insert);
        sqlite3_clear_bindings(im->insert);
        st = ctx->errcode != GG_OK ? ctx->errcode : gg_error(ctx, GG_ERR_INTERNAL, "import failed");
    }
    return st;
}

static gg_status read_features(importer *im)
{
    gg_ctx *ctx = im->ctx;
    char stage[64];
    snprintf(stage, sizeof stage, "import %s", gg_layer_name(im->spec->layer));
    uint64_t total_known = im->total_features > 0 ? (uint64_t)im->total_features : 0;
    gg_status st = GG_OK;
    int64_t next_progress = PROGRESS_EVERY;
    for (;;) {
        feed_batch *batch = NULL;
        feed_row *rows = NULL;
        size_t n = 0;
        st = gg_feed_next(im->feed, &batch, &rows, &n);
        if (st != GG_OK || batch == NULL)
            break;
        for (size_t i = 0; i < n && st == GG_OK; i++)
            st = consume_row(im, &rows[i]);
        gg_feed_release(im->feed, batch);
        if (st == GG_OK && im->report->read >= next_progress) {
            next_progress = im->report->read + PROGRESS_EVERY;
            st = gg_progress(ctx, stage, (uint64_t)im->report->read, total_known);
        }
        if (st != GG_OK)
            break;
    }
    if (st == GG_OK)
        st = gg_progress(ctx, stage, (uint64_t)im->report->read, (uint64_t)im->report->read);
    return st;
}

static gg_status fill_report_header(importer *im, const char *source)
{
    gg_ctx *ctx = im->ctx;
    gg_import_report *r = im->report;
    gg_status st = gg_report_set(ctx, &r->layer, gg_layer_name(im->spec->layer));
    if (st == GG_OK)
        st = gg_report_set(ctx, &r->source, source);
    return st;
}

static gg_status fill_report_source(importer *im)
{
    gg_ctx *ctx = im->ctx;
    gg_import_report *r = im->report;
    gg_status st = gg_report_set(ctx, &r->src_layer, im->src.layer_name);
    if (st == GG_OK)
        st = gg_report_set(ctx, &r->driver, im->src.driver);
    if (st == GG_OK)
        st = gg_report_set(ctx, &r->source_crs, im->src.crs_text);
    return st;
}

/* The error message when features were rejected: the first one in full,
 * with the count of the others. */
static gg_status rejected_error(importer *im)
{
    gg_import_report *r = im->report;
    for (size_t i = 0; i < r->n_issues; i++) {
        if (r->issues[i].kind != GG_ISSUE_REJECTED)
            continue;
        char where[512];
        gg_import_issue_where(r, &r->issues[i], where, sizeof where);
        if (r->rejected > 1)
            return gg_error(im->ctx, GG_ERR_INVALID_INPUT,
                            "%s: %s (and %lld more feature(s) rejected); nothing was imported",
                            where, r->issues[i].message, (long long)(r->rejected - 1));
        return gg_error(im->ctx, GG_ERR_INVALID_INPUT, "%s: %s; nothing was imported", where,
                        r->issues[i].message);
    }
    return gg_error(im->ctx, GG_ERR_INVALID_INPUT, "%lld feature(s) rejected; nothing was imported",
                    (long long)r->rejected);
}

/* The change counters of what the import wrote: its table, the plan of
 * an imported plan, and after divisions the points' communities. */
static gg_status bump_changes(importer *im)
{
    const char *tables[3];
    size_t n = layer_staged(im->spec->layer, tables);
    if (im->reassigned) {
        tables[n++] = "household";
        tables[n++] = "unit";
    }
    return gg_store_changes_bump(im->store, tables, n);
}

gg_status gg_import(gg_ctx *ctx, gg_store *store, gg_layer layer, const char *source,
                    const gg_import_options *opts, gg_import_report **out)
{
    if (ctx == NULL)
        return GG_ERR_ARG;
    if (out != NULL)
        *out = NULL;
    if (store == NULL || source == NULL || opts == NULL || out == NULL)
        return gg_error(ctx, GG_ERR_ARG, "gg_import: NULL argument");
    const layer_spec *spec = gg_layer_spec(layer);
    if (spec == NULL)
        return gg_error(ctx, GG_ERR_ARG, "gg_import: layer %d out of range", (int)layer);
    if (!store->writable)
        return gg_error(ctx, GG_ERR_ARG, "%s: opened read-only", store->path);
    gg_ctx_clear_error(ctx);

    importer im;
    memset(&im, 0, sizeof im);
    im.ctx = ctx;
    im.store = store;
    im.spec = spec;
    im.opts = opts;
    im.report = gg_calloc(ctx, 1, sizeof *im.report);
    if (im.report == NULL)
        return gg_error_nomem(ctx);

    gg_gdal_enter(ctx);
    gg_status st = fill_report_header(&im, source);
    if (st == GG_OK)
        st = gg_source_open(ctx, source, spec, opts, &im.src, im.report);
    if (st == GG_OK)
        st = fill_report_source(&im);
    if (st == GG_OK)
        st = gg_bindings_resolve(ctx, &im.src, spec, opts, im.bindings);
    /* Read and check everything against one snapshot, into the staged
     * table, with no write lock held. */
    const char *inputs[4], *staged[2];
    size_t n_inputs = layer_inputs(layer, inputs), n_staged = layer_staged(layer, staged);
    int64_t stamp = 0;
    int staging = 0;
    if (st == GG_OK)
        st = gg_store_changes(store, inputs, n_inputs, &stamp);
    if (st == GG_OK) {
        st = gg_stage_create(store, staged, n_staged);
        staging = st == GG_OK;
    }
    if (st == GG_OK)
        st = gg_store_begin_snapshot(store);
    if (st == GG_OK)
        st = begin_layer(&im);
    if (st == GG_OK)
        st = prepare_statements(&im);
    if (st == GG_OK) {
        int locate = layer == GG_LAYER_HOUSEHOLDS || layer == GG_LAYER_UNITS;
        im.total_features = OGR_L_GetFeatureCount(im.src.layer, FALSE);
        st = gg_feed_start(ctx, store, &im.src, spec, im.bindings, locate, opts->jobs > 1, &im.feed);
        if (st == GG_OK)
            im.report->communities_known = locate && gg_feed_has_communities(im.feed);
    }
    if (st == GG_OK)
        st = read_features(&im);
    if (st == GG_OK && im.report->rejected > 0 && !opts->skip_invalid)
        st = rejected_error(&im);
    sqlite3_finalize(im.insert);
    sqlite3_finalize(im.find_dup);
    sqlite3_finalize(im.find_division);
    im.find_division = NULL;
    im.insert = im.find_dup = NULL;
    if (st == GG_OK)
        st = finish_read(&im);
    if (st == GG_OK)
        st = gg_store_commit(store); /* the snapshot ends; the staged rows stay */
    /* Stored in one write transaction, if what was read is unchanged. */
    if (st == GG_OK)
        st = gg_store_begin_unchanged(store, inputs, n_inputs, stamp, "the import");
    if (st == GG_OK) {
        st = gg_store_suspend_triggers(store, gg_layer_table_of(layer)->rows, &im.triggers);
        im.triggers_suspended = st == GG_OK;
    }
    if (st == GG_OK)
        st = replace_rows(&im);
    if (st == GG_OK)
        st = gg_stage_copy(store, staged[n_staged - 1], im.first_rowid, NULL);
    if (st == GG_OK)
        st = store_appended_counts(&im);
    if (st == GG_OK)
        st = store_reassigned(&im);
    if (st == GG_OK) {
        /* Unqualified names mean the project's tables again (the triggers
         * restored below are created on the table their SQL names). */
        gg_stage_drop(store, staged, n_staged);
        drop_reassigned(&im);
    }
    if (st == GG_OK)
        st = finish_write(&im);
    if (im.triggers_suspended) {
        if (st == GG_OK)
            st = gg_store_restore_triggers(store, &im.triggers);
        else
            gg_saved_triggers_free(store, &im.triggers); /* the rollback restores them */
    }
    if (st == GG_OK)
        st = bump_changes(&im);
    if (st == GG_OK)
        st = gg_store_commit(store);
    if (st != GG_OK)
        gg_store_rollback(store);
    if (staging) {
        gg_stage_drop(store, staged, n_staged);
        drop_reassigned(&im);
    }
    if (st != GG_OK) {
        im.report->imported = 0;
        im.report->households = 0;
        im.report->replaced = 0;
        im.report->plan = 0;
    }
    gg_feed_free(im.feed);
    gg_source_close(&im.src);
    gg_gdal_leave(ctx);
    gg_free(ctx, im.row_fids);
    gg_rtree_entries_free(ctx, &im.boxes);
    free_list(ctx, im.replaced_depts, im.n_replaced_depts);
    free_list(ctx, im.unknown, im.n_unknown);
    *out = im.report;
    return st;
}
