/* The project schema and its migrations.
 *
 * migrations[i] takes a project from version i to i + 1; a new project
 * runs them all from 0. A migration is SQL only, run inside the caller's
 * transaction, so a failed upgrade leaves the file as it was. */
#include "store/stage.h"
#include "store/store.h"
#include "geo/coverage.h"

#include <stdio.h>
#include <string.h>

static const char schema_v1[] =
    "SELECT InitSpatialMetaData(0, 'WGS84_ONLY');"
    "SELECT InsertEpsgSrid(4490);"
    "CREATE TABLE gg_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    /* Divisions: counties (6-digit code), townships (9), communities (12). */
    "CREATE TABLE division("
    "  code TEXT PRIMARY KEY,"
    "  level TEXT NOT NULL CHECK (level IN ('county','township','community')),"
    "  name TEXT, parent TEXT, urban_rural TEXT);"
    "SELECT AddGeometryColumn('division','geom',4326,'MULTIPOLYGON','XY');"
    "SELECT CreateSpatialIndex('division','geom');"
    "CREATE INDEX division_parent ON division(parent);"
    "CREATE TABLE household("
    "  fid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    "  count INTEGER NOT NULL CHECK (count >= 0), persons INTEGER, address TEXT,"
    "  community TEXT);"
    "SELECT AddGeometryColumn('household','geom',4326,'POINT','XY',1);"
    "SELECT CreateSpatialIndex('household','geom');"
    "CREATE INDEX household_community ON household(community);"
    "CREATE TABLE road(fid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, class TEXT, name TEXT);"
    "SELECT AddGeometryColumn('road','geom',4326,'MULTILINESTRING','XY',1);"
    "SELECT CreateSpatialIndex('road','geom');"
    "CREATE TABLE waterway(fid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, kind TEXT, name TEXT);"
    "SELECT AddGeometryColumn('waterway','geom',4326,'GEOMETRY','XY',1);"
    "SELECT CreateSpatialIndex('waterway','geom');"
    "CREATE TABLE unit(fid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
    "  name TEXT, size REAL, community TEXT);"
    "SELECT AddGeometryColumn('unit','geom',4326,'GEOMETRY','XY',1);"
    "SELECT CreateSpatialIndex('unit','geom');"
    "CREATE TABLE worker(fid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
    "  role TEXT NOT NULL CHECK (role IN ('leader','fulltime','parttime','volunteer','instructor')),"
    "  phone TEXT, grid_code TEXT);"
    "CREATE INDEX worker_grid ON worker(grid_code);"
    "CREATE TABLE dept_grid(fid INTEGER PRIMARY KEY, dept TEXT NOT NULL, id TEXT NOT NULL,"
    "  name TEXT, UNIQUE (dept, id));"
    "SELECT AddGeometryColumn('dept_grid','geom',4326,'MULTIPOLYGON','XY',1);"
    "SELECT CreateSpatialIndex('dept_grid','geom');"
    "CREATE TABLE plan(id INTEGER PRIMARY KEY, parent INTEGER REFERENCES plan(id),"
    "  created TEXT NOT NULL, source TEXT NOT NULL CHECK (source IN ('import','partition')),"
    "  note TEXT, params TEXT);"
    "CREATE TABLE grid(fid INTEGER PRIMARY KEY,"
    "  plan INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,"
    "  code TEXT NOT NULL, type INTEGER, community TEXT, name TEXT,"
    "  households INTEGER, area_m2 REAL, UNIQUE (plan, code));"
    "SELECT AddGeometryColumn('grid','geom',4326,'MULTIPOLYGON','XY',1);"
    "SELECT CreateSpatialIndex('grid','geom');"
    "CREATE TABLE import_log(id INTEGER PRIMARY KEY, at TEXT NOT NULL, layer TEXT NOT NULL,"
    "  source TEXT NOT NULL, src_layer TEXT, mode TEXT NOT NULL, features_read INTEGER,"
    "  imported INTEGER, repaired INTEGER, rejected INTEGER, plan INTEGER);";

/* Version 2: what a partitioned grid carries besides its households. */
static const char schema_v2[] =
    "ALTER TABLE grid ADD COLUMN persons INTEGER;"
    "ALTER TABLE grid ADD COLUMN flags TEXT;"
    "ALTER TABLE grid ADD COLUMN beidou TEXT;";

/* Version 3: the item catalogue, in versions, and the incidents. */
static const char schema_v3[] =
    "CREATE TABLE catalogue_version(version INTEGER PRIMARY KEY, loaded TEXT NOT NULL, source TEXT NOT NULL,"
    "  note TEXT);"
    "CREATE TABLE catalogue(fid INTEGER PRIMARY KEY,"
    "  version INTEGER NOT NULL REFERENCES catalogue_version(version) ON DELETE CASCADE,"
    "  item_code TEXT NOT NULL, class TEXT NOT NULL, subclass TEXT, name TEXT NOT NULL, name_en TEXT,"
    "  department TEXT NOT NULL, reporting_condition TEXT, reach_within TEXT NOT NULL,"
    "  handle_within TEXT NOT NULL, closing_condition TEXT, UNIQUE (version, item_code));"
    "CREATE TABLE incident(id INTEGER PRIMARY KEY,"
    "  request_id TEXT NOT NULL UNIQUE, service_code TEXT NOT NULL, catalogue_version INTEGER,"
    "  description TEXT, lon REAL, lat REAL, address TEXT,"
    "  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed')),"
    "  stage TEXT NOT NULL DEFAULT 'dispatched', status_notes TEXT,"
    "  plan INTEGER, grid_code TEXT, community TEXT, worker_id TEXT, leader_id TEXT, locate_status TEXT,"
    "  distance_m REAL, email TEXT, phone TEXT, first_name TEXT, last_name TEXT, device_id TEXT,"
    "  account_id TEXT, media_url TEXT, attributes TEXT, api_key_name TEXT,"
    "  requested TEXT NOT NULL, updated TEXT NOT NULL, expected TEXT);"
    "CREATE INDEX incident_requested ON incident(requested);"
    "CREATE INDEX incident_worker ON incident(worker_id, status);";

/* Version 4 stores household points on the plans' precision grid (see
 * geo/coverage.h); the rounding is GEOS's, so it is done in C by
 * round_household_points, after this script. */
static const char schema_v4[] = "SELECT 1;";

/* Version 5: a catalogue item's Open311 attributes (a JSON array of their
 * definitions), and what recognises a resent incident: the client's
 * Idempotency-Key and a fingerprint of the request (see
 * incident/submit.c). */
static const char schema_v5[] =
    "ALTER TABLE catalogue ADD COLUMN attributes TEXT;"
    "ALTER TABLE incident ADD COLUMN idempotency_key TEXT;"
    "ALTER TABLE incident ADD COLUMN fingerprint TEXT;"
    "CREATE UNIQUE INDEX incident_idempotency ON incident(api_key_name, idempotency_key)"
    "  WHERE idempotency_key IS NOT NULL;"
    "CREATE INDEX incident_fingerprint ON incident(fingerprint) WHERE fingerprint IS NOT NULL;";

/* Version 6: plans as versions and the register of grid codes (see
 * docs/architecture.md, "Plan versions and the code register").
 *   - plan: who made it, its state (a draft, the published plan, or one a
 *     later publication superseded) and when it was published and
 *     superseded; at most one is published. The kinds of plan grow by
 *     'maintain' and 'edit' (widen_plan_kinds, after this script).
 *   - grid_code: every code a published plan ever issued, with the plans
 *     that issued and retired it; a retired code is never issued again.
 *   - grid.locked: a planner's lock (govgrid edit lock), which maintenance
 *     respects.
 *   - grid_lineage: which grids of the plan it superseded each changed
 *     grid of a published plan came from, with the area they share.
 *   - Triggers keep a published or superseded plan and its grids as they
 *     are, whoever writes to the file. */
static const char schema_v6[] =
    "ALTER TABLE plan ADD COLUMN made_by TEXT;"
    "ALTER TABLE plan ADD COLUMN state TEXT NOT NULL DEFAULT 'draft'"
    "  CHECK (state IN ('draft','published','superseded'));"
    "ALTER TABLE plan ADD COLUMN published TEXT;"
    "ALTER TABLE plan ADD COLUMN published_by TEXT;"
    "ALTER TABLE plan ADD COLUMN superseded TEXT;"
    "ALTER TABLE plan ADD COLUMN superseded_by INTEGER REFERENCES plan(id);"
    "ALTER TABLE grid ADD COLUMN locked INTEGER NOT NULL DEFAULT 0;"
    "CREATE UNIQUE INDEX plan_published ON plan(state) WHERE state = 'published';"
    "CREATE INDEX plan_parent ON plan(parent);"
    "CREATE TABLE grid_code(code TEXT PRIMARY KEY, community TEXT NOT NULL, type INTEGER NOT NULL,"
    "  issued_by INTEGER NOT NULL REFERENCES plan(id), valid_from TEXT NOT NULL,"
    "  retired_by INTEGER REFERENCES plan(id), valid_to TEXT);"
    "CREATE INDEX grid_code_community ON grid_code(community, type);"
    "CREATE TABLE grid_lineage(plan INTEGER NOT NULL REFERENCES plan(id), from_code TEXT NOT NULL,"
    "  to_code TEXT NOT NULL, area_m2 REAL NOT NULL, PRIMARY KEY (plan, from_code, to_code));"
    "CREATE INDEX grid_lineage_from ON grid_lineage(from_code);"
    "CREATE INDEX grid_lineage_to ON grid_lineage(to_code);"
    "CREATE TRIGGER plan_kept_delete BEFORE DELETE ON plan WHEN OLD.state <> 'draft' BEGIN"
    "  SELECT RAISE(ABORT, 'a published or superseded plan is kept: it cannot be deleted'); END;"
    "CREATE TRIGGER plan_kept_update BEFORE UPDATE OF id, parent, created, source, note, params, made_by, published,"
    "  published_by ON plan WHEN OLD.state <> 'draft' BEGIN"
    "  SELECT RAISE(ABORT, 'a published or superseded plan is kept as it was published: it cannot change'); END;"
    "CREATE TRIGGER plan_state BEFORE UPDATE OF state ON plan WHEN NOT ("
    "  OLD.state = NEW.state OR (OLD.state = 'draft' AND NEW.state = 'published')"
    "  OR (OLD.state = 'published' AND NEW.state = 'superseded')) BEGIN"
    "  SELECT RAISE(ABORT, 'a plan goes from draft to published to superseded, never back'); END;"
    "CREATE TRIGGER grid_kept_insert BEFORE INSERT ON grid"
    "  WHEN (SELECT state FROM plan WHERE id = NEW.plan) IN ('published','superseded') BEGIN"
    "  SELECT RAISE(ABORT, 'the grids of a published or superseded plan cannot change'); END;"
    "CREATE TRIGGER grid_kept_update BEFORE UPDATE ON grid"
    "  WHEN (SELECT state FROM plan WHERE id = OLD.plan) IN ('published','superseded')"
    "  OR (SELECT state FROM plan WHERE id = NEW.plan) IN ('published','superseded') BEGIN"
    "  SELECT RAISE(ABORT, 'the grids of a published or superseded plan cannot change'); END;"
    "CREATE TRIGGER grid_kept_delete BEFORE DELETE ON grid"
    "  WHEN (SELECT state FROM plan WHERE id = OLD.plan) IN ('published','superseded') BEGIN"
    "  SELECT RAISE(ABORT, 'the grids of a published or superseded plan cannot change'); END;";

/* Version 7: plans share the grids they have in common. A grid's stored
 * form (its attributes and geometry) is a grid_row; which rows make up a
 * plan, under which code, is plan_grid. A draft made by an edit or by
 * maintenance lists its parent's rows and adds rows only for the grids it
 * changes, so that an edit costs what it touches rather than a copy of
 * every grid (see docs/architecture.md, "Plans share their grids").
 *   - grid is a view of the two, with the columns the grid table had: a
 *     reader asks for a plan's grids as before. Writing to it goes through
 *     its INSTEAD OF triggers: an insert adds a row and its membership; an
 *     update of a row another plan shares writes a new row for this plan
 *     and leaves the shared one as it is; a delete removes the membership,
 *     and a row no plan lists any more goes with its last membership.
 *   - grid_row.made_in is the plan the row was written for (it may have
 *     been deleted since, a draft whose children still list the row).
 *   - Published and superseded plans stay as they are: their memberships
 *     cannot change, nor can a row they list. */
static const char schema_v7[] =
    "CREATE TABLE grid_row(fid INTEGER PRIMARY KEY, made_in INTEGER NOT NULL, code TEXT NOT NULL,"
    "  type INTEGER, community TEXT, name TEXT, households INTEGER, area_m2 REAL, persons INTEGER,"
    "  flags TEXT, beidou TEXT, locked INTEGER NOT NULL DEFAULT 0);"
    "SELECT AddGeometryColumn('grid_row','geom',4326,'MULTIPOLYGON','XY',1);"
    "INSERT INTO grid_row(fid, made_in, code, type, community, name, households, area_m2, persons, flags, beidou,"
    "  locked, geom) SELECT fid, plan, code, type, community, name, households, area_m2, persons, flags, beidou,"
    "  locked, geom FROM grid ORDER BY fid;"
    "SELECT CreateSpatialIndex('grid_row','geom');"
    "CREATE TABLE plan_grid(plan INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE, code TEXT NOT NULL,"
    "  fid INTEGER NOT NULL REFERENCES grid_row(fid), PRIMARY KEY (plan, code)) WITHOUT ROWID;"
    "CREATE INDEX plan_grid_fid ON plan_grid(fid, plan);"
    "INSERT INTO plan_grid(plan, code, fid) SELECT plan, code, fid FROM grid;"
    "SELECT DropTable(NULL, 'grid');"
    "CREATE VIEW grid AS SELECT r.fid AS fid, m.plan AS plan, m.code AS code, r.type AS type,"
    "  r.community AS community, r.name AS name, r.households AS households, r.area_m2 AS area_m2,"
    "  r.geom AS geom, r.persons AS persons, r.flags AS flags, r.beidou AS beidou, r.locked AS locked"
    "  FROM plan_grid m JOIN grid_row r ON r.fid = m.fid;";

/* Version 7, continued: writing to the grid view, and what keeps published
 * plans as they are. */
static const char schema_v7_triggers[] =
    "CREATE TRIGGER grid_insert INSTEAD OF INSERT ON grid BEGIN"
    "  INSERT INTO grid_row(fid, made_in, code, type, community, name, households, area_m2, persons, flags,"
    "    beidou, locked, geom) VALUES (NEW.fid, NEW.plan, NEW.code, NEW.type, NEW.community, NEW.name,"
    "    NEW.households, NEW.area_m2, NEW.persons, NEW.flags, NEW.beidou, coalesce(NEW.locked, 0), NEW.geom);"
    "  INSERT INTO plan_grid(plan, code, fid) VALUES (NEW.plan, NEW.code, last_insert_rowid()); END;"
    "CREATE TRIGGER grid_update_shared INSTEAD OF UPDATE ON grid"
    "  WHEN EXISTS (SELECT 1 FROM plan_grid WHERE fid = OLD.fid AND plan <> OLD.plan) BEGIN"
    "  INSERT INTO grid_row(made_in, code, type, community, name, households, area_m2, persons, flags, beidou,"
    "    locked, geom) VALUES (NEW.plan, NEW.code, NEW.type, NEW.community, NEW.name, NEW.households,"
    "    NEW.area_m2, NEW.persons, NEW.flags, NEW.beidou, coalesce(NEW.locked, 0), NEW.geom);"
    "  UPDATE plan_grid SET plan = NEW.plan, code = NEW.code, fid = last_insert_rowid()"
    "    WHERE plan = OLD.plan AND code = OLD.code; END;"
    "CREATE TRIGGER grid_update_own INSTEAD OF UPDATE ON grid"
    "  WHEN NOT EXISTS (SELECT 1 FROM plan_grid WHERE fid = OLD.fid AND plan <> OLD.plan) BEGIN"
    "  UPDATE grid_row SET made_in = NEW.plan, code = NEW.code, type = NEW.type, community = NEW.community,"
    "    name = NEW.name, households = NEW.households, area_m2 = NEW.area_m2, persons = NEW.persons,"
    "    flags = NEW.flags, beidou = NEW.beidou, locked = coalesce(NEW.locked, 0) WHERE fid = OLD.fid;"
    "  UPDATE grid_row SET geom = NEW.geom WHERE fid = OLD.fid AND geom IS NOT NEW.geom;"
    "  UPDATE plan_grid SET plan = NEW.plan, code = NEW.code WHERE plan = OLD.plan AND code = OLD.code; END;"
    "CREATE TRIGGER grid_delete INSTEAD OF DELETE ON grid BEGIN"
    "  DELETE FROM plan_grid WHERE plan = OLD.plan AND code = OLD.code; END;"
    "CREATE TRIGGER plan_grid_last AFTER DELETE ON plan_grid"
    "  WHEN NOT EXISTS (SELECT 1 FROM plan_grid WHERE fid = OLD.fid) BEGIN"
    "  DELETE FROM grid_row WHERE fid = OLD.fid; END;"
    "CREATE TRIGGER plan_grid_kept_insert BEFORE INSERT ON plan_grid"
    "  WHEN (SELECT state FROM plan WHERE id = NEW.plan) IN ('published','superseded') BEGIN"
    "  SELECT RAISE(ABORT, 'the grids of a published or superseded plan cannot change'); END;"
    "CREATE TRIGGER plan_grid_kept_update BEFORE UPDATE ON plan_grid"
    "  WHEN (SELECT state FROM plan WHERE id = OLD.plan) IN ('published','superseded')"
    "  OR (SELECT state FROM plan WHERE id = NEW.plan) IN ('published','superseded') BEGIN"
    "  SELECT RAISE(ABORT, 'the grids of a published or superseded plan cannot change'); END;"
    "CREATE TRIGGER plan_grid_kept_delete BEFORE DELETE ON plan_grid"
    "  WHEN (SELECT state FROM plan WHERE id = OLD.plan) IN ('published','superseded') BEGIN"
    "  SELECT RAISE(ABORT, 'the grids of a published or superseded plan cannot change'); END;"
    "CREATE TRIGGER grid_row_kept_update BEFORE UPDATE ON grid_row WHEN EXISTS (SELECT 1 FROM plan_grid m"
    "  JOIN plan p ON p.id = m.plan WHERE m.fid = OLD.fid AND p.state IN ('published','superseded')) BEGIN"
    "  SELECT RAISE(ABORT, 'the grids of a published or superseded plan cannot change'); END;"
    "CREATE TRIGGER grid_row_kept_delete BEFORE DELETE ON grid_row WHEN EXISTS (SELECT 1 FROM plan_grid m"
    "  JOIN plan p ON p.id = m.plan WHERE m.fid = OLD.fid AND p.state IN ('published','superseded')) BEGIN"
    "  SELECT RAISE(ABORT, 'the grids of a published or superseded plan cannot change'); END;";

/* Version 8: the closed loop (include/govgrid/incident.h). An incident's
 * state is its stage ("collected" is now "reported"); it gains its
 * handler, escalation level, a deadline asked for and not yet granted, a
 * review date, the reporter's satisfaction and the accountability flag.
 * calendar_day is the project's working calendar (gg_calendar_import):
 * the days that differ from the plain week; none, the shipped one.
 * incident_event is its history, one row per action (the arrival first),
 * only ever added to: triggers refuse a change or a deletion. Incidents
 * stored before get their arrival as the first event. */
static const char schema_v8[] =
    "ALTER TABLE incident ADD COLUMN handler TEXT;"
    "ALTER TABLE incident ADD COLUMN level INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE incident ADD COLUMN extension_asked TEXT;"
    "ALTER TABLE incident ADD COLUMN review_on TEXT;"
    "ALTER TABLE incident ADD COLUMN satisfaction TEXT CHECK (satisfaction IN ('satisfied','basically','not'));"
    "ALTER TABLE incident ADD COLUMN accountability INTEGER NOT NULL DEFAULT 0;"
    "UPDATE incident SET stage = 'reported' WHERE stage = 'collected';"
    "UPDATE incident SET handler = worker_id WHERE stage = 'dispatched';"
    "CREATE TABLE incident_event(id INTEGER PRIMARY KEY,"
    "  incident INTEGER NOT NULL REFERENCES incident(id), seq INTEGER NOT NULL, at TEXT NOT NULL,"
    "  actor TEXT NOT NULL, action TEXT NOT NULL, from_state TEXT, to_state TEXT NOT NULL, note TEXT,"
    "  reason TEXT, attachments TEXT, deadline TEXT, level INTEGER NOT NULL DEFAULT 0, handler TEXT,"
    "  UNIQUE (incident, seq));"
    "CREATE INDEX incident_event_at ON incident_event(at);"
    "INSERT INTO incident_event(incident, seq, at, actor, action, from_state, to_state, note, level, handler)"
    "  SELECT id, 1, requested, coalesce(api_key_name, 'open311'), 'report', NULL, stage,"
    "  'stored before incidents kept a history', 0, worker_id FROM incident ORDER BY id;"
    "CREATE TRIGGER incident_event_kept_update BEFORE UPDATE ON incident_event BEGIN"
    "  SELECT RAISE(ABORT, 'an incident''s history is kept as it was written: it cannot change'); END;"
    "CREATE TRIGGER incident_event_kept_delete BEFORE DELETE ON incident_event BEGIN"
    "  SELECT RAISE(ABORT, 'an incident''s history is kept as it was written: it cannot be deleted'); END;"
    "CREATE TABLE calendar_day(date TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('holiday','workday')),"
    "  name TEXT);";

/* Version 9: routing, duty hours, staffing rules, escalation levels and
 * the lights of an incident's time limits (include/govgrid/incident.h).
 * A catalogue item says who handles it (route: the grid, its department,
 * or straight to a level), which departments handle it with the lead
 * (co_departments, ';'-separated), the time to verify and close after the
 * feedback (close_within) and from what share of a stage's time its light
 * turns yellow (warn_at). An incident gains its lead department, the
 * co-handling departments, the grid worker copied, its source channel,
 * when the running stage's clock started and the deadlines to reach the
 * site and to close, and a referral beyond the last level. A worker gains
 * duty hours (shift). staffing_rule holds the roster rule per class of
 * community (urban, rural); case_level the escalation levels, each with
 * its scope and time limit; level_contact each level's contact per
 * division. The defaults are 1+2+N and four levels: grid, community
 * workstation, township centre, district centre. An event gains who is
 * behind it (a reporter commenting through an Open311 client: their name,
 * email, phone and account as the client sends them, a JSON object) and
 * the client's own id of it, which the same actor cannot send twice (an
 * update resent is stored once), and a case write's idempotency key: a
 * client that got no answer to an action (the service was killed, the
 * connection dropped) sends it again with the same key, kept with the
 * event it made and unique per actor, so the resend makes no second one
 * (gg_case_request.idempotency_key). Added columns leave the history's
 * rows as they were written. */
static const char schema_v9[] =
    "ALTER TABLE catalogue ADD COLUMN route TEXT;"
    "ALTER TABLE catalogue ADD COLUMN co_departments TEXT;"
    "ALTER TABLE catalogue ADD COLUMN close_within TEXT;"
    "ALTER TABLE catalogue ADD COLUMN warn_at REAL;"
    "ALTER TABLE incident ADD COLUMN department TEXT;"
    "ALTER TABLE incident ADD COLUMN co_handlers TEXT;"
    "ALTER TABLE incident ADD COLUMN copied TEXT;"
    "ALTER TABLE incident ADD COLUMN source TEXT;"
    "ALTER TABLE incident ADD COLUMN stage_started TEXT;"
    "ALTER TABLE incident ADD COLUMN reach_by TEXT;"
    "ALTER TABLE incident ADD COLUMN close_by TEXT;"
    "ALTER TABLE incident ADD COLUMN referred_to TEXT;"
    "UPDATE incident SET stage_started = requested WHERE stage IN ('dispatched','in_progress');"
    "CREATE INDEX incident_stage ON incident(stage);"
    "ALTER TABLE worker ADD COLUMN shift TEXT;"
    "CREATE TABLE staffing_rule(class TEXT PRIMARY KEY CHECK (class IN ('urban','rural')),"
    "  leaders INTEGER NOT NULL CHECK (leaders >= 0), workers INTEGER NOT NULL CHECK (workers >= 0),"
    "  fulltime INTEGER NOT NULL CHECK (fulltime >= 0), volunteers INTEGER NOT NULL CHECK (volunteers >= 0),"
    "  note TEXT);"
    "INSERT INTO staffing_rule VALUES ('urban', 1, 2, 1, 0, '1+2+N'), ('rural', 1, 2, 1, 0, '1+2+N');"
    "CREATE TABLE case_level(level INTEGER PRIMARY KEY CHECK (level >= 0), name TEXT NOT NULL,"
    "  scope TEXT NOT NULL CHECK (scope IN ('grid','community','township','district')), handle_within TEXT);"
    "INSERT INTO case_level VALUES (0, '网格', 'grid', NULL), (1, '社区工作站', 'community', '3wd'),"
    "  (2, '镇街综治中心', 'township', '5wd'), (3, '区综治中心', 'district', '10wd');"
    "CREATE TABLE level_contact(level INTEGER NOT NULL, division TEXT NOT NULL, name TEXT NOT NULL, phone TEXT,"
    "  PRIMARY KEY (level, division));"
    "ALTER TABLE incident_event ADD COLUMN author TEXT;"
    "ALTER TABLE incident_event ADD COLUMN client_update_id TEXT;"
    "CREATE UNIQUE INDEX incident_event_client ON incident_event(actor, client_update_id)"
    "  WHERE client_update_id IS NOT NULL;"
    "ALTER TABLE incident_event ADD COLUMN idempotency_key TEXT;"
    "CREATE UNIQUE INDEX incident_event_idempotency ON incident_event(actor, idempotency_key)"
    "  WHERE idempotency_key IS NOT NULL;";

/* What stages the grid view (store/stage.h): a table of its columns,
 * fid its row id, with the constraints the grid table had. */
static const char staged_grid[] =
    "CREATE TEMP TABLE grid(fid INTEGER PRIMARY KEY, plan INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,"
    "  code TEXT NOT NULL, type INTEGER, community TEXT, name TEXT, households INTEGER, area_m2 REAL, geom BLOB,"
    "  persons INTEGER, flags TEXT, beidou TEXT, locked INTEGER NOT NULL DEFAULT 0, UNIQUE (plan, code))";

const char *gg_schema_staged_view(const char *name)
{
    return strcmp(name, "grid") == 0 ? staged_grid : NULL;
}

/* Each migration's SQL, in one or two parts (a C compiler need not take a
 * string literal longer than 4095 characters). */
static const char *const migrations[GG_SCHEMA_VERSION][2] = {
    {schema_v1, NULL},
    {schema_v2, NULL},
    {schema_v3, NULL},
    {schema_v4, NULL},
    {schema_v5, NULL},
    {schema_v6, NULL},
    {schema_v7, schema_v7_triggers},
    {schema_v8, NULL},
    {schema_v9, NULL},
};

/* The kinds of plan ('import', 'partition') widened by 'maintain' and
 * 'edit'. SQLite cannot alter a CHECK constraint, and rebuilding the plan
 * table would need foreign keys off, which cannot change inside the
 * migration's transaction; a looser CHECK leaves every stored row as it
 * is, so the table's definition is rewritten in place, the way SQLite's
 * documentation describes for such changes (lang_altertable.html, "Making
 * other kinds of table schema changes"), with the schema version bumped
 * so that every connection reads it again. */
static gg_status widen_plan_kinds(gg_store *store)
{
    static const char narrow[] = "CHECK (source IN ('import','partition'))";
    static const char wide[] = "CHECK (source IN ('import','partition','maintain','edit'))";
    sqlite3_stmt *stmt = NULL;
    int version = 0;
    gg_status st = gg_store_prepare(store, "PRAGMA schema_version", &stmt);
    if (st != GG_OK)
        return st;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        version = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    st = gg_store_exec(store, "PRAGMA writable_schema=ON");
    if (st == GG_OK)
        st = gg_store_prepare(store,
                              "UPDATE sqlite_master SET sql = replace(sql, ?1, ?2)"
                              " WHERE type = 'table' AND name = 'plan' AND instr(sql, ?1) > 0",
                              &stmt);
    int changed = 0;
    if (st == GG_OK) {
        sqlite3_bind_text(stmt, 1, narrow, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 2, wide, -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            st = gg_store_sql_error(store, "widening the kinds of plan");
        changed = sqlite3_changes(store->db);
        sqlite3_finalize(stmt);
    }
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA schema_version=%d", version + 1);
    if (st == GG_OK && changed == 1)
        st = gg_store_exec(store, sql);
    gg_status off = gg_store_exec(store, "PRAGMA writable_schema=OFF");
    if (st == GG_OK)
        st = off;
    if (st == GG_OK && changed != 1)
        st = gg_error(store->ctx, GG_ERR_STORE,
                      "%s: schema migration to version 6 failed: the plan table's definition is not the one"
                      " govgrid wrote (no %s)",
                      store->path, narrow);
    return st;
}

/* Household points imported before version 4 moved onto the 1e-7 degree
 * grid (at most 0.8 cm), as an import now stores them, so that a point on
 * a community's edge stays on the edge of its grids. */
static gg_status round_household_points(gg_store *store)
{
    GEOSContextHandle_t h = store->ctx->geos;
    sqlite3_stmt *read = NULL, *write = NULL;
    gg_status st = gg_store_prepare(store, "SELECT fid, X(geom), Y(geom) FROM household", &read);
    if (st == GG_OK)
        st = gg_store_prepare(store, "UPDATE household SET geom = MakePoint(?2, ?3, 4326) WHERE fid = ?1", &write);
    int rc = SQLITE_DONE;
    while (st == GG_OK && (rc = sqlite3_step(read)) == SQLITE_ROW) {
        double x = sqlite3_column_double(read, 1), y = sqlite3_column_double(read, 2), gx = x, gy = y;
        GEOSGeometry *p = gg_point_on_grid(h, x, y);
        if (p == NULL) {
            st = gg_error(store->ctx, GG_ERR_GEOMETRY, "%s: rounding household points: %s", store->path,
                          store->ctx->geos_msg);
            break;
        }
        GEOSGeomGetX_r(h, p, &gx);
        GEOSGeomGetY_r(h, p, &gy);
        GEOSGeom_destroy_r(h, p);
        if (gx == x && gy == y)
            continue;
        sqlite3_bind_int64(write, 1, sqlite3_column_int64(read, 0));
        sqlite3_bind_double(write, 2, gx);
        sqlite3_bind_double(write, 3, gy);
        if (sqlite3_step(write) != SQLITE_DONE)
            st = gg_store_sql_error(store, "rounding household points");
        sqlite3_reset(write);
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading household points");
    sqlite3_finalize(read);
    sqlite3_finalize(write);
    return st;
}

/* SpatiaLite's administrative functions (AddGeometryColumn,
 * CreateSpatialIndex, ...) report failure by returning 0 rather than by an
 * SQL error: every one-column row of a migration must therefore not be 0. */
static int check_admin_result(void *failed, int ncols, char **values, char **names)
{
    (void)names;
    if (ncols == 1 && values[0] != NULL && values[0][0] == '0' && values[0][1] == '\0')
        *(int *)failed = 1;
    return 0;
}

gg_status gg_schema_migrate(gg_store *store, int from_version)
{
    for (int v = from_version; v < GG_SCHEMA_VERSION; v++) {
        int failed = 0;
        char *msg = NULL;
        int rc = SQLITE_OK;
        for (int part = 0; part < 2 && rc == SQLITE_OK && !failed && migrations[v][part] != NULL; part++)
            rc = sqlite3_exec(store->db, migrations[v][part], check_admin_result, &failed, &msg);
        if (rc != SQLITE_OK || failed) {
            gg_status st = gg_error(store->ctx, GG_ERR_STORE,
                                    "%s: schema migration to version %d failed: %s", store->path,
                                    v + 1, msg ? msg : "a SpatiaLite function returned 0");
            sqlite3_free(msg);
            return st;
        }
        if (v + 1 == 6) {
            gg_status st = widen_plan_kinds(store);
            if (st != GG_OK)
                return st;
        }
        if (v + 1 == 4) {
            /* Points moved: a job that read them before must not store
             * what it made of them (store/stage.h). */
            static const char *const moved[] = {"household"};
            gg_status st = round_household_points(store);
            if (st == GG_OK && from_version > 0)
                st = gg_store_changes_bump(store, moved, 1);
            if (st != GG_OK)
                return st;
        }
    }
    char now[32], sql[512];
    gg_utc_now(now, sizeof now);
    snprintf(sql, sizeof sql,
             "INSERT OR REPLACE INTO gg_meta(key, value) VALUES"
             " ('schema_version', '%d'), ('govgrid_version', '%s'), ('storage_srid', '%d');"
             "INSERT OR IGNORE INTO gg_meta(key, value) VALUES ('created', '%s');",
             GG_SCHEMA_VERSION, gg_version(), GG_STORAGE_SRID, now);
    return gg_store_exec(store, sql);
}
