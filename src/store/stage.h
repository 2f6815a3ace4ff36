/* Private: what a long job needs to hold the write lock only briefly
 * (stage.c): change counters of the project's tables, a read snapshot,
 * and staging tables.
 *
 * The pattern (gg_partition, gg_import):
 *
 *   gg_store_changes(store, inputs, &stamp);     before reading any input
 *   gg_stage_create(store, outputs);             the result's tables, private
 *   gg_store_begin_snapshot(store);              optional: one consistent read
 *   ... read the inputs, compute, write the result into the staged tables ...
 *   gg_store_commit(store);                      ends the snapshot
 *   gg_store_begin_unchanged(store, inputs, stamp, "partition");
 *   ... gg_stage_copy into the project, gg_store_changes_bump(outputs) ...
 *   gg_store_commit(store);                      the only write transaction
 *   gg_stage_drop(store, outputs);               always, also after a failure
 *
 * Staged tables are TEMP tables with the names and definitions
 * (constraints included) of the project's tables. SQLite resolves an
 * unqualified table name in the temp schema first, so while a table is
 * staged every unqualified statement of this connection that names it
 * (the import's inserts and duplicate lookups, the plan readers and the
 * locator of a partition's recount) reads and writes the staged copy,
 * and the project's table is reached only as main.<table>. Other
 * connections never see the staged tables.
 *
 * A view of the project with INSTEAD OF triggers (grid: schema.c,
 * version 7) is staged as the table it shows (gg_schema_staged_view); its
 * rows are copied into the project through the view, whose triggers store
 * them, and read from it by their columns, its row id being the column
 * the staged table takes it from. */
#ifndef GG_STORE_STAGE_H
#define GG_STORE_STAGE_H

#include "store/store.h"

/* The sum of the change counters of tables[0..n) into *stamp. Each writer
 * of a table bumps its counter in the transaction that changes it, so the
 * sum grows with every committed change to any of them (and only then:
 * incidents and other tables do not move it). */
gg_status gg_store_changes(gg_store *store, const char *const *tables, size_t n, int64_t *stamp);

/* Adds one to the counters of tables[0..n); inside the caller's write
 * transaction. */
gg_status gg_store_changes_bump(gg_store *store, const char *const *tables, size_t n);

/* A read transaction whose snapshot of the project is taken now: every
 * read on this connection until gg_store_commit sees the same committed
 * state, and other connections keep writing (WAL). Writes to staged
 * tables are allowed in it; writes to the project are not. */
gg_status gg_store_begin_snapshot(gg_store *store);

/* The write transaction (BEGIN IMMEDIATE) of a job that read tables[0..n)
 * when their counters summed to stamp: when they have changed since, it
 * is rolled back and GG_ERR_STORE returned with a message naming job and
 * saying that nothing was stored. */
gg_status gg_store_begin_unchanged(gg_store *store, const char *const *tables, size_t n, int64_t stamp,
                                   const char *job);

/* Creates an empty staged copy of each of tables[0..n), with its indexes
 * (parents before the tables whose foreign keys refer to them); outside a
 * transaction. On failure nothing is left staged. */
gg_status gg_stage_create(gg_store *store, const char *const *tables, size_t n);

/* Copies the staged rows of table whose row ids are first_rowid or more
 * (all of them for 1 or less) into the project's table, with their row
 * ids, in row id order; *copied (may be NULL) receives their number.
 * Inside the write transaction. */
gg_status gg_stage_copy(gg_store *store, const char *table, int64_t first_rowid, int64_t *copied);

/* Copies the project's rows of table (those where the SQL condition
 * where holds, with param as its ?1; all when where is NULL) into its
 * staged copy, with their row ids: a job that adds to a table stages
 * what is there, so that the staged table's constraints see it. */
gg_status gg_stage_fill(gg_store *store, const char *table, const char *where, int64_t param, int64_t *copied);

/* The definition of the TEMP table that stages the project's view name,
 * or NULL when name is not such a view. */
const char *gg_schema_staged_view(const char *name);

/* Drops the staged tables (in reverse order); a table not staged is
 * skipped. Never fails in a way the caller could act on. */
void gg_stage_drop(gg_store *store, const char *const *tables, size_t n);

#endif
