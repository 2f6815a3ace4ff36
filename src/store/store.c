/* Opening, creating and closing project files; transactions. */
#include "store/store.h"

#include <errno.h>
#include <pthread.h>
#include <spatialite.h>
#include <spatialite/gaiaconfig.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* 'GGRD' in the SQLite header marks a govgrid project to file(1) and to us. */
#define GG_APPLICATION_ID 0x47475244

static pthread_once_t spatialite_once = PTHREAD_ONCE_INIT;

static void spatialite_global_init(void)
{
    spatialite_initialize();
}

/* SQLITE_BUSY and SQLITE_LOCKED (the write lock held elsewhere past the
 * busy timeout) are GG_ERR_BUSY, which a caller may try again; every other
 * failure is GG_ERR_STORE. */
static gg_status sqlite_status(int rc)
{
    rc &= 0xff;
    return rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? GG_ERR_BUSY : GG_ERR_STORE;
}

gg_status gg_store_sql_error(gg_store *store, const char *what)
{
    if (store->db == NULL)
        return gg_error(store->ctx, GG_ERR_STORE, "%s: %s: no database", store->path, what);
    return gg_error(store->ctx, sqlite_status(sqlite3_extended_errcode(store->db)), "%s: %s: %s", store->path, what,
                    sqlite3_errmsg(store->db));
}

gg_status gg_store_exec(gg_store *store, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(store->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        gg_status st = gg_error(store->ctx, sqlite_status(rc), "%s: %s", store->path,
                                msg ? msg : sqlite3_errmsg(store->db));
        sqlite3_free(msg);
        return st;
    }
    return GG_OK;
}

gg_status gg_store_prepare(gg_store *store, const char *sql, sqlite3_stmt **out)
{
    if (sqlite3_prepare_v2(store->db, sql, -1, out, NULL) != SQLITE_OK) {
        *out = NULL;
        return gg_store_sql_error(store, "preparing a statement");
    }
    return GG_OK;
}

gg_status gg_store_cached(gg_store *store, gg_stmt_slot slot, const char *sql, sqlite3_stmt **out)
{
    if (store->cached[slot] == NULL &&
        sqlite3_prepare_v3(store->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &store->cached[slot], NULL) != SQLITE_OK) {
        store->cached[slot] = NULL;
        *out = NULL;
        return gg_store_sql_error(store, "preparing a statement");
    }
    *out = store->cached[slot];
    return GG_OK;
}

void gg_store_cached_done(sqlite3_stmt *stmt)
{
    if (stmt != NULL) {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
    }
}

gg_status gg_store_exec_text(gg_store *store, const char *sql, const char *arg, int64_t *changes,
                             const char *what)
{
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store, sql, &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_text(stmt, 1, arg, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        st = gg_store_sql_error(store, what);
    else if (changes != NULL)
        *changes = sqlite3_changes(store->db);
    sqlite3_finalize(stmt);
    return st;
}

gg_status gg_store_resolve_plan(gg_store *store, int64_t asked, int64_t *plan)
{
    sqlite3_stmt *stmt = NULL;
    /* Unless asked: the published plan, or the newest when none is. */
    gg_status st = gg_store_prepare(store,
                                    asked ? "SELECT id FROM plan WHERE id = ?1"
                                          : "SELECT coalesce((SELECT id FROM plan WHERE state = 'published'),"
                                            " (SELECT max(id) FROM plan))",
                                    &stmt);
    if (st != GG_OK)
        return st;
    if (asked)
        sqlite3_bind_int64(stmt, 1, asked);
    *plan = 0;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        *plan = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    if (*plan != 0)
        return GG_OK;
    if (asked)
        return gg_error(store->ctx, GG_ERR_NOT_FOUND, "%s: no plan %lld", store->path, (long long)asked);
    return gg_error(store->ctx, GG_ERR_NOT_FOUND, "%s: no plans yet (run 'govgrid partition' or import grids)",
                    store->path);
}

void gg_store_column_text(sqlite3_stmt *stmt, int col, char *out, size_t size)
{
    const unsigned char *t = sqlite3_column_text(stmt, col);
    snprintf(out, size, "%s", t ? (const char *)t : "");
}

char *gg_store_column_strdup(gg_ctx *ctx, sqlite3_stmt *stmt, int col, int *nomem)
{
    const unsigned char *text = sqlite3_column_text(stmt, col);
    if (text == NULL)
        return NULL;
    char *copy = gg_strdup(ctx, (const char *)text);
    if (copy == NULL)
        *nomem = 1;
    return copy;
}

GEOSGeometry *gg_store_column_geom(gg_ctx *ctx, sqlite3_stmt *stmt, int col)
{
    const void *wkb = sqlite3_column_blob(stmt, col);
    return wkb ? GEOSGeomFromWKB_buf_r(ctx->geos, wkb, (size_t)sqlite3_column_bytes(stmt, col)) : NULL;
}

void gg_utc_now(char *buf, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A store with its context and path, or NULL (out of memory, recorded). */
static gg_store *store_alloc(gg_ctx *ctx, const char *path)
{
    gg_store *store = gg_calloc(ctx, 1, sizeof *store);
    if (store == NULL) {
        gg_error_nomem(ctx);
        return NULL;
    }
    store->ctx = ctx;
    store->path = gg_strdup(ctx, path);
    if (store->path == NULL) {
        gg_free(ctx, store);
        gg_error_nomem(ctx);
        return NULL;
    }
    return store;
}

/* Settings of a connection that writes: WAL with full sync (a commit
 * survives power loss), and a large page cache that keeps bulk imports from
 * spilling pages one by one (memory is only taken as pages are used). WAL
 * mode is written into the file, so this runs only once the file is known
 * to be a govgrid project: a refused file is left untouched. */
static gg_status store_configure_writer(gg_store *store)
{
    return gg_store_exec(store, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                                " PRAGMA cache_size=-262144");
}

/* Opens the SQLite handle with SpatiaLite's functions registered on this
 * connection only (spatialite_init_ex: no process-wide extension loading). */
static gg_status store_connect(gg_store *store, int flags, int creating)
{
    pthread_once(&spatialite_once, spatialite_global_init);
    /* A read-only SQLite connection to a WAL project leaves -wal and -shm
     * files behind (it may not remove them on close); a reader therefore
     * opens read-write where it can and forbids writes with query_only. */
    int reader = (flags & SQLITE_OPEN_READONLY) != 0;
    int rc = sqlite3_open_v2(store->path, &store->db,
                             reader ? SQLITE_OPEN_READWRITE : flags, NULL);
    if (rc != SQLITE_OK && reader) {
        sqlite3_close_v2(store->db);
        store->db = NULL;
        rc = sqlite3_open_v2(store->path, &store->db, flags, NULL);
    }
    if (rc != SQLITE_OK)
        return gg_error(store->ctx, GG_ERR_IO, "%s: cannot open: %s", store->path,
                        store->db ? sqlite3_errmsg(store->db) : "out of memory");
    if (reader)
        sqlite3_exec(store->db, "PRAGMA query_only=1", NULL, NULL, NULL);
    sqlite3_extended_result_codes(store->db, 1);
    sqlite3_busy_timeout(store->db, 5000);
    store->spatialite_cache = spatialite_alloc_connection();
    if (store->spatialite_cache == NULL)
        return gg_error_nomem(store->ctx);
    spatialite_init_ex(store->db, store->spatialite_cache, 0);
    gg_status st = gg_store_exec(store, "PRAGMA foreign_keys=ON");
    /* 8 KiB pages: bulk imports of household points run about 5% faster
     * than with SQLite's default 4 KiB (measured on 1M points), while a
     * single incident write still touches few bytes. The page size is fixed
     * once the file is in WAL mode, so it comes first. */
    if (st == GG_OK && creating)
        st = gg_store_exec(store, "PRAGMA page_size=8192");
    if (st == GG_OK && creating)
        st = store_configure_writer(store);
    return st;
}

static gg_status read_schema_version(gg_store *store, int *version)
{
    sqlite3_stmt *stmt = NULL;
    int app_id = 0;
    *version = 0;
    if (sqlite3_prepare_v2(store->db, "PRAGMA application_id", -1, &stmt, NULL) != SQLITE_OK)
        return gg_error(store->ctx, GG_ERR_SCHEMA, "%s: not a SQLite database: %s", store->path,
                        sqlite3_errmsg(store->db));
    if (sqlite3_step(stmt) == SQLITE_ROW)
        app_id = sqlite3_column_int(stmt, 0);
    int rc = sqlite3_finalize(stmt);
    if (rc != SQLITE_OK)
        return gg_error(store->ctx, GG_ERR_SCHEMA, "%s: not a govgrid project (%s)", store->path,
                        sqlite3_errmsg(store->db));
    if (app_id != GG_APPLICATION_ID)
        return gg_error(store->ctx, GG_ERR_SCHEMA,
                        "%s: not a govgrid project (create one with 'govgrid init')", store->path);
    if (sqlite3_prepare_v2(store->db, "SELECT value FROM gg_meta WHERE key='schema_version'", -1,
                           &stmt, NULL) != SQLITE_OK)
        return gg_error(store->ctx, GG_ERR_SCHEMA, "%s: damaged govgrid project: %s", store->path,
                        sqlite3_errmsg(store->db));
    if (sqlite3_step(stmt) == SQLITE_ROW)
        *version = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    if (*version <= 0)
        return gg_error(store->ctx, GG_ERR_SCHEMA, "%s: damaged govgrid project: no schema version",
                        store->path);
    return GG_OK;
}

gg_status gg_store_create(gg_ctx *ctx, const char *path, gg_store **out)
{
    if (ctx == NULL || path == NULL || out == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_store_create: NULL argument") : GG_ERR_ARG;
    *out = NULL;
    struct stat sb;
    if (stat(path, &sb) == 0)
        return gg_error(ctx, GG_ERR_EXISTS, "%s: already exists (a project is never overwritten)", path);
    if (errno != ENOENT)
        return gg_error(ctx, GG_ERR_IO, "%s: %s", path, strerror(errno));
    {
        /* SQLite only says "unable to open database file": name the cause. */
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash == dir)
            dir[1] = '\0';
        else if (slash != NULL)
            *slash = '\0';
        else
            snprintf(dir, sizeof dir, ".");
        struct stat db;
        if (stat(dir, &db) != 0)
            return gg_error(ctx, GG_ERR_IO, "%s: folder %s: %s", path, dir, strerror(errno));
        if (!S_ISDIR(db.st_mode))
            return gg_error(ctx, GG_ERR_IO, "%s: %s is not a folder", path, dir);
    }
    gg_store *store = store_alloc(ctx, path);
    if (store == NULL)
        return GG_ERR_NOMEM;
    gg_status st;
    store->writable = 1;
    st = store_connect(store, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 1);
    if (st == GG_OK)
        st = gg_store_begin(store);
    if (st == GG_OK) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA application_id=%d", GG_APPLICATION_ID);
        st = gg_store_exec(store, sql);
    }
    if (st == GG_OK)
        st = gg_schema_migrate(store, 0);
    if (st == GG_OK)
        st = gg_store_commit(store);
    if (st != GG_OK) {
        gg_store_close(store);
        remove(path);
        char side[4096];
        snprintf(side, sizeof side, "%s-wal", path);
        remove(side);
        snprintf(side, sizeof side, "%s-shm", path);
        remove(side);
        return st;
    }
    store->schema_version = GG_SCHEMA_VERSION;
    *out = store;
    return GG_OK;
}

gg_status gg_store_open(gg_ctx *ctx, const char *path, int writable, gg_store **out)
{
    if (ctx == NULL || path == NULL || out == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_store_open: NULL argument") : GG_ERR_ARG;
    *out = NULL;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return gg_error(ctx, GG_ERR_IO, "%s: %s (create a project with 'govgrid init')", path,
                        strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return gg_error(ctx, GG_ERR_IO, "%s: not a regular file", path);
    gg_store *store = store_alloc(ctx, path);
    if (store == NULL)
        return GG_ERR_NOMEM;
    gg_status st;
    store->writable = writable != 0;
    st = store_connect(store, writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY, 0);
    int version = 0;
    if (st == GG_OK)
        st = read_schema_version(store, &version);
    if (st == GG_OK && writable)
        st = store_configure_writer(store);
    if (st == GG_OK && version > GG_SCHEMA_VERSION)
        st = gg_error(ctx, GG_ERR_SCHEMA,
                      "%s: project schema version %d is newer than this govgrid (%s) supports (%d)",
                      path, version, gg_version(), GG_SCHEMA_VERSION);
    if (st == GG_OK && version < GG_SCHEMA_VERSION) {
        if (!writable) {
            st = gg_error(ctx, GG_ERR_SCHEMA,
                          "%s: project schema version %d is older than %d; open it for writing "
                          "(any writing command) to upgrade it",
                          path, version, GG_SCHEMA_VERSION);
        } else {
            st = gg_store_begin(store);
            if (st == GG_OK)
                st = gg_schema_migrate(store, version);
            if (st == GG_OK)
                st = gg_store_commit(store);
            if (st == GG_OK)
                version = GG_SCHEMA_VERSION;
        }
    }
    if (st != GG_OK) {
        gg_store_close(store);
        return st;
    }
    store->schema_version = version;
    *out = store;
    return GG_OK;
}

void gg_store_close(gg_store *store)
{
    if (store == NULL)
        return;
    gg_ctx *ctx = store->ctx;
    for (int k = 0; k < GG_STMT_SLOTS; k++)
        sqlite3_finalize(store->cached[k]);
    if (store->db != NULL) {
        if (store->in_transaction)
            sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close_v2(store->db);
    }
    if (store->spatialite_cache != NULL)
        spatialite_cleanup_ex(store->spatialite_cache);
    gg_free(ctx, store->path);
    gg_free(ctx, store);
}

void gg_store_set_actor(gg_store *store, const char *who)
{
    if (store == NULL)
        return;
    size_t n = who ? strlen(who) : 0;
    if (n >= sizeof store->actor) {
        n = sizeof store->actor - 1;
        while (n > 0 && ((unsigned char)who[n] & 0xC0) == 0x80)
            n--; /* not inside a UTF-8 sequence */
    }
    memcpy(store->actor, who ? who : "", n);
    store->actor[n] = '\0';
}

const char *gg_store_actor(const gg_store *store)
{
    return store ? store->actor : "";
}

int gg_store_schema_version(const gg_store *store)
{
    return store ? store->schema_version : 0;
}

static double monotonic_s(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* How long the write lock was held, from BEGIN IMMEDIATE to its end, at
 * debug level: every other writer (the service's incident POSTs) waited
 * for up to this long. */
static void write_ended(gg_store *store, const char *how)
{
    if (store->write_began <= 0)
        return;
    gg_log(store->ctx, GG_LOG_DEBUG, "%s: write transaction %s after %.3f s", store->path, how,
           monotonic_s() - store->write_began);
    store->write_began = 0;
}

gg_status gg_store_begin(gg_store *store)
{
    if (store->in_transaction)
        return gg_error(store->ctx, GG_ERR_ARG, "%s: a transaction is already open", store->path);
    if (!store->writable)
        return gg_error(store->ctx, GG_ERR_ARG, "%s: opened read-only", store->path);
    gg_status st = gg_store_exec(store, "BEGIN IMMEDIATE");
    if (st == GG_OK) {
        store->in_transaction = 1;
        store->write_began = monotonic_s();
    }
    return st;
}

gg_status gg_store_commit(gg_store *store)
{
    if (!store->in_transaction)
        return gg_error(store->ctx, GG_ERR_ARG, "%s: no transaction is open", store->path);
    gg_status st = gg_store_exec(store, "COMMIT");
    if (st == GG_OK) {
        store->in_transaction = 0;
        write_ended(store, "committed");
    }
    return st;
}

/* Rolls back without touching the context's error when one is already
 * recorded: the caller is usually unwinding from that error. */
gg_status gg_store_rollback(gg_store *store)
{
    if (!store->in_transaction)
        return GG_OK;
    store->in_transaction = 0;
    write_ended(store, "rolled back");
    if (sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK &&
        store->ctx->errcode == GG_OK)
        return gg_store_sql_error(store, "rollback");
    return GG_OK;
}

gg_status gg_store_suspend_triggers(gg_store *store, const char *table, gg_saved_triggers *saved)
{
    gg_ctx *ctx = store->ctx;
    memset(saved, 0, sizeof *saved);
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(
        store, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?1 ORDER BY name",
        &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_text(stmt, 1, table, -1, SQLITE_STATIC);
    size_t cap = 0;
    char **names = NULL;
    size_t names_cap = 0;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        st = gg_grow(ctx, (void **)&saved->sql, &cap, saved->n + 1, sizeof *saved->sql);
        if (st == GG_OK)
            st = gg_grow(ctx, (void **)&names, &names_cap, saved->n + 1, sizeof *names);
        if (st != GG_OK)
            break;
        names[saved->n] = gg_strdup(ctx, (const char *)sqlite3_column_text(stmt, 0));
        saved->sql[saved->n] = gg_strdup(ctx, (const char *)sqlite3_column_text(stmt, 1));
        saved->n++;
        if (names[saved->n - 1] == NULL || saved->sql[saved->n - 1] == NULL) {
            st = gg_error_nomem(ctx);
            break;
        }
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading triggers");
    sqlite3_finalize(stmt);
    for (size_t i = 0; st == GG_OK && i < saved->n; i++) {
        char *sql = sqlite3_mprintf("DROP TRIGGER \"%w\"", names[i]);
        if (sql == NULL) {
            st = gg_error_nomem(ctx);
            break;
        }
        st = gg_store_exec(store, sql);
        sqlite3_free(sql);
    }
    for (size_t i = 0; i < saved->n; i++)
        gg_free(ctx, names[i]);
    gg_free(ctx, names);
    if (st != GG_OK)
        gg_saved_triggers_free(store, saved);
    return st;
}

gg_status gg_store_restore_triggers(gg_store *store, gg_saved_triggers *saved)
{
    gg_status st = GG_OK;
    for (size_t i = 0; st == GG_OK && i < saved->n; i++)
        if (saved->sql[i] != NULL)
            st = gg_store_exec(store, saved->sql[i]);
    gg_saved_triggers_free(store, saved);
    return st;
}

void gg_saved_triggers_free(gg_store *store, gg_saved_triggers *saved)
{
    for (size_t i = 0; i < saved->n; i++)
        gg_free(store->ctx, saved->sql[i]);
    gg_free(store->ctx, saved->sql);
    saved->sql = NULL;
    saved->n = 0;
}
