/* Long jobs that write briefly: the project's change counters, read
 * snapshots, and staging tables in the connection's temp schema.
 *
 * SQLite has one writer at a time. A partition or an import that held its
 * write transaction while it computed kept every other writer (the
 * service's incident POSTs) waiting for the whole run. Such a job now
 * computes against what it read and writes its result into staging
 * tables, which only its own connection sees, then takes the write lock,
 * checks that its inputs have not changed since it read them, and copies
 * the result into the project in one short transaction. */
#include "store/stage.h"

#include <stdio.h>
#include <string.h>

/* The counter of table t is the gg_meta row 'changes:t' (absent: 0). */
gg_status gg_store_changes(gg_store *store, const char *const *tables, size_t n, int64_t *stamp)
{
    *stamp = 0;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT CAST(value AS INTEGER) FROM main.gg_meta WHERE key = 'changes:' || ?1",
                                    &stmt);
    for (size_t i = 0; i < n && st == GG_OK; i++) {
        sqlite3_bind_text(stmt, 1, tables[i], -1, SQLITE_STATIC);
        int rc = sqlite3_step(stmt);
        if (rc == SQLITE_ROW)
            *stamp += sqlite3_column_int64(stmt, 0);
        else if (rc != SQLITE_DONE)
            st = gg_store_sql_error(store, "reading the project's change counters");
        sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    return st;
}

gg_status gg_store_changes_bump(gg_store *store, const char *const *tables, size_t n)
{
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "INSERT INTO main.gg_meta(key, value) VALUES ('changes:' || ?1, '1')"
                                    " ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
                                    &stmt);
    for (size_t i = 0; i < n && st == GG_OK; i++) {
        sqlite3_bind_text(stmt, 1, tables[i], -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            st = gg_store_sql_error(store, "counting a change");
        sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    return st;
}

gg_status gg_store_begin_snapshot(gg_store *store)
{
    if (store->in_transaction)
        return gg_error(store->ctx, GG_ERR_ARG, "%s: a transaction is already open", store->path);
    /* A deferred transaction takes its snapshot at its first read. */
    gg_status st = gg_store_exec(store, "BEGIN DEFERRED; SELECT count(*) FROM main.gg_meta");
    if (st == GG_OK)
        store->in_transaction = 1;
    else
        sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
    return st;
}

gg_status gg_store_begin_unchanged(gg_store *store, const char *const *tables, size_t n, int64_t stamp,
                                   const char *job)
{
    gg_status st = gg_store_begin(store);
    int64_t now = 0;
    if (st == GG_OK)
        st = gg_store_changes(store, tables, n, &now);
    if (st == GG_OK && now != stamp) {
        char names[256];
        size_t used = 0;
        names[0] = '\0';
        for (size_t i = 0; i < n && used < sizeof names; i++)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", tables[i]);
        st = gg_error(store->ctx, GG_ERR_STORE,
                      "%s: the project's %s changed while %s ran (another process wrote them); nothing "
                      "was stored: run it again",
                      store->path, names, job);
    }
    if (st != GG_OK)
        gg_store_rollback(store);
    return st;
}

/* The definition of main.<table> as a TEMP table of the same name, with
 * its indexes: the same constraints decide what the staged copy accepts,
 * and with the same indexes SQLite can copy the staged rows into an
 * emptied project table record by record (its transfer optimisation)
 * rather than insert them one by one. */
static gg_status stage_one(gg_store *store, const char *table)
{
    const char *view = gg_schema_staged_view(table);
    if (view != NULL)
        return gg_store_exec(store, view);
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT type, sql FROM main.sqlite_master WHERE tbl_name = ?1 AND sql IS NOT NULL"
                                    " AND type IN ('table', 'index') ORDER BY type = 'index', rowid",
                                    &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_text(stmt, 1, table, -1, SQLITE_STATIC);
    /* How each kind of definition starts, and how its staged copy does. */
    static const struct {
        const char *project, *staged;
    } forms[] = {{"CREATE TABLE ", "CREATE TEMP TABLE "},
                 {"CREATE INDEX ", "CREATE INDEX temp."},
                 {"CREATE UNIQUE INDEX ", "CREATE UNIQUE INDEX temp."}};
    int tables = 0, rc;
    while (st == GG_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(stmt, 0);
        const char *definition = (const char *)sqlite3_column_text(stmt, 1);
        int is_table = strcmp(type, "table") == 0;
        size_t form = is_table ? 0 : 1;
        while (form < sizeof forms / sizeof forms[0] &&
               strncmp(definition, forms[form].project, strlen(forms[form].project)) != 0)
            form += is_table ? sizeof forms / sizeof forms[0] : 1;
        if (form >= sizeof forms / sizeof forms[0]) {
            st = gg_error(store->ctx, GG_ERR_STORE, "%s: cannot stage %s: unexpected definition '%.60s'", store->path,
                          table, definition);
            break;
        }
        char *sql = sqlite3_mprintf("%s%s", forms[form].staged, definition + strlen(forms[form].project));
        st = sql ? gg_store_exec(store, sql) : gg_error_nomem(store->ctx);
        sqlite3_free(sql);
        tables += is_table;
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading a table's definition");
    sqlite3_finalize(stmt);
    if (st == GG_OK && tables != 1)
        st = gg_error(store->ctx, GG_ERR_STORE, "%s: no table %s to stage", store->path, table);
    return st;
}

gg_status gg_stage_create(gg_store *store, const char *const *tables, size_t n)
{
    if (store->in_transaction)
        return gg_error(store->ctx, GG_ERR_ARG, "%s: staging tables are made outside a transaction", store->path);
    /* The temp schema is the connection's own file, never synced: its
     * journal can stay in memory, and a page cache of 64 MiB keeps a
     * staged layer of a million rows mostly off the disk. */
    gg_status st = gg_store_exec(store, "PRAGMA temp.journal_mode=MEMORY; PRAGMA temp.cache_size=-65536");
    for (size_t i = 0; i < n && st == GG_OK; i++)
        st = stage_one(store, tables[i]);
    if (st != GG_OK)
        gg_stage_drop(store, tables, n);
    return st;
}

/* Copies rows of table from one schema to the other, keeping their row
 * ids: "SELECT *" when the row id is a column (an INTEGER PRIMARY KEY) and
 * every row is copied (the form SQLite's transfer optimisation takes),
 * else the columns named, with the row id in front unless a column is
 * its alias, and where (SQL, may be NULL; its ?1 is param). */
static gg_status copy_rows(gg_store *store, const char *from, const char *to, const char *table, const char *where,
                           int64_t param, int64_t *copied)
{
    gg_ctx *ctx = store->ctx;
    char *columns = NULL;
    sqlite3_stmt *stmt = NULL;
    char *sql = sqlite3_mprintf("SELECT name, type, pk FROM pragma_table_info('%q', 'main') ORDER BY cid", table);
    gg_status st = sql ? gg_store_prepare(store, sql, &stmt) : gg_error_nomem(ctx);
    sqlite3_free(sql);
    int pks = 0, integer_pk = 0;
    int rc = SQLITE_DONE;
    while (st == GG_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(stmt, 0);
        const char *type = (const char *)sqlite3_column_text(stmt, 1);
        if (sqlite3_column_int(stmt, 2) > 0) {
            pks++;
            integer_pk = type != NULL && sqlite3_stricmp(type, "INTEGER") == 0;
        }
        char *more = sqlite3_mprintf("%z%s\"%w\"", columns, columns ? ", " : "", name ? name : "");
        if (more == NULL) {
            st = gg_error_nomem(ctx);
            columns = NULL;
            break;
        }
        columns = more;
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading a table's columns");
    sqlite3_finalize(stmt);
    stmt = NULL;
    if (st == GG_OK && columns == NULL)
        st = gg_error(ctx, GG_ERR_STORE, "%s: no table %s", store->path, table);
    /* A staged view's row id is its staged table's fid column, which the
     * view's columns name: neither side is asked for its rowid. */
    int rowid_alias = (pks == 1 && integer_pk) || gg_schema_staged_view(table) != NULL;
    if (st == GG_OK && rowid_alias && where == NULL && gg_schema_staged_view(table) == NULL)
        sql = sqlite3_mprintf("INSERT INTO %s.\"%w\" SELECT * FROM %s.\"%w\"", to, table, from, table);
    else if (st == GG_OK)
        sql = sqlite3_mprintf("INSERT INTO %s.\"%w\"(%s%s) SELECT %s%s FROM %s.\"%w\"%s%s ORDER BY %s", to, table,
                              rowid_alias ? "" : "rowid, ", columns, rowid_alias ? "" : "rowid, ", columns, from, table,
                              where ? " WHERE " : "", where ? where : "",
                              gg_schema_staged_view(table) != NULL ? "fid" : "rowid");
    if (st == GG_OK) {
        st = sql ? gg_store_prepare(store, sql, &stmt) : gg_error_nomem(ctx);
        sqlite3_free(sql);
    }
    sqlite3_free(columns);
    if (st != GG_OK)
        return st;
    if (where != NULL && sqlite3_bind_parameter_count(stmt) >= 1)
        sqlite3_bind_int64(stmt, 1, param);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        st = gg_store_sql_error(store, strcmp(to, "main") == 0 ? "copying the staged rows into the project"
                                                                : "staging the project's rows");
    else if (copied != NULL)
        *copied = sqlite3_changes(store->db);
    sqlite3_finalize(stmt);
    return st;
}

gg_status gg_stage_copy(gg_store *store, const char *table, int64_t first_rowid, int64_t *copied)
{
    return copy_rows(store, "temp", "main", table, first_rowid > 1 ? "rowid >= ?1" : NULL, first_rowid, copied);
}

gg_status gg_stage_fill(gg_store *store, const char *table, const char *where, int64_t param, int64_t *copied)
{
    return copy_rows(store, "main", "temp", table, where, param, copied);
}

void gg_stage_drop(gg_store *store, const char *const *tables, size_t n)
{
    for (size_t i = n; i-- > 0;) {
        char *sql = sqlite3_mprintf("DROP TABLE IF EXISTS temp.\"%w\"", tables[i]);
        if (sql != NULL)
            sqlite3_exec(store->db, sql, NULL, NULL, NULL);
        sqlite3_free(sql);
    }
}
