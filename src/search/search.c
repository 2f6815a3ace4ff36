/* gg_search: the place index behind a search box (include/govgrid/search.h).
 *
 * Rows are read from the project with SpatiaLite (a point on the surface
 * of each polygon, the middle of a road's first line, the bounding box)
 * and written to an in-memory SQLite database: a table "item" and an
 * external-content FTS5 table over its name and code with the trigram
 * tokenizer. The store is read once; queries never touch it. */
#include "core/ctx.h"
#include "govgrid/geo.h"
#include "govgrid/search.h"
#include "store/store.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct gg_search {
    gg_ctx *ctx;
    const gg_locator *loc;
    sqlite3 *db;
    sqlite3_stmt *insert;
    pthread_mutex_t lock;       /* one query at a time on db */
    size_t entries;
    int64_t short_last_id;      /* the last row a 1-2 character query scans: every one before the addresses */
};

static const char *const kind_names[] = {"grid", "community", "township", "county", "poi", "road", "address",
                                         "coordinate"};

const char *gg_search_kind_name(gg_search_kind kind)
{
    return (unsigned)kind < sizeof kind_names / sizeof kind_names[0] ? kind_names[kind] : NULL;
}

static gg_status index_error(gg_search *s, const char *what)
{
    return gg_error(s->ctx, GG_ERR_STORE, "search index: %s: %s", what, sqlite3_errmsg(s->db));
}

/* Each source: the kind of its rows (NULL level column) or the level
 * column mapped to a kind; columns: name, code, lon, lat, west, south,
 * east, north (any may be NULL). */
typedef struct source {
    const char *what;
    int kind;                   /* -1: from the level in column 8 */
    const char *sql;            /* ?1: the plan */
} source;

static const source sources[] = {
    {"grids", GG_SEARCH_GRID,
     "SELECT name, code, X(p), Y(p), MbrMinX(geom), MbrMinY(geom), MbrMaxX(geom), MbrMaxY(geom) FROM"
     " (SELECT name, code, geom, PointOnSurface(geom) AS p FROM grid WHERE plan = ?1)"},
    {"divisions", -1,
     "SELECT name, code, X(p), Y(p), MbrMinX(geom), MbrMinY(geom), MbrMaxX(geom), MbrMaxY(geom), level FROM"
     " (SELECT name, code, level, geom, PointOnSurface(geom) AS p FROM division)"},
    {"units", GG_SEARCH_POI,
     "SELECT name, NULL, X(p), Y(p), MbrMinX(geom), MbrMinY(geom), MbrMaxX(geom), MbrMaxY(geom) FROM"
     " (SELECT name, geom, PointOnSurface(geom) AS p FROM unit WHERE name IS NOT NULL AND name <> '')"},
    /* A road is often many rows of one name: one entry per name, its box
     * over all of them and its point the middle of the first line. */
    {"roads", GG_SEARCH_ROAD,
     "SELECT r.name, NULL, X(p), Y(p), b.w, b.s, b.e, b.n FROM"
     " (SELECT name, min(fid) AS fid, min(MbrMinX(geom)) AS w, min(MbrMinY(geom)) AS s,"
     "  max(MbrMaxX(geom)) AS e, max(MbrMaxY(geom)) AS n FROM road WHERE name IS NOT NULL AND name <> ''"
     "  GROUP BY name) b JOIN (SELECT fid, name,"
     "  coalesce(Line_Interpolate_Point(GeometryN(geom, 1), 0.5), PointOnSurface(geom)) AS p FROM road) r"
     " ON r.fid = b.fid"},
    /* Distinct addresses, each at the household that holds it first; last,
     * so that the rows before them are the short queries' small table. */
    {"addresses", GG_SEARCH_ADDRESS,
     "SELECT address, NULL, X(geom), Y(geom), NULL, NULL, NULL, NULL FROM household WHERE fid IN"
     " (SELECT min(fid) FROM household WHERE address IS NOT NULL AND address <> '' GROUP BY address)"},
};

static int level_kind(const char *level)
{
    if (level == NULL)
        return -1;
    if (strcmp(level, "community") == 0)
        return GG_SEARCH_COMMUNITY;
    if (strcmp(level, "township") == 0)
        return GG_SEARCH_TOWNSHIP;
    if (strcmp(level, "county") == 0)
        return GG_SEARCH_COUNTY;
    return -1;
}

static void bind_or_null(sqlite3_stmt *in, int slot, sqlite3_stmt *from, int col)
{
    if (sqlite3_column_type(from, col) == SQLITE_NULL)
        sqlite3_bind_null(in, slot);
    else
        sqlite3_bind_value(in, slot, sqlite3_column_value(from, col));
}

static gg_status load_source(gg_search *s, gg_store *store, int64_t plan, const source *src)
{
    sqlite3_stmt *q = NULL;
    gg_status st = gg_store_prepare(store, src->sql, &q);
    if (st != GG_OK)
        return st;
    if (sqlite3_bind_parameter_count(q) >= 1)
        sqlite3_bind_int64(q, 1, plan);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        int kind = src->kind >= 0 ? src->kind : level_kind((const char *)sqlite3_column_text(q, 8));
        const char *name = (const char *)sqlite3_column_text(q, 0);
        const char *code = (const char *)sqlite3_column_text(q, 1);
        if (kind < 0 || ((name == NULL || !name[0]) && (code == NULL || !code[0])))
            continue;
        sqlite3_stmt *in = s->insert;
        sqlite3_reset(in);
        sqlite3_bind_int(in, 1, kind);
        for (int k = 0; k < 8; k++)
            bind_or_null(in, 2 + k, q, k);
        if (sqlite3_step(in) != SQLITE_DONE) {
            sqlite3_finalize(q);
            return index_error(s, src->what);
        }
        s->entries++;
    }
    if (rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading the places to search");
    sqlite3_finalize(q);
    return st;
}

static gg_status build(gg_search *s, gg_store *store)
{
    if (sqlite3_open_v2(":memory:", &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
        return s->db ? index_error(s, "opening") : gg_error_nomem(s->ctx);
    /* tail: a grid code's last 4 digits, the part people say aloud. */
    if (sqlite3_exec(s->db,
                     "CREATE TABLE item(id INTEGER PRIMARY KEY, kind INTEGER NOT NULL, name TEXT, code TEXT,"
                     " lon REAL, lat REAL, w REAL, s REAL, e REAL, n REAL,"
                     " tail TEXT GENERATED ALWAYS AS (CASE WHEN kind = 0 THEN substr(code, -4) END) STORED);"
                     "CREATE VIRTUAL TABLE item_fts USING fts5(name, code, content='item', content_rowid='id',"
                     " tokenize='trigram');",
                     NULL, NULL, NULL) != SQLITE_OK)
        return index_error(s, "creating the tables (does this SQLite have FTS5 and its trigram tokenizer?)");
    if (sqlite3_prepare_v2(s->db, "INSERT INTO item(kind, name, code, lon, lat, w, s, e, n) VALUES (?1, ?2, ?3,"
                                  " ?4, ?5, ?6, ?7, ?8, ?9)",
                           -1, &s->insert, NULL) != SQLITE_OK)
        return index_error(s, "preparing");
    if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return index_error(s, "beginning");
    gg_status st = GG_OK;
    int64_t plan = gg_locator_plan(s->loc);
    for (size_t i = 0; i < sizeof sources / sizeof sources[0] && st == GG_OK; i++) {
        if (sources[i].kind == GG_SEARCH_ADDRESS)
            s->short_last_id = (int64_t)s->entries;
        st = load_source(s, store, plan, &sources[i]);
    }
    sqlite3_finalize(s->insert);
    s->insert = NULL;
    if (st != GG_OK)
        return st;
    if (sqlite3_exec(s->db,
                     "INSERT INTO item_fts(item_fts) VALUES('rebuild');"
                     "CREATE INDEX item_code ON item(code); CREATE INDEX item_tail ON item(tail);"
                     "COMMIT",
                     NULL, NULL, NULL) != SQLITE_OK)
        return index_error(s, "indexing");
    return GG_OK;
}

gg_status gg_search_new(gg_ctx *ctx, gg_store *store, const gg_locator *loc, gg_search **out)
{
    if (ctx == NULL || store == NULL || loc == NULL || out == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_search_new: NULL argument") : GG_ERR_ARG;
    *out = NULL;
    gg_search *s = gg_calloc(ctx, 1, sizeof *s);
    if (s == NULL)
        return gg_error_nomem(ctx);
    s->ctx = ctx;
    s->loc = loc;
    if (pthread_mutex_init(&s->lock, NULL) != 0) {
        gg_free(ctx, s);
        return gg_error_nomem(ctx);
    }
    gg_status st = build(s, store);
    if (st != GG_OK) {
        gg_search_free(s);
        return st;
    }
    *out = s;
    return GG_OK;
}

void gg_search_free(gg_search *search)
{
    if (search == NULL)
        return;
    sqlite3_finalize(search->insert);
    sqlite3_close(search->db);
    pthread_mutex_destroy(&search->lock);
    gg_free(search->ctx, search);
}

size_t gg_search_entries(const gg_search *search)
{
    return search ? search->entries : 0;
}

/* ---- coordinates ---- */

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

int gg_search_parse_point(const char *text, gg_coord_system crs, double *lon, double *lat)
{
    static const struct {
        const char *prefix;
        gg_coord_system crs;
    } prefixes[] = {{"wgs84:", GG_COORD_WGS84}, {"gcj02:", GG_COORD_GCJ02}, {"bd09:", GG_COORD_BD09}};
    const char *p = skip_space(text);
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t len = strlen(prefixes[i].prefix);
        if (strncasecmp(p, prefixes[i].prefix, len) == 0) {
            crs = prefixes[i].crs;
            p = skip_space(p + len);
            break;
        }
    }
    char *end;
    double a = strtod(p, &end);
    if (end == p || !isfinite(a))
        return 0;
    p = skip_space(end);
    int separated = p != end;
    if (*p == ',') {
        p = skip_space(p + 1);
        separated = 1;
    } else if (strncmp(p, "\xef\xbc\x8c", 3) == 0) { /* U+FF0C, the full-width comma of a Chinese keyboard */
        p = skip_space(p + 3);
        separated = 1;
    }
    if (!separated)
        return 0;
    double b = strtod(p, &end);
    if (end == p || !isfinite(b) || *skip_space(end) != '\0')
        return 0;
    double x = a, y = b;
    if (fabs(a) <= 90 && fabs(b) > 90) {
        x = b;
        y = a;
    }
    if (fabs(x) > 180 || fabs(y) > 90)
        return 0;
    if (crs == GG_COORD_GCJ02)
        gg_gcj02_to_wgs84(x, y, &x, &y);
    else if (crs == GG_COORD_BD09)
        gg_bd09_to_wgs84(x, y, &x, &y);
    else if (crs != GG_COORD_WGS84 && crs != GG_COORD_CGCS2000)
        return 0;
    *lon = x;
    *lat = y;
    return 1;
}

/* ---- queries ---- */

/* Characters of valid UTF-8 text with no control character, or -1. */
static long utf8_chars(const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    long n = 0;
    while (*p) {
        unsigned c = *p;
        int more = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
        if (more < 0 || (more == 0 && c < 0x20) || c == 0x7F || (more == 1 && c < 0xC2) || c > 0xF4)
            return -1;
        for (int k = 1; k <= more; k++)
            if ((p[k] & 0xC0) != 0x80)
                return -1;
        p += more + 1;
        n++;
    }
    return n;
}

/* A result's point as it is written (1e-7 degree, about a centimetre) and
 * located as written: a point on a shared edge or corner (the centre of a
 * square community is where its four grids meet) must land where the
 * same coordinates typed back into locate or search land. */
static void locate_result(const gg_search *s, gg_search_result *r)
{
    r->grid = -1;
    if (isfinite(r->lon) && isfinite(r->lat)) {
        r->lon = round(r->lon * 1e7) / 1e7;
        r->lat = round(r->lat * 1e7) / 1e7;
    }
    if (r->kind == GG_SEARCH_GRID)
        r->grid = gg_locator_grid_by_code(s->loc, r->code);
    if (r->grid < 0 && isfinite(r->lon) && isfinite(r->lat)) {
        gg_locate_result res;
        gg_locator_query(s->loc, r->lon, r->lat, &res);
        if (res.status != GG_LOCATE_OUTSIDE && res.status != GG_LOCATE_INVALID)
            r->grid = res.grid;
    }
}

/* Copies UTF-8 text into size bytes, cut at a character boundary. */
static void copy_text(char *out, size_t size, const unsigned char *text)
{
    size_t len = text ? strlen((const char *)text) : 0;
    if (len >= size) {
        len = size - 1;
        while (len > 0 && (text[len] & 0xC0) == 0x80)
            len--;
    }
    if (len)
        memcpy(out, text, len);
    out[len] = '\0';
}

/* Candidates: FTS5 for 3 or more characters (the trigram tokenizer
 * matches nothing shorter), else instr over the rows before the
 * addresses (?8: the last of them): a county's addresses are hundreds of
 * thousands, which one or two characters would all match anyway, and a
 * scan of them takes a second. Ranked in SQL. */
#define RANKED_SELECT                                                                                                \
    "SELECT kind, name, code, lon, lat, w, s, e, n FROM item WHERE id IN (%s) ORDER BY"                              \
    " CASE WHEN code = ?1 THEN 0 WHEN tail = ?1 THEN 1 WHEN name = ?1 THEN 2"                                        \
    " WHEN substr(name, 1, length(?1)) = ?1 OR substr(code, 1, length(?1)) = ?1 THEN 3 ELSE 4 END,"                \
    " CASE WHEN ?3 IS NOT NULL AND lon BETWEEN ?3 AND ?5 AND lat BETWEEN ?4 AND ?6 THEN 0 ELSE 1 END,"            \
    " kind, length(name), name, code LIMIT ?7"

gg_status gg_search_query(gg_ctx *ctx, gg_search *search, const char *text, gg_coord_system crs,
                          const double *bbox, size_t max, gg_search_result *results, size_t *n)
{
    if (ctx == NULL || search == NULL || text == NULL || results == NULL || n == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_search_query: NULL argument") : GG_ERR_ARG;
    *n = 0;
    if (max < 1 || max > GG_SEARCH_MAX_RESULTS)
        return gg_error(ctx, GG_ERR_ARG, "at most %d results, at least 1 (asked %zu)", GG_SEARCH_MAX_RESULTS, max);
    size_t len = strlen(text);
    long chars = utf8_chars(text);
    if (len > GG_SEARCH_MAX_QUERY || chars < 0)
        return gg_error(ctx, GG_ERR_ARG, "the query must be UTF-8 text of at most %d bytes without control characters",
                        GG_SEARCH_MAX_QUERY);
    /* Trimmed of spaces, which a search box keeps. */
    char q[GG_SEARCH_MAX_QUERY + 1];
    const char *b = skip_space(text);
    size_t qlen = strlen(b);
    while (qlen > 0 && (b[qlen - 1] == ' ' || b[qlen - 1] == '\t'))
        qlen--;
    memcpy(q, b, qlen);
    q[qlen] = '\0';
    if (qlen == 0)
        return gg_error(ctx, GG_ERR_ARG, "the query is empty");
    gg_search_result *r = &results[0];
    if (gg_search_parse_point(q, crs, &r->lon, &r->lat)) {
        memset(r, 0, sizeof *r);
        gg_search_parse_point(q, crs, &r->lon, &r->lat);
        r->kind = GG_SEARCH_COORDINATE;
        snprintf(r->name, sizeof r->name, "%.6f,%.6f", r->lon, r->lat);
        locate_result(search, r);
        *n = 1;
        return GG_OK;
    }
    chars = utf8_chars(q);
    char sql[1024];
    snprintf(sql, sizeof sql, RANKED_SELECT,
             chars >= 3 ? "SELECT rowid FROM item_fts WHERE item_fts MATCH ?2"
                        : "SELECT id FROM item WHERE id <= ?8 AND (instr(lower(name), lower(?1)) > 0 OR"
                                  " instr(code, ?1) > 0)");
    /* The text as one FTS5 phrase: a substring match. */
    char phrase[2 * GG_SEARCH_MAX_QUERY + 3];
    size_t k = 0;
    phrase[k++] = '"';
    for (const char *p = q; *p; p++) {
        if (*p == '"')
            phrase[k++] = '"';
        phrase[k++] = *p;
    }
    phrase[k++] = '"';
    phrase[k] = '\0';
    gg_status st = GG_OK;
    pthread_mutex_lock(&search->lock);
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(search->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        st = gg_error(ctx, GG_ERR_STORE, "search: %s", sqlite3_errmsg(search->db));
        pthread_mutex_unlock(&search->lock);
        return st;
    }
    sqlite3_bind_text(stmt, 1, q, -1, SQLITE_TRANSIENT);
    if (chars >= 3)
        sqlite3_bind_text(stmt, 2, phrase, -1, SQLITE_TRANSIENT);
    if (bbox)
        for (int i = 0; i < 4; i++)
            sqlite3_bind_double(stmt, 3 + i, bbox[i]);
    sqlite3_bind_int64(stmt, 7, (sqlite3_int64)max);
    if (chars < 3)
        sqlite3_bind_int64(stmt, 8, search->short_last_id);
    int rc;
    size_t count = 0;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW && count < max) {
        r = &results[count++];
        memset(r, 0, sizeof *r);
        r->kind = (gg_search_kind)sqlite3_column_int(stmt, 0);
        copy_text(r->name, sizeof r->name, sqlite3_column_text(stmt, 1));
        copy_text(r->code, sizeof r->code, sqlite3_column_text(stmt, 2));
        r->lon = sqlite3_column_type(stmt, 3) == SQLITE_NULL ? NAN : sqlite3_column_double(stmt, 3);
        r->lat = sqlite3_column_type(stmt, 4) == SQLITE_NULL ? NAN : sqlite3_column_double(stmt, 4);
        r->has_bbox = sqlite3_column_type(stmt, 5) != SQLITE_NULL;
        for (int i = 0; i < 4; i++)
            r->bbox[i] = sqlite3_column_double(stmt, 5 + i);
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        st = gg_error(ctx, GG_ERR_STORE, "search: %s", sqlite3_errmsg(search->db));
    sqlite3_finalize(stmt);
    pthread_mutex_unlock(&search->lock);
    if (st != GG_OK)
        return st;
    for (size_t i = 0; i < count; i++)
        locate_result(search, &results[i]);
    *n = count;
    return GG_OK;
}
