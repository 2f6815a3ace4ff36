/* The closed loop: every transition of the table and every refusal, what
 * each action needs, the history kept, escalation and its last level,
 * extensions, suspension, ratings and reopening. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "govgrid/incident.h"
#include "govgrid/store.h"
#include "store/store.h"

static gg_ctx *new_ctx(void)
{
    gg_ctx *ctx = NULL;
    gg_ctx_new(&ctx);
    return ctx;
}

static int64_t scalar(gg_store *store, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(store->db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
        v = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return v;
}

static void text(gg_store *store, const char *sql, char *out, size_t size)
{
    sqlite3_stmt *stmt = NULL;
    out[0] = '\0';
    if (sqlite3_prepare_v2(store->db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW &&
        sqlite3_column_text(stmt, 0) != NULL)
        snprintf(out, size, "%s", (const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
}

/* A project with incident n (request id "r<n>") in state, as a
 * submission leaves one: its row and its arrival in the history. */
static void add_incident(gg_store *store, int n, const char *state)
{
    char sql[768];
    snprintf(sql, sizeof sql,
             "INSERT INTO incident(id, request_id, service_code, stage, status, requested, updated, worker_id,"
             " handler, expected) VALUES (%d, 'r%d', '0101', '%s', '%s', '2026-12-01T08:00:00Z',"
             " '2026-12-01T08:00:00Z', 'w1', 'w1', '2026-12-08T08:00:00Z');"
             "INSERT INTO incident_event(incident, seq, at, actor, action, to_state) VALUES (%d, 1,"
             " '2026-12-01T08:00:00Z', 'hotline', 'report', '%s')",
             n, n, state, strcmp(state, "closed") == 0 || strcmp(state, "rejected") == 0 ? "closed" : "open", n,
             state);
    CHECK_INT(gg_store_exec(store, sql), GG_OK);
}

static gg_store *project(gg_ctx *ctx)
{
    gg_store *store = NULL;
    CHECK_INT(gg_store_create(ctx, gg_test_path("p.sqlite"), &store), GG_OK);
    gg_store_set_actor(store, "dispatcher");
    return store;
}

/* A request that gives everything any action needs, so that the table
 * alone decides. */
static gg_case_request full(gg_case_action action)
{
    gg_case_request r;
    memset(&r, 0, sizeof r);
    r.action = action;
    r.note = "done";
    r.reason = "because";
    r.handler = "w2";
    r.deadline = "2026-12-20";
    r.review_on = "2027-01-15";
    r.satisfaction = "basically";
    return r;
}

/* The table, written out again here from the loop's description: for each
 * action, the states it takes an incident from and the state it leads to
 * (-1: the same). */
static const struct {
    gg_case_action action;
    const char *from[5];
    const char *to;
} expected[] = {
    {GG_CASE_ACCEPT, {"reported"}, "accepted"},
    {GG_CASE_REJECT, {"reported"}, "rejected"},
    {GG_CASE_DISPATCH, {"accepted", "returned"}, "dispatched"},
    {GG_CASE_START, {"dispatched"}, "in_progress"},
    {GG_CASE_FEEDBACK, {"dispatched", "in_progress"}, "fed_back"},
    {GG_CASE_VERIFY, {"fed_back"}, "verified"},
    {GG_CASE_CLOSE, {"verified"}, "closed"},
    {GG_CASE_RETURN, {"dispatched", "in_progress"}, "returned"},
    {GG_CASE_EXTEND, {"dispatched", "in_progress"}, NULL},
    {GG_CASE_SUSPEND, {"dispatched", "in_progress"}, "suspended"},
    {GG_CASE_RESUME, {"suspended"}, "in_progress"},
    {GG_CASE_REOPEN, {"fed_back", "verified", "closed"}, "dispatched"},
    {GG_CASE_ESCALATE, {"accepted", "dispatched", "in_progress", "returned"}, "dispatched"},
    {GG_CASE_RATE, {"closed"}, NULL},
};

/* Every action from every state, through gg_case_act on a stored
 * incident: the moves the table allows are made (the state, the history
 * and the Open311 status as expected), the others refused with the state
 * named and nothing written. */
static void every_transition_and_refusal(void)
{
    gg_ctx *ctx = new_ctx();
    gg_store *store = project(ctx);
    CHECK_INT(sizeof expected / sizeof expected[0], GG_CASE_ACTION_COUNT);
    int n = 0, made = 0, refused = 0;
    for (size_t a = 0; a < sizeof expected / sizeof expected[0]; a++) {
        for (int s = 0; s < GG_CASE_STATE_COUNT; s++) {
            const char *state = gg_case_state_name((gg_case_state)s);
            int allowed = 0;
            for (int k = 0; k < 5 && expected[a].from[k] != NULL; k++)
                allowed |= strcmp(expected[a].from[k], state) == 0;
            add_incident(store, ++n, state);
            gg_case_request req = full(expected[a].action);
            gg_case c;
            memset(&c, 0, sizeof c);
            gg_status st = gg_case_act(ctx, store, n, NULL, &req, &c);
            char sql[160], got[96];
            snprintf(sql, sizeof sql, "SELECT stage FROM incident WHERE id = %d", n);
            text(store, sql, got, sizeof got);
            snprintf(sql, sizeof sql, "SELECT count(*) FROM incident_event WHERE incident = %d", n);
            int64_t events = scalar(store, sql);
            const char *want = expected[a].to ? expected[a].to : state;
            if (allowed) {
                made++;
                if (st != GG_OK)
                    fprintf(stderr, "  %s from %s: %s\n", gg_case_action_name(expected[a].action), state,
                            gg_ctx_errmsg(ctx));
                CHECK_INT(st, GG_OK);
                CHECK_STR(got, want);
                CHECK_STR(gg_case_state_name(c.state), want);
                CHECK_INT(events, 2);
                CHECK_INT(c.events, 2);
                snprintf(sql, sizeof sql, "SELECT status FROM incident WHERE id = %d", n);
                text(store, sql, got, sizeof got);
                CHECK_STR(got, strcmp(want, "closed") == 0 || strcmp(want, "rejected") == 0 ? "closed" : "open");
                snprintf(sql, sizeof sql,
                         "SELECT action || ' ' || from_state || ' ' || to_state || ' ' || actor FROM incident_event"
                         " WHERE incident = %d AND seq = 2",
                         n);
                text(store, sql, got, sizeof got);
                char line[96];
                snprintf(line, sizeof line, "%s %s %s dispatcher", gg_case_action_name(expected[a].action), state,
                         want);
                CHECK_STR(got, line);
            } else {
                refused++;
                CHECK_INT(st, GG_ERR_INVALID_INPUT);
                CHECK_CONTAINS(gg_ctx_errmsg(ctx), state);
                CHECK_CONTAINS(gg_ctx_errmsg(ctx), gg_case_action_name(expected[a].action));
                gg_ctx_clear_error(ctx);
                CHECK_STR(got, state);
                CHECK_INT(events, 1);
            }
        }
    }
    CHECK_INT(made, 24);
    CHECK_INT(refused, 14 * GG_CASE_STATE_COUNT - 24);
    /* The pure table says the same. */
    gg_case_state to;
    char why[256];
    CHECK(gg_case_next(GG_CASE_REPORTED, GG_CASE_CLOSE, 1, &to, why, sizeof why) && to == GG_CASE_CLOSED);
    CHECK(gg_case_next(GG_CASE_ACCEPTED, GG_CASE_CLOSE, 1, &to, why, sizeof why) && to == GG_CASE_CLOSED);
    CHECK(!gg_case_next(GG_CASE_DISPATCHED, GG_CASE_CLOSE, 1, &to, why, sizeof why));
    CHECK_CONTAINS(why, "on the spot");
    CHECK(!gg_case_next(GG_CASE_REPORTED, GG_CASE_ACCEPT, 1, &to, why, sizeof why));
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* What each action needs, refused with nothing written when missing. */
static void actions_need_what_they_say(void)
{
    gg_ctx *ctx = new_ctx();
    gg_store *store = project(ctx);
    static const struct {
        gg_case_action action;
        const char *state;
        const char *missing; /* the request member left out */
        const char *said;
    } cases[] = {
        {GG_CASE_REJECT, "reported", "reason", "reason"},
        {GG_CASE_RETURN, "dispatched", "reason", "reason"},
        {GG_CASE_REOPEN, "closed", "reason", "reason"},
        {GG_CASE_ESCALATE, "in_progress", "reason", "reason"},
        {GG_CASE_DISPATCH, "accepted", "handler", "handler"},
        {GG_CASE_FEEDBACK, "in_progress", "note", "note"},
        {GG_CASE_SUSPEND, "dispatched", "review_on", "review date"},
        {GG_CASE_EXTEND, "dispatched", "deadline", "deadline"},
        {GG_CASE_RATE, "closed", "satisfaction", "satisfaction"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        add_incident(store, (int)i + 1, cases[i].state);
        gg_case_request req = full(cases[i].action);
        if (strcmp(cases[i].missing, "reason") == 0)
            req.reason = "";
        else if (strcmp(cases[i].missing, "handler") == 0)
            req.handler = NULL;
        else if (strcmp(cases[i].missing, "note") == 0)
            req.note = NULL;
        else if (strcmp(cases[i].missing, "review_on") == 0)
            req.review_on = "someday";
        else if (strcmp(cases[i].missing, "deadline") == 0)
            req.deadline = NULL;
        else
            req.satisfaction = "delighted";
        CHECK_INT(gg_case_act(ctx, store, (int64_t)i + 1, NULL, &req, NULL), GG_ERR_ARG);
        CHECK_CONTAINS(gg_ctx_errmsg(ctx), cases[i].said);
        gg_ctx_clear_error(ctx);
    }
    CHECK_INT(scalar(store, "SELECT count(*) FROM incident_event"), (int64_t)(sizeof cases / sizeof cases[0]));
    /* On the spot needs a note; attachments must be URLs; an unknown incident is named. */
    add_incident(store, 50, "reported");
    gg_case_request req = full(GG_CASE_CLOSE);
    req.on_site = 1;
    req.note = NULL;
    CHECK_INT(gg_case_act(ctx, store, 50, NULL, &req, NULL), GG_ERR_ARG);
    req.note = "cleared the fire exit";
    const char *bad[] = {"file:///etc/passwd"};
    req.attachments = bad;
    req.n_attachments = 1;
    CHECK_INT(gg_case_act(ctx, store, 50, NULL, &req, NULL), GG_ERR_ARG);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "attachment 1");
    const char *photos[] = {"https://example.org/p/1.jpg", "http://example.org/p/2.jpg"};
    req.attachments = photos;
    req.n_attachments = 2;
    gg_case c;
    CHECK_INT(gg_case_act(ctx, store, 0, "r50", &req, &c), GG_OK);
    CHECK_INT(c.state, GG_CASE_CLOSED);
    char got[160];
    text(store, "SELECT attachments FROM incident_event WHERE incident = 50 AND seq = 2", got, sizeof got);
    CHECK_STR(got, "[\"https://example.org/p/1.jpg\",\"http://example.org/p/2.jpg\"]");
    CHECK_INT(gg_case_act(ctx, store, 999, NULL, &req, NULL), GG_ERR_NOT_FOUND);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "no incident 999");
    CHECK_INT(gg_case_act(ctx, store, 0, "nope", &req, NULL), GG_ERR_NOT_FOUND);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "'nope'");
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static gg_status act(gg_ctx *ctx, gg_store *store, int64_t id, gg_case_request req, gg_case *c)
{
    gg_status st = gg_case_act(ctx, store, id, NULL, &req, c);
    if (st != GG_OK)
        fprintf(stderr, "  %s: %s\n", gg_case_action_name(req.action), gg_ctx_errmsg(ctx));
    return st;
}

/* The end of the loop: fed back with note, verified, closed, rated. */
static void finish(gg_ctx *ctx, gg_store *store, int64_t id, const char *note, const char *satisfaction, gg_case *c)
{
    static const gg_case_action steps[] = {GG_CASE_FEEDBACK, GG_CASE_VERIFY, GG_CASE_CLOSE, GG_CASE_RATE};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        gg_case_request r;
        memset(&r, 0, sizeof r);
        r.action = steps[i];
        r.note = steps[i] == GG_CASE_FEEDBACK ? note : NULL;
        r.satisfaction = satisfaction;
        CHECK_INT(act(ctx, store, id, r, c), GG_OK);
    }
}

/* One incident through the whole loop and back: dispatched, an extension
 * asked and granted, fed back, verified, closed, rated not satisfied,
 * reopened, closed again and rated; then another returned, re-dispatched,
 * suspended, resumed and escalated to the district centre, where a further
 * escalation is refused; the accountability flag; the history read back
 * whole and kept (no change, no deletion). */
static void the_loop_and_its_history(void)
{
    gg_ctx *ctx = new_ctx();
    gg_store *store = project(ctx);
    add_incident(store, 1, "reported");
    gg_case c;
    gg_case_request r;
    memset(&r, 0, sizeof r);
    r.action = GG_CASE_ACCEPT;
    CHECK_INT(act(ctx, store, 1, r, &c), GG_OK);
    r.action = GG_CASE_DISPATCH;
    r.handler = "w7";
    CHECK_INT(act(ctx, store, 1, r, &c), GG_OK);
    CHECK_STR(c.handler, "w7");
    memset(&r, 0, sizeof r);
    r.action = GG_CASE_START;
    CHECK_INT(act(ctx, store, 1, r, &c), GG_OK);
    r.action = GG_CASE_EXTEND;
    r.deadline = "2026-12-20T18:00:00Z";
    CHECK_INT(act(ctx, store, 1, r, &c), GG_OK);
    CHECK_STR(c.extension_asked, "2026-12-20T18:00:00Z");
    CHECK_STR(c.deadline, "2026-12-08T08:00:00Z");
    r.deadline = "2026-12-21";
    CHECK_INT(gg_case_act(ctx, store, 1, NULL, &r, NULL), GG_ERR_INVALID_INPUT); /* one pending at a time */
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "already waits");
    gg_ctx_clear_error(ctx);
    memset(&r, 0, sizeof r);
    r.action = GG_CASE_EXTEND;
    r.approve = 1;
    CHECK_INT(act(ctx, store, 1, r, &c), GG_OK);
    CHECK_STR(c.deadline, "2026-12-20T18:00:00Z");
    CHECK_STR(c.extension_asked, "");
    CHECK_INT(gg_case_act(ctx, store, 1, NULL, &r, NULL), GG_ERR_INVALID_INPUT); /* nothing to approve */
    gg_ctx_clear_error(ctx);
    finish(ctx, store, 1, "the bins were moved", "not", &c);
    CHECK_STR(c.satisfaction, "not");
    CHECK_INT(gg_case_act(ctx, store, 1, NULL, &r, NULL), GG_ERR_INVALID_INPUT); /* rated once */
    gg_ctx_clear_error(ctx);
    memset(&r, 0, sizeof r);
    r.action = GG_CASE_REOPEN;
    r.reason = "the reporter says the bins are back";
    r.accountability = 1;
    CHECK_INT(act(ctx, store, 1, r, &c), GG_OK);
    CHECK_INT(c.state, GG_CASE_DISPATCHED);
    CHECK_STR(c.satisfaction, "");
    CHECK_INT(c.accountability, 1);
    char got[64];
    text(store, "SELECT status FROM incident WHERE id = 1", got, sizeof got);
    CHECK_STR(got, "open");
    finish(ctx, store, 1, "moved for good", "satisfied", &c);
    text(store, "SELECT status || ' ' || satisfaction || ' ' || accountability FROM incident WHERE id = 1", got,
         sizeof got);
    CHECK_STR(got, "closed satisfied 1");

    gg_case_event *ev = NULL;
    size_t ne = 0;
    gg_case g;
    CHECK_INT(gg_case_get(ctx, store, 1, NULL, &g, &ev, &ne), GG_OK);
    static const char *const actions[] = {"report", "accept", "dispatch", "start", "extend", "extend", "feedback",
                                          "verify", "close", "rate", "reopen", "feedback", "verify", "close", "rate"};
    CHECK_INT((int64_t)ne, (int64_t)(sizeof actions / sizeof actions[0]));
    for (size_t i = 0; i < ne && i < sizeof actions / sizeof actions[0]; i++) {
        CHECK_STR(ev[i].action, actions[i]);
        CHECK_INT(ev[i].seq, (int64_t)i + 1);
        if (i > 0) /* each event starts where the one before ended */
            CHECK_STR(ev[i].from_state, ev[i - 1].to_state);
    }
    if (ne >= 11) {
        CHECK_STR(ev[4].deadline, "2026-12-20T18:00:00Z");
        CHECK_STR(ev[6].note, "the bins were moved");
        CHECK_STR(ev[10].reason, "the reporter says the bins are back");
        CHECK_STR(ev[9].note, "not");
    }
    gg_case_events_free(ctx, ev, ne);
    CHECK(gg_store_exec(store, "UPDATE incident_event SET note = 'x' WHERE incident = 1") != GG_OK);
    gg_ctx_clear_error(ctx);
    CHECK(gg_store_exec(store, "DELETE FROM incident_event WHERE incident = 1") != GG_OK);
    gg_ctx_clear_error(ctx);
    CHECK_INT(scalar(store, "SELECT count(*) FROM incident_event WHERE incident = 1"), 15);

    /* Returned, dispatched again, suspended, resumed, escalated to the top. */
    add_incident(store, 2, "dispatched");
    memset(&r, 0, sizeof r);
    r.action = GG_CASE_RETURN;
    r.reason = "not this grid's: the road belongs to the highway bureau";
    CHECK_INT(act(ctx, store, 2, r, &c), GG_OK);
    CHECK_STR(c.handler, "");
    memset(&r, 0, sizeof r);
    r.action = GG_CASE_DISPATCH;
    r.handler = "highway-bureau";
    CHECK_INT(act(ctx, store, 2, r, &c), GG_OK);
    memset(&r, 0, sizeof r);
    r.action = GG_CASE_SUSPEND;
    r.review_on = "2027-03-01";
    CHECK_INT(act(ctx, store, 2, r, &c), GG_OK);
    CHECK_STR(c.review_on, "2027-03-01");
    memset(&r, 0, sizeof r);
    r.action = GG_CASE_RESUME;
    CHECK_INT(act(ctx, store, 2, r, &c), GG_OK);
    CHECK_STR(c.review_on, "");
    memset(&r, 0, sizeof r);
    r.action = GG_CASE_ESCALATE;
    r.reason = "beyond the grid";
    for (int level = 1; level < GG_CASE_LEVELS; level++) {
        r.handler = level == 3 ? "district-centre" : NULL;
        CHECK_INT(act(ctx, store, 2, r, &c), GG_OK);
        CHECK_INT(c.level, level);
        CHECK_INT(c.state, GG_CASE_DISPATCHED);
    }
    CHECK_STR(c.handler, "district-centre");
    CHECK_INT(gg_case_act(ctx, store, 2, NULL, &r, NULL), GG_ERR_INVALID_INPUT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "district centre");
    gg_ctx_clear_error(ctx);
    CHECK_INT(scalar(store, "SELECT level FROM incident WHERE id = 2"), 3);
    CHECK_INT(scalar(store, "SELECT max(level) FROM incident_event WHERE incident = 2"), 3);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* The State Council's notices for 2025 (国办发明电〔2024〕12号) and 2026
 * (published 2025-11-04), written out here as ranges, not as the data
 * file's days: holidays, and the weekend days worked in their place. */
static const struct {
    const char *from, *to;
    int working;
} notices[] = {
    {"2025-01-01", "2025-01-01", 0}, {"2025-01-28", "2025-02-04", 0}, {"2025-01-26", "2025-01-26", 1},
    {"2025-02-08", "2025-02-08", 1}, {"2025-04-04", "2025-04-06", 0}, {"2025-05-01", "2025-05-05", 0},
    {"2025-04-27", "2025-04-27", 1}, {"2025-05-31", "2025-06-02", 0}, {"2025-10-01", "2025-10-08", 0},
    {"2025-09-28", "2025-09-28", 1}, {"2025-10-11", "2025-10-11", 1},
    {"2026-01-01", "2026-01-03", 0}, {"2026-01-04", "2026-01-04", 1}, {"2026-02-15", "2026-02-23", 0},
    {"2026-02-14", "2026-02-14", 1}, {"2026-02-28", "2026-02-28", 1}, {"2026-04-04", "2026-04-06", 0},
    {"2026-05-01", "2026-05-05", 0}, {"2026-05-09", "2026-05-09", 1}, {"2026-06-19", "2026-06-21", 0},
    {"2026-09-25", "2026-09-27", 0}, {"2026-10-01", "2026-10-07", 0}, {"2026-09-20", "2026-09-20", 1},
    {"2026-10-10", "2026-10-10", 1},
};

static int64_t utc(int y, int mo, int d, int h, int mi)
{
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    return (int64_t)timegm(&tm);
}

/* What the notices say of one day: -1 not in them, else working. */
static int noticed(const char *date)
{
    for (size_t i = 0; i < sizeof notices / sizeof notices[0]; i++)
        if (strcmp(date, notices[i].from) >= 0 && strcmp(date, notices[i].to) <= 0)
            return notices[i].working;
    return -1;
}

/* The shipped calendar of 2025 and 2026 against the notices, day by day
 * (each year has 248 working days); deadlines in working days and hours
 * across the Spring Festival and its adjusted working days; and the
 * refusals of a file that is wrong. */
static void working_calendar_2025_2026(void)
{
    gg_ctx *ctx = new_ctx();
    char path[1024];
    snprintf(path, sizeof path, "%s/calendar/cn-2025-2026.csv", GG_TEST_DATA_DIR);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    char buf[8192];
    size_t len = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f)
        fclose(f);
    gg_calendar *cal = NULL;
    CHECK_INT(gg_calendar_parse(ctx, buf, len, path, &cal), GG_OK);
    CHECK_INT((int64_t)gg_calendar_days(cal), 72);
    for (int y = 2025; y <= 2026; y++) {
        int working = 0, plain = 0;
        for (int64_t t = utc(y, 1, 1, 4, 0); t < utc(y + 1, 1, 1, 4, 0); t += 86400) {
            time_t tt = (time_t)t;
            struct tm tm;
            gmtime_r(&tt, &tm);
            char date[48];
            snprintf(date, sizeof date, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
            int want = noticed(date);
            if (want < 0)
                want = tm.tm_wday >= 1 && tm.tm_wday <= 5;
            int got = gg_calendar_working(cal, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
            if (got != want)
                fprintf(stderr, "  %s: calendar says %d, the notices %d\n", date, got, want);
            CHECK_INT(got, want);
            working += got;
            plain += gg_calendar_working(NULL, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        }
        CHECK_INT(working, 248);
        CHECK_INT(plain, 261);
    }
    /* Dispatched Monday 2025-01-27 10:00 CST, five working days: the
     * Spring Festival (28 Jan - 4 Feb) does not count, Saturday 8 Feb
     * does: Monday 10 Feb 10:00. The plain week would say 3 Feb. */
    int64_t start = utc(2025, 1, 27, 2, 0);
    CHECK_INT(gg_calendar_add(cal, start, 5, 0), utc(2025, 2, 10, 2, 0));
    CHECK_INT(gg_calendar_add(NULL, start, 5, 0), utc(2025, 2, 3, 2, 0));
    /* 8 working hours from Friday 2026-02-13 16:00 CST: 2 h that day, 6 h
     * on Saturday 14 Feb (worked), ending 16:00 there. */
    CHECK_INT(gg_calendar_add(cal, utc(2026, 2, 13, 8, 0), 8, 1), utc(2026, 2, 14, 8, 0));
    /* One working day from Wednesday 2026-09-30 09:00 CST: Thursday 8 Oct. */
    CHECK_INT(gg_calendar_add(cal, utc(2026, 9, 30, 1, 0), 1, 0), utc(2026, 10, 8, 1, 0));
    gg_calendar_free(cal);

    static const char *const wrong[] = {"day,kind\n2025-01-01,holiday,x\n", "date,kind,name\n2025-13-01,holiday,x\n",
                                        "date,kind,name\n2025-01-01,rest,x\n",
                                        "date,kind,name\n2025-01-01,holiday,x\n2025-01-01,workday,y\n"};
    static const char *const said[] = {"header", "line 2", "neither holiday nor workday", "twice"};
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        CHECK_INT(gg_calendar_parse(ctx, wrong[i], strlen(wrong[i]), "cal.csv", &cal), GG_ERR_FORMAT);
        CHECK_CONTAINS(gg_ctx_errmsg(ctx), said[i]);
        CHECK_CONTAINS(gg_ctx_errmsg(ctx), "cal.csv");
        gg_ctx_clear_error(ctx);
    }
    gg_ctx_free(ctx);
}

/* A batch in one transaction: each action checked in order against the
 * state the earlier ones left, a refused one storing nothing while the
 * others are done, and what each became in its outcome. */
static void a_batch_of_actions(void)
{
    gg_ctx *ctx = new_ctx();
    gg_store *store = project(ctx);
    add_incident(store, 1, "reported");
    add_incident(store, 2, "dispatched");
    gg_case_item items[6];
    memset(items, 0, sizeof items);
    items[0].id = 1;
    items[0].req.action = GG_CASE_ACCEPT;
    items[1].id = 1;
    items[1].req.action = GG_CASE_DISPATCH;
    items[1].req.handler = "w9";
    items[1].req.at = "2026-12-02T09:00:00Z";
    items[2].id = 2;
    items[2].req.action = GG_CASE_VERIFY; /* dispatched: refused */
    items[3].id = 2;
    items[3].req.action = GG_CASE_START;
    items[4].id = 99; /* no such incident */
    items[4].req.action = GG_CASE_START;
    items[5].request_id = "r1";
    items[5].req.action = GG_CASE_START;
    gg_case_outcome out[6];
    CHECK_INT(gg_case_act_many(ctx, store, items, 6, out), GG_OK);
    CHECK_INT(out[0].status, GG_OK);
    CHECK_INT(out[0].incident.state, GG_CASE_ACCEPTED);
    CHECK_INT(out[1].status, GG_OK);
    CHECK_STR(out[1].incident.handler, "w9");
    CHECK_INT(out[2].status, GG_ERR_INVALID_INPUT);
    CHECK_CONTAINS(out[2].message, "verify takes an incident that is fed_back");
    CHECK_INT(out[3].status, GG_OK);
    CHECK_INT(out[3].incident.state, GG_CASE_IN_PROGRESS);
    CHECK_INT(out[4].status, GG_ERR_NOT_FOUND);
    CHECK_INT(out[5].status, GG_OK);
    CHECK_INT(out[5].incident.state, GG_CASE_IN_PROGRESS);
    CHECK_INT(out[5].incident.events, 4);
    CHECK_INT(scalar(store, "SELECT count(*) FROM incident_event"), 2 + 4);
    CHECK_INT(scalar(store, "SELECT count(*) FROM incident_event WHERE incident = 1 AND seq = 3 AND action = 'dispatch'"
                            " AND at = '2026-12-02T09:00:00Z' AND handler = 'w9'"),
              1);
    CHECK_INT(scalar(store, "SELECT count(*) FROM incident WHERE id = 2 AND stage = 'in_progress'"), 1);
    CHECK_INT(gg_case_act_many(ctx, store, items, 0, NULL), GG_OK);

    /* The store cannot be written: nothing of the batch is, and every
     * outcome says why. */
    sqlite3 *other = NULL;
    CHECK_INT(sqlite3_open(gg_test_path("p.sqlite"), &other), SQLITE_OK);
    CHECK_INT(sqlite3_exec(other, "PRAGMA busy_timeout=0; BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_busy_timeout(store->db, 10);
    items[0].id = 2;
    items[0].req.action = GG_CASE_FEEDBACK;
    items[0].req.note = "done";
    CHECK_INT(gg_case_act_many(ctx, store, items, 1, out), GG_ERR_BUSY);
    CHECK_INT(out[0].status, GG_ERR_BUSY);
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);
    CHECK_INT(scalar(store, "SELECT count(*) FROM incident_event"), 6);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* A resend with the same idempotency key does nothing and answers the
 * incident as it is; the key with another action or incident is refused;
 * another actor's key of the same text is its own. */
static void resent_actions(void)
{
    gg_ctx *ctx = new_ctx();
    gg_store *store = project(ctx);
    add_incident(store, 1, "dispatched");
    add_incident(store, 2, "dispatched");
    gg_case_request r;
    memset(&r, 0, sizeof r);
    r.action = GG_CASE_START;
    r.idempotency_key = "k-1";
    gg_case c;
    CHECK_INT(gg_case_act(ctx, store, 1, NULL, &r, &c), GG_OK);
    CHECK_INT(c.replayed, 0);
    CHECK_INT(gg_case_act(ctx, store, 1, NULL, &r, &c), GG_OK);
    CHECK_INT(c.replayed, 1);
    CHECK_INT(c.state, GG_CASE_IN_PROGRESS);
    CHECK_INT(c.events, 2);
    CHECK_INT(gg_case_act(ctx, store, 2, NULL, &r, &c), GG_ERR_EXISTS);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "k-1");
    r.action = GG_CASE_RETURN;
    r.reason = "not ours";
    CHECK_INT(gg_case_act(ctx, store, 1, NULL, &r, &c), GG_ERR_EXISTS);
    r.idempotency_key = "has a space";
    CHECK_INT(gg_case_act(ctx, store, 1, NULL, &r, &c), GG_ERR_ARG);
    r.idempotency_key = "";
    CHECK_INT(gg_case_act(ctx, store, 1, NULL, &r, &c), GG_ERR_ARG);
    gg_store_set_actor(store, "another");
    r.action = GG_CASE_START;
    r.idempotency_key = "k-1";
    CHECK_INT(gg_case_act(ctx, store, 2, NULL, &r, &c), GG_OK);
    CHECK_INT(c.replayed, 0);
    /* In a batch: the second of two sends of one key is the resend. */
    gg_case_item items[2];
    memset(items, 0, sizeof items);
    items[0].id = items[1].id = 1;
    items[0].req.action = items[1].req.action = GG_CASE_FEEDBACK;
    items[0].req.note = items[1].req.note = "swept";
    items[0].req.idempotency_key = items[1].req.idempotency_key = "k-2";
    gg_case_outcome out[2];
    CHECK_INT(gg_case_act_many(ctx, store, items, 2, out), GG_OK);
    CHECK_INT(out[0].status, GG_OK);
    CHECK_INT(out[0].incident.replayed, 0);
    CHECK_INT(out[1].status, GG_OK);
    CHECK_INT(out[1].incident.replayed, 1);
    CHECK_INT(scalar(store, "SELECT count(*) FROM incident_event WHERE idempotency_key IS NOT NULL"), 3);
    CHECK_INT(scalar(store, "SELECT count(*) FROM incident_event WHERE incident = 1"), 3);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* The names round-trip; unknown ones are refused with the list. */
static void names(void)
{
    gg_ctx *ctx = new_ctx();
    for (int a = 0; a < GG_CASE_ACTION_COUNT; a++) {
        gg_case_action back;
        CHECK_INT(gg_case_action_parse(ctx, gg_case_action_name((gg_case_action)a), &back), GG_OK);
        CHECK_INT(back, a);
    }
    for (int s = 0; s < GG_CASE_STATE_COUNT; s++) {
        gg_case_state back;
        CHECK_INT(gg_case_state_parse(ctx, gg_case_state_name((gg_case_state)s), &back), GG_OK);
        CHECK_INT(back, s);
    }
    gg_case_action a;
    CHECK_INT(gg_case_action_parse(ctx, "fix", &a), GG_ERR_ARG);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "escalate");
    CHECK(gg_case_action_name(GG_CASE_ACTION_COUNT) == NULL);
    gg_ctx_free(ctx);
}

TEST_LIST(T(every_transition_and_refusal), T(actions_need_what_they_say), T(the_loop_and_its_history),
          T(a_batch_of_actions), T(resent_actions), T(working_calendar_2025_2026), T(names))
