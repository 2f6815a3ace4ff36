/* The statistics: a hand-made set of incidents across groups, counted
 * again here by a plain loop over the set (the lights written down by
 * hand) and by separate SQL, every figure compared with the library's for
 * the total and every grouping; the series, the chart, an empty period,
 * no incidents, a period that ends before it starts, an unknown grouping. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "io/fixtures.h"
#include "govgrid/dispatch.h"
#include "govgrid/incident.h"
#include "govgrid/render.h"
#include "govgrid/store.h"
#include "store/store.h"

/* One incident of the set. close1 is an earlier close (reopened after);
 * close2 the latest one (NULL: none). */
typedef struct spec {
    const char *requested, *stage, *expected, *grid, *community, *department, *handler, *item, *source;
    int level;
    const char *satisfaction, *stage_started, *reach_by, *close_by, *review_on, *close1, *close2;
    gg_case_light light;        /* its light at AT, worked out by hand */
} spec;

#define AT "2026-03-20T00:00:00Z"
/* 2026-03-01 to 2026-03-15, China Standard Time. */
#define FROM "2026-02-28T16:00:00Z"
#define TO "2026-03-15T15:59:59Z"

static const spec set[] = {
    /* closed in 24 h, on time, satisfied */
    {"2026-03-02T01:00:00Z", "closed", "2026-03-05T00:00:00Z", "G1", "110101001001", "城管", "w1", "A", "hotline",
     0, "satisfied", NULL, NULL, NULL, NULL, NULL, "2026-03-03T01:00:00Z", GG_LIGHT_NONE},
    /* closed late, not satisfied */
    {"2026-03-02T02:00:00Z", "closed", "2026-03-06T00:00:00Z", "G1", "110101001001", "城管", "w1", "A", "app", 1,
     "not", NULL, NULL, NULL, NULL, NULL, "2026-03-10T02:00:00Z", GG_LIGHT_NONE},
    {"2026-03-03T00:00:00Z", "rejected", NULL, "G2", "110101001002", NULL, NULL, "B", "hotline", 0, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, GG_LIGHT_NONE},
    {"2026-03-04T00:00:00Z", "reported", NULL, "G2", "110101001002", NULL, NULL, "B", "grid", 0, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, GG_LIGHT_NONE},
    /* dispatched the day before AT: both stages green */
    {"2026-03-05T00:00:00Z", "dispatched", "2026-03-30T00:00:00Z", "G3", "110101002001", "城管", "城管", "A",
     "hotline", 0, NULL, "2026-03-19T00:00:00Z", "2026-03-25T00:00:00Z", NULL, NULL, NULL, NULL, GG_LIGHT_GREEN},
    /* 10 of 11 days used: yellow, not overdue */
    {"2026-03-05T00:00:00Z", "in_progress", "2026-03-21T00:00:00Z", "G3", "110101002001", "水务", "水务", "B", "app",
     0, NULL, "2026-03-10T00:00:00Z", NULL, NULL, NULL, NULL, NULL, GG_LIGHT_YELLOW},
    /* past its deadline: red, overdue; a worker has it */
    {"2026-03-06T00:00:00Z", "in_progress", "2026-03-12T00:00:00Z", "G1", "110101001001", NULL, "W1", "A", "grid", 0,
     NULL, "2026-03-07T00:00:00Z", NULL, NULL, NULL, NULL, NULL, GG_LIGHT_RED},
    /* suspended till after AT: green, and not overdue though past its deadline */
    {"2026-03-06T00:00:00Z", "suspended", "2026-03-10T00:00:00Z", "G2", "110101001002", "水务", "水务", "B", "app", 2,
     NULL, "2026-03-07T00:00:00Z", NULL, NULL, "2026-04-01", NULL, NULL, GG_LIGHT_GREEN},
    /* accepted, no clock: no light, but past its deadline */
    {"2026-03-07T00:00:00Z", "accepted", "2026-03-08T00:00:00Z", "G3", "110101002001", NULL, NULL, "A", "hotline", 0,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, GG_LIGHT_NONE},
    /* received before the period, closed, reopened and closed again in it */
    {"2026-02-20T00:00:00Z", "closed", "2026-03-09T00:00:00Z", "G1", "110101001001", "城管", "城管", "A", "hotline",
     3, "basically", NULL, NULL, NULL, NULL, "2026-03-01T00:00:00Z", "2026-03-08T00:00:00Z", GG_LIGHT_NONE},
    /* received in the period, closed after it */
    {"2026-03-10T00:00:00Z", "closed", "2026-03-30T00:00:00Z", "G2", "110101001002", "水务", "水务", "B", "app", 0,
     NULL, NULL, NULL, NULL, NULL, NULL, "2026-03-20T00:00:00Z", GG_LIGHT_NONE},
    /* after the period */
    {"2026-03-16T00:00:00Z", "closed", "2026-03-17T00:00:00Z", "G1", "110101001001", "城管", "w1", "A", "app", 0,
     "satisfied", NULL, NULL, NULL, NULL, NULL, "2026-03-16T05:00:00Z", GG_LIGHT_NONE},
    /* an hour before the period (2026-02-28 23:00 in Beijing) */
    {"2026-02-28T15:00:00Z", "dispatched", "2026-03-02T00:00:00Z", "G3", "110101002001", "城管", "城管", "A",
     "hotline", 0, NULL, "2026-02-28T15:00:00Z", NULL, NULL, NULL, NULL, NULL, GG_LIGHT_RED},
    /* at the period's first second; closed on the spot, no deadline */
    {"2026-02-28T16:00:00Z", "closed", NULL, "G2", "110101001002", NULL, "w2", "B", "grid", 0, NULL, NULL, NULL, NULL,
     NULL, NULL, "2026-03-01T00:00:00Z", GG_LIGHT_NONE},
    /* fed back, past the time to close it: red; its handling deadline is not past */
    {"2026-03-08T00:00:00Z", "fed_back", "2026-03-25T00:00:00Z", "G3", "110101002001", "城管", "城管", "A", "app", 1,
     NULL, "2026-03-18T00:00:00Z", NULL, "2026-03-19T00:00:00Z", NULL, NULL, NULL, GG_LIGHT_RED},
};
#define N_SET (sizeof set / sizeof set[0])

static gg_ctx *new_ctx(void)
{
    gg_ctx *ctx = NULL;
    gg_ctx_new(&ctx);
    return ctx;
}

static void quote(char *out, size_t size, const char *s)
{
    if (s == NULL)
        snprintf(out, size, "NULL");
    else
        snprintf(out, size, "'%s'", s);
}

static void add_event(gg_store *store, int id, int seq, const char *at, const char *action, const char *from,
                      const char *to)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO incident_event(incident, seq, at, actor, action, from_state, to_state) VALUES"
             " (%d, %d, '%s', 'tester', '%s', %s%s%s, '%s')",
             id, seq, at, action, from ? "'" : "", from ? from : "NULL", from ? "'" : "", to);
    CHECK_INT(gg_store_exec(store, sql), GG_OK);
}

/* The set, as rows and histories: the arrival, the closes (a reopen
 * between two), a rating after the last close. */
static gg_store *project(gg_ctx *ctx, int with_set)
{
    gg_store *store = NULL;
    CHECK_INT(gg_store_create(ctx, gg_test_path("p.sqlite"), &store), GG_OK);
    for (size_t i = 0; with_set && i < N_SET; i++) {
        const spec *s = &set[i];
        int id = (int)i + 1;
        char f[12][80];
        const char *v[] = {s->expected, s->grid,          s->community, s->department, s->handler,  s->source,
                           s->satisfaction, s->stage_started, s->reach_by,  s->close_by,   s->review_on, s->item};
        for (int k = 0; k < 12; k++)
            quote(f[k], sizeof f[k], v[k]);
        char sql[1536];
        snprintf(sql, sizeof sql,
                 "INSERT INTO incident(id, request_id, service_code, stage, status, requested, updated, expected,"
                 " grid_code, community, department, handler, source, level, satisfaction, stage_started, reach_by,"
                 " close_by, review_on) VALUES (%d, 'r%d', %s, '%s', '%s', '%s', '%s', %s, %s, %s, %s, %s, %s, %d,"
                 " %s, %s, %s, %s, %s)",
                 id, id, f[11], s->stage,
                 strcmp(s->stage, "closed") == 0 || strcmp(s->stage, "rejected") == 0 ? "closed" : "open",
                 s->requested, s->requested, f[0], f[1], f[2], f[3], f[4], f[5], s->level, f[6], f[7], f[8], f[9],
                 f[10]);
        CHECK_INT(gg_store_exec(store, sql), GG_OK);
        int seq = 1;
        add_event(store, id, seq++, s->requested, "report", NULL, s->close2 && !s->close1 ? "reported" : s->stage);
        if (s->close1) {
            add_event(store, id, seq++, s->close1, "close", "verified", "closed");
            add_event(store, id, seq++, s->close1, "reopen", "closed", "dispatched");
        }
        if (s->close2) {
            add_event(store, id, seq++, s->close2, "close", s->close1 ? "verified" : "reported", "closed");
            if (s->satisfaction)
                add_event(store, id, seq++, "2026-03-31T00:00:00Z", "rate", "closed", "closed");
        }
    }
    return store;
}

static int64_t when(const char *iso)
{
    int64_t t = 0;
    CHECK(gg_case_time_parse(iso, &t));
    return t;
}

/* The group of s for by, as the statistics define it. */
static void key_of(const spec *s, gg_stats_by by, char key[64])
{
    const char *k = "";
    char level[16];
    switch (by) {
    case GG_STATS_BY_GRID: k = s->grid; break;
    case GG_STATS_BY_COMMUNITY: k = s->community; break;
    case GG_STATS_BY_TOWNSHIP: snprintf(key, 64, "%.9s", s->community); return;
    case GG_STATS_BY_DEPARTMENT: k = s->department; break;
    case GG_STATS_BY_ITEM: k = s->item; break;
    case GG_STATS_BY_SOURCE: k = s->source; break;
    case GG_STATS_BY_LEVEL: snprintf(level, sizeof level, "%d", s->level); k = level; break;
    case GG_STATS_BY_NONE: break;
    }
    snprintf(key, 64, "%s", k ? k : "");
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The figures of the set's incidents in group key (NULL: all), counted
 * here from the definitions. */
static gg_stats_row expected_row(gg_stats_by by, const char *key)
{
    gg_stats_row r;
    memset(&r, 0, sizeof r);
    int64_t from = when(FROM), to = when(TO), at = when(AT);
    double hours[N_SET];
    size_t n_hours = 0;
    for (size_t i = 0; i < N_SET; i++) {
        const spec *s = &set[i];
        char k[64];
        key_of(s, by, k);
        if (key != NULL && strcmp(k, key) != 0)
            continue;
        int64_t req = when(s->requested);
        int received = req >= from && req <= to;
        int closed = s->close2 != NULL && when(s->close2) >= from && when(s->close2) <= to;
        if (received) {
            r.received++;
            r.rejected += strcmp(s->stage, "rejected") == 0;
            r.pending += strcmp(s->stage, "reported") == 0;
            r.accepted += strcmp(s->stage, "rejected") != 0 && strcmp(s->stage, "reported") != 0;
            if (strcmp(s->stage, "closed") != 0 && strcmp(s->stage, "rejected") != 0) {
                r.open++;
                r.open_by_light[s->light]++;
                r.overdue_open += strcmp(s->stage, "suspended") != 0 && s->expected && at > when(s->expected);
            }
        }
        if (closed) {
            r.closed++;
            int on_time = s->expected == NULL || when(s->close2) <= when(s->expected);
            r.closed_on_time += on_time;
            r.closed_late += !on_time;
            r.rated += s->satisfaction != NULL;
            r.satisfied += s->satisfaction && strcmp(s->satisfaction, "not") != 0;
            hours[n_hours++] = (double)(when(s->close2) - req) / 3600.0;
        }
    }
    r.overdue = r.overdue_open + r.closed_late;
    qsort(hours, n_hours, sizeof hours[0], cmp_double);
    r.close_hours_median = n_hours == 0       ? -1
                           : n_hours % 2 == 1 ? hours[n_hours / 2]
                                              : (hours[n_hours / 2 - 1] + hours[n_hours / 2]) / 2;
    /* nearest rank: the smallest value with at least 90% at or below it */
    r.close_hours_p90 = -1;
    for (size_t i = 0; i < n_hours; i++)
        if ((double)(i + 1) >= 0.9 * (double)n_hours - 1e-9) {
            r.close_hours_p90 = hours[i];
            break;
        }
    r.closure_rate = r.received ? (double)r.closed / (double)r.received : -1;
    r.on_time_rate = r.closed ? (double)r.closed_on_time / (double)r.closed : -1;
    r.satisfaction_rate = r.rated ? (double)r.satisfied / (double)r.rated : -1;
    return r;
}

static void same_row(const gg_stats_row *got, const gg_stats_row *want, const char *what)
{
    int before = gg_test_failures;
    CHECK_INT(got->received, want->received);
    CHECK_INT(got->accepted, want->accepted);
    CHECK_INT(got->rejected, want->rejected);
    CHECK_INT(got->pending, want->pending);
    CHECK_INT(got->closed, want->closed);
    CHECK_INT(got->closed_on_time, want->closed_on_time);
    CHECK_INT(got->closed_late, want->closed_late);
    CHECK_INT(got->open, want->open);
    for (int l = 0; l < 4; l++)
        CHECK_INT(got->open_by_light[l], want->open_by_light[l]);
    CHECK_INT(got->overdue_open, want->overdue_open);
    CHECK_INT(got->overdue, want->overdue);
    CHECK_INT(got->rated, want->rated);
    CHECK_INT(got->satisfied, want->satisfied);
    CHECK_NEAR(got->close_hours_median, want->close_hours_median, 1e-9);
    CHECK_NEAR(got->close_hours_p90, want->close_hours_p90, 1e-9);
    CHECK_NEAR(got->closure_rate, want->closure_rate, 1e-12);
    CHECK_NEAR(got->on_time_rate, want->on_time_rate, 1e-12);
    CHECK_NEAR(got->satisfaction_rate, want->satisfaction_rate, 1e-12);
    if (gg_test_failures != before)
        fprintf(stderr, "  (in %s)\n", what);
}

static gg_stats_options period(gg_stats_by by)
{
    gg_stats_options o;
    memset(&o, 0, sizeof o);
    o.has_from = o.has_to = 1;
    o.from = when(FROM);
    o.to = when(TO);
    o.at = when(AT);
    o.by = by;
    return o;
}

/* Every grouping: each group's figures and the total as counted here. */
static void every_figure_of_every_group(void)
{
    gg_ctx *ctx = new_ctx();
    gg_store *store = project(ctx, 1);
    for (int by = GG_STATS_BY_NONE; by <= GG_STATS_BY_LEVEL; by++) {
        gg_stats_options o = period((gg_stats_by)by);
        gg_case_stats *s = NULL;
        CHECK_INT(gg_case_stats_compute(ctx, store, &o, &s), GG_OK);
        if (s == NULL)
            continue;
        gg_stats_row want = expected_row((gg_stats_by)by, NULL);
        same_row(&s->total, &want, gg_stats_by_name((gg_stats_by)by));
        /* The groups are those of the incidents received or closed in the period, by key. */
        size_t n_groups = 0;
        char keys[N_SET][64];
        for (size_t i = 0; by != GG_STATS_BY_NONE && i < N_SET; i++) {
            int64_t req = when(set[i].requested);
            int in = (req >= o.from && req <= o.to) ||
                     (set[i].close2 && when(set[i].close2) >= o.from && when(set[i].close2) <= o.to);
            char k[64];
            key_of(&set[i], (gg_stats_by)by, k);
            int seen = 0;
            for (size_t j = 0; j < n_groups; j++)
                seen |= strcmp(keys[j], k) == 0;
            if (in && !seen)
                snprintf(keys[n_groups++], 64, "%s", k);
        }
        CHECK_INT(s->n_rows, n_groups);
        for (size_t g = 0; g < s->n_rows; g++) {
            if (g > 0)
                CHECK(strcmp(s->rows[g - 1].key, s->rows[g].key) < 0);
            gg_stats_row w = expected_row((gg_stats_by)by, s->rows[g].key);
            char what[96];
            snprintf(what, sizeof what, "%s %s", gg_stats_by_name((gg_stats_by)by), s->rows[g].key);
            same_row(&s->rows[g], &w, what);
        }
        gg_case_stats_free(ctx, s);
    }
    /* The same totals by separate SQL. */
    gg_stats_options o = period(GG_STATS_BY_NONE);
    gg_case_stats *s = NULL;
    CHECK_INT(gg_case_stats_compute(ctx, store, &o, &s), GG_OK);
    CHECK_INT(s->total.received, fx_scalar(store, "SELECT count(*) FROM incident WHERE requested BETWEEN '" FROM
                                               "' AND '" TO "'"));
    CHECK_INT(s->total.closed,
              fx_scalar(store, "SELECT count(*) FROM incident i WHERE stage = 'closed' AND (SELECT max(at) FROM"
                            " incident_event e WHERE e.incident = i.id AND e.action = 'close') BETWEEN '" FROM
                            "' AND '" TO "'"));
    CHECK_INT(s->total.closed_on_time,
              fx_scalar(store, "SELECT count(*) FROM incident i, (SELECT incident, max(at) AS c FROM incident_event"
                            " WHERE action = 'close' GROUP BY incident) e WHERE e.incident = i.id AND stage = 'closed'"
                            " AND c BETWEEN '" FROM "' AND '" TO "' AND (expected IS NULL OR c <= expected)"));
    /* The figures written down once, for a reader: 12 received, 4 closed
     * (one received before the period), 3 on time; 8, 24, 192 and 384
     * hours to close. */
    CHECK_INT(s->total.received, 12);
    CHECK_INT(s->total.closed, 4);
    CHECK_INT(s->total.closed_on_time, 3);
    CHECK_INT(s->total.open, 7);
    CHECK_INT(s->total.overdue, 3);
    CHECK_NEAR(s->total.close_hours_median, 108, 1e-9);
    CHECK_NEAR(s->total.close_hours_p90, 384, 1e-9);
    CHECK_NEAR(s->total.satisfaction_rate, 2.0 / 3.0, 1e-12);
    /* Where the open wait: department, else handler; most first. */
    struct {
        const char *who, *state;
        int count, red;
    } stuck[] = {{"城管", "dispatched", 1, 0}, {"水务", "in_progress", 1, 0}, {"W1", "in_progress", 1, 1},
                 {"水务", "suspended", 1, 0},  {"", "accepted", 1, 0},      {"城管", "fed_back", 1, 1},
                 {"", "reported", 1, 0}};
    CHECK_INT(s->n_stuck, sizeof stuck / sizeof stuck[0]);
    for (size_t i = 0; i < sizeof stuck / sizeof stuck[0]; i++) {
        int found = 0;
        for (size_t j = 0; j < s->n_stuck; j++)
            if (strcmp(s->stuck[j].who, stuck[i].who) == 0 &&
                strcmp(gg_case_state_name(s->stuck[j].state), stuck[i].state) == 0) {
                found++;
                CHECK_INT(s->stuck[j].count, stuck[i].count);
                CHECK_INT(s->stuck[j].red, stuck[i].red);
            }
        CHECK_INT(found, 1);
    }
    char *json = NULL;
    CHECK_INT(gg_case_stats_json(ctx, s, &json), GG_OK);
    CHECK_CONTAINS(json, "\"received\":12");
    CHECK_CONTAINS(json, "\"closure_rate\":0.3333");
    CHECK_CONTAINS(json, "\"close_hours\":{\"median\":108.0,\"p90\":384.0}");
    gg_text_free(ctx, json);
    gg_case_stats_free(ctx, s);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* The days of the period: each incident in the day (Beijing) it was
 * received or closed; the days add up to the totals. The chart of them. */
static void the_series_and_its_chart(void)
{
    gg_ctx *ctx = new_ctx();
    gg_store *store = project(ctx, 1);
    gg_stats_options o = period(GG_STATS_BY_NONE);
    o.interval = GG_STATS_INTERVAL_DAY;
    gg_case_stats *s = NULL;
    CHECK_INT(gg_case_stats_compute(ctx, store, &o, &s), GG_OK);
    CHECK_INT(s->n_series, 15);
    CHECK_STR(s->series[0].label, "2026-03-01");
    CHECK_INT(s->series[0].start, when(FROM));
    int64_t received = 0, closed = 0, on_time = 0;
    for (size_t i = 0; i < s->n_series; i++) {
        received += s->series[i].received;
        closed += s->series[i].closed;
        on_time += s->series[i].closed_on_time;
    }
    CHECK_INT(received, s->total.received);
    CHECK_INT(closed, s->total.closed);
    CHECK_INT(on_time, s->total.closed_on_time);
    /* 2026-03-01: the one received at the first second; closed on the spot
     * at 08:00 Beijing time with the earlier close of another (which does
     * not count: it was reopened). */
    CHECK_INT(s->series[0].received, 1);
    CHECK_INT(s->series[0].closed, 1);
    /* 2026-03-02 Beijing: two received (01:00Z and 02:00Z are 09:00 and 10:00). */
    CHECK_INT(s->series[1].received, 2);
    CHECK_NEAR(s->series[1].closure_rate, 0, 1e-12);
    CHECK_NEAR(s->series[2].on_time_rate, 1, 1e-12); /* 2026-03-03: closed in 24 h */
    CHECK_NEAR(s->series[4].on_time_rate, -1, 1e-12); /* 2026-03-05: nothing closed */
    const char *png = gg_test_path("rates.png");
    CHECK_INT(gg_stats_chart_render(ctx, s, png, 0), GG_OK);
    FILE *f = fopen(png, "rb");
    unsigned char head[24] = {0};
    CHECK(f != NULL && fread(head, 1, sizeof head, f) == sizeof head);
    if (f)
        fclose(f);
    CHECK(memcmp(head, "\x89PNG\r\n\x1a\n", 8) == 0 && memcmp(head + 12, "IHDR", 4) == 0);
    CHECK_INT(((int)head[16] << 24) | (head[17] << 16) | (head[18] << 8) | head[19], 1200);
    CHECK_INT(((int)head[20] << 24) | (head[21] << 16) | (head[22] << 8) | head[23], 620);
    CHECK_INT(gg_stats_chart_render(ctx, s, gg_test_path("rates.jpg"), 0), GG_ERR_ARG);
    gg_case_stats_free(ctx, s);
    /* Weeks start on Monday (2026-02-23), months on the first. */
    o.interval = GG_STATS_INTERVAL_WEEK;
    CHECK_INT(gg_case_stats_compute(ctx, store, &o, &s), GG_OK);
    CHECK_INT(s->n_series, 3);
    CHECK_STR(s->series[0].label, "2026-02-23");
    gg_case_stats_free(ctx, s);
    o.interval = GG_STATS_INTERVAL_MONTH;
    CHECK_INT(gg_case_stats_compute(ctx, store, &o, &s), GG_OK);
    CHECK_INT(s->n_series, 1);
    CHECK_STR(s->series[0].label, "2026-03");
    CHECK_INT(s->series[0].received, 12);
    gg_case_stats_free(ctx, s);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void empty_periods_and_refusals(void)
{
    gg_ctx *ctx = new_ctx();
    gg_store *store = project(ctx, 1);
    gg_stats_options o = period(GG_STATS_BY_GRID);
    o.from = when("2020-01-01");
    o.to = when("2020-01-31");
    o.interval = GG_STATS_INTERVAL_WEEK;
    gg_case_stats *s = NULL;
    CHECK_INT(gg_case_stats_compute(ctx, store, &o, &s), GG_OK);
    CHECK_INT(s->n_rows, 0);
    CHECK_INT(s->n_stuck, 0);
    CHECK_INT(s->total.received + s->total.closed + s->total.open, 0);
    CHECK_NEAR(s->total.closure_rate, -1, 0);
    CHECK_NEAR(s->total.close_hours_median, -1, 0);
    CHECK_NEAR(s->total.close_hours_p90, -1, 0);
    char *json = NULL;
    CHECK_INT(gg_case_stats_json(ctx, s, &json), GG_OK);
    CHECK_CONTAINS(json, "\"closure_rate\":null");
    gg_text_free(ctx, json);
    gg_case_stats_free(ctx, s);
    /* From after to. */
    o.from = when("2026-03-02");
    o.to = when("2026-03-01");
    s = (gg_case_stats *)&o;
    CHECK_INT(gg_case_stats_compute(ctx, store, &o, &s), GG_ERR_ARG);
    CHECK(s == NULL);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "after it ends");
    /* Unknown groupings and intervals. */
    gg_stats_by by;
    CHECK_INT(gg_stats_by_parse(ctx, "street", &by), GG_ERR_ARG);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "grid, community, township, department, item, source or level");
    CHECK_INT(gg_stats_by_parse(ctx, "township", &by), GG_OK);
    CHECK_INT(by, GG_STATS_BY_TOWNSHIP);
    gg_stats_interval iv;
    CHECK_INT(gg_stats_interval_parse(ctx, "year", &iv), GG_ERR_ARG);
    o = period((gg_stats_by)42);
    CHECK_INT(gg_case_stats_compute(ctx, store, &o, &s), GG_ERR_ARG);
    gg_store_close(store);
    /* No incidents at all; the period from the first incident is then just `to`. */
    store = NULL;
    remove(gg_test_path("p.sqlite"));
    store = project(ctx, 0);
    memset(&o, 0, sizeof o);
    o.at = when(AT);
    o.by = GG_STATS_BY_DEPARTMENT;
    CHECK_INT(gg_case_stats_compute(ctx, store, &o, &s), GG_OK);
    CHECK_INT(s->n_rows, 0);
    CHECK_INT(s->total.received, 0);
    CHECK_INT(s->from, when(AT));
    CHECK_INT(s->to, when(AT));
    gg_case_stats_free(ctx, s);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

TEST_LIST(T(every_figure_of_every_group), T(the_series_and_its_chart), T(empty_periods_and_refusals))
