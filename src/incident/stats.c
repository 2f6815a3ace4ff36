/* The statistics a district is judged by (include/govgrid/incident.h):
 * received, accepted, closed, on time, overdue, the lights of the open,
 * the time to close, the rates, where open incidents wait, and a series
 * over time. One read of the incidents (store/stats.c), the counting in
 * C: a group's key is looked up in a hash table, the lights are
 * gg_case_light_at of each row, the times to close are sorted once. */
#include "govgrid/incident.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/ctx.h"
#include "worktime/clock.h"
#include "store/stats.h"

static const char *const by_names[] = {"none",       "grid", "community", "township",
                                       "department", "item", "source",    "level"};
static const char *const interval_names[] = {"none", "day", "week", "month"};

#define SERIES_MAX 5000
#define CST_S (8 * 3600)

const char *gg_stats_by_name(gg_stats_by by)
{
    return (int)by >= 0 && by <= GG_STATS_BY_LEVEL ? by_names[by] : NULL;
}

gg_status gg_stats_by_parse(gg_ctx *ctx, const char *name, gg_stats_by *by)
{
    for (int i = 0; name != NULL && i <= GG_STATS_BY_LEVEL; i++)
        if (strcmp(name, by_names[i]) == 0) {
            *by = (gg_stats_by)i;
            return GG_OK;
        }
    return gg_error(ctx, GG_ERR_ARG,
                    "unknown grouping '%s' (expected grid, community, township, department, item, source or level)",
                    name ? name : "");
}

const char *gg_stats_interval_name(gg_stats_interval interval)
{
    return (int)interval >= 0 && interval <= GG_STATS_INTERVAL_MONTH ? interval_names[interval] : NULL;
}

gg_status gg_stats_interval_parse(gg_ctx *ctx, const char *name, gg_stats_interval *interval)
{
    for (int i = 1; name != NULL && i <= GG_STATS_INTERVAL_MONTH; i++)
        if (strcmp(name, interval_names[i]) == 0) {
            *interval = (gg_stats_interval)i;
            return GG_OK;
        }
    return gg_error(ctx, GG_ERR_ARG, "unknown interval '%s' (expected day, week or month)", name ? name : "");
}

/* A string-keyed table of indices: open addressing, FNV-1a. */
typedef struct keymap {
    char (*keys)[80];
    size_t *slots;              /* index + 1; 0 empty */
    size_t n, cap_keys, n_slots;
} keymap;

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* The index of key, added when new (*added set); -1 without memory. */
static long keymap_find(gg_ctx *ctx, keymap *m, const char *key, int *added)
{
    *added = 0;
    if (m->n * 2 >= m->n_slots) {
        size_t n_slots = m->n_slots ? m->n_slots * 2 : 256;
        size_t *slots = gg_calloc(ctx, n_slots, sizeof *slots);
        if (slots == NULL)
            return -1;
        for (size_t i = 0; i < m->n; i++) {
            size_t at = (size_t)fnv1a(m->keys[i]) & (n_slots - 1);
            while (slots[at] != 0)
                at = (at + 1) & (n_slots - 1);
            slots[at] = i + 1;
        }
        gg_free(ctx, m->slots);
        m->slots = slots;
        m->n_slots = n_slots;
    }
    size_t at = (size_t)fnv1a(key) & (m->n_slots - 1);
    while (m->slots[at] != 0) {
        if (strcmp(m->keys[m->slots[at] - 1], key) == 0)
            return (long)(m->slots[at] - 1);
        at = (at + 1) & (m->n_slots - 1);
    }
    if (gg_grow(ctx, (void **)&m->keys, &m->cap_keys, m->n + 1, sizeof *m->keys) != GG_OK)
        return -1;
    snprintf(m->keys[m->n], sizeof m->keys[m->n], "%s", key);
    m->slots[at] = ++m->n;
    *added = 1;
    return (long)(m->n - 1);
}

static void keymap_free(gg_ctx *ctx, keymap *m)
{
    gg_free(ctx, m->keys);
    gg_free(ctx, m->slots);
}

/* A time to close, in hours, of a group (SIZE_MAX: the total). */
typedef struct group_hours {
    size_t group;
    double hours;
} group_hours;

/* A time the series places: received (closed -1) or closed (on time 0 or 1). */
typedef struct series_mark {
    int64_t t;
    int closed;
} series_mark;

typedef struct counting {
    gg_ctx *ctx;
    const gg_stats_options *o;
    int64_t from, to, at, first;
    int any_first;
    gg_case_stats *s;
    size_t cap_rows, cap_stuck;
    keymap groups, stuck_keys;
    group_hours *hours;
    size_t n_hours, cap_hours;
    series_mark *marks;
    size_t n_marks, cap_marks;
} counting;

static void row_init(gg_stats_row *r, const char *key)
{
    memset(r, 0, sizeof *r);
    snprintf(r->key, sizeof r->key, "%s", key);
    r->close_hours_median = r->close_hours_p90 = -1;
    r->closure_rate = r->on_time_rate = r->satisfaction_rate = -1;
}

static void group_key(const gg_case *c, gg_stats_by by, char key[64])
{
    switch (by) {
    case GG_STATS_BY_GRID: snprintf(key, 64, "%s", c->grid_code); break;
    case GG_STATS_BY_COMMUNITY: snprintf(key, 64, "%s", c->community); break;
    case GG_STATS_BY_TOWNSHIP: snprintf(key, 64, "%.9s", c->community); break;
    case GG_STATS_BY_DEPARTMENT: snprintf(key, 64, "%s", c->department); break;
    case GG_STATS_BY_ITEM: snprintf(key, 64, "%s", c->service_code); break;
    case GG_STATS_BY_SOURCE: snprintf(key, 64, "%s", c->source); break;
    case GG_STATS_BY_LEVEL: snprintf(key, 64, "%d", c->level); break;
    case GG_STATS_BY_NONE: key[0] = '\0'; break;
    }
}

/* What one incident adds to row r. */
typedef struct incident_counts {
    int received, closed, on_time, rated, satisfied, open, overdue_open;
    gg_case_state state;
    gg_case_light light;
} incident_counts;

static void add_counts(gg_stats_row *r, const incident_counts *k)
{
    if (k->received) {
        r->received++;
        if (k->state == GG_CASE_REJECTED)
            r->rejected++;
        else if (k->state == GG_CASE_REPORTED)
            r->pending++;
        else
            r->accepted++;
        if (k->open) {
            r->open++;
            r->open_by_light[k->light]++;
            r->overdue_open += k->overdue_open;
        }
    }
    if (k->closed) {
        r->closed++;
        r->closed_on_time += k->on_time;
        r->rated += k->rated;
        r->satisfied += k->satisfied;
    }
}

static int push_mark(counting *k, int64_t t, int closed)
{
    if (k->o->interval == GG_STATS_INTERVAL_NONE)
        return 1;
    if (gg_grow(k->ctx, (void **)&k->marks, &k->cap_marks, k->n_marks + 1, sizeof *k->marks) != GG_OK)
        return 0;
    k->marks[k->n_marks].t = t;
    k->marks[k->n_marks++].closed = closed;
    return 1;
}

static int take(const gg_store_stats_row *row, void *arg)
{
    counting *k = arg;
    const gg_case *c = &row->c;
    int64_t requested = 0, closed_at = 0, due = 0;
    int have_requested = gg_clock_parse(row->requested, &requested);
    int have_due = gg_clock_parse(c->deadline, &due);
    incident_counts n;
    memset(&n, 0, sizeof n);
    n.state = c->state;
    n.received = have_requested && requested >= k->from && requested <= k->to;
    n.closed = c->state == GG_CASE_CLOSED && gg_clock_parse(row->closed_at, &closed_at) && closed_at >= k->from &&
               closed_at <= k->to;
    if (have_requested && requested <= k->to && (!k->any_first || requested < k->first)) {
        k->first = requested;
        k->any_first = 1;
    }
    if (!n.received && !n.closed)
        return 1;
    if (n.received && c->state != GG_CASE_CLOSED && c->state != GG_CASE_REJECTED) {
        n.open = 1;
        n.light = gg_case_light_at(c, k->at, NULL, NULL);
        n.overdue_open = c->state != GG_CASE_SUSPENDED && have_due && k->at > due;
    }
    if (n.closed) {
        n.on_time = !have_due || closed_at <= due;
        n.rated = c->satisfaction[0] != '\0';
        n.satisfied = strcmp(c->satisfaction, "satisfied") == 0 || strcmp(c->satisfaction, "basically") == 0;
    }
    gg_case_stats *s = k->s;
    size_t group = SIZE_MAX;
    if (k->o->by != GG_STATS_BY_NONE) {
        char key[64];
        group_key(c, k->o->by, key);
        int added;
        long g = keymap_find(k->ctx, &k->groups, key, &added);
        if (g < 0 || (added && gg_grow(k->ctx, (void **)&s->rows, &k->cap_rows, s->n_rows + 1, sizeof *s->rows) !=
                                   GG_OK))
            return gg_error_nomem(k->ctx), -1;
        if (added)
            row_init(&s->rows[s->n_rows++], key);
        group = (size_t)g;
        add_counts(&s->rows[group], &n);
    }
    add_counts(&s->total, &n);
    if (n.open) {
        char key[80];
        const char *who = c->department[0] ? c->department : c->handler;
        snprintf(key, sizeof key, "%.63s\x1f%d", who, (int)c->state);
        int added;
        long i = keymap_find(k->ctx, &k->stuck_keys, key, &added);
        if (i < 0 ||
            (added && gg_grow(k->ctx, (void **)&s->stuck, &k->cap_stuck, s->n_stuck + 1, sizeof *s->stuck) != GG_OK))
            return gg_error_nomem(k->ctx), -1;
        gg_stats_stuck *w = &s->stuck[i];
        if (added) {
            memset(w, 0, sizeof *w);
            snprintf(w->who, sizeof w->who, "%s", who);
            w->state = c->state;
            s->n_stuck++;
        }
        w->count++;
        w->red += n.light == GG_LIGHT_RED;
    }
    if (n.closed && have_requested) {
        if (gg_grow(k->ctx, (void **)&k->hours, &k->cap_hours, k->n_hours + 1, sizeof *k->hours) != GG_OK)
            return -1;
        k->hours[k->n_hours].group = group;
        k->hours[k->n_hours++].hours = (double)(closed_at - requested) / 3600.0;
    }
    if ((n.received && !push_mark(k, requested, -1)) || (n.closed && !push_mark(k, closed_at, n.on_time)))
        return -1;
    return 1;
}

static int by_group_hours(const void *a, const void *b)
{
    const group_hours *x = a, *y = b;
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    return x->hours < y->hours ? -1 : x->hours > y->hours;
}

static int by_hours(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The median and the 90th percentile (nearest rank) of v[0..n), sorted. */
static void quantiles(const double *v, size_t n, gg_stats_row *r)
{
    if (n == 0)
        return;
    r->close_hours_median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    r->close_hours_p90 = v[(9 * n + 9) / 10 - 1];
}

static double ratio(int64_t a, int64_t b)
{
    return b > 0 ? (double)a / (double)b : -1;
}

static void rates(gg_stats_row *r)
{
    r->closed_late = r->closed - r->closed_on_time;
    r->overdue = r->overdue_open + r->closed_late;
    r->closure_rate = ratio(r->closed, r->received);
    r->on_time_rate = ratio(r->closed_on_time, r->closed);
    r->satisfaction_rate = ratio(r->satisfied, r->rated);
}

static int by_key(const void *a, const void *b)
{
    const gg_stats_row *x = a, *y = b;
    /* Levels as numbers; every other key as text. */
    size_t lx = strlen(x->key), ly = strlen(y->key);
    if (lx != ly && lx > 0 && ly > 0 && strspn(x->key, "0123456789") == lx && strspn(y->key, "0123456789") == ly)
        return lx < ly ? -1 : 1;
    return strcmp(x->key, y->key);
}

static int by_count(const void *a, const void *b)
{
    const gg_stats_stuck *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    int c = strcmp(x->who, y->who);
    return c ? c : (int)x->state - (int)y->state;
}

/* The start of the interval holding t, and of the next one (China
 * Standard Time). */
static int64_t interval_start(gg_stats_interval iv, int64_t t)
{
    int64_t day = (t + CST_S) >= 0 ? (t + CST_S) / 86400 : -((-(t + CST_S) + 86399) / 86400);
    if (iv == GG_STATS_INTERVAL_WEEK)
        day -= ((day % 7) + 7 + 3) % 7; /* 1970-01-01 was a Thursday */
    if (iv == GG_STATS_INTERVAL_MONTH) {
        int y, m, d;
        gg_clock_civil(day, &y, &m, &d);
        day -= d - 1;
    }
    return day * 86400 - CST_S;
}

static int64_t interval_next(gg_stats_interval iv, int64_t start)
{
    if (iv == GG_STATS_INTERVAL_DAY)
        return start + 86400;
    if (iv == GG_STATS_INTERVAL_WEEK)
        return start + 7 * 86400;
    /* A month: from its first day, 31 days on is in the next month. */
    return interval_start(iv, start + 31 * 86400);
}

static gg_status make_series(counting *k)
{
    gg_case_stats *s = k->s;
    gg_stats_interval iv = k->o->interval;
    size_t n = 0;
    for (int64_t t = interval_start(iv, s->from); t <= s->to; t = interval_next(iv, t))
        if (++n > SERIES_MAX)
            return gg_error(k->ctx, GG_ERR_ARG, "the period holds more than %d %ss: take a longer interval",
                            SERIES_MAX, interval_names[iv]);
    s->series = gg_calloc(k->ctx, n ? n : 1, sizeof *s->series);
    if (s->series == NULL)
        return gg_error_nomem(k->ctx);
    int64_t t = interval_start(iv, s->from);
    for (size_t i = 0; i < n; i++, t = interval_next(iv, t)) {
        gg_stats_point *p = &s->series[i];
        p->start = t;
        p->end = interval_next(iv, t);
        int y, m, d;
        gg_clock_civil((t + CST_S) / 86400, &y, &m, &d);
        if (iv == GG_STATS_INTERVAL_MONTH)
            snprintf(p->label, sizeof p->label, "%04d-%02d", y, m);
        else
            snprintf(p->label, sizeof p->label, "%04d-%02d-%02d", y, m, d);
    }
    s->n_series = n;
    for (size_t j = 0; j < k->n_marks; j++) {
        const series_mark *mk = &k->marks[j];
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (s->series[mid].end <= mk->t)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == n || mk->t < s->series[lo].start)
            continue;
        gg_stats_point *p = &s->series[lo];
        if (mk->closed < 0) {
            p->received++;
        } else {
            p->closed++;
            p->closed_on_time += mk->closed;
        }
    }
    for (size_t i = 0; i < n; i++) {
        s->series[i].closure_rate = ratio(s->series[i].closed, s->series[i].received);
        s->series[i].on_time_rate = ratio(s->series[i].closed_on_time, s->series[i].closed);
    }
    return GG_OK;
}

/* After the read: quantiles (before the groups are sorted: the hours
 * name groups by their first-seen index), rates, the orders. */
static gg_status finish(counting *k)
{
    gg_case_stats *s = k->s;
    double *all = gg_malloc(k->ctx, (k->n_hours ? k->n_hours : 1) * sizeof *all);
    if (all == NULL)
        return gg_error_nomem(k->ctx);
    for (size_t i = 0; i < k->n_hours; i++)
        all[i] = k->hours[i].hours;
    qsort(all, k->n_hours, sizeof *all, by_hours);
    quantiles(all, k->n_hours, &s->total);
    gg_free(k->ctx, all);
    if (s->n_rows > 0) {
        qsort(k->hours, k->n_hours, sizeof *k->hours, by_group_hours);
        double *v = gg_malloc(k->ctx, (k->n_hours ? k->n_hours : 1) * sizeof *v);
        if (v == NULL)
            return gg_error_nomem(k->ctx);
        for (size_t i = 0; i < k->n_hours;) {
            size_t j = i;
            while (j < k->n_hours && k->hours[j].group == k->hours[i].group) {
                v[j - i] = k->hours[j].hours;
                j++;
            }
            if (k->hours[i].group < s->n_rows)
                quantiles(v, j - i, &s->rows[k->hours[i].group]);
            i = j;
        }
        gg_free(k->ctx, v);
    }
    rates(&s->total);
    for (size_t i = 0; i < s->n_rows; i++)
        rates(&s->rows[i]);
    if (s->n_rows > 1)
        qsort(s->rows, s->n_rows, sizeof *s->rows, by_key);
    if (s->n_stuck > 1)
        qsort(s->stuck, s->n_stuck, sizeof *s->stuck, by_count);
    s->from = k->o->has_from ? k->from : k->any_first ? k->first : k->to;
    return k->o->interval != GG_STATS_INTERVAL_NONE ? make_series(k) : GG_OK;
}

gg_status gg_case_stats_compute(gg_ctx *ctx, gg_store *store, const gg_stats_options *opts, gg_case_stats **out)
{
    if (out != NULL)
        *out = NULL;
    if (ctx == NULL || store == NULL || opts == NULL || out == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_case_stats_compute: NULL argument") : GG_ERR_ARG;
    if (gg_stats_by_name(opts->by) == NULL)
        return gg_error(ctx, GG_ERR_ARG, "unknown grouping %d", (int)opts->by);
    if (gg_stats_interval_name(opts->interval) == NULL)
        return gg_error(ctx, GG_ERR_ARG, "unknown interval %d", (int)opts->interval);
    counting k;
    memset(&k, 0, sizeof k);
    k.ctx = ctx;
    k.o = opts;
    k.at = opts->at != 0 ? opts->at : (int64_t)time(NULL);
    k.from = opts->has_from ? opts->from : INT64_MIN;
    k.to = opts->has_to ? opts->to : k.at;
    if (k.from > k.to) {
        char a[32], b[32];
        gg_clock_format(k.from, a, sizeof a);
        gg_clock_format(k.to, b, sizeof b);
        return gg_error(ctx, GG_ERR_ARG, "the period starts (%s) after it ends (%s)", a, b);
    }
    gg_case_stats *s = gg_calloc(ctx, 1, sizeof *s);
    if (s == NULL)
        return gg_error_nomem(ctx);
    k.s = s;
    s->to = k.to;
    s->at = k.at;
    s->by = opts->by;
    s->interval = opts->interval;
    row_init(&s->total, "");
    gg_status st = gg_store_case_stats_rows(store, take, &k);
    if (st == GG_OK)
        st = finish(&k);
    keymap_free(ctx, &k.groups);
    keymap_free(ctx, &k.stuck_keys);
    gg_free(ctx, k.hours);
    gg_free(ctx, k.marks);
    if (st != GG_OK) {
        gg_case_stats_free(ctx, s);
        return st;
    }
    *out = s;
    return GG_OK;
}

void gg_case_stats_free(gg_ctx *ctx, gg_case_stats *stats)
{
    if (stats == NULL)
        return;
    gg_free(ctx, stats->rows);
    gg_free(ctx, stats->stuck);
    gg_free(ctx, stats->series);
    gg_free(ctx, stats);
}

/* A rate to 4 places, hours to 2; null for -1. */
static json_t *figure(double v, double places)
{
    return v < 0 ? json_null() : json_real(round(v * places) / places);
}

static json_t *row_json(const gg_stats_row *r, int with_key)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    if (with_key)
        json_object_set_new(o, "group", r->key[0] ? json_string(r->key) : json_null());
    const struct {
        const char *name;
        int64_t v;
    } counts[] = {{"received", r->received},         {"accepted", r->accepted},       {"rejected", r->rejected},
                  {"pending", r->pending},           {"closed", r->closed},           {"closed_on_time", r->closed_on_time},
                  {"closed_late", r->closed_late},   {"overdue", r->overdue},         {"overdue_open", r->overdue_open},
                  {"open", r->open}};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
        json_object_set_new(o, counts[i].name, json_integer(counts[i].v));
    json_object_set_new(o, "open_by_light",
                        json_pack("{s:I, s:I, s:I, s:I}", "green", (json_int_t)r->open_by_light[GG_LIGHT_GREEN],
                                  "yellow", (json_int_t)r->open_by_light[GG_LIGHT_YELLOW], "red",
                                  (json_int_t)r->open_by_light[GG_LIGHT_RED], "none",
                                  (json_int_t)r->open_by_light[GG_LIGHT_NONE]));
    json_object_set_new(o, "close_hours",
                        json_pack("{s:o, s:o}", "median", figure(r->close_hours_median, 100), "p90",
                                  figure(r->close_hours_p90, 100)));
    json_object_set_new(o, "closure_rate", figure(r->closure_rate, 1e4));
    json_object_set_new(o, "on_time_rate", figure(r->on_time_rate, 1e4));
    json_object_set_new(o, "rated", json_integer(r->rated));
    json_object_set_new(o, "satisfied", json_integer(r->satisfied));
    json_object_set_new(o, "satisfaction_rate", figure(r->satisfaction_rate, 1e4));
    return o;
}

gg_status gg_case_stats_json(gg_ctx *ctx, const gg_case_stats *s, char **json)
{
    if (json != NULL)
        *json = NULL;
    if (ctx == NULL || s == NULL || json == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_case_stats_json: NULL argument") : GG_ERR_ARG;
    char from[32], to[32], at[32];
    gg_clock_format(s->from, from, sizeof from);
    gg_clock_format(s->to, to, sizeof to);
    gg_clock_format(s->at, at, sizeof at);
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s}", "from", from, "to", to, "at", at, "by", gg_stats_by_name(s->by));
    json_t *groups = json_array(), *stuck = json_array();
    int bad = doc == NULL || groups == NULL || stuck == NULL;
    if (!bad)
        bad |= json_object_set_new(doc, "total", row_json(&s->total, 0)) != 0;
    for (size_t i = 0; !bad && i < s->n_rows; i++)
        bad |= json_array_append_new(groups, row_json(&s->rows[i], 1)) != 0;
    for (size_t i = 0; !bad && i < s->n_stuck; i++)
        bad |= json_array_append_new(stuck, json_pack("{s:s?, s:s, s:I, s:I}", "who",
                                                      s->stuck[i].who[0] ? s->stuck[i].who : NULL, "state",
                                                      gg_case_state_name(s->stuck[i].state), "count",
                                                      (json_int_t)s->stuck[i].count, "red",
                                                      (json_int_t)s->stuck[i].red)) != 0;
    if (!bad) {
        bad |= json_object_set(doc, "groups", groups) != 0;
        bad |= json_object_set(doc, "stuck", stuck) != 0;
    }
    if (!bad && s->interval != GG_STATS_INTERVAL_NONE) {
        json_t *series = json_array();
        bad |= json_object_set_new(doc, "interval", json_string(gg_stats_interval_name(s->interval))) != 0;
        bad |= series == NULL || json_object_set_new(doc, "series", series) != 0;
        for (size_t i = 0; !bad && i < s->n_series; i++) {
            const gg_stats_point *p = &s->series[i];
            char start[32];
            gg_clock_format(p->start, start, sizeof start);
            bad |= json_array_append_new(
                       series, json_pack("{s:s, s:s, s:I, s:I, s:I, s:o, s:o}", "label", p->label, "start", start,
                                         "received", (json_int_t)p->received, "closed", (json_int_t)p->closed,
                                         "closed_on_time", (json_int_t)p->closed_on_time, "closure_rate",
                                         figure(p->closure_rate, 1e4), "on_time_rate",
                                         figure(p->on_time_rate, 1e4))) != 0;
        }
    }
    json_decref(groups);
    json_decref(stuck);
    if (!bad)
        *json = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
    json_decref(doc);
    return *json != NULL ? GG_OK : gg_error_nomem(ctx);
}
