/* The closed loop: every transition of the table and every refusal, what
 * each action needs, the history kept, escalation and its last level,
 * extensions, suspension, ratings and reopening. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "io/fixtures.h"
#include "govgrid/dispatch.h"
#include "govgrid/incident.h"
#include "govgrid/store.h"
#include "store/store.h"

static gg_ctx *new_ctx(void)
{
    gg_ctx *ctx = NULL;
    gg_ctx_new(&ctx);
    return ctx;
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
    const char *from[GG_CASE_STATE_COUNT];
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
    {GG_CASE_REFER, {"accepted", "dispatched", "in_progress", "returned"}, NULL},
    {GG_CASE_COMMENT,
     {"reported", "accepted", "rejected", "dispatched", "in_progress", "fed_back", "verified", "closed", "returned",
      "suspended"},
     NULL},
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
            for (int k = 0; k < GG_CASE_STATE_COUNT && expected[a].from[k] != NULL; k++)
                allowed |= strcmp(expected[a].from[k], state) == 0;
            add_incident(store, ++n, state);
            if (expected[a].action == GG_CASE_REFER) {
                /* A referral is made from the last level (the fourth by default). */
                char up[96];
                snprintf(up, sizeof up, "UPDATE incident SET level = 3 WHERE id = %d", n);
                CHECK_INT(gg_store_exec(store, up), GG_OK);
            }
            gg_case_request req = full(expected[a].action);
            gg_case c;
            memset(&c, 0, sizeof c);
            gg_status st = gg_case_act(ctx, store, n, NULL, &req, &c);
            char sql[160], got[96];
            snprintf(sql, sizeof sql, "SELECT stage FROM incident WHERE id = %d", n);
            fx_scalar_text(store, sql, got, sizeof got);
            snprintf(sql, sizeof sql, "SELECT count(*) FROM incident_event WHERE incident = %d", n);
            int64_t events = fx_scalar(store, sql);
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
                fx_scalar_text(store, sql, got, sizeof got);
                CHECK_STR(got, strcmp(want, "closed") == 0 || strcmp(want, "rejected") == 0 ? "closed" : "open");
                snprintf(sql, sizeof sql,
                         "SELECT action || ' ' || from_state || ' ' || to_state || ' ' || actor FROM incident_event"
                         " WHERE incident = %d AND seq = 2",
                         n);
                fx_scalar_text(store, sql, got, sizeof got);
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
    CHECK_INT(made, 38);
    CHECK_INT(refused, 16 * GG_CASE_STATE_COUNT - 38);
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
        {GG_CASE_COMMENT, "dispatched", "note", "note"},
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
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM incident_event"), (int64_t)(sizeof cases / sizeof cases[0]));
    /* Times are read as the clock will read them back: no 30 February,
     * no hour 25, no time without its 'T' or space. */
    static const char *const not_times[] = {"2026-02-30", "2027-02-29", "2026-03-02T25:00", "2026-03-02X10:00"};
    for (size_t i = 0; i < sizeof not_times / sizeof not_times[0]; i++) {
        gg_case_request req = full(GG_CASE_SUSPEND);
        req.review_on = not_times[i];
        CHECK_INT(gg_case_act(ctx, store, 7, NULL, &req, NULL), GG_ERR_ARG);
        CHECK_CONTAINS(gg_ctx_errmsg(ctx), "review date");
        gg_ctx_clear_error(ctx);
        req = full(GG_CASE_COMMENT);
        req.at = not_times[i];
        CHECK_INT(gg_case_act(ctx, store, 7, NULL, &req, NULL), GG_ERR_ARG);
        CHECK_CONTAINS(gg_ctx_errmsg(ctx), "is not a time");
        gg_ctx_clear_error(ctx);
    }
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM incident_event"), (int64_t)(sizeof cases / sizeof cases[0]));
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
    fx_scalar_text(store, "SELECT attachments FROM incident_event WHERE incident = 50 AND seq = 2", got, sizeof got);
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
    fx_scalar_text(store, "SELECT status FROM incident WHERE id = 1", got, sizeof got);
    CHECK_STR(got, "open");
    finish(ctx, store, 1, "moved for good", "satisfied", &c);
    fx_scalar_text(store, "SELECT status || ' ' || satisfaction || ' ' || accountability FROM incident WHERE id = 1", got,
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
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM incident_event WHERE incident = 1"), 15);

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
    for (int level = 1; level < 4; level++) { /* the four default levels */
        r.handler = level == 3 ? "district-centre" : NULL;
        CHECK_INT(act(ctx, store, 2, r, &c), GG_OK);
        CHECK_INT(c.level, level);
        CHECK_INT(c.state, GG_CASE_DISPATCHED);
    }
    CHECK_STR(c.handler, "district-centre");
    CHECK_INT(gg_case_act(ctx, store, 2, NULL, &r, NULL), GG_ERR_INVALID_INPUT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "the last: refer it");
    gg_ctx_clear_error(ctx);
    CHECK_INT(fx_scalar(store, "SELECT level FROM incident WHERE id = 2"), 3);
    CHECK_INT(fx_scalar(store, "SELECT max(level) FROM incident_event WHERE incident = 2"), 3);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static gg_status reporter(gg_ctx *ctx, gg_store *store, int64_t id, const char *update_id, const char *status,
                          const char *description, const char *media_url, int64_t *update, int *replayed)
{
    gg_case_reporter_update u;
    memset(&u, 0, sizeof u);
    u.update_id = update_id;
    u.status = status;
    u.description = description;
    u.media_url = media_url;
    u.author.first_name = "Li";
    u.author.email = "li@example.cn";
    u.author.written_at = "2026-12-02T09:00:00+08:00";
    gg_store_set_actor(store, "fixmystreet");
    gg_status st = gg_case_report_update(ctx, store, id, NULL, &u, update, replayed, NULL);
    gg_store_set_actor(store, "dispatcher");
    return st;
}

/* The reporter's side through an Open311 client: a comment kept without a
 * move, stored once however often it is sent; a close refused; the
 * incident closed with its result in the status notes; the reporter's
 * reopening rated "not" and reopened in one go, in that order, the update
 * being the reopening; a rejected incident not reopened; a second rating
 * not taken; the updates read back by time window with their statuses and
 * texts. */
static void the_reporter_answers_back(void)
{
    gg_ctx *ctx = new_ctx();
    gg_store *store = project(ctx);
    add_incident(store, 1, "dispatched");
    int64_t update = 0, again = 0;
    int replayed = -1;
    CHECK_INT(reporter(ctx, store, 1, "fms-1", "OPEN", "still there this morning", "https://example.org/p/9.jpg",
                       &update, &replayed),
              GG_OK);
    CHECK(update > 0);
    CHECK_INT(replayed, 0);
    char got[256];
    fx_scalar_text(store, "SELECT action || ' ' || from_state || ' ' || to_state || ' ' || actor || ' ' || note || ' ' ||"
                " attachments || ' ' || client_update_id FROM incident_event WHERE incident = 1 AND seq = 2",
         got, sizeof got);
    CHECK_STR(got, "comment dispatched dispatched fixmystreet still there this morning"
                   " [\"https://example.org/p/9.jpg\"] fms-1");
    fx_scalar_text(store, "SELECT author FROM incident_event WHERE incident = 1 AND seq = 2", got, sizeof got);
    CHECK_STR(got, "{\"first_name\":\"Li\",\"email\":\"li@example.cn\",\"written_at\":\"2026-12-02T09:00:00+08:00\"}");
    CHECK_INT(fx_scalar(store, "SELECT id FROM incident_event WHERE incident = 1 AND seq = 2"), update);
    /* A comment moves the update time, not the state or its notes. */
    fx_scalar_text(store, "SELECT stage || ' ' || status || ' ' || coalesce(status_notes, '-') || ' '"
                " || (updated > '2026-12-01T08:00:00Z') FROM incident WHERE id = 1",
         got, sizeof got);
    CHECK_STR(got, "dispatched open - 1");
    /* Sent again: the same update, nothing more stored. */
    CHECK_INT(reporter(ctx, store, 1, "fms-1", "OPEN", "still there this morning", NULL, &again, &replayed), GG_OK);
    CHECK_INT(again, update);
    CHECK_INT(replayed, 1);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM incident_event WHERE incident = 1"), 2);
    /* Another client's key may use the same id; the same one on another incident may not. */
    add_incident(store, 2, "in_progress");
    CHECK_INT(reporter(ctx, store, 2, "fms-1", "OPEN", "also here", NULL, &again, &replayed), GG_ERR_EXISTS);
    gg_ctx_clear_error(ctx);
    gg_store_set_actor(store, "another-client");
    gg_case_reporter_update u;
    memset(&u, 0, sizeof u);
    u.update_id = "fms-1";
    u.status = "open";
    u.description = "also here";
    CHECK_INT(gg_case_report_update(ctx, store, 2, NULL, &u, &again, &replayed, NULL), GG_OK);
    CHECK(again != update);
    CHECK_INT(replayed, 0);
    /* gg_case_act with a client's id already stored: refused by the store. */
    gg_case_request dup;
    memset(&dup, 0, sizeof dup);
    dup.action = GG_CASE_COMMENT;
    dup.note = "again";
    dup.client_update_id = "fms-1";
    CHECK_INT(gg_case_act(ctx, store, 2, NULL, &dup, NULL), GG_ERR_EXISTS);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "fms-1");
    gg_ctx_clear_error(ctx);
    gg_store_set_actor(store, "dispatcher");
    /* A reporter does not close an incident; an update says something; a status is OPEN or CLOSED. */
    CHECK_INT(reporter(ctx, store, 1, "fms-2", "CLOSED", "fixed it myself", NULL, &again, &replayed),
              GG_ERR_INVALID_INPUT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "does not close");
    CHECK_INT(reporter(ctx, store, 1, "fms-2", "OPEN", NULL, NULL, &again, &replayed), GG_ERR_ARG);
    CHECK_INT(reporter(ctx, store, 1, "fms-2", "PENDING", "x", NULL, &again, &replayed), GG_ERR_ARG);
    CHECK_INT(reporter(ctx, store, 1, "has space", "OPEN", "x", NULL, &again, &replayed), GG_ERR_ARG);
    CHECK_INT(reporter(ctx, store, 1, "fms-2", "OPEN", "x", "file:///etc/passwd", &again, &replayed), GG_ERR_ARG);
    CHECK_INT(reporter(ctx, store, 99, "fms-2", "OPEN", "x", NULL, &again, &replayed), GG_ERR_NOT_FOUND);
    gg_ctx_clear_error(ctx);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM incident_event WHERE incident = 1"), 2);

    /* Closed by the loop: the notes say the result. */
    gg_case c;
    gg_case_request r;
    memset(&r, 0, sizeof r);
    r.action = GG_CASE_FEEDBACK;
    r.note = "the bins were moved";
    CHECK_INT(act(ctx, store, 1, r, &c), GG_OK);
    fx_scalar_text(store, "SELECT status_notes FROM incident WHERE id = 1", got, sizeof got);
    CHECK_STR(got, "Dealt with: the bins were moved");
    memset(&r, 0, sizeof r);
    r.action = GG_CASE_VERIFY;
    CHECK_INT(act(ctx, store, 1, r, &c), GG_OK);
    r.action = GG_CASE_CLOSE;
    CHECK_INT(act(ctx, store, 1, r, &c), GG_OK);
    fx_scalar_text(store, "SELECT status || ' ' || status_notes FROM incident WHERE id = 1", got, sizeof got);
    CHECK_STR(got, "closed Closed: the bins were moved");
    /* The reporter is not satisfied: rated "not", then reopened, in one transaction. */
    CHECK_INT(reporter(ctx, store, 1, "fms-3", "OPEN", "the bins are back", NULL, &update, &replayed), GG_OK);
    CHECK_INT(replayed, 0);
    gg_case_event *ev = NULL;
    size_t ne = 0;
    CHECK_INT(gg_case_get(ctx, store, 1, NULL, &c, &ev, &ne), GG_OK);
    CHECK_INT((int64_t)ne, 7);
    if (ne == 7) {
        CHECK_STR(ev[5].action, "rate");
        CHECK_STR(ev[5].note, "not");
        CHECK_STR(ev[5].actor, "fixmystreet");
        CHECK_CONTAINS(ev[5].author, "li@example.cn");
        CHECK_STR(ev[5].client_update_id, "");
        CHECK_STR(ev[6].action, "reopen");
        CHECK_STR(ev[6].from_state, "closed");
        CHECK_STR(ev[6].to_state, "dispatched");
        CHECK_STR(ev[6].reason, "the bins are back");
        CHECK_STR(ev[6].client_update_id, "fms-3");
        CHECK_INT(ev[6].id, update);
    }
    gg_case_events_free(ctx, ev, ne);
    CHECK_INT(c.state, GG_CASE_DISPATCHED);
    fx_scalar_text(store, "SELECT status || ' ' || status_notes FROM incident WHERE id = 1", got, sizeof got);
    CHECK_STR(got, "open Reopened: the bins are back");
    /* Reopening needs a description; a rejected incident is not reopened. */
    add_incident(store, 3, "closed");
    CHECK_INT(reporter(ctx, store, 3, "fms-4", "OPEN", NULL, "https://example.org/p/1.jpg", &again, &replayed),
              GG_ERR_ARG);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "description");
    add_incident(store, 4, "rejected");
    CHECK_INT(reporter(ctx, store, 4, "fms-4", "OPEN", "it is ours", NULL, &again, &replayed), GG_ERR_INVALID_INPUT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "rejected");
    gg_ctx_clear_error(ctx);
    /* A comment on a closed or rejected incident keeps it closed. */
    CHECK_INT(reporter(ctx, store, 4, "fms-5", "CLOSED", "thanks anyway", NULL, &again, &replayed), GG_OK);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM incident WHERE id = 4 AND status = 'closed'"), 1);
    /* Rated already: the first rating stands, the incident is reopened. */
    memset(&r, 0, sizeof r);
    r.action = GG_CASE_RATE;
    r.satisfaction = "satisfied";
    CHECK_INT(act(ctx, store, 3, r, &c), GG_OK);
    CHECK_INT(reporter(ctx, store, 3, "fms-6", "OPEN", "it broke again", NULL, &again, &replayed), GG_OK);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM incident_event WHERE incident = 3 AND action = 'rate'"), 1);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM incident WHERE id = 3 AND stage = 'dispatched'"), 1);

    /* The updates, oldest first, without the arrivals. */
    gg_case_update *list = NULL;
    size_t n = 0;
    int more = -1;
    CHECK_INT(gg_case_updates(ctx, store, "2000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", 0, 100, &list, &n, &more),
              GG_OK);
    int64_t events = fx_scalar(store, "SELECT count(*) FROM incident_event WHERE action <> 'report'");
    CHECK_INT((int64_t)n, events);
    CHECK_INT(more, 0);
    if (n >= 7) {
        CHECK_STR(list[0].request_id, "r1");
        CHECK_STR(list[0].status, "ACTION_SCHEDULED");
        CHECK_STR(list[0].description, "still there this morning");
        CHECK_STR(list[0].media_url, "https://example.org/p/9.jpg");
        for (size_t i = 0; i < n; i++) {
            if (list[i].id == update) {
                CHECK_STR(list[i].status, "ACTION_SCHEDULED");
                CHECK_STR(list[i].description, "Reopened: the bins are back");
                CHECK(list[i - 1].id < update);
                CHECK_STR(list[i - 1].status, "FIXED");
                CHECK_STR(list[i - 1].description, "Rated by the reporter: not satisfied");
                CHECK_STR(list[i - 2].description, "Closed: the bins were moved");
                CHECK_STR(list[i - 3].description, "The result was checked on site: the bins were moved");
                CHECK_STR(list[i - 3].status, "IN_PROGRESS");
            }
            if (i > 0)
                CHECK(strcmp(list[i - 1].at, list[i].at) <= 0);
        }
    }
    gg_case_updates_free(ctx, list, n);
    CHECK_INT(gg_case_updates(ctx, store, "2000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", 1, 2, &list, &n, &more),
              GG_OK);
    CHECK_INT((int64_t)n, 2);
    CHECK_INT(more, 1);
    gg_case_updates_free(ctx, list, n);
    CHECK_INT(gg_case_updates(ctx, store, "2000-01-01T00:00:00Z", "2000-01-02T00:00:00Z", 0, 10, &list, &n, &more),
              GG_OK);
    CHECK_INT((int64_t)n, 0);
    CHECK_INT(more, 0);
    gg_case_updates_free(ctx, list, n);

    /* The statuses: closed where GeoReport v2 says closed. */
    static const char *const statuses[GG_CASE_STATE_COUNT] = {
        [GG_CASE_REPORTED] = "OPEN",          [GG_CASE_ACCEPTED] = "INVESTIGATING",
        [GG_CASE_REJECTED] = "NOT_COUNCILS_RESPONSIBILITY", [GG_CASE_DISPATCHED] = "ACTION_SCHEDULED",
        [GG_CASE_IN_PROGRESS] = "IN_PROGRESS", [GG_CASE_FED_BACK] = "IN_PROGRESS",
        [GG_CASE_VERIFIED] = "IN_PROGRESS",   [GG_CASE_CLOSED] = "FIXED",
        [GG_CASE_RETURNED] = "INVESTIGATING", [GG_CASE_SUSPENDED] = "ACTION_SCHEDULED"};
    for (int s = 0; s < GG_CASE_STATE_COUNT; s++) {
        int closed = -1;
        CHECK_STR(gg_case_open311_status((gg_case_state)s, &closed), statuses[s]);
        CHECK_INT(closed, s == GG_CASE_CLOSED || s == GG_CASE_REJECTED);
    }
    CHECK(gg_case_open311_status(GG_CASE_STATE_COUNT, NULL) == NULL);
    gg_store_close(store);
    gg_ctx_free(ctx);
}



static gg_case stage_case(gg_case_state state, const char *started)
{
    gg_case c;
    memset(&c, 0, sizeof c);
    c.state = state;
    c.warn_at = GG_CASE_WARN_AT;
    snprintf(c.stage_started, sizeof c.stage_started, "%s", started);
    return c;
}

static int64_t at(const char *iso)
{
    int64_t t = 0;
    CHECK(gg_case_time_parse(iso, &t));
    return t;
}

/* The lights of each stage: green, yellow from warn_at of the stage's
 * time, red past its deadline; the worse of reach and handle while
 * dispatched. */
static void lights(void)
{
    const char *stage = NULL;
    int64_t due = 0;
    /* Dispatched at 08:00 UTC: on site by 10:00, handled by 18:00. */
    gg_case c = stage_case(GG_CASE_DISPATCHED, "2026-12-01T08:00:00Z");
    snprintf(c.reach_by, sizeof c.reach_by, "2026-12-01T10:00:00Z");
    snprintf(c.deadline, sizeof c.deadline, "2026-12-01T18:00:00Z");
    CHECK_INT(gg_case_light_at(&c, at("2026-12-01T09:00:00Z"), &stage, &due), GG_LIGHT_GREEN);
    CHECK_STR(stage, "reach");
    CHECK_INT(due, at("2026-12-01T10:00:00Z"));
    /* 1h36 of 2h is 0.8: yellow from there. */
    CHECK_INT(gg_case_light_at(&c, at("2026-12-01T09:35:59Z"), NULL, NULL), GG_LIGHT_GREEN);
    CHECK_INT(gg_case_light_at(&c, at("2026-12-01T09:36:00Z"), &stage, NULL), GG_LIGHT_YELLOW);
    CHECK_STR(stage, "reach");
    CHECK_INT(gg_case_light_at(&c, at("2026-12-01T10:00:01Z"), &stage, NULL), GG_LIGHT_RED);
    CHECK_STR(stage, "reach");
    /* On site: the handling alone; 8h of 10h is 0.8. */
    c.state = GG_CASE_IN_PROGRESS;
    CHECK_INT(gg_case_light_at(&c, at("2026-12-01T15:59:00Z"), &stage, NULL), GG_LIGHT_GREEN);
    CHECK_STR(stage, "handle");
    CHECK_INT(gg_case_light_at(&c, at("2026-12-01T16:00:00Z"), NULL, NULL), GG_LIGHT_YELLOW);
    CHECK_INT(gg_case_light_at(&c, at("2026-12-01T18:00:00Z"), NULL, NULL), GG_LIGHT_YELLOW);
    CHECK_INT(gg_case_light_at(&c, at("2026-12-01T18:00:01Z"), NULL, NULL), GG_LIGHT_RED);
    /* An item's own threshold. */
    c.warn_at = 0.5;
    CHECK_INT(gg_case_light_at(&c, at("2026-12-01T13:00:00Z"), NULL, NULL), GG_LIGHT_YELLOW);
    CHECK_INT(gg_case_light_at(&c, at("2026-12-01T12:59:59Z"), NULL, NULL), GG_LIGHT_GREEN);
    /* Fed back: the close. */
    c = stage_case(GG_CASE_FED_BACK, "2026-12-02T00:00:00Z");
    snprintf(c.close_by, sizeof c.close_by, "2026-12-02T10:00:00Z");
    snprintf(c.deadline, sizeof c.deadline, "2026-12-01T18:00:00Z"); /* past, and no longer running */
    CHECK_INT(gg_case_light_at(&c, at("2026-12-02T01:00:00Z"), &stage, NULL), GG_LIGHT_GREEN);
    CHECK_STR(stage, "close");
    CHECK_INT(gg_case_light_at(&c, at("2026-12-02T11:00:00Z"), NULL, NULL), GG_LIGHT_RED);
    /* Suspended: red from the review date's start in China (16:00 UTC the day before). */
    c = stage_case(GG_CASE_SUSPENDED, "2026-12-01T08:00:00Z");
    snprintf(c.review_on, sizeof c.review_on, "2027-01-15");
    CHECK_INT(gg_case_light_at(&c, at("2027-01-14T15:59:59Z"), &stage, NULL), GG_LIGHT_GREEN);
    CHECK_STR(stage, "review");
    CHECK_INT(gg_case_light_at(&c, at("2027-01-14T16:00:00Z"), NULL, NULL), GG_LIGHT_RED);
    /* No clock before the dispatch and after the end. */
    const gg_case_state none[] = {GG_CASE_REPORTED, GG_CASE_ACCEPTED, GG_CASE_RETURNED, GG_CASE_CLOSED,
                                  GG_CASE_REJECTED};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        c = stage_case(none[i], "2026-12-01T08:00:00Z");
        snprintf(c.deadline, sizeof c.deadline, "2026-12-01T09:00:00Z");
        CHECK_INT(gg_case_light_at(&c, at("2026-12-09T00:00:00Z"), &stage, NULL), GG_LIGHT_NONE);
        CHECK_STR(stage, "");
    }
    gg_ctx *ctx = new_ctx();
    gg_case_light l;
    CHECK_INT(gg_case_light_parse(ctx, "yellow", &l), GG_OK);
    CHECK_INT(l, GG_LIGHT_YELLOW);
    CHECK_INT(gg_case_light_parse(ctx, "amber", &l), GG_ERR_ARG);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "green, yellow or red");
    gg_ctx_free(ctx);
    /* Times: offsets, dates in China, refusals. */
    CHECK_INT(at("2026-12-01T16:00:00+08:00"), at("2026-12-01T08:00:00Z"));
    CHECK_INT(at("2026-12-02"), at("2026-12-01T16:00:00Z"));
    int64_t t;
    CHECK(!gg_case_time_parse("2026-02-29", &t));
    CHECK(!gg_case_time_parse("2026-12-01T25:00:00Z", &t));
    CHECK(!gg_case_time_parse("yesterday", &t));
}

/* A catalogue item the clock runs on: on site within 2 hours, handled
 * within 1 working day, closed within 4 hours of the feedback, yellow at
 * half the time. */
static void add_item(gg_store *store)
{
    CHECK_INT(gg_store_exec(store,
                            "INSERT INTO catalogue_version(version, loaded, source) VALUES (1, '2026-12-01', 'test');"
                            "INSERT INTO catalogue(version, item_code, class, name, department, reach_within,"
                            " handle_within, close_within, warn_at)"
                            " VALUES (1, '0101', 'c', 'n', 'dept', '2h', '1wd', '4h', 0.5);"
                            "UPDATE incident SET catalogue_version = 1, community = '110108012001',"
                            " grid_code = '110108012001001'"),
              GG_OK);
}

/* The clock each action sets, from the item's limits on the working
 * calendar; the suspension's time given back on resume; the list's
 * lights and the supervision list taken at a given time. */
static void the_clock_and_the_lists(void)
{
    gg_ctx *ctx = new_ctx();
    gg_store *store = project(ctx);
    add_incident(store, 1, "accepted");
    add_item(store);
    gg_case c;
    gg_case_request r;
    memset(&r, 0, sizeof r);
    r.action = GG_CASE_DISPATCH;
    r.handler = "w2";
    /* Friday 2026-12-04 17:00 in China: on site by 19:00; one working day
     * later is Monday 17:00. */
    r.at = "2026-12-04T09:00:00Z";
    CHECK_INT(act(ctx, store, 1, r, &c), GG_OK);
    CHECK_STR(c.stage_started, "2026-12-04T09:00:00Z");
    CHECK_STR(c.reach_by, "2026-12-04T11:00:00Z");
    CHECK_STR(c.deadline, "2026-12-07T09:00:00Z");
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM incident WHERE reach_by = '2026-12-04T11:00:00Z'"
                            " AND stage_started = '2026-12-04T09:00:00Z'"),
              1);
    /* Lists at given times: the reach stage at half its time is yellow
     * (the item's warn_at), then red, on the township's... level 1's list. */
    gg_case_filter f;
    memset(&f, 0, sizeof f);
    f.state = "open";
    f.level = -1;
    f.now = at("2026-12-04T10:00:00Z");
    char *json = NULL;
    CHECK_INT(gg_case_list_json(ctx, store, &f, &json), GG_OK);
    CHECK_CONTAINS(json, "\"light\":\"yellow\",\"light_stage\":\"reach\",\"due\":\"2026-12-04T11:00:00Z\"");
    CHECK_CONTAINS(json, "\"count\":1");
    gg_text_free(ctx, json);
    f.supervision = 1;
    CHECK_INT(gg_case_list_json(ctx, store, &f, &json), GG_OK);
    CHECK_CONTAINS(json, "\"count\":0");
    gg_text_free(ctx, json);
    f.now = at("2026-12-04T11:00:01Z");
    f.level = 1;
    CHECK_INT(gg_case_list_json(ctx, store, &f, &json), GG_OK);
    CHECK_CONTAINS(json, "\"count\":1");
    CHECK_CONTAINS(json, "\"light\":\"red\"");
    CHECK_CONTAINS(json, "\"supervised_by\":{\"level\":1,\"name\":\"社区工作站\"}");
    gg_text_free(ctx, json);
    f.level = 2;
    CHECK_INT(gg_case_list_json(ctx, store, &f, &json), GG_OK);
    CHECK_CONTAINS(json, "\"count\":0");
    gg_text_free(ctx, json);
    f.supervision = 0;
    f.level = -1;
    f.light = GG_LIGHT_GREEN;
    CHECK_INT(gg_case_list_json(ctx, store, &f, &json), GG_OK);
    CHECK_CONTAINS(json, "\"count\":0");
    gg_text_free(ctx, json);
    f.light = GG_LIGHT_NONE;
    f.state = "fixed";
    CHECK_INT(gg_case_list_json(ctx, store, &f, &json), GG_ERR_ARG);
    gg_ctx_clear_error(ctx);
    /* Suspended Saturday for two days, resumed: the deadline moves on by
     * the two days, and the handling's start with it. */
    memset(&r, 0, sizeof r);
    r.action = GG_CASE_START;
    r.at = "2026-12-04T10:30:00Z";
    CHECK_INT(act(ctx, store, 1, r, &c), GG_OK);
    r.action = GG_CASE_SUSPEND;
    r.review_on = "2026-12-10";
    r.at = "2026-12-05T00:00:00Z";
    CHECK_INT(act(ctx, store, 1, r, &c), GG_OK);
    r.action = GG_CASE_RESUME;
    r.at = "2026-12-07T00:00:00Z";
    CHECK_INT(act(ctx, store, 1, r, &c), GG_OK);
    CHECK_STR(c.deadline, "2026-12-09T09:00:00Z");
    CHECK_STR(c.stage_started, "2026-12-06T09:00:00Z");
    /* Fed back Tuesday: closed within the item's 4 hours. */
    memset(&r, 0, sizeof r);
    r.action = GG_CASE_FEEDBACK;
    r.note = "cleared";
    r.at = "2026-12-08T02:00:00Z";
    CHECK_INT(act(ctx, store, 1, r, &c), GG_OK);
    CHECK_STR(c.close_by, "2026-12-08T06:00:00Z");
    CHECK_STR(c.stage_started, "2026-12-08T02:00:00Z");
    CHECK_INT(gg_case_light_at(&c, at("2026-12-08T04:00:00Z"), NULL, NULL), GG_LIGHT_YELLOW);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* Escalation through a project's own levels (three, as Nanhai has), to
 * each level's contact for the incident's place with the level's time
 * limit; the referral beyond the last; the sheets' refusals. */
static void escalation_through_configured_levels(void)
{
    gg_ctx *ctx = new_ctx();
    gg_store *store = project(ctx);
    add_incident(store, 1, "in_progress");
    add_item(store);
    static const char bad[][200] = {
        "level,name,scope\n0,网格,grid\n2,区,district\n",
        "level,name,scope\n0,网格,township\n1,区,district\n",
        "level,name,scope\n0,网格,grid\n1,区,district\n2,镇街,township\n",
        "level,name,scope,handle_within\n0,网格,grid\n1,镇街,township,5 weeks\n",
        "level,name\n0,网格\n",
        "level,name,scope\n0,网格,grid\n",
    };
    static const char *const said[] = {"line 3: level '2': expected 1", "level 0 is the grid's",
                                       "line 4: scope township is narrower", "line 3: handle_within '5 weeks'",
                                       "line 1: the header has no column 'scope'", "1 level:"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_INT(gg_case_levels_import(ctx, store, bad[i], strlen(bad[i]), "levels.csv", NULL), GG_ERR_FORMAT);
        CHECK_CONTAINS(gg_ctx_errmsg(ctx), said[i]);
        CHECK_CONTAINS(gg_ctx_errmsg(ctx), "levels.csv");
        gg_ctx_clear_error(ctx);
    }
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM case_level"), 4);
    static const char levels[] = "level,name,scope,handle_within\n"
                                 "0,网格,grid,\n"
                                 "1,镇街综治中心,township,3wd\n"
                                 "2,区综治中心,district,10wd\n";
    size_t n = 0;
    CHECK_INT(gg_case_levels_import(ctx, store, levels, strlen(levels), "levels.csv", &n), GG_OK);
    CHECK_INT(n, 3);
    static const char bad_contacts[] = "level,division,name,phone\n1,110108012,Zhang,010-1\n3,*,Li,\n";
    CHECK_INT(gg_level_contacts_import(ctx, store, bad_contacts, strlen(bad_contacts), "contacts.csv", NULL),
              GG_ERR_FORMAT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "contacts.csv: line 3: level '3'");
    gg_ctx_clear_error(ctx);
    static const char contacts[] = "level,division,name,phone\n"
                                   "1,110108012,Zhang Wei (street centre),010-1\n"
                                   "1,110108013,Wang Fang,010-2\n"
                                   "2,*,District duty desk,010-9\n";
    CHECK_INT(gg_level_contacts_import(ctx, store, contacts, strlen(contacts), "contacts.csv", &n), GG_OK);
    CHECK_INT(n, 3);
    gg_case c;
    gg_case_request r;
    memset(&r, 0, sizeof r);
    r.action = GG_CASE_ESCALATE;
    r.reason = "needs the street's departments";
    r.at = "2026-12-01T02:00:00Z"; /* Tuesday 10:00 in China */
    CHECK_INT(act(ctx, store, 1, r, &c), GG_OK);
    CHECK_INT(c.level, 1);
    CHECK_STR(c.handler, "Zhang Wei (street centre)");
    CHECK_STR(c.deadline, "2026-12-04T02:00:00Z"); /* 3 working days */
    CHECK_STR(c.reach_by, "2026-12-01T04:00:00Z");
    r.reason = "the street cannot";
    r.accountability = 1;
    r.at = "2026-12-02T02:00:00Z";
    CHECK_INT(act(ctx, store, 1, r, &c), GG_OK);
    CHECK_INT(c.level, 2);
    CHECK_STR(c.handler, "District duty desk");
    CHECK_STR(c.deadline, "2026-12-16T02:00:00Z"); /* 10 working days */
    CHECK_INT(c.accountability, 1);
    /* The last level: escalate refused, refer instead. */
    CHECK_INT(gg_case_act(ctx, store, 1, NULL, &r, NULL), GG_ERR_INVALID_INPUT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "level 2 (区综治中心), the last");
    gg_ctx_clear_error(ctx);
    memset(&r, 0, sizeof r);
    r.action = GG_CASE_REFER;
    r.reason = "a municipal matter";
    CHECK_INT(gg_case_act(ctx, store, 1, NULL, &r, NULL), GG_ERR_ARG);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "refer needs to whom");
    gg_ctx_clear_error(ctx);
    r.handler = "市住建委";
    CHECK_INT(act(ctx, store, 1, r, &c), GG_OK);
    CHECK_STR(c.referred_to, "市住建委");
    CHECK_INT(c.state, GG_CASE_DISPATCHED);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM incident_event WHERE incident = 1 AND action = 'refer'"
                            " AND reason = 'a municipal matter'"),
              1);
    /* A referral below the last level is refused. */
    add_incident(store, 2, "dispatched");
    CHECK_INT(gg_case_act(ctx, store, 2, NULL, &r, NULL), GG_ERR_INVALID_INPUT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "escalate it first");
    gg_ctx_clear_error(ctx);
    /* No contact for the place: the level's name. */
    CHECK_INT(gg_store_exec(store, "UPDATE incident SET community = '110108099001' WHERE id = 2"), GG_OK);
    memset(&r, 0, sizeof r);
    r.action = GG_CASE_ESCALATE;
    r.reason = "x";
    CHECK_INT(act(ctx, store, 2, r, &c), GG_OK);
    CHECK_STR(c.handler, "镇街综治中心");
    gg_store_close(store);
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
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM incident_event"), 2 + 4);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM incident_event WHERE incident = 1 AND seq = 3 AND action = 'dispatch'"
                            " AND at = '2026-12-02T09:00:00Z' AND handler = 'w9'"),
              1);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM incident WHERE id = 2 AND stage = 'in_progress'"), 1);
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
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM incident_event"), 6);
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
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM incident_event WHERE idempotency_key IS NOT NULL"), 3);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM incident_event WHERE incident = 1"), 3);
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

/* A project that speaks Chinese to its reporters (open311.language zh):
 * status_notes and the updates' descriptions in Chinese, the notes as
 * written; the actions of one batch read the setting once, and read it
 * again in the next. */
static void reporters_read_their_language(void)
{
    gg_ctx *ctx = new_ctx();
    gg_store *store = project(ctx);
    CHECK_INT(gg_setting_set(ctx, store, "open311.language", "zh"), GG_OK);
    CHECK_INT(gg_setting_set(ctx, store, "open311.language", "fr"), GG_ERR_ARG);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "en or zh");
    gg_ctx_clear_error(ctx);
    add_incident(store, 1, "in_progress");
    add_incident(store, 2, "dispatched");
    char got[256];
    gg_case_request r;
    memset(&r, 0, sizeof r);
    r.action = GG_CASE_FEEDBACK;
    r.note = "垃圾桶已移走";
    gg_case c;
    CHECK_INT(act(ctx, store, 1, r, &c), GG_OK);
    CHECK_STR(fx_scalar_text(store, "SELECT status_notes FROM incident WHERE id = 1", got, sizeof got),
              "已处置：垃圾桶已移走");
    /* A batch: verified, closed (the notes repeat the result), and the
     * other one escalated to the level above. */
    gg_case_item items[3];
    memset(items, 0, sizeof items);
    items[0].id = 1;
    items[0].req.action = GG_CASE_VERIFY;
    items[1].id = 1;
    items[1].req.action = GG_CASE_CLOSE;
    items[2].id = 2;
    items[2].req.action = GG_CASE_ESCALATE;
    items[2].req.reason = "小区物业不配合";
    gg_case_outcome out[3];
    CHECK_INT(gg_case_act_many(ctx, store, items, 3, out), GG_OK);
    for (int k = 0; k < 3; k++)
        CHECK_INT(out[k].status, GG_OK);
    CHECK_STR(fx_scalar_text(store, "SELECT status_notes FROM incident WHERE id = 1", got, sizeof got),
              "已结案：垃圾桶已移走");
    CHECK_STR(fx_scalar_text(store, "SELECT status_notes FROM incident WHERE id = 2", got, sizeof got),
              "已上报社区工作站：小区物业不配合");
    /* Back to English between batches: the next batch reads it again. */
    CHECK_INT(gg_setting_set(ctx, store, "open311.language", NULL), GG_OK);
    memset(&r, 0, sizeof r);
    r.action = GG_CASE_RATE;
    r.satisfaction = "basically";
    CHECK_INT(act(ctx, store, 1, r, &c), GG_OK);
    CHECK_STR(fx_scalar_text(store, "SELECT status_notes FROM incident WHERE id = 1", got, sizeof got),
              "Rated by the reporter: basically satisfied");
    CHECK_INT(gg_setting_set(ctx, store, "open311.language", "zh"), GG_OK);
    gg_case_update *list = NULL;
    size_t n = 0;
    int more = -1;
    CHECK_INT(gg_case_updates(ctx, store, "2000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", 0, 100, &list, &n, &more),
              GG_OK);
    CHECK_INT((int64_t)n, 5);
    if (n == 5) {
        CHECK_STR(list[0].description, "已处置：垃圾桶已移走");
        CHECK_STR(list[1].description, "处置结果已现场核查：垃圾桶已移走");
        CHECK_STR(list[4].description, "报告人评价：基本满意");
    }
    gg_case_updates_free(ctx, list, n);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

TEST_LIST(T(every_transition_and_refusal), T(actions_need_what_they_say), T(the_loop_and_its_history),
          T(the_reporter_answers_back), T(a_batch_of_actions), T(resent_actions),
          T(lights), T(the_clock_and_the_lists), T(escalation_through_configured_levels),
          T(reporters_read_their_language), T(names))
