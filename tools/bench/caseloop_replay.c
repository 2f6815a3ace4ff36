/*
 * govgrid-bench-caseloop: a year of incidents (tools/synth/year.c) replayed
 * through the library: every report through gg_incident_submit_many, every
 * transition through gg_case_act_many, and every result checked: a receipt
 * or outcome that is not GG_OK, an arrival in another stage than the file
 * expects, an incident left in another state than the line's "expect", is
 * a failure of the run, reported with the incident and the line.
 *
 *   govgrid-bench-caseloop PROJECT TRANSITIONS [--window LINES] [--single]
 *
 * The file is read a window of lines at a time (default 50000): the
 * window's reports are submitted first (one transaction), then its
 * transitions in file order (one transaction). An incident's report comes
 * before its transitions in the file, so each incident sees its own in
 * order. --single does each transition with gg_case_act, one transaction
 * each, to compare.
 *
 * Prints what was done and the time each part took. Exit status 0 when
 * every call did what the file says, 1 otherwise, 2 for usage.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "govgrid/core.h"
#include "govgrid/dispatch.h"
#include "govgrid/incident.h"
#include "govgrid/locate.h"
#include "govgrid/store.h"

typedef struct line {
    long number;            /* in the file, from 1 */
    char *text;             /* the line as read, cut into fields in place */
    char *original;         /* a copy for messages */
    const char *at, *action;
    long n;
    const char *fields[16][2];
    int n_fields;
} line;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static const char *field(const line *l, const char *key)
{
    for (int k = 0; k < l->n_fields; k++)
        if (strcmp(l->fields[k][0], key) == 0)
            return l->fields[k][1];
    return NULL;
}

static int parse_line(char *text, long number, line *l)
{
    memset(l, 0, sizeof *l);
    l->number = number;
    l->original = strdup(text);
    l->text = text;
    char *save = NULL, *tok = strtok_r(text, "\t\n", &save);
    for (int k = 0; tok != NULL; k++, tok = strtok_r(NULL, "\t\n", &save)) {
        if (k == 0)
            l->at = tok;
        else if (k == 1)
            l->n = strtol(tok, NULL, 10);
        else if (k == 2)
            l->action = tok;
        else if (l->n_fields < 16) {
            char *eq = strchr(tok, '=');
            if (eq == NULL)
                return 0;
            *eq = '\0';
            l->fields[l->n_fields][0] = tok;
            l->fields[l->n_fields][1] = eq + 1;
            l->n_fields++;
        }
    }
    return l->at != NULL && l->n > 0 && l->action != NULL && field(l, "expect") != NULL;
}

static int64_t parse_time(const char *iso)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (sscanf(iso, "%d-%d-%dT%d:%d:%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
               &tm.tm_sec) != 6)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm);
}

static void fail(const line *l, const char *what, const char *why)
{
    fprintf(stderr, "govgrid-bench-caseloop: FAIL incident %ld, line %ld (%s): %s\n  %s", l->n, l->number, what, why,
            l->original);
}

typedef struct run {
    gg_ctx *ctx;
    gg_store *store;
    gg_catalogue *cat;
    gg_locator *loc;
    gg_dispatcher *d;
    int64_t *ids;           /* ids[n]: incident n's id in the project */
    long ids_cap;
    long reports, transitions;
    double submit_s, act_s;
    int single;
} run;

/* The window's reports, in one gg_incident_submit_many. */
static int submit(run *r, line *lines, size_t n)
{
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        m += strcmp(lines[k].action, "report") == 0;
    if (m == 0)
        return 1;
    gg_incident_input *in = calloc(m, sizeof *in);
    gg_incident_receipt *out = calloc(m, sizeof *out);
    char **attrs = calloc(m, sizeof *attrs);
    line **of = calloc(m, sizeof *of);
    int ok = in && out && attrs && of;
    size_t j = 0;
    for (size_t k = 0; ok && k < n; k++) {
        line *l = &lines[k];
        if (strcmp(l->action, "report") != 0)
            continue;
        gg_incident_input *p = &in[j];
        of[j] = l;
        p->service_code = field(l, "item");
        const char *lon = field(l, "lon"), *lat = field(l, "lat");
        if (lon && lat) {
            p->has_location = 1;
            p->lon = strtod(lon, NULL);
            p->lat = strtod(lat, NULL);
        }
        p->address = field(l, "address");
        p->description = field(l, "description");
        p->api_key_name = field(l, "source");
        p->requested = parse_time(l->at);
        const char *a = field(l, "attrs");
        if (a != NULL) {
            /* CODE:VALUE pairs, checked as the service checks them. */
            char buf[512];
            snprintf(buf, sizeof buf, "%s", a);
            gg_attribute_value v[8];
            size_t nv = 0;
            char *save = NULL;
            for (char *pair = strtok_r(buf, ";", &save); pair && nv < 8; pair = strtok_r(NULL, ";", &save)) {
                char *colon = strchr(pair, ':');
                if (colon == NULL)
                    continue;
                *colon = '\0';
                v[nv].code = pair;
                v[nv].value = colon + 1;
                nv++;
            }
            const gg_catalogue_item *item = gg_catalogue_find(r->cat, p->service_code);
            if (item == NULL || gg_catalogue_attributes_check(r->ctx, item, v, nv, &attrs[j]) != GG_OK) {
                fail(l, "attributes", gg_ctx_errmsg(r->ctx));
                ok = 0;
            }
            p->attributes_json = attrs[j];
        }
        j++;
    }
    double t0 = now_s();
    if (ok && gg_incident_submit_many(r->ctx, r->store, r->cat, r->loc, r->d, in, m, out) != GG_OK) {
        fprintf(stderr, "govgrid-bench-caseloop: FAIL submitting %zu reports: %s\n", m, gg_ctx_errmsg(r->ctx));
        ok = 0;
    }
    r->submit_s += now_s() - t0;
    for (size_t k = 0; ok && k < m; k++) {
        line *l = of[k];
        if (out[k].status != GG_OK) {
            fail(l, "report", out[k].message);
            ok = 0;
        } else if (out[k].replayed) {
            fail(l, "report", "answered as a resend of another report");
            ok = 0;
        } else if (strcmp(out[k].stage, field(l, "expect")) != 0) {
            char why[128];
            snprintf(why, sizeof why, "arrived %s (grid %s), expected %s", out[k].stage, out[k].grid_code,
                     field(l, "expect"));
            fail(l, "report", why);
            ok = 0;
        } else {
            if (l->n >= r->ids_cap) {
                long cap = r->ids_cap ? r->ids_cap : 1 << 16;
                while (cap <= l->n)
                    cap *= 2;
                int64_t *ids = realloc(r->ids, sizeof *ids * (size_t)cap);
                if (ids == NULL) {
                    fprintf(stderr, "govgrid-bench-caseloop: out of memory\n");
                    ok = 0;
                    break;
                }
                memset(ids + r->ids_cap, 0, sizeof *ids * (size_t)(cap - r->ids_cap));
                r->ids = ids;
                r->ids_cap = cap;
            }
            r->ids[l->n] = out[k].id;
            r->reports++;
        }
    }
    for (size_t k = 0; attrs && k < m; k++)
        gg_text_free(r->ctx, attrs[k]);
    free(attrs);
    free(of);
    free(in);
    free(out);
    return ok;
}

static int request_of(run *r, const line *l, gg_case_request *req)
{
    memset(req, 0, sizeof *req);
    if (gg_case_action_parse(r->ctx, l->action, &req->action) != GG_OK) {
        fail(l, "action", gg_ctx_errmsg(r->ctx));
        return 0;
    }
    req->note = field(l, "note");
    req->reason = field(l, "reason");
    req->handler = field(l, "handler");
    req->deadline = field(l, "deadline");
    req->review_on = field(l, "review_on");
    req->satisfaction = field(l, "satisfaction");
    req->approve = field(l, "approve") != NULL;
    req->on_site = field(l, "on_site") != NULL;
    req->accountability = field(l, "accountability") != NULL;
    req->at = l->at;
    return 1;
}

/* The window's transitions, in one gg_case_act_many (or one gg_case_act
 * each with --single). */
static int act(run *r, line *lines, size_t n)
{
    gg_case_item *items = calloc(n ? n : 1, sizeof *items);
    gg_case_outcome *out = calloc(n ? n : 1, sizeof *out);
    line **of = calloc(n ? n : 1, sizeof *of);
    int ok = items && out && of;
    size_t m = 0;
    for (size_t k = 0; ok && k < n; k++) {
        line *l = &lines[k];
        if (strcmp(l->action, "report") == 0)
            continue;
        if (l->n >= r->ids_cap || r->ids[l->n] == 0) {
            fail(l, l->action, "no report of this incident before it");
            ok = 0;
            break;
        }
        items[m].id = r->ids[l->n];
        ok = request_of(r, l, &items[m].req);
        of[m++] = l;
    }
    double t0 = now_s();
    if (ok && r->single) {
        for (size_t k = 0; k < m; k++) {
            out[k].status = gg_case_act(r->ctx, r->store, items[k].id, NULL, &items[k].req, &out[k].incident);
            if (out[k].status != GG_OK)
                snprintf(out[k].message, sizeof out[k].message, "%s", gg_ctx_errmsg(r->ctx));
        }
    } else if (ok && m > 0 && gg_case_act_many(r->ctx, r->store, items, m, out) != GG_OK) {
        fprintf(stderr, "govgrid-bench-caseloop: FAIL applying %zu transitions: %s\n", m, gg_ctx_errmsg(r->ctx));
        ok = 0;
    }
    r->act_s += now_s() - t0;
    for (size_t k = 0; ok && k < m; k++) {
        const line *l = of[k];
        const char *state = gg_case_state_name(out[k].incident.state);
        if (out[k].status != GG_OK) {
            fail(l, l->action, out[k].message);
            ok = 0;
        } else if (out[k].incident.replayed) {
            fail(l, l->action, "answered as a resend");
            ok = 0;
        } else if (strcmp(state, field(l, "expect")) != 0) {
            char why[128];
            snprintf(why, sizeof why, "left it %s, expected %s", state, field(l, "expect"));
            fail(l, l->action, why);
            ok = 0;
        } else {
            r->transitions++;
        }
    }
    free(items);
    free(out);
    free(of);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: govgrid-bench-caseloop PROJECT TRANSITIONS [--window LINES] [--single]\n");
        return 2;
    }
    size_t window = 50000;
    run r;
    memset(&r, 0, sizeof r);
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--window") == 0 && i + 1 < argc)
            window = (size_t)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--single") == 0)
            r.single = 1;
        else {
            fprintf(stderr, "govgrid-bench-caseloop: unknown option '%s'\n", argv[i]);
            return 2;
        }
    }
    if (window == 0)
        window = 1;
    FILE *f = fopen(argv[2], "r");
    if (f == NULL) {
        fprintf(stderr, "govgrid-bench-caseloop: %s: %s\n", argv[2], strerror(errno));
        return 1;
    }
    double t_start = now_s();
    if (gg_ctx_new(&r.ctx) != GG_OK || gg_store_open(r.ctx, argv[1], 1, &r.store) != GG_OK ||
        gg_catalogue_read(r.ctx, r.store, 0, &r.cat) != GG_OK || gg_locator_new(r.ctx, r.store, NULL, &r.loc) != GG_OK ||
        gg_dispatcher_new(r.ctx, r.loc, &r.d) != GG_OK || gg_dispatcher_load_open(r.ctx, r.store, r.d) != GG_OK) {
        fprintf(stderr, "govgrid-bench-caseloop: %s: %s\n", argv[1], r.ctx ? gg_ctx_errmsg(r.ctx) : "out of memory");
        return 1;
    }
    gg_store_set_actor(r.store, "replay");
    double t_ready = now_s();
    line *lines = calloc(window, sizeof *lines);
    char **texts = calloc(window, sizeof *texts);
    size_t *caps = calloc(window, sizeof *caps);
    int ok = lines && texts && caps;
    long number = 0;
    while (ok) {
        size_t n = 0;
        while (n < window && getline(&texts[n], &caps[n], f) > 0) {
            number++;
            if (texts[n][0] == '#')
                continue;
            if (!parse_line(texts[n], number, &lines[n])) {
                fprintf(stderr, "govgrid-bench-caseloop: %s:%ld: not a transition line\n", argv[2], number);
                ok = 0;
                break;
            }
            n++;
        }
        if (ok && n > 0)
            ok = submit(&r, lines, n) && act(&r, lines, n);
        for (size_t k = 0; k < n; k++)
            free(lines[k].original);
        if (n < window)
            break;
    }
    double t_end = now_s();
    for (size_t k = 0; texts && k < window; k++)
        free(texts[k]);
    free(texts);
    free(caps);
    free(lines);
    fclose(f);
    printf("reports %ld in %.2f s (%.0f/s), transitions %ld in %.2f s (%.0f/s)%s; opening %.2f s, in all %.2f s\n",
           r.reports, r.submit_s, r.reports / (r.submit_s > 0 ? r.submit_s : 1), r.transitions, r.act_s,
           r.transitions / (r.act_s > 0 ? r.act_s : 1), r.single ? " one transaction each" : "", t_ready - t_start,
           t_end - t_start);
    free(r.ids);
    gg_dispatcher_free(r.d);
    gg_locator_free(r.loc);
    gg_catalogue_free(r.cat);
    gg_store_close(r.store);
    gg_ctx_free(r.ctx);
    return ok ? 0 : 1;
}
