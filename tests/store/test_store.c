/* The project store: creation, schema, opening, transactions, info. */
#include "harness.h"
#include "io/fixtures.h"

#include "govgrid/store.h"
#include "store/stage.h"
#include "store/store.h"

static gg_ctx *new_ctx(void)
{
    gg_ctx *ctx = NULL;
    gg_ctx_new(&ctx);
    return ctx;
}

static void new_project_has_schema_and_spatial_indexes(void)
{
    gg_ctx *ctx = new_ctx();
    gg_store *store = NULL;
    const char *path = gg_test_path("p.sqlite");
    CHECK_INT(gg_store_create(ctx, path, &store), GG_OK);
    CHECK_INT(gg_store_schema_version(store), GG_SCHEMA_VERSION);
    CHECK_INT(fx_scalar(store, "PRAGMA application_id"), 0x47475244);
    CHECK_INT(fx_scalar(store, "SELECT value FROM gg_meta WHERE key = 'schema_version'"), GG_SCHEMA_VERSION);
    /* Every geometry column, one per spatial layer, has its R*Tree. */
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM geometry_columns"), 7);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM geometry_columns WHERE spatial_index_enabled = 1"), 7);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM geometry_columns WHERE srid = 4326"), 7);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM sqlite_master WHERE name = 'idx_household_geom'"), 1);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM spatial_ref_sys WHERE srid IN (4326, 4490)"), 2);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void create_never_overwrites(void)
{
    gg_ctx *ctx = new_ctx();
    const char *path = gg_test_path("exists.sqlite");
    CHECK(gg_test_write_file(path, "precious"));
    gg_store *store = NULL;
    CHECK_INT(gg_store_create(ctx, path, &store), GG_ERR_EXISTS);
    CHECK(store == NULL);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "already exists");
    FILE *f = fopen(path, "r");
    char buf[16] = {0};
    CHECK(f != NULL && fgets(buf, sizeof buf, f) != NULL);
    CHECK_STR(buf, "precious");
    if (f)
        fclose(f);
    CHECK_INT(gg_store_create(ctx, gg_test_path("no/such/dir/p.sqlite"), &store), GG_ERR_IO);
    gg_ctx_free(ctx);
}

static void open_refuses_what_is_not_a_project(void)
{
    gg_ctx *ctx = new_ctx();
    gg_store *store = NULL;
    CHECK_INT(gg_store_open(ctx, gg_test_path("missing.sqlite"), 0, &store), GG_ERR_IO);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "No such file");

    const char *text = gg_test_path("notes.txt");
    gg_test_write_file(text, "this is not a database, just a long enough line of text to look like one\n");
    CHECK_INT(gg_store_open(ctx, text, 0, &store), GG_ERR_SCHEMA);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "notes.txt");

    const char *plain = gg_test_path("plain.sqlite");
    sqlite3 *db = NULL;
    sqlite3_open(plain, &db);
    sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL);
    sqlite3_close(db);
    CHECK_INT(gg_store_open(ctx, plain, 1, &store), GG_ERR_SCHEMA);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "not a govgrid project");
    CHECK(store == NULL);
    CHECK_INT(gg_store_open(ctx, gg_test_tmpdir(), 0, &store), GG_ERR_IO);
    gg_ctx_free(ctx);
}

static void open_refuses_a_newer_schema(void)
{
    gg_ctx *ctx = new_ctx();
    gg_store *store = NULL;
    const char *path = gg_test_path("p.sqlite");
    CHECK_INT(gg_store_create(ctx, path, &store), GG_OK);
    CHECK_INT(gg_store_exec(store, "UPDATE gg_meta SET value = '99' WHERE key = 'schema_version'"), GG_OK);
    gg_store_close(store);
    store = NULL;
    CHECK_INT(gg_store_open(ctx, path, 1, &store), GG_ERR_SCHEMA);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "schema version 99 is newer");
    gg_ctx_free(ctx);
}

/* What schema version 9 adds, taken away: routing, duty hours, staffing
 * rules, escalation levels and the clock's columns. */
static void back_to_version_8(gg_store *store)
{
    CHECK_INT(gg_store_exec(store, "DROP TABLE staffing_rule; DROP TABLE case_level; DROP TABLE level_contact;"
                                   "DROP INDEX incident_event_client; ALTER TABLE incident_event DROP COLUMN author;"
                                   "DROP INDEX incident_event_idempotency;"
                                   "ALTER TABLE incident_event DROP COLUMN idempotency_key;"
                                   "ALTER TABLE incident_event DROP COLUMN client_update_id;"
                                   "DROP INDEX incident_stage;"
                                   "ALTER TABLE catalogue DROP COLUMN route; ALTER TABLE catalogue DROP COLUMN co_departments;"
                                   "ALTER TABLE catalogue DROP COLUMN close_within; ALTER TABLE catalogue DROP COLUMN warn_at;"
                                   "ALTER TABLE incident DROP COLUMN department; ALTER TABLE incident DROP COLUMN co_handlers;"
                                   "ALTER TABLE incident DROP COLUMN copied; ALTER TABLE incident DROP COLUMN source;"
                                   "ALTER TABLE incident DROP COLUMN stage_started; ALTER TABLE incident DROP COLUMN reach_by;"
                                   "ALTER TABLE incident DROP COLUMN close_by; ALTER TABLE incident DROP COLUMN referred_to;"
                                   "ALTER TABLE worker DROP COLUMN shift;"),
              GG_OK);
}

/* A version 8 project gains the default staffing rule (1+2+N) and four
 * levels, and its running incidents their clock's start (schema version
 * 9); its incidents and their histories are kept. */
static void upgrade_gives_the_loop_its_settings(void)
{
    gg_ctx *ctx = new_ctx();
    gg_store *store = NULL;
    const char *path = gg_test_path("p.sqlite");
    CHECK_INT(gg_store_create(ctx, path, &store), GG_OK);
    back_to_version_8(store);
    CHECK_INT(gg_store_exec(store, "INSERT INTO incident(id, request_id, service_code, stage, requested, updated,"
                                   " worker_id, handler) VALUES"
                                   " (1, '1', '0101', 'reported', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', NULL,"
                                   " NULL),"
                                   " (2, '2', '0101', 'in_progress', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z',"
                                   " 'w1', 'w1');"
                                   "INSERT INTO incident_event(incident, seq, at, actor, action, to_state)"
                                   " VALUES (2, 1, '2026-01-02T00:00:00Z', 'hotline', 'report', 'dispatched');"
                                   "UPDATE gg_meta SET value = '8' WHERE key = 'schema_version'"),
              GG_OK);
    gg_store_close(store);
    store = NULL;
    CHECK_INT(gg_store_open(ctx, path, 1, &store), GG_OK);
    if (store == NULL) {
        gg_ctx_free(ctx);
        return;
    }
    CHECK_INT(gg_store_schema_version(store), GG_SCHEMA_VERSION);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM incident WHERE stage_started IS NULL AND id = 1"), 1);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM incident WHERE stage_started = '2026-01-02T00:00:00Z' AND id = 2"),
              1);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM incident_event"), 1);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM case_level WHERE (level, scope) IN (VALUES (0, 'grid'),"
                            " (1, 'community'), (2, 'township'), (3, 'district'))"),
              4);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM staffing_rule WHERE leaders = 1 AND workers = 2 AND fulltime = 1"),
              2);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM pragma_table_info('worker') WHERE name = 'shift'"), 1);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* What schema version 8 adds, taken away: incidents without their
 * history and the closed loop's columns. */
static void back_to_version_7(gg_store *store)
{
    back_to_version_8(store);
    CHECK_INT(gg_store_exec(store, "DROP TABLE incident_event; DROP TABLE calendar_day;"
                                   "ALTER TABLE incident DROP COLUMN handler; ALTER TABLE incident DROP COLUMN level;"
                                   "ALTER TABLE incident DROP COLUMN extension_asked;"
                                   "ALTER TABLE incident DROP COLUMN review_on;"
                                   "ALTER TABLE incident DROP COLUMN satisfaction;"
                                   "ALTER TABLE incident DROP COLUMN accountability;"),
              GG_OK);
}

/* What schema version 7 changes, undone: the grid table as version 6 had
 * it, with its triggers, in place of the shared rows and their view. */
static void back_to_version_6(gg_store *store)
{
    back_to_version_7(store);
    CHECK_INT(gg_store_exec(store, "DROP VIEW grid; DROP TABLE plan_grid; SELECT DropTable(NULL, 'grid_row');"
                                   "CREATE TABLE grid(fid INTEGER PRIMARY KEY,"
                                   "  plan INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,"
                                   "  code TEXT NOT NULL, type INTEGER, community TEXT, name TEXT,"
                                   "  households INTEGER, area_m2 REAL, UNIQUE (plan, code));"
                                   "SELECT AddGeometryColumn('grid','geom',4326,'MULTIPOLYGON','XY',1);"
                                   "SELECT CreateSpatialIndex('grid','geom');"
                                   "ALTER TABLE grid ADD COLUMN persons INTEGER;"
                                   "ALTER TABLE grid ADD COLUMN flags TEXT;"
                                   "ALTER TABLE grid ADD COLUMN beidou TEXT;"
                                   "ALTER TABLE grid ADD COLUMN locked INTEGER NOT NULL DEFAULT 0;"
                                   "CREATE TRIGGER grid_kept_insert BEFORE INSERT ON grid"
                                   "  WHEN (SELECT state FROM plan WHERE id = NEW.plan) IN ('published','superseded')"
                                   "  BEGIN SELECT RAISE(ABORT, 'kept'); END;"
                                   "CREATE TRIGGER grid_kept_update BEFORE UPDATE ON grid"
                                   "  WHEN (SELECT state FROM plan WHERE id = OLD.plan) IN ('published','superseded')"
                                   "  BEGIN SELECT RAISE(ABORT, 'kept'); END;"
                                   "CREATE TRIGGER grid_kept_delete BEFORE DELETE ON grid"
                                   "  WHEN (SELECT state FROM plan WHERE id = OLD.plan) IN ('published','superseded')"
                                   "  BEGIN SELECT RAISE(ABORT, 'kept'); END;"),
              GG_OK);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM sqlite_master WHERE name LIKE '%grid_row%'"), 0);
}

/* What schema version 6 adds, taken away again: the project as version 5
 * wrote it (the plan table's CHECK put back as it was, the way the
 * migration rewrote it). */
static void back_to_version_5(gg_store *store)
{
    back_to_version_6(store);
    CHECK_INT(gg_store_exec(store, "DROP TRIGGER plan_kept_delete; DROP TRIGGER plan_kept_update;"
                                   "DROP TRIGGER plan_state; DROP TRIGGER grid_kept_insert;"
                                   "DROP TRIGGER grid_kept_update; DROP TRIGGER grid_kept_delete;"
                                   "DROP TABLE grid_lineage; DROP TABLE grid_code;"
                                   "DROP INDEX plan_published; DROP INDEX plan_parent;"
                                   "ALTER TABLE plan DROP COLUMN made_by; ALTER TABLE plan DROP COLUMN state;"
                                   "ALTER TABLE plan DROP COLUMN published; ALTER TABLE plan DROP COLUMN superseded;"
                                   "ALTER TABLE plan DROP COLUMN published_by; ALTER TABLE plan DROP COLUMN superseded_by;"
                                   "ALTER TABLE grid DROP COLUMN locked;"
                                   "PRAGMA writable_schema=ON;"
                                   "UPDATE sqlite_master SET sql = replace(sql, ',''maintain'',''edit''', '')"
                                   "  WHERE name = 'plan';"
                                   "PRAGMA writable_schema=OFF;"),
              GG_OK);
}

/* A version 5 project's plans become drafts and it may hold plans of the
 * new kinds once opened for writing (schema version 6); nothing else of
 * it changes. */
static void upgrade_makes_plans_versions(void)
{
    gg_ctx *ctx = new_ctx();
    gg_store *store = NULL;
    const char *path = gg_test_path("p.sqlite");
    CHECK_INT(gg_store_create(ctx, path, &store), GG_OK);
    back_to_version_5(store);
    CHECK_INT(gg_store_exec(store, "INSERT INTO plan(created, source) VALUES ('2026-01-01T00:00:00Z', 'import');"
                                   "UPDATE gg_meta SET value = '5' WHERE key = 'schema_version'"),
              GG_OK);
    gg_store_close(store);
    CHECK_INT(gg_store_open(ctx, path, 1, &store), GG_OK);
    if (store == NULL) {
        gg_ctx_free(ctx);
        return;
    }
    CHECK_INT(gg_store_schema_version(store), GG_SCHEMA_VERSION);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM plan WHERE state = 'draft' AND made_by IS NULL"), 1);
    CHECK_INT(gg_store_exec(store, "INSERT INTO plan(created, source) VALUES ('2026-01-02T00:00:00Z', 'edit')"),
              GG_OK);
    CHECK(gg_store_exec(store, "INSERT INTO plan(created, source) VALUES ('2026-01-02T00:00:00Z', 'drawn')") != GG_OK);
    gg_ctx_clear_error(ctx);
    gg_store_close(store);
    /* The rewritten definition is sound: SQLite's own check agrees. */
    CHECK_INT(gg_store_open(ctx, path, 0, &store), GG_OK);
    if (store != NULL) {
        sqlite3_stmt *stmt = NULL;
        CHECK(sqlite3_prepare_v2(store->db, "PRAGMA integrity_check", -1, &stmt, NULL) == SQLITE_OK);
        CHECK(sqlite3_step(stmt) == SQLITE_ROW);
        CHECK_STR((const char *)sqlite3_column_text(stmt, 0), "ok");
        sqlite3_finalize(stmt);
        gg_store_close(store);
    }
    gg_ctx_free(ctx);
}

/* A version 6 project's grids become shared rows and the grid view shows
 * them as the table did (schema version 7): the same row ids, codes and
 * geometry, a sound spatial index, published plans kept; then a draft
 * sharing a published plan's rows writes its own row for a grid it
 * changes and leaves the shared one, and deleting the draft takes only
 * the rows no other plan lists. */
static void upgrade_shares_grids(void)
{
    gg_ctx *ctx = new_ctx();
    gg_store *store = NULL;
    const char *path = gg_test_path("p.sqlite");
    CHECK_INT(gg_store_create(ctx, path, &store), GG_OK);
    back_to_version_6(store);
    CHECK_INT(gg_store_exec(store,
                            "INSERT INTO plan(id, created, source, state) VALUES (1, '2026-01-01T00:00:00Z',"
                            " 'partition', 'draft'), (2, '2026-01-02T00:00:00Z', 'edit', 'draft');"
                            "INSERT INTO grid(fid, plan, code, type, community, households, geom) VALUES"
                            " (11, 1, '1101010010011001', 1, '110101001001', 300,"
                            "  ST_Multi(BuildMbr(116.0, 40.0, 116.01, 40.01, 4326))),"
                            " (12, 1, '1101010010011002', 1, '110101001001', 310,"
                            "  ST_Multi(BuildMbr(116.01, 40.0, 116.02, 40.01, 4326))),"
                            " (13, 2, '1101010010011001', 1, '110101001001', 320,"
                            "  ST_Multi(BuildMbr(116.0, 40.0, 116.012, 40.01, 4326)));"
                            "UPDATE plan SET state = 'published' WHERE id = 1;"
                            "UPDATE gg_meta SET value = '6' WHERE key = 'schema_version'"),
              GG_OK);
    gg_store_close(store);
    store = NULL;
    CHECK_INT(gg_store_open(ctx, path, 1, &store), GG_OK);
    if (store == NULL) {
        gg_ctx_free(ctx);
        return;
    }
    CHECK_INT(gg_store_schema_version(store), GG_SCHEMA_VERSION);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid"), 3);
    CHECK_INT(fx_scalar(store, "SELECT sum(fid) FROM grid WHERE plan = 1"), 23);
    CHECK_INT(fx_scalar(store, "SELECT fid FROM grid WHERE plan = 2 AND code = '1101010010011001' AND households = 320"),
              13);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid WHERE plan = 1 AND ST_Equals(geom,"
                            " ST_Multi(BuildMbr(116.01, 40.0, 116.02, 40.01, 4326)))"),
              1);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM idx_grid_row_geom"), 3);
    CHECK_INT(fx_scalar(store, "SELECT rtreecheck('idx_grid_row_geom') = 'ok'"), 1);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'grid'"), 0);
    CHECK(gg_store_exec(store, "UPDATE grid SET name = 'x' WHERE plan = 1") != GG_OK);
    gg_ctx_clear_error(ctx);
    CHECK(gg_store_exec(store, "DELETE FROM grid WHERE plan = 1") != GG_OK);
    gg_ctx_clear_error(ctx);
    CHECK(gg_store_exec(store, "UPDATE grid_row SET households = 1 WHERE fid = 12") != GG_OK);
    gg_ctx_clear_error(ctx);

    /* The draft lists the published plan's second grid, then changes it. */
    CHECK_INT(gg_store_exec(store, "INSERT INTO plan_grid(plan, code, fid) VALUES (2, '1101010010011002', 12)"), GG_OK);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid_row"), 3);
    CHECK_INT(gg_store_exec(store, "UPDATE grid SET households = 290 WHERE plan = 2 AND code = '1101010010011002'"),
              GG_OK);
    CHECK_INT(fx_scalar(store, "SELECT households FROM grid WHERE plan = 1 AND code = '1101010010011002'"), 310);
    CHECK_INT(fx_scalar(store, "SELECT households FROM grid WHERE plan = 2 AND code = '1101010010011002'"), 290);
    CHECK(fx_scalar(store, "SELECT fid FROM grid WHERE plan = 2 AND code = '1101010010011002'") > 13);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid_row"), 4);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM idx_grid_row_geom"), 4);
    /* A row only the draft lists is changed where it is. */
    CHECK_INT(gg_store_exec(store, "UPDATE grid SET name = 'n' WHERE plan = 2 AND code = '1101010010011001'"), GG_OK);
    CHECK_INT(fx_scalar(store, "SELECT fid FROM grid WHERE plan = 2 AND name = 'n'"), 13);
    CHECK_INT(gg_store_exec(store, "DELETE FROM plan WHERE id = 2"), GG_OK);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid_row"), 2);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM idx_grid_row_geom"), 2);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid WHERE plan = 1"), 2);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'"), 0);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* A version 7 project's incidents get their arrival as the first event of
 * their history and "collected" becomes "reported" (schema version 8). */
static void upgrade_keeps_incident_histories(void)
{
    gg_ctx *ctx = new_ctx();
    gg_store *store = NULL;
    const char *path = gg_test_path("p.sqlite");
    CHECK_INT(gg_store_create(ctx, path, &store), GG_OK);
    back_to_version_7(store);
    CHECK_INT(gg_store_exec(store, "INSERT INTO incident(id, request_id, service_code, stage, requested, updated,"
                                   " worker_id, api_key_name) VALUES"
                                   " (1, '1', '0101', 'collected', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', NULL,"
                                   " 'hotline'),"
                                   " (2, '2', '0101', 'dispatched', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z', 'w1',"
                                   " NULL);"
                                   "UPDATE gg_meta SET value = '7' WHERE key = 'schema_version'"),
              GG_OK);
    gg_store_close(store);
    store = NULL;
    CHECK_INT(gg_store_open(ctx, path, 1, &store), GG_OK);
    if (store == NULL) {
        gg_ctx_free(ctx);
        return;
    }
    CHECK_INT(gg_store_schema_version(store), GG_SCHEMA_VERSION);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM incident WHERE id = 1 AND stage = 'reported' AND handler IS NULL"), 1);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM incident WHERE id = 2 AND stage = 'dispatched' AND handler = 'w1'"), 1);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM incident_event WHERE seq = 1 AND action = 'report' AND"
                            " ((incident = 1 AND to_state = 'reported' AND actor = 'hotline') OR"
                            " (incident = 2 AND to_state = 'dispatched' AND actor = 'open311'))"),
              2);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* A version 8 project gains the idempotency key of case writes (schema
 * version 9): the column, unique per actor, its history kept. */
static void upgrade_adds_case_idempotency(void)
{
    gg_ctx *ctx = new_ctx();
    gg_store *store = NULL;
    const char *path = gg_test_path("p.sqlite");
    CHECK_INT(gg_store_create(ctx, path, &store), GG_OK);
    back_to_version_8(store);
    CHECK_INT(gg_store_exec(store, "INSERT INTO incident(id, request_id, service_code, stage, requested, updated)"
                                   " VALUES (1, '1', '0101', 'reported', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');"
                                   "INSERT INTO incident_event(incident, seq, at, actor, action, to_state)"
                                   " VALUES (1, 1, '2026-01-01T00:00:00Z', 'hotline', 'report', 'reported');"
                                   "UPDATE gg_meta SET value = '8' WHERE key = 'schema_version'"),
              GG_OK);
    gg_store_close(store);
    store = NULL;
    CHECK_INT(gg_store_open(ctx, path, 1, &store), GG_OK);
    if (store == NULL) {
        gg_ctx_free(ctx);
        return;
    }
    CHECK_INT(gg_store_schema_version(store), GG_SCHEMA_VERSION);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM incident_event WHERE incident = 1 AND idempotency_key IS NULL"), 1);
    CHECK_INT(gg_store_exec(store, "INSERT INTO incident_event(incident, seq, at, actor, action, to_state,"
                                   " idempotency_key) VALUES (1, 2, '2026-01-01T01:00:00Z', 'a', 'accept', 'accepted',"
                                   " 'k'), (1, 3, '2026-01-01T02:00:00Z', 'b', 'reject', 'rejected', 'k')"),
              GG_OK);
    CHECK_INT(gg_store_exec(store, "INSERT INTO incident_event(incident, seq, at, actor, action, to_state,"
                                   " idempotency_key) VALUES (1, 4, '2026-01-01T03:00:00Z', 'a', 'reopen',"
                                   " 'dispatched', 'k')"),
              GG_ERR_STORE);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'"), 0);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* A version 3 project's household points are moved onto the 1e-7 degree
 * grid when it is opened for writing (schema version 4), and it gains what
 * version 5 adds (catalogue attributes, what recognises a resent
 * incident). The new project is taken back to version 3 first. */
static void upgrade_rounds_household_points(void)
{
    gg_ctx *ctx = new_ctx();
    gg_store *store = NULL;
    const char *path = gg_test_path("p.sqlite");
    CHECK_INT(gg_store_create(ctx, path, &store), GG_OK);
    back_to_version_5(store);
    CHECK_INT(gg_store_exec(store, "INSERT INTO household(id, count, geom) VALUES"
                                   " ('a', 3, MakePoint(116.00000004, 40.00000006, 4326)),"
                                   " ('b', 1, MakePoint(116.0000001, 40.0000002, 4326));"
                                   "DROP INDEX incident_idempotency; DROP INDEX incident_fingerprint;"
                                   "ALTER TABLE incident DROP COLUMN idempotency_key;"
                                   "ALTER TABLE incident DROP COLUMN fingerprint;"
                                   "ALTER TABLE catalogue DROP COLUMN attributes;"
                                   "UPDATE gg_meta SET value = '3' WHERE key = 'schema_version'"),
              GG_OK);
    gg_store_close(store);
    store = NULL;
    CHECK_INT(gg_store_open(ctx, path, 0, &store), GG_ERR_SCHEMA);
    CHECK_INT(gg_store_open(ctx, path, 1, &store), GG_OK);
    if (store == NULL) {
        gg_ctx_free(ctx);
        return;
    }
    CHECK_INT(gg_store_schema_version(store), GG_SCHEMA_VERSION);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM pragma_table_info('incident') WHERE name IN"
                            " ('idempotency_key', 'fingerprint')"), 2);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM pragma_table_info('catalogue') WHERE name = 'attributes'"), 1);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM household WHERE id = 'a' AND X(geom) = 116.0 AND"
                            " abs(Y(geom) - 40.0000001) < 1e-12"), 1);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM household WHERE id = 'b' AND abs(X(geom) - 116.0000001) < 1e-12"
                            " AND abs(Y(geom) - 40.0000002) < 1e-12"), 1);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void read_only_store_refuses_writes(void)
{
    gg_ctx *ctx = new_ctx();
    gg_store *store = NULL;
    const char *path = gg_test_path("p.sqlite");
    CHECK_INT(gg_store_create(ctx, path, &store), GG_OK);
    gg_store_close(store);
    CHECK_INT(gg_store_open(ctx, path, 0, &store), GG_OK);
    CHECK_INT(gg_store_begin(store), GG_ERR_ARG);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "read-only");
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void rollback_leaves_the_file_as_it_was(void)
{
    gg_ctx *ctx = new_ctx();
    gg_store *store = NULL;
    const char *path = gg_test_path("p.sqlite"), *copy = gg_test_path("copy.sqlite");
    CHECK_INT(gg_store_create(ctx, path, &store), GG_OK);
    gg_store_close(store);
    CHECK(gg_test_copy_file(path, copy));
    CHECK_INT(gg_store_open(ctx, path, 1, &store), GG_OK);
    CHECK_INT(gg_store_begin(store), GG_OK);
    CHECK_INT(gg_store_begin(store), GG_ERR_ARG); /* no nesting */
    CHECK_INT(gg_store_exec(store, "INSERT INTO worker(id, name, role) VALUES ('w1', 'Li', 'leader')"), GG_OK);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM worker"), 1);
    CHECK_INT(gg_store_rollback(store), GG_OK);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM worker"), 0);
    CHECK_INT(gg_store_commit(store), GG_ERR_ARG);
    /* The schema's CHECK constraints hold too. */
    CHECK_INT(gg_store_exec(store, "INSERT INTO worker(id, name, role) VALUES ('w1', 'Li', 'boss')"), GG_ERR_STORE);
    gg_store_close(store);
    CHECK(gg_test_same_file(path, copy));
    gg_ctx_free(ctx);
}

static void info_of_an_empty_project(void)
{
    gg_ctx *ctx = new_ctx();
    gg_store *store = NULL;
    CHECK_INT(gg_store_create(ctx, gg_test_path("p.sqlite"), &store), GG_OK);
    gg_store_info *info = NULL;
    CHECK_INT(gg_store_info_get(ctx, store, &info), GG_OK);
    CHECK(info != NULL);
    if (info) {
        CHECK_INT(info->schema_version, GG_SCHEMA_VERSION);
        for (int i = 0; i < GG_LAYER_COUNT; i++) {
            CHECK_INT(info->layers[i].features, 0);
            CHECK_INT(info->layers[i].has_extent, 0);
        }
        CHECK_INT(info->households, 0);
        CHECK_INT(info->n_plans, 0);
        CHECK_INT(info->n_classes, 0);
    }
    gg_store_info_free(ctx, info);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void layer_names(void)
{
    gg_ctx *ctx = new_ctx();
    for (int i = 0; i < GG_LAYER_COUNT; i++) {
        gg_layer l;
        CHECK_INT(gg_layer_from_name(ctx, gg_layer_name((gg_layer)i), &l), GG_OK);
        CHECK_INT(l, i);
    }
    gg_layer l;
    CHECK_INT(gg_layer_from_name(ctx, "dept_grids", &l), GG_ERR_NOT_FOUND);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "unknown layer 'dept_grids' (expected one of: divisions");
    CHECK(gg_layer_name(GG_LAYER_COUNT) == NULL);
    gg_ctx_free(ctx);
}

/* A project is in WAL mode, written into the file: readers (the service's
 * threads) go on reading while a writer commits, and a job's read
 * snapshot never blocks a writer. */
static void projects_are_in_wal_mode(void)
{
    gg_ctx *ctx = new_ctx();
    gg_store *store = NULL;
    const char *path = gg_test_path("p.sqlite");
    CHECK_INT(gg_store_create(ctx, path, &store), GG_OK);
    gg_store_close(store);
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *stmt = NULL;
    CHECK_INT(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, NULL), SQLITE_OK);
    CHECK_INT(sqlite3_step(stmt), SQLITE_ROW);
    CHECK_STR((const char *)sqlite3_column_text(stmt, 0), "wal");
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    CHECK_INT(gg_store_open(ctx, path, 0, &store), GG_OK);
    CHECK_INT(fx_scalar(store, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* The change counters move with the writes that bump them and only
 * those, and a job's write transaction is refused when what it read has
 * changed since. Staged tables shadow the project's on this connection
 * only, keep their constraints, and are copied in with their row ids. */
static void changes_and_staging(void)
{
    gg_ctx *ctx = new_ctx();
    gg_store *store = NULL, *other = NULL;
    const char *path = gg_test_path("p.sqlite");
    CHECK_INT(gg_store_create(ctx, path, &store), GG_OK);
    CHECK_INT(gg_store_open(ctx, path, 1, &other), GG_OK);
    const char *inputs[] = {"household", "division"}, *unrelated[] = {"worker"};
    int64_t stamp = -1, later = -1;
    CHECK_INT(gg_store_changes(store, inputs, 2, &stamp), GG_OK);
    CHECK_INT(stamp, 0);
    CHECK_INT(gg_store_begin(other), GG_OK);
    CHECK_INT(gg_store_changes_bump(other, unrelated, 1), GG_OK);
    CHECK_INT(gg_store_commit(other), GG_OK);
    CHECK_INT(gg_store_begin_unchanged(store, inputs, 2, stamp, "the test"), GG_OK);
    CHECK_INT(gg_store_rollback(store), GG_OK);
    CHECK_INT(gg_store_begin(other), GG_OK);
    CHECK_INT(gg_store_changes_bump(other, inputs + 1, 1), GG_OK);
    CHECK_INT(gg_store_commit(other), GG_OK);
    CHECK_INT(gg_store_changes(store, inputs, 2, &later), GG_OK);
    CHECK_INT(later, 1);
    CHECK_INT(gg_store_begin_unchanged(store, inputs, 2, stamp, "the test"), GG_ERR_STORE);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "household, division changed while the test ran");
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM gg_meta WHERE key LIKE 'changes:%'"), 2);
    gg_ctx_clear_error(ctx);

    const char *staged[] = {"worker"};
    CHECK_INT(gg_store_exec(other, "INSERT INTO worker(fid, id, name, role) VALUES (7, 'w7', 'Li', 'leader')"), GG_OK);
    CHECK_INT(gg_stage_create(store, staged, 1), GG_OK);
    CHECK_INT(gg_store_begin_snapshot(store), GG_OK);
    CHECK_INT(gg_stage_fill(store, "worker", NULL, 0, NULL), GG_OK);
    CHECK_INT(gg_store_exec(store, "INSERT INTO worker(fid, id, name, role) VALUES (8, 'w8', 'Wang', 'fulltime')"),
              GG_OK);
    /* The staged table keeps the project's constraints. */
    CHECK_INT(gg_store_exec(store, "INSERT INTO worker(fid, id, name, role) VALUES (9, 'w7', 'Li', 'leader')"),
              GG_ERR_STORE);
    CHECK_INT(gg_store_exec(store, "INSERT INTO worker(fid, id, name, role) VALUES (9, 'w9', 'Li', 'boss')"),
              GG_ERR_STORE);
    gg_ctx_clear_error(ctx);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM worker"), 2);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM main.worker"), 1);
    CHECK_INT(fx_scalar(other, "SELECT count(*) FROM worker"), 1);
    /* A snapshot does not keep other connections from writing. */
    CHECK_INT(gg_store_exec(other, "UPDATE worker SET phone = '110' WHERE fid = 7"), GG_OK);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM main.worker WHERE phone IS NOT NULL"), 0);
    CHECK_INT(gg_store_commit(store), GG_OK);
    CHECK_INT(gg_store_begin(store), GG_OK);
    int64_t copied = 0;
    CHECK_INT(gg_stage_copy(store, "worker", 8, &copied), GG_OK);
    CHECK_INT(copied, 1);
    CHECK_INT(gg_store_commit(store), GG_OK);
    gg_stage_drop(store, staged, 1);
    char text[64] = "";
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(store->db, "SELECT group_concat(id, ' ') FROM (SELECT id FROM worker ORDER BY fid)", -1,
                           &stmt, NULL) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
        snprintf(text, sizeof text, "%s", (const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    CHECK_STR(text, "w7 w8");
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM sqlite_temp_master"), 0);
    gg_store_close(other);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

TEST_LIST(T(new_project_has_schema_and_spatial_indexes), T(create_never_overwrites),
          T(open_refuses_what_is_not_a_project), T(open_refuses_a_newer_schema),
          T(upgrade_rounds_household_points), T(upgrade_gives_the_loop_its_settings),
          T(upgrade_makes_plans_versions),
          T(upgrade_shares_grids),
          T(upgrade_keeps_incident_histories), T(upgrade_adds_case_idempotency),
          T(read_only_store_refuses_writes), T(rollback_leaves_the_file_as_it_was),
          T(info_of_an_empty_project), T(layer_names), T(projects_are_in_wal_mode), T(changes_and_staging))
