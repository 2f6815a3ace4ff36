/*
 * year.c - govgrid-synth-year: a deterministic year of incidents through
 * the closed loop, for a district, as a file of transitions in time order.
 *
 * Each incident draws its own random stream from the seed and its number,
 * so the year does not depend on the order of the work. Its report (the
 * source: hotline, grid worker, app, Open311 client; the catalogue item,
 * weighted; a time in the week's rhythm) is followed by the actions the
 * loop allows (src/incident/caseflow.c): accept or reject, dispatch,
 * start, feedback, verify, close and rate; a share handled on the spot by
 * the grid worker; returns for wrong dispatch and re-dispatch; extensions
 * asked and approved; escalations through the levels; suspensions until a
 * review date; verification failures and dissatisfied reporters that
 * reopen; overdue cases escalated for accountability. Handling times are
 * drawn around the item's limit. What would happen after the year's end is
 * not written: those incidents stay open.
 *
 * Output, one line per event, tab-separated, by time:
 *   TIME  N  report  source=S  item=CODE  [lon=X  lat=Y | address=A]  description=D  [attrs=C:V;C:V]  expect=STAGE
 *   TIME  N  ACTION  [key=value ...]  expect=STATE
 * TIME is ISO 8601 UTC; N numbers the incidents 1.. in the order they were
 * reported; expect is the state the incident is in after the line (for a
 * report: its arrival, "dispatched" when it has a place, which the points
 * file puts in grids with a worker, or when its item's route sends it to
 * its department; "reported" otherwise). The keys are those of
 * gg_case_request: handler, note, reason, deadline, review_on,
 * satisfaction, approve, on_site, accountability.
 *
 * The summary (--summary) is JSON: the counts of incidents, transitions,
 * arrivals, actions, sources and final states the file holds.
 *
 * Exit status: 0 success, 1 failure, 2 usage.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rng.h"

#define TAG_YEAR 0x59454152u
#define MAX_ITEMS 256
#define LEVELS 4 /* GG_CASE_LEVELS */

/* The level a route "level:N" or "level:SCOPE" sends an item to, among a
 * new project's default levels (0 grid, 1 community, 2 township, 3
 * district), as the library resolves it. */
static int route_level(const char *to)
{
    static const char *const scopes[LEVELS] = {"grid", "community", "township", "district"};
    for (int i = 1; i < LEVELS; i++)
        if (strcmp(to, scopes[i]) == 0)
            return i;
    if (to[0] >= '1' && to[0] < '0' + LEVELS && to[1] == '\0')
        return to[0] - '0';
    return -1;
}

enum action { A_REPORT, A_ACCEPT, A_REJECT, A_DISPATCH, A_START, A_FEEDBACK, A_VERIFY, A_CLOSE, A_RETURN,
              A_EXTEND, A_SUSPEND, A_RESUME, A_REOPEN, A_ESCALATE, A_RATE, A_COUNT };
static const char *const action_names[A_COUNT] = {"report", "accept", "reject", "dispatch", "start", "feedback",
                                                  "verify", "close", "return", "extend", "suspend", "resume",
                                                  "reopen", "escalate", "rate"};
enum state { S_REPORTED, S_ACCEPTED, S_REJECTED, S_DISPATCHED, S_IN_PROGRESS, S_FED_BACK, S_VERIFIED, S_CLOSED,
             S_RETURNED, S_SUSPENDED, S_COUNT };
static const char *const state_names[S_COUNT] = {"reported", "accepted", "rejected", "dispatched", "in_progress",
                                                 "fed_back", "verified", "closed", "returned", "suspended"};
enum source { SRC_HOTLINE, SRC_GRID_WORKER, SRC_APP, SRC_OPEN311, SRC_COUNT };
static const char *const source_names[SRC_COUNT] = {"hotline", "grid_worker", "app", "open311"};

/* One event; its texts are made when it is written. */
typedef struct event {
    int64_t t;          /* seconds since the epoch, UTC */
    int32_t n;          /* the incident */
    uint8_t action, variant, to, seq;
    int64_t when;       /* extend: the deadline; suspend: the review date; escalate: the new level */
} event;

typedef struct item {
    char code[16];
    char department[128];
    double limit_s;     /* the last stage of handle_within, in seconds */
    double weight;
    int to_department;  /* its route sends it to its department (or a level) at once, place or not */
    int start_level;    /* route "level:N": it arrives at level N */
} item;

typedef struct incident {
    int64_t t;          /* reported */
    int32_t item, point;
    uint8_t source;
} incident;

static struct {
    event *ev;
    size_t n, cap;
} events;

static void die(const char *fmt, ...)
{
    va_list ap;
    fputs("govgrid-synth-year: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (q == NULL)
        die("out of memory");
    return q;
}

/* How common each item is in a district's year: street cleanliness and
 * stalls most, fire and gas hazards rare. Items not named weigh 1. */
static double item_weight(const char *code)
{
    static const struct { const char *code; double w; } w[] = {
        {"CG0202", 16}, {"CG0201", 13}, {"CG0203", 8}, {"CG0205", 4}, {"CG0204", 3}, {"CG0301", 5},
        {"CG0303", 5},  {"CG0302", 2},  {"CG0304", 1.5}, {"CG0101", 2}, {"CG0102", 1}, {"AQ0101", 0.6},
        {"AQ0102", 0.8}, {"AQ0103", 0.3}, {"AQ0104", 1.2}, {"AQ0105", 0.2}, {"AQ0201", 0.3}, {"HB0101", 4},
        {"HB0102", 2},  {"HB0103", 0.8}, {"HB0104", 0.5}, {"SH0101", 5}, {"SH0102", 1.2}, {"SH0103", 0.8},
        {"SH0201", 1.2}, {"SH0202", 2}, {"SH0203", 0.4}, {"SH0301", 1.5}, {"SC0101", 1.5}, {"SC0102", 0.8},
        {"GG0101", 0.8}, {"GG0102", 0.8}, {"GG0103", 1.2}, {"GG0104", 1.2}};
    for (size_t k = 0; k < sizeof w / sizeof w[0]; k++)
        if (strcmp(w[k].code, code) == 0)
            return w[k].w;
    return 1;
}

/* The answers an item requires (its attributes' required ones), as
 * CODE:VALUE pairs. */
static const char *item_attrs(const char *code)
{
    static const struct { const char *code, *attrs; } a[] = {
        {"CG0101", "stage:structure"}, {"CG0302", "cover:missing"}, {"AQ0105", "smell:yes"}, {"SH0202", "needs:meals"}};
    for (size_t k = 0; k < sizeof a / sizeof a[0]; k++)
        if (strcmp(a[k].code, code) == 0)
            return a[k].attrs;
    return NULL;
}

/* A limit ("2h", "1d", "3wd", "30min", "1wd:...|5wd:...": the last stage)
 * in seconds of calendar time (a working day counted 7/5 of a day, a
 * working hour 24/9 of an hour). */
static double limit_seconds(const char *text)
{
    const char *last = strrchr(text, '|');
    last = last ? last + 1 : text;
    char *end;
    double v = strtod(last, &end);
    if (end == last || v <= 0)
        return 86400;
    if (strncmp(end, "min", 3) == 0)
        return v * 60;
    if (strncmp(end, "wd", 2) == 0)
        return v * 86400 * 7 / 5;
    if (strncmp(end, "wh", 2) == 0)
        return v * 3600 * 24 / 9;
    if (end[0] == 'h')
        return v * 3600;
    if (end[0] == 'd')
        return v * 86400;
    return 86400;
}

/* The next CSV field of *p into out (quotes undone); 0 at the end of the
 * line. */
static int csv_field(const char **p, char *out, size_t size)
{
    const char *s = *p;
    size_t n = 0;
    if (*s == '\0' || *s == '\n')
        return 0;
    if (*s == '"') {
        s++;
        while (*s && !(*s == '"' && s[1] != '"')) {
            if (*s == '"')
                s++;
            if (n + 1 < size)
                out[n++] = *s;
            s++;
        }
        if (*s == '"')
            s++;
    } else {
        while (*s && *s != ',' && *s != '\n' && *s != '\r') {
            if (n + 1 < size)
                out[n++] = *s;
            s++;
        }
    }
    out[n] = '\0';
    if (*s == ',')
        s++;
    else
        while (*s == '\r')
            s++;
    *p = s;
    return 1;
}

static int read_catalogue(const char *path, item *items)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        die("cannot read %s: %s", path, strerror(errno));
    static char line[65536];
    int n = 0;
    char field[8192];
    for (int row = 0; fgets(line, sizeof line, f) != NULL; row++) {
        if (row == 0)
            continue;
        const char *p = line;
        static char cols[12][256];
        int k = 0;
        while (k < 12 && csv_field(&p, field, sizeof field))
            snprintf(cols[k++], sizeof cols[0], "%.255s", field);
        if (k < 9 || cols[0][0] == '\0')
            continue;
        if (n == MAX_ITEMS)
            die("%s: more than %d items", path, MAX_ITEMS);
        item *it = &items[n++];
        snprintf(it->code, sizeof it->code, "%.15s", cols[0]);
        snprintf(it->department, sizeof it->department, "%.127s", cols[5]);
        it->limit_s = limit_seconds(cols[8]);
        it->weight = item_weight(it->code);
        it->to_department = k >= 12 && cols[11][0] != '\0' && strcmp(cols[11], "grid") != 0;
        it->start_level = k >= 12 && strncmp(cols[11], "level:", 6) == 0 ? route_level(cols[11] + 6) : 0;
        if (it->start_level < 0)
            die("%s: line %d (item %s): route '%s' is not a level of a new project's four (level:1 to level:%d,"
                " level:community, level:township, level:district)",
                path, row + 1, it->code, cols[11], LEVELS - 1);
    }
    fclose(f);
    if (n == 0)
        die("%s: no catalogue items", path);
    return n;
}

typedef struct point {
    double lon, lat, weight;
} point;

static point *read_points(const char *path, int *count)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        die("cannot read %s: %s", path, strerror(errno));
    point *pts = NULL;
    int n = 0, cap = 0;
    char line[256];
    while (fgets(line, sizeof line, f) != NULL) {
        point p = {0, 0, 1};
        if (sscanf(line, "%lf,%lf,%lf", &p.lon, &p.lat, &p.weight) < 2)
            continue; /* the header */
        if (n == cap) {
            cap = cap ? 2 * cap : 1024;
            pts = xrealloc(pts, sizeof *pts * (size_t)cap);
        }
        pts[n++] = p;
    }
    fclose(f);
    if (n == 0)
        die("%s: no points (lines lon,lat[,weight])", path);
    *count = n;
    return pts;
}

static void add(int64_t t, int32_t n, int action, int variant, int to, int seq, int64_t when)
{
    if (events.n == events.cap) {
        events.cap = events.cap ? 2 * events.cap : 1 << 20;
        events.ev = xrealloc(events.ev, sizeof *events.ev * events.cap);
    }
    events.ev[events.n++] = (event){t, n, (uint8_t)action, (uint8_t)variant, (uint8_t)to, (uint8_t)seq, when};
}

/* The year's first second in China Standard Time, as UTC. */
static int64_t year_start(int year)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = year - 1900;
    tm.tm_mon = 0;
    tm.tm_mday = 1;
    return (int64_t)timegm(&tm) - 8 * 3600;
}

/* A report's time: weekdays more than weekends, working hours more than
 * the evening, little at night (China Standard Time). */
static int64_t report_time(sy_rng *r, int64_t start, int days)
{
    static const double by_hour[24] = {0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 0.8, 2.0, 4.5, 7.0, 7.5, 6.5,
                                       4.0, 5.0, 7.0, 7.0, 6.5, 5.5, 3.5, 2.5, 2.0, 1.5, 0.8, 0.4};
    for (;;) {
        int day = sy_rng_int(r, 0, days - 1);
        int weekday = (int)(((start + 8 * 3600) / 86400 + day + 4) % 7); /* 0 Sunday */
        if ((weekday == 0 || weekday == 6) && !sy_rng_chance(r, 0.55))
            continue;
        int hour = sy_rng_pick(r, by_hour, 24);
        return start + (int64_t)day * 86400 + hour * 3600 + sy_rng_int(r, 0, 3599);
    }
}

/* A delay around typical seconds (log-normal, spread sigma), at least a minute. */
static int64_t delay(sy_rng *r, double typical, double sigma)
{
    double d = typical * exp(sigma * sy_rng_normal(r));
    return d < 60 ? 60 : (int64_t)d;
}

typedef struct walk {
    sy_rng *r;
    int32_t n;
    int64_t t, end;
    int state, level, seq, stopped, extended;
} walk;

/* The next event of the incident, delay seconds after the last; none
 * past the year's end (the incident stays where it is). */
static int step(walk *w, int64_t after, int action, int variant, int to, int64_t when)
{
    if (w->stopped)
        return 0;
    w->t += after < 60 ? 60 : after;
    if (w->t >= w->end) {
        w->stopped = 1;
        return 0;
    }
    add(w->t, w->n, action, variant, to, ++w->seq, when);
    w->state = to;
    return 1;
}

enum { V_PLAIN = 0, V_WRONG_DISPATCH, V_COORDINATION, V_OVERDUE, V_VERIFY_FAILED, V_NOT_SATISFIED, V_SATISFIED,
       V_BASICALLY, V_NOT, V_ASK, V_APPROVE, V_ON_SITE, V_REJECT_CONDITION };

static long overdue_cases;

/* From dispatched to closed (or the year's end): the handler's work. */
static void handle(walk *w, const item *it, int again)
{
    sy_rng *r = w->r;
    double limit = it->limit_s;
    /* Wrongly dispatched: sent back, then dispatched to the department. */
    if (!again && sy_rng_chance(r, 0.05)) {
        step(w, delay(r, 2 * 3600, 0.8), A_RETURN, V_WRONG_DISPATCH, S_RETURNED, 0);
        step(w, delay(r, 1800, 0.8), A_DISPATCH, V_PLAIN, S_DISPATCHED, 0);
    }
    /* Beyond the grid: escalated, sometimes more than once. */
    if (!again && sy_rng_chance(r, 0.04))
        while (w->level + 1 < LEVELS && step(w, delay(r, 3 * 3600, 0.8), A_ESCALATE, V_COORDINATION, S_DISPATCHED, w->level + 1)) {
            w->level++;
            if (!sy_rng_chance(r, 0.3))
                break;
        }
    int started = sy_rng_chance(r, 0.96);
    if (started)
        step(w, delay(r, fmin(limit / 6, 4 * 3600), 0.7), A_START, V_PLAIN, S_IN_PROGRESS, 0);
    double work = limit * (again ? 0.25 : 0.45) * exp(0.6 * sy_rng_normal(r));
    if (!again && sy_rng_chance(r, 0.015)) {
        /* A long job: suspended until a review date, then resumed. */
        int64_t review = w->t + (int64_t)sy_rng_int(r, 20, 90) * 86400;
        if (step(w, delay(r, work / 3, 0.5), A_SUSPEND, V_PLAIN, S_SUSPENDED, review)) {
            int64_t until = review - w->t + 3600;
            step(w, until, A_RESUME, V_PLAIN, S_IN_PROGRESS, 0);
        }
    }
    if (!again && !w->extended && limit >= 86400 && sy_rng_chance(r, 0.12)) {
        /* More time asked, then granted. */
        w->extended = 1;
        step(w, delay(r, work / 2, 0.5), A_EXTEND, V_ASK, w->state, w->t + (int64_t)(2 * limit));
        step(w, delay(r, 6 * 3600, 0.8), A_EXTEND, V_APPROVE, w->state, 0);
        work *= 1.6;
        limit *= 2;
    }
    if (work > limit && w->level + 1 < LEVELS) {
        /* Overdue: escalated at the deadline, flagged for accountability. */
        overdue_cases++;
        if (step(w, (int64_t)(limit * 0.9), A_ESCALATE, V_OVERDUE, S_DISPATCHED, w->level + 1)) {
            w->level++;
            step(w, delay(r, 1800, 0.6), A_START, V_PLAIN, S_IN_PROGRESS, 0);
        }
        work = limit * 0.3;
    }
    step(w, (int64_t)(work * 0.7) + 60, A_FEEDBACK, V_PLAIN, S_FED_BACK, 0);
    if (!again && sy_rng_chance(r, 0.08)) {
        /* The check on the spot finds it not done. */
        if (step(w, delay(r, 4 * 3600, 0.8), A_REOPEN, V_VERIFY_FAILED, S_DISPATCHED, 0))
            handle(w, it, 1);
        return;
    }
    step(w, delay(r, 5 * 3600, 0.9), A_VERIFY, V_PLAIN, S_VERIFIED, 0);
    step(w, delay(r, 1800, 0.8), A_CLOSE, V_PLAIN, S_CLOSED, 0);
}

/* A reporter's rating; one who is not satisfied has the incident reopened
 * and worked again. */
static void rate(walk *w, const item *it, int round)
{
    sy_rng *r = w->r;
    if (w->state != S_CLOSED || !sy_rng_chance(r, 0.85))
        return;
    double u = sy_rng_uniform(r);
    int v = u < 0.82 ? V_SATISFIED : u < 0.95 || round > 0 ? V_BASICALLY : V_NOT;
    if (!step(w, delay(r, 20 * 3600, 0.9), A_RATE, v, S_CLOSED, 0) || v != V_NOT)
        return;
    if (step(w, delay(r, 3 * 3600, 0.7), A_REOPEN, V_NOT_SATISFIED, S_DISPATCHED, 0)) {
        handle(w, it, 1);
        rate(w, it, round + 1);
    }
}

static void one_incident(int32_t n, const incident *inc, const item *it, int64_t end, sy_rng *r)
{
    walk w = {r, n, inc->t, end, S_REPORTED, it->start_level, 0, 0, 0};
    /* What has a place, or goes to its department whatever the place,
     * arrives dispatched; the rest waits for a dispatcher. */
    int located = inc->point >= 0 || it->to_department;
    add(w.t, n, A_REPORT, 0, located ? S_DISPATCHED : S_REPORTED, ++w.seq, 0);
    w.state = located ? S_DISPATCHED : S_REPORTED;
    if (!located && inc->source == SRC_GRID_WORKER) {
        /* Fixed on the spot and filed in one step. */
        step(&w, delay(r, 25 * 60, 0.6), A_CLOSE, V_ON_SITE, S_CLOSED, 0);
        return;
    }
    if (!located) {
        if (sy_rng_chance(r, 0.06)) {
            step(&w, delay(r, 40 * 60, 0.8), A_REJECT, V_REJECT_CONDITION, S_REJECTED, 0);
            return;
        }
        step(&w, delay(r, 30 * 60, 0.8), A_ACCEPT, V_PLAIN, S_ACCEPTED, 0);
        step(&w, delay(r, 40 * 60, 0.8), A_DISPATCH, V_PLAIN, S_DISPATCHED, 0);
    }
    handle(&w, it, 0);
    if (inc->source != SRC_GRID_WORKER)
        rate(&w, it, 0);
}

static int by_time(const void *a, const void *b)
{
    const event *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    if (x->n != y->n)
        return x->n < y->n ? -1 : 1;
    return (int)x->seq - (int)y->seq;
}

static int by_report_time(const void *a, const void *b)
{
    const incident *x = a, *y = b;
    return x->t < y->t ? -1 : x->t > y->t;
}

static void iso(int64_t t, char *out, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void write_event(FILE *f, const event *e, const incident *inc, const item *items, const point *pts)
{
    char at[32], when[32];
    iso(e->t, at, sizeof at);
    const item *it = &items[inc->item];
    fprintf(f, "%s\t%d\t%s", at, e->n, action_names[e->action]);
    switch (e->action) {
    case A_REPORT:
        fprintf(f, "\tsource=%s\titem=%s", source_names[inc->source], it->code);
        if (inc->point >= 0)
            fprintf(f, "\tlon=%.7f\tlat=%.7f", pts[inc->point].lon, pts[inc->point].lat);
        else
            fprintf(f, "\taddress=%s %d", inc->source == SRC_HOTLINE ? "given by telephone, call" : "on patrol, report",
                    e->n);
        fprintf(f, "\tdescription=year incident %d (%s)", e->n, it->code);
        if (item_attrs(it->code))
            fprintf(f, "\tattrs=%s", item_attrs(it->code));
        break;
    case A_REJECT:
        fprintf(f, "\treason=not within the item's reporting condition");
        break;
    case A_DISPATCH:
        fprintf(f, "\thandler=%s", it->department);
        break;
    case A_FEEDBACK:
        fprintf(f, "\tnote=handled as the closing condition asks");
        break;
    case A_CLOSE:
        if (e->variant == V_ON_SITE)
            fprintf(f, "\ton_site=1\tnote=fixed on the spot by the grid worker");
        break;
    case A_RETURN:
        fprintf(f, "\treason=wrongly dispatched: not this grid's matter");
        break;
    case A_EXTEND:
        if (e->variant == V_APPROVE) {
            fprintf(f, "\tapprove=1");
        } else {
            iso(e->when, when, sizeof when);
            fprintf(f, "\tdeadline=%s", when);
        }
        break;
    case A_SUSPEND:
        iso(e->when + 8 * 3600, when, sizeof when);
        when[10] = '\0';
        fprintf(f, "\treview_on=%s", when);
        break;
    case A_REOPEN:
        fprintf(f, "\treason=%s", e->variant == V_VERIFY_FAILED ? "verification failed: not done as reported"
                                                                 : "the reporter is not satisfied");
        break;
    case A_ESCALATE:
        fprintf(f, "\treason=%s\thandler=level %lld centre",
                e->variant == V_OVERDUE ? "overdue" : "needs coordination beyond the grid", (long long)e->when);
        if (e->variant == V_OVERDUE)
            fprintf(f, "\taccountability=1");
        break;
    case A_RATE:
        fprintf(f, "\tsatisfaction=%s", e->variant == V_SATISFIED ? "satisfied" : e->variant == V_BASICALLY ? "basically"
                                                                                                          : "not");
        break;
    default:
        break;
    }
    fprintf(f, "\texpect=%s\n", state_names[e->to]);
}

static const char usage_text[] =
    "Usage: govgrid-synth-year --catalogue CSV --points CSV --out FILE [options]\n"
    "\n"
    "Writes a deterministic year of incidents through the closed loop as\n"
    "transitions in time order (see the head of tools/synth/year.c).\n"
    "\n"
    "  --catalogue CSV     the item catalogue (data/catalogue.csv)\n"
    "  --points CSV        places that arrive dispatched: lines lon,lat[,weight]\n"
    "                      (points in grids with a worker on the roster)\n"
    "  --out FILE          the transitions\n"
    "  --summary FILE      the expected counts, as JSON\n"
    "  --incidents N       incidents in the year (default 250000)\n"
    "  --year Y            the year (default 2025)\n"
    "  --seed S            random seed (default 1)\n";

int main(int argc, char **argv)
{
    const char *catalogue = NULL, *points_path = NULL, *out_path = NULL, *summary_path = NULL;
    long count = 250000;
    int year = 2025;
    uint64_t seed = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (v == NULL) {
            fprintf(stderr, "govgrid-synth-year: %s needs a value\n%s", a, usage_text);
            return 2;
        }
        i++;
        if (strcmp(a, "--catalogue") == 0)
            catalogue = v;
        else if (strcmp(a, "--points") == 0)
            points_path = v;
        else if (strcmp(a, "--out") == 0)
            out_path = v;
        else if (strcmp(a, "--summary") == 0)
            summary_path = v;
        else if (strcmp(a, "--incidents") == 0)
            count = strtol(v, NULL, 10);
        else if (strcmp(a, "--year") == 0)
            year = (int)strtol(v, NULL, 10);
        else if (strcmp(a, "--seed") == 0)
            seed = strtoull(v, NULL, 10);
        else {
            fprintf(stderr, "govgrid-synth-year: unknown option '%s'\n%s", a, usage_text);
            return 2;
        }
    }
    if (catalogue == NULL || points_path == NULL || out_path == NULL || count < 1 || count > 50000000 || year < 1971) {
        fputs(usage_text, stderr);
        return 2;
    }
    static item items[MAX_ITEMS];
    int n_items = read_catalogue(catalogue, items), n_points = 0;
    point *pts = read_points(points_path, &n_points);
    double item_w[MAX_ITEMS], *point_w = xrealloc(NULL, sizeof(double) * (size_t)n_points);
    for (int k = 0; k < n_items; k++)
        item_w[k] = items[k].weight;
    double point_total = 0;
    for (int k = 0; k < n_points; k++)
        point_total += pts[k].weight;
    /* Cumulative weights of the points, for a binary search. */
    double acc = 0;
    for (int k = 0; k < n_points; k++)
        point_w[k] = acc += pts[k].weight;
    int64_t start = year_start(year), end = year_start(year + 1);
    int days = (int)((end - start) / 86400);

    /* The reports first, then numbered in the order they came. */
    incident *inc = xrealloc(NULL, sizeof *inc * (size_t)count);
    static const double source_w[SRC_COUNT] = {32, 36, 20, 12};
    long on_site_share = 0;
    for (long i = 0; i < count; i++) {
        sy_rng r = sy_rng_for(seed, TAG_YEAR, (uint64_t)i);
        inc[i].t = report_time(&r, start, days);
        inc[i].item = sy_rng_pick(&r, item_w, n_items);
        inc[i].source = (uint8_t)sy_rng_pick(&r, source_w, SRC_COUNT);
        /* The hotline has an address, no place; a grid worker who fixes
         * it on the spot files it without one. */
        int located = inc[i].source == SRC_APP || inc[i].source == SRC_OPEN311 ||
                      (inc[i].source == SRC_GRID_WORKER && !sy_rng_chance(&r, 0.35));
        inc[i].point = -1;
        if (located) {
            double u = sy_rng_uniform(&r) * point_total;
            int lo = 0, hi = n_points - 1;
            while (lo < hi) {
                int mid = (lo + hi) / 2;
                if (point_w[mid] > u)
                    hi = mid;
                else
                    lo = mid + 1;
            }
            inc[i].point = lo;
        } else if (inc[i].source == SRC_GRID_WORKER) {
            on_site_share++;
        }
    }
    qsort(inc, (size_t)count, sizeof *inc, by_report_time);
    for (long i = 0; i < count; i++) {
        sy_rng r = sy_rng_for(seed, TAG_YEAR + 1, (uint64_t)i);
        one_incident((int32_t)(i + 1), &inc[i], &items[inc[i].item], end, &r);
    }
    qsort(events.ev, events.n, sizeof *events.ev, by_time);

    FILE *f = fopen(out_path, "w");
    if (f == NULL)
        die("cannot write %s: %s", out_path, strerror(errno));
    static char buf[1 << 20];
    setvbuf(f, buf, _IOFBF, sizeof buf);
    long actions[A_COUNT] = {0}, final[S_COUNT] = {0}, arrivals[S_COUNT] = {0}, sources[SRC_COUNT] = {0};
    uint8_t *last = calloc((size_t)count + 1, 1);
    if (last == NULL)
        die("out of memory");
    for (size_t k = 0; k < events.n; k++) {
        const event *e = &events.ev[k];
        write_event(f, e, &inc[e->n - 1], items, pts);
        actions[e->action]++;
        if (e->action == A_REPORT) {
            arrivals[e->to]++;
            sources[inc[e->n - 1].source]++;
        }
        last[e->n] = e->to;
    }
    if (fclose(f) != 0)
        die("cannot write %s", out_path);
    for (long i = 1; i <= count; i++)
        final[last[i]]++;
    long transitions = (long)events.n - count;
    if (summary_path != NULL) {
        FILE *s = fopen(summary_path, "w");
        if (s == NULL)
            die("cannot write %s: %s", summary_path, strerror(errno));
        fprintf(s, "{\"seed\": %llu, \"year\": %d, \"incidents\": %ld, \"transitions\": %ld, \"events\": %zu,\n",
                (unsigned long long)seed, year, count, transitions, events.n);
        fprintf(s, " \"overdue\": %ld, \"grid_worker_on_site\": %ld,\n", overdue_cases, on_site_share);
        fputs(" \"arrivals\": {", s);
        for (int k = 0, first = 1; k < S_COUNT; k++)
            if (arrivals[k]) {
                fprintf(s, "%s\"%s\": %ld", first ? "" : ", ", state_names[k], arrivals[k]);
                first = 0;
            }
        fputs("},\n \"sources\": {", s);
        for (int k = 0; k < SRC_COUNT; k++)
            fprintf(s, "%s\"%s\": %ld", k ? ", " : "", source_names[k], sources[k]);
        fputs("},\n \"actions\": {", s);
        for (int k = 1; k < A_COUNT; k++)
            fprintf(s, "%s\"%s\": %ld", k > 1 ? ", " : "", action_names[k], actions[k]);
        fputs("},\n \"final_states\": {", s);
        for (int k = 0; k < S_COUNT; k++)
            fprintf(s, "%s\"%s\": %ld", k ? ", " : "", state_names[k], final[k]);
        fputs("}}\n", s);
        if (fclose(s) != 0)
            die("cannot write %s", summary_path);
    }
    printf("incidents=%ld transitions=%ld events=%zu overdue=%ld\n", count, transitions, events.n, overdue_cases);
    free(last);
    free(inc);
    free(point_w);
    free(pts);
    free(events.ev);
    return 0;
}
