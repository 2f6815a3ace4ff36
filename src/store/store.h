/* Private: the store's layout, for the modules that read and write tables. */
#ifndef GG_STORE_STORE_H
#define GG_STORE_STORE_H

#include <sqlite3.h>

#include "core/ctx.h"
#include "govgrid/store.h"

/* Statements kept prepared for the life of the store (gg_store_cached):
 * those of the hot paths, run once per incident or per action. */
typedef enum gg_stmt_slot {
    GG_STMT_CASE_READ = 0,
    GG_STMT_CASE_EVENT_ADD,
    GG_STMT_CASE_WRITE,
    GG_STMT_CASE_RESENT,
    GG_STMT_INCIDENT_INSERT,
    GG_STMT_INCIDENT_NUMBER,
    GG_STMT_SLOTS
} gg_stmt_slot;

struct gg_store {
    gg_ctx *ctx;
    sqlite3 *db;
    void *spatialite_cache;
    char *path;
    int schema_version;
    int writable;
    int in_transaction;
    double write_began;         /* CLOCK_MONOTONIC seconds at BEGIN IMMEDIATE; 0 outside one */
    char actor[64];             /* who acts (gg_store_set_actor); "" when unknown */
    sqlite3_stmt *cached[GG_STMT_SLOTS]; /* gg_store_cached; finalized by gg_store_close */
};

/* Where each layer lives: the table (or view) its rows are read from and
 * written to, the table that holds its geometry (with SpatiaLite's
 * triggers and spatial index idx_<rows>_geom) and its type (NULL for
 * none). The two differ for grids, a view of the rows plans share
 * (schema.c, version 7). */
typedef struct gg_layer_table {
    const char *name;       /* CLI name */
    const char *table;
    const char *geom_type;  /* SpatiaLite geometry type or NULL */
    const char *rows;       /* the table holding the geometry */
} gg_layer_table;

const gg_layer_table *gg_layer_table_of(gg_layer layer);

/* Records a SQLite failure on the store's context: "<what>: <sqlite msg>". */
gg_status gg_store_sql_error(gg_store *store, const char *what);

/* Runs SQL with no result rows. */
gg_status gg_store_exec(gg_store *store, const char *sql);

/* Runs one statement with a single text parameter ?1; *changes (may be
 * NULL) receives the number of rows it changed. what names the step for
 * the error message. */
gg_status gg_store_exec_text(gg_store *store, const char *sql, const char *arg, int64_t *changes,
                             const char *what);

/* The plan asked for if it exists, or (asked 0) the active plan: the
 * published one, or the newest when none is published. *plan receives its id.
 * Returns GG_OK or GG_ERR_NOT_FOUND with a message saying how to make one. */
gg_status gg_store_resolve_plan(gg_store *store, int64_t asked, int64_t *plan);

/* The geometry in a result column holding WKB (AsBinary(geom)), read with
 * ctx's GEOS handle; NULL for SQL NULL or unreadable WKB. Owned by the
 * caller. */
/* Column col of the current row as text into out (size bytes, cut to
 * fit); "" for NULL. */
void gg_store_column_text(sqlite3_stmt *stmt, int col, char *out, size_t size);
/* A copy of text column col (gg_free), NULL for NULL; *nomem set when
 * the copy cannot be made. */
char *gg_store_column_strdup(gg_ctx *ctx, sqlite3_stmt *stmt, int col, int *nomem);

GEOSGeometry *gg_store_column_geom(gg_ctx *ctx, sqlite3_stmt *stmt, int col);

/* Prepares a statement, recording a failure. */
gg_status gg_store_prepare(gg_store *store, const char *sql, sqlite3_stmt **out);

/* The statement of slot, prepared from sql the first time and kept by the
 * store (the same slot always with the same sql). The caller binds, steps
 * and then gives it back with gg_store_cached_done, never finalizes it.
 * Preparing costs more than running these small statements, which run
 * once per incident or action. */
gg_status gg_store_cached(gg_store *store, gg_stmt_slot slot, const char *sql, sqlite3_stmt **out);
/* Resets a cached statement and clears its bindings (NULL: no-op). */
void gg_store_cached_done(sqlite3_stmt *stmt);

/* Schema creation and migrations (schema.c). Runs inside a transaction
 * opened by the caller. */
gg_status gg_schema_migrate(gg_store *store, int from_version);

/* A table's triggers, set aside for a bulk write. SpatiaLite maintains the
 * spatial index and its bookkeeping with per-row triggers, one of which
 * builds and parses an SQL statement for every row; a bulk writer that
 * maintains the R*Tree itself suspends them and restores them in the same
 * transaction. */
typedef struct gg_saved_triggers {
    char **sql;
    size_t n;
} gg_saved_triggers;

gg_status gg_store_suspend_triggers(gg_store *store, const char *table, gg_saved_triggers *saved);
/* Recreates the suspended triggers and frees saved (also on failure). */
gg_status gg_store_restore_triggers(gg_store *store, gg_saved_triggers *saved);
void gg_saved_triggers_free(gg_store *store, gg_saved_triggers *saved);

/* The current UTC time as ISO 8601 into buf (at least 21 bytes). */
void gg_utc_now(char *buf, size_t size);

#endif
