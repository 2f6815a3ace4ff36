/* An action on an incident: checked against the table of transitions
 * (caseflow.c) and against what the action needs, stored as an event of
 * the incident's history, and the incident's row set, in one transaction. */
#include "govgrid/incident.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/ctx.h"
#include "incident/case_private.h"
#include "worktime/clock.h"
#include "incident/levels.h"
#include "store/cases.h"

static void utc_now(char *out, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int blank(const char *s)
{
    return s == NULL || s[0] == '\0';
}

/* A time as ISO 8601 (a date, or a date and time) that names a real day
 * and fits the stored fields: what the clock will read back. */
static int iso_time(const char *s)
{
    int64_t t;
    return s != NULL && strlen(s) < 32 && gg_clock_parse(s, &t);
}

/* The attachments as a JSON array of URLs (malloc'd through ctx), or NULL
 * with an error for one that is not an http(s) URL. */
static gg_status attachments_json(gg_ctx *ctx, const gg_case_request *req, char **out)
{
    *out = NULL;
    if (req->n_attachments == 0)
        return GG_OK;
    size_t len = 3;
    for (size_t i = 0; i < req->n_attachments; i++) {
        const char *u = req->attachments[i];
        if (u == NULL || (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0) || strlen(u) > 2000 ||
            strpbrk(u, "\"\\ \t\r\n") != NULL)
            return gg_error(ctx, GG_ERR_ARG, "attachment %zu: not an http or https URL: '%.80s'", i + 1, u ? u : "");
        len += strlen(u) + 3;
    }
    char *s = gg_malloc(ctx, len);
    if (s == NULL)
        return gg_error_nomem(ctx);
    size_t at = 0;
    s[at++] = '[';
    for (size_t i = 0; i < req->n_attachments; i++)
        at += (size_t)sprintf(s + at, "%s\"%s\"", i ? "," : "", req->attachments[i]);
    s[at++] = ']';
    s[at] = '\0';
    *out = s;
    return GG_OK;
}

/* What the action needs from the request, beyond the table's states. */
static gg_status check_request(gg_ctx *ctx, const gg_case *c, const gg_case_request *req)
{
    const char *name = gg_case_action_name(req->action);
    switch (req->action) {
    case GG_CASE_REJECT:
    case GG_CASE_RETURN:
    case GG_CASE_REOPEN:
    case GG_CASE_ESCALATE:
        if (blank(req->reason))
            return gg_error(ctx, GG_ERR_ARG, "%s needs a reason", name);
        break;
    case GG_CASE_DISPATCH:
        if (blank(req->handler))
            return gg_error(ctx, GG_ERR_ARG, "dispatch needs a handler (a worker id or a department)");
        break;
    case GG_CASE_FEEDBACK:
        if (blank(req->note))
            return gg_error(ctx, GG_ERR_ARG, "feedback needs a note: what was done");
        break;
    case GG_CASE_CLOSE:
        if (req->on_site && blank(req->note))
            return gg_error(ctx, GG_ERR_ARG, "a close on the spot needs a note: what was done");
        break;
    case GG_CASE_SUSPEND:
        if (!iso_time(req->review_on))
            return gg_error(ctx, GG_ERR_ARG, "suspend needs a review date (YYYY-MM-DD)");
        break;
    case GG_CASE_EXTEND:
        if (!blank(req->deadline) && !iso_time(req->deadline))
            return gg_error(ctx, GG_ERR_ARG, "extend: '%s' is not a date or time (ISO 8601)", req->deadline);
        if (!req->approve && blank(req->deadline))
            return gg_error(ctx, GG_ERR_ARG, "extend needs the deadline asked for");
        if (!req->approve && c->extension_asked[0] != '\0')
            return gg_error(ctx, GG_ERR_INVALID_INPUT,
                            "incident %lld already waits for an extension to %s: approve it first", (long long)c->id,
                            c->extension_asked);
        if (req->approve && blank(req->deadline) && c->extension_asked[0] == '\0')
            return gg_error(ctx, GG_ERR_INVALID_INPUT,
                            "incident %lld has no extension asked for: give the new deadline to grant one",
                            (long long)c->id);
        break;
    case GG_CASE_RATE:
        if (req->satisfaction == NULL || (strcmp(req->satisfaction, "satisfied") != 0 &&
                                          strcmp(req->satisfaction, "basically") != 0 &&
                                          strcmp(req->satisfaction, "not") != 0))
            return gg_error(ctx, GG_ERR_ARG, "rate needs the reporter's satisfaction: satisfied, basically or not");
        if (c->satisfaction[0] != '\0')
            return gg_error(ctx, GG_ERR_INVALID_INPUT, "incident %lld was rated already (%s)", (long long)c->id,
                            c->satisfaction);
        break;
    case GG_CASE_COMMENT:
        if (blank(req->note) && req->n_attachments == 0)
            return gg_error(ctx, GG_ERR_ARG, "comment needs a note (or an attachment)");
        break;
    case GG_CASE_REFER:
    case GG_CASE_ACCEPT:
    case GG_CASE_START:
    case GG_CASE_VERIFY:
    case GG_CASE_RESUME:
    case GG_CASE_ACTION_COUNT:
        break;
    }
    return GG_OK;
}

/* What escalate and refer need of the project's levels: escalate a level
 * above the incident's, refer the incident at the last. */
static gg_status check_level(gg_ctx *ctx, const gg_case *c, const gg_case_request *req, const gg_case_level *levels,
                             size_t n_levels)
{
    int last = (int)n_levels - 1;
    if (req->action == GG_CASE_ESCALATE && c->level >= last)
        return gg_error(ctx, GG_ERR_INVALID_INPUT,
                        "incident %lld is at level %d (%s), the last: refer it beyond with refer, to whom and why",
                        (long long)c->id, c->level, levels[last].name);
    if (req->action == GG_CASE_REFER) {
        if (c->level < last)
            return gg_error(ctx, GG_ERR_INVALID_INPUT,
                            "incident %lld is at level %d (%s): a referral is made from the last level (%d, %s);"
                            " escalate it first",
                            (long long)c->id, c->level, levels[c->level <= last ? c->level : last].name, last,
                            levels[last].name);
        if (blank(req->handler) || blank(req->reason))
            return gg_error(ctx, GG_ERR_ARG, "refer needs to whom (the handler) and a reason");
    }
    return GG_OK;
}

/* The incident after the action: its row's fields. */
static void apply(gg_case *c, gg_case_state to, const gg_case_request *req)
{
    switch (req->action) {
    case GG_CASE_DISPATCH:
        snprintf(c->handler, sizeof c->handler, "%s", req->handler);
        break;
    case GG_CASE_RETURN:
        c->handler[0] = '\0';
        break;
    case GG_CASE_ESCALATE:
        c->level++;
        if (!blank(req->handler))
            snprintf(c->handler, sizeof c->handler, "%s", req->handler);
        break;
    case GG_CASE_EXTEND:
        if (req->approve) {
            snprintf(c->deadline, sizeof c->deadline, "%s", blank(req->deadline) ? c->extension_asked : req->deadline);
            c->extension_asked[0] = '\0';
        } else {
            snprintf(c->extension_asked, sizeof c->extension_asked, "%s", req->deadline);
        }
        break;
    case GG_CASE_SUSPEND:
        snprintf(c->review_on, sizeof c->review_on, "%s", req->review_on);
        break;
    case GG_CASE_RESUME:
        c->review_on[0] = '\0';
        break;
    case GG_CASE_RATE:
        snprintf(c->satisfaction, sizeof c->satisfaction, "%s", req->satisfaction);
        break;
    case GG_CASE_REOPEN:
        c->satisfaction[0] = '\0';
        break;
    case GG_CASE_REFER:
        snprintf(c->referred_to, sizeof c->referred_to, "%s", req->handler);
        break;
    default:
        break;
    }
    if ((req->action == GG_CASE_ESCALATE || req->action == GG_CASE_REOPEN) && req->accountability)
        c->accountability = 1;
    c->state = to;
}

/* The incident's clock after the action at now (include/govgrid/incident.h,
 * lights): a dispatch, a reopen or an escalation starts the stages to
 * reach the site and to handle it (the item's limits; an escalation the
 * level's own limit, when it has one, for the handling); a feedback starts
 * the stage to close it (the item's close_within, 1 working day by
 * default); a resume moves the handling's start and deadline on by the
 * time suspended. */
static gg_status set_clock(gg_ctx *ctx, gg_store *store, gg_case *c, const gg_case_request *req, int64_t now,
                           const gg_case_level *level, gg_case_env *env)
{
    gg_case_action a = req->action;
    if (a != GG_CASE_DISPATCH && a != GG_CASE_REOPEN && a != GG_CASE_ESCALATE && a != GG_CASE_FEEDBACK &&
        a != GG_CASE_RESUME)
        return GG_OK;
    char reach[128], handle[128], close[32];
    gg_status st = gg_store_case_item(store, c, reach, handle, close);
    if (st == GG_OK && env->cal == NULL)
        st = gg_calendar_load(ctx, store, &env->cal, NULL);
    if (st != GG_OK)
        return st;
    const gg_calendar *cal = env->cal;
    int64_t due;
    if (a == GG_CASE_RESUME) {
        char at[32];
        int64_t suspended, start;
        st = gg_store_case_last_action(store, c->id, "suspend", at);
        if (st == GG_OK && gg_clock_parse(at, &suspended) && now > suspended) {
            if (gg_clock_parse(c->deadline, &due))
                gg_clock_format(due + (now - suspended), c->deadline, sizeof c->deadline);
            if (gg_clock_parse(c->stage_started, &start))
                gg_clock_format(start + (now - suspended), c->stage_started, sizeof c->stage_started);
        }
    } else if (a == GG_CASE_FEEDBACK) {
        gg_clock_format(now, c->stage_started, sizeof c->stage_started);
        c->close_by[0] = '\0';
        if (gg_clock_deadline(close[0] ? close : "1wd", now, cal, &due))
            gg_clock_format(due, c->close_by, sizeof c->close_by);
    } else {
        gg_clock_format(now, c->stage_started, sizeof c->stage_started);
        c->reach_by[0] = c->close_by[0] = '\0';
        if (gg_clock_first_deadline(reach, now, cal, &due))
            gg_clock_format(due, c->reach_by, sizeof c->reach_by);
        const char *limit = a == GG_CASE_ESCALATE && level != NULL && level->handle_within[0] ? level->handle_within
                            : a == GG_CASE_ESCALATE                                        ? ""
                                                                                           : handle;
        if (gg_clock_deadline(limit, now, cal, &due))
            gg_clock_format(due, c->deadline, sizeof c->deadline);
    }
    return st;
}

gg_status gg_case_get(gg_ctx *ctx, gg_store *store, int64_t id, const char *request_id, gg_case *out,
                      gg_case_event **events, size_t *n)
{
    if (events != NULL) {
        *events = NULL;
        if (n != NULL)
            *n = 0;
    }
    if (ctx == NULL || store == NULL || out == NULL || (events != NULL && n == NULL))
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_case_get: NULL store or result") : GG_ERR_ARG;
    char state[16];
    gg_status st = gg_store_case_read(store, id, request_id, out, state);
    if (st == GG_OK && gg_case_state_parse(ctx, state, &out->state) != GG_OK)
        st = gg_error(ctx, GG_ERR_STORE, "%s: incident %lld has the unknown state '%s'", store->path,
                      (long long)out->id, state);
    if (st == GG_OK && events != NULL)
        st = gg_store_case_events(store, out->id, events, n);
    return st;
}

/* Whether s is 1-max printable ASCII characters without spaces. */
static int token_ok(const char *s, size_t max)
{
    size_t n = s != NULL ? strlen(s) : 0;
    int ok = n >= 1 && n <= max;
    for (size_t i = 0; i < n && ok; i++)
        ok = s[i] > 0x20 && s[i] < 0x7f;
    return ok;
}

int gg_case_client_id_ok(const char *s)
{
    return token_ok(s, 100);
}

/* The author as a JSON object of the members given (malloc'd by jansson),
 * or NULL for none. */
static char *author_json(const gg_case_author *a, int *nomem)
{
    *nomem = 0;
    if (a == NULL)
        return NULL;
    const char *names[] = {"first_name", "last_name", "email", "phone", "account_id", "written_at"};
    const char *values[] = {a->first_name, a->last_name, a->email, a->phone, a->account_id, a->written_at};
    json_t *o = json_object();
    int members = 0;
    for (size_t k = 0; o != NULL && k < sizeof names / sizeof names[0]; k++)
        if (!blank(values[k])) {
            json_object_set_new(o, names[k], json_string(values[k]));
            members++;
        }
    char *text = o != NULL && members > 0 ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    *nomem = o == NULL || (members > 0 && text == NULL);
    json_decref(o);
    return text;
}

/* The sentence, and the text after it (may be blank): "S." or "S: T" in
 * English, "S。" or "S：T" in Chinese. */
static char *sentence(gg_ctx *ctx, int lang, const char *s, const char *text)
{
    const char *stop = lang == GG_LANG_ZH ? "。" : ".", *colon = lang == GG_LANG_ZH ? "：" : ": ";
    int n = blank(text) ? snprintf(NULL, 0, "%s%s", s, stop) : snprintf(NULL, 0, "%s%s%s", s, colon, text);
    char *out = gg_malloc(ctx, (size_t)n + 1);
    if (out != NULL) {
        if (blank(text))
            snprintf(out, (size_t)n + 1, "%s%s", s, stop);
        else
            snprintf(out, (size_t)n + 1, "%s%s%s", s, colon, text);
    }
    return out;
}

/* What reporters are told of each action, in English and Chinese (those
 * that name a deadline or a level are written where they are made). */
enum {
    SAY_RECEIVED, SAY_ACCEPTED, SAY_NOT_TAKEN, SAY_SENT, SAY_STARTED, SAY_DEALT, SAY_CHECKED, SAY_CLOSED_ON_SPOT,
    SAY_CLOSED, SAY_SENT_BACK, SAY_RESUMED, SAY_REOPENED, SAY_NEXT_LEVEL, SAY_REFERRED_BEYOND, SAY_RATED, SAY_SATISFIED, SAY_BASICALLY, SAY_NOT_SATISFIED, SAY_PHOTO,
    SAY_UPDATED, SAY_COUNT
};

static const char *const says[SAY_COUNT][2] = {
    [SAY_RECEIVED] = {"Received", "已收到"},
    [SAY_ACCEPTED] = {"Accepted: it will be sent to the people who handle it", "已受理，将派给处置人员"},
    [SAY_NOT_TAKEN] = {"Not taken on", "不予受理"},
    [SAY_SENT] = {"Sent to the people who handle it", "已派给处置人员"},
    [SAY_STARTED] = {"Work on it has started", "已开始处置"},
    [SAY_DEALT] = {"Dealt with", "已处置"},
    [SAY_CHECKED] = {"The result was checked on site", "处置结果已现场核查"},
    [SAY_CLOSED_ON_SPOT] = {"Dealt with on the spot and closed", "已现场处置并结案"},
    [SAY_CLOSED] = {"Closed", "已结案"},
    [SAY_SENT_BACK] = {"Sent back to be passed to the right handler", "已退回，将改派给对口的处置单位"},
    [SAY_RESUMED] = {"Work on it has resumed", "已恢复处置"},
    [SAY_REOPENED] = {"Reopened", "已重新办理"},
    [SAY_NEXT_LEVEL] = {"next level", "上一级"},
    [SAY_REFERRED_BEYOND] = {"Referred beyond the district", "已移交区外有关部门办理"},
    [SAY_RATED] = {"Rated by the reporter", "报告人评价"},
    [SAY_SATISFIED] = {"satisfied", "满意"},
    [SAY_BASICALLY] = {"basically satisfied", "基本满意"},
    [SAY_NOT_SATISFIED] = {"not satisfied", "不满意"},
    [SAY_PHOTO] = {"A photo was added", "已补充照片"},
    [SAY_UPDATED] = {"Updated", "已更新"},
};

/* Written for the reporter, who knows nothing of the loop's states: what
 * happened and, where there is one, the reason or the result. Extensions
 * say the time limit given, asked or granted alike (the event does not
 * say which, and to the reporter both mean the same wait). */
char *gg_case_notice(gg_ctx *ctx, int lang, const char *action, const char *from_state, const char *note,
                     const char *reason, const char *deadline, const char *level, const char *result)
{
    int l = lang == GG_LANG_ZH;
    char head[192];
    const char *say = blank(note) ? reason : note;
    if (strcmp(action, "report") == 0)
        return sentence(ctx, lang, says[SAY_RECEIVED][l], note);
    if (strcmp(action, "accept") == 0)
        return sentence(ctx, lang, says[SAY_ACCEPTED][l], NULL);
    if (strcmp(action, "reject") == 0)
        return sentence(ctx, lang, says[SAY_NOT_TAKEN][l], say);
    if (strcmp(action, "dispatch") == 0)
        return sentence(ctx, lang, says[SAY_SENT][l], NULL);
    if (strcmp(action, "start") == 0)
        return sentence(ctx, lang, says[SAY_STARTED][l], NULL);
    if (strcmp(action, "feedback") == 0)
        return sentence(ctx, lang, says[SAY_DEALT][l], say);
    if (strcmp(action, "verify") == 0)
        return sentence(ctx, lang, says[SAY_CHECKED][l], blank(note) ? result : note);
    if (strcmp(action, "close") == 0) {
        int on_site = strcmp(from_state, "reported") == 0 || strcmp(from_state, "accepted") == 0;
        return sentence(ctx, lang, says[on_site ? SAY_CLOSED_ON_SPOT : SAY_CLOSED][l], blank(note) ? result : note);
    }
    if (strcmp(action, "return") == 0)
        return sentence(ctx, lang, says[SAY_SENT_BACK][l], say);
    if (strcmp(action, "extend") == 0) {
        if (l)
            snprintf(head, sizeof head, "处置时限延长至 %s", deadline);
        else
            snprintf(head, sizeof head, "The time limit is being extended to %s", deadline);
        return sentence(ctx, lang, head, NULL);
    }
    if (strcmp(action, "suspend") == 0) {
        if (l)
            snprintf(head, sizeof head, "暂缓处置，%s 复查", deadline);
        else
            snprintf(head, sizeof head, "On hold until %s", deadline);
        return sentence(ctx, lang, head, say);
    }
    if (strcmp(action, "resume") == 0)
        return sentence(ctx, lang, says[SAY_RESUMED][l], NULL);
    if (strcmp(action, "reopen") == 0)
        return sentence(ctx, lang, says[SAY_REOPENED][l], say);
    if (strcmp(action, "escalate") == 0) {
        const char *to = blank(level) ? says[SAY_NEXT_LEVEL][l] : level;
        if (l)
            snprintf(head, sizeof head, "已上报%s", to);
        else
            snprintf(head, sizeof head, "Referred to the %s", to);
        return sentence(ctx, lang, head, say);
    }
    if (strcmp(action, "refer") == 0)
        return sentence(ctx, lang, says[SAY_REFERRED_BEYOND][l], say);
    if (strcmp(action, "rate") == 0) {
        const char *rating = blank(note)                          ? NULL
                             : strcmp(note, "satisfied") == 0 ? says[SAY_SATISFIED][l]
                             : strcmp(note, "basically") == 0 ? says[SAY_BASICALLY][l]
                             : strcmp(note, "not") == 0       ? says[SAY_NOT_SATISFIED][l]
                                                              : note;
        return sentence(ctx, lang, says[SAY_RATED][l], rating);
    }
    if (strcmp(action, "comment") == 0) {
        if (!blank(note)) {
            char *out = gg_malloc(ctx, strlen(note) + 1);
            if (out != NULL)
                strcpy(out, note);
            return out;
        }
        return sentence(ctx, lang, says[SAY_PHOTO][l], NULL);
    }
    return sentence(ctx, lang, says[SAY_UPDATED][l], say);
}

void gg_case_env_init(gg_case_env *env)
{
    env->cal = NULL;
    env->lang = -1;
}

void gg_case_env_free(gg_case_env *env)
{
    gg_calendar_free(env->cal);
    gg_case_env_init(env);
}

gg_status gg_case_language(gg_ctx *ctx, gg_store *store, int *lang)
{
    char v[8];
    gg_status st = gg_setting_get(ctx, store, "open311.language", v, sizeof v, NULL);
    *lang = st == GG_OK && strcmp(v, "zh") == 0 ? GG_LANG_ZH : GG_LANG_EN;
    return st;
}

static gg_status act_within(gg_ctx *ctx, gg_store *store, gg_case *c, const gg_case_request *req,
                            const char *actor, int64_t *event_id, gg_case_env *env);

gg_status gg_case_act_within(gg_ctx *ctx, gg_store *store, gg_case *c, const gg_case_request *req,
                             const char *actor, int64_t *event_id, gg_case_env *env)
{
    if (env != NULL)
        return act_within(ctx, store, c, req, actor, event_id, env);
    gg_case_env own;
    gg_case_env_init(&own);
    gg_status st = act_within(ctx, store, c, req, actor, event_id, &own);
    gg_case_env_free(&own);
    return st;
}

static gg_status act_within(gg_ctx *ctx, gg_store *store, gg_case *c, const gg_case_request *req,
                            const char *actor, int64_t *event_id, gg_case_env *env)
{
    if (req->client_update_id != NULL && !gg_case_client_id_ok(req->client_update_id))
        return gg_error(ctx, GG_ERR_ARG, "a client's update id is 1-100 printable ASCII characters without spaces");
    char *attachments = NULL;
    gg_status st = attachments_json(ctx, req, &attachments);
    if (st != GG_OK)
        return st;
    gg_case_state from = c->state, to = GG_CASE_REPORTED;
    char why[256];
    if (!gg_case_next(from, req->action, req->on_site, &to, why, sizeof why))
        st = gg_error(ctx, GG_ERR_INVALID_INPUT, "incident %lld: %s", (long long)c->id, why);
    if (st == GG_OK)
        st = check_request(ctx, c, req);
    gg_case_level levels[GG_CASE_LEVELS_MAX];
    size_t n_levels = 0;
    int escalating = req->action == GG_CASE_ESCALATE || req->action == GG_CASE_REFER;
    if (st == GG_OK && escalating)
        st = gg_case_levels(ctx, store, levels, &n_levels);
    if (st == GG_OK && escalating)
        st = check_level(ctx, c, req, levels, n_levels);
    int nomem = 0;
    char *author = st == GG_OK ? author_json(req->author, &nomem) : NULL;
    if (st == GG_OK && nomem)
        st = gg_error_nomem(ctx);
    /* A verification or close that says nothing repeats the result. */
    char *result = NULL;
    if (st == GG_OK && blank(req->note) && (req->action == GG_CASE_VERIFY || req->action == GG_CASE_CLOSE))
        st = gg_store_case_result(store, c->id, &result);
    char now[32];
    int64_t now_t = 0;
    if (req->at != NULL)
        snprintf(now, sizeof now, "%s", req->at);
    else
        utc_now(now, sizeof now);
    if (!gg_clock_parse(now, &now_t) && st == GG_OK)
        st = gg_error(ctx, GG_ERR_ARG, "'%s' is not a time (ISO 8601)", now);
    gg_case after = *c;
    char *notice = NULL;
    const gg_case_level *level = NULL;
    if (st == GG_OK && req->action == GG_CASE_ESCALATE) {
        level = &levels[c->level + 1];
        /* Handed to the level's contact for the incident's place, unless
         * the request names one. */
        if (blank(req->handler)) {
            char name[64], phone[32];
            st = gg_case_level_contact(store, level, c, name, phone);
            snprintf(after.handler, sizeof after.handler, "%s", name[0] ? name : level->name);
        }
    }
    if (st == GG_OK) {
        apply(&after, to, req);
        st = set_clock(ctx, store, &after, req, now_t, level, env);
    }
    if (st == GG_OK) {
        gg_case_event e;
        memset(&e, 0, sizeof e);
        snprintf(e.at, sizeof e.at, "%s", now);
        if (blank(actor))
            actor = gg_store_actor(store);
        snprintf(e.actor, sizeof e.actor, "%s", blank(actor) ? "unknown" : actor);
        snprintf(e.action, sizeof e.action, "%s", gg_case_action_name(req->action));
        snprintf(e.from_state, sizeof e.from_state, "%s", gg_case_state_name(from));
        snprintf(e.to_state, sizeof e.to_state, "%s", gg_case_state_name(to));
        snprintf(e.deadline, sizeof e.deadline, "%s",
                 req->action == GG_CASE_EXTEND ? (req->approve ? after.deadline : after.extension_asked)
                 : req->action == GG_CASE_SUSPEND ? after.review_on
                                                  : "");
        e.level = after.level;
        snprintf(e.handler, sizeof e.handler, "%s", after.handler);
        e.author = author;
        if (req->client_update_id != NULL)
            snprintf(e.client_update_id, sizeof e.client_update_id, "%s", req->client_update_id);
        const char *note = req->action == GG_CASE_RATE && blank(req->note) ? req->satisfaction : req->note;
        /* The status notes are the reporter's sentence about the latest
         * change; a comment changes nothing and leaves them. */
        if (req->action != GG_CASE_COMMENT && env->lang < 0)
            st = gg_case_language(ctx, store, &env->lang);
        if (st == GG_OK && req->action != GG_CASE_COMMENT) {
            notice = gg_case_notice(ctx, env->lang, e.action, e.from_state, note, req->reason, e.deadline,
                                    level != NULL ? level->name : NULL, result);
            if (notice == NULL)
                st = gg_error_nomem(ctx);
        }
        if (st == GG_OK)
            st = gg_store_case_event_add(store, c->id, &e, note, req->reason, attachments, req->idempotency_key,
                                         event_id);
        if (st == GG_OK)
            st = gg_store_case_write(store, &after, notice, now);
        after.events++;
    }
    if (st == GG_OK)
        *c = after;
    gg_free(ctx, notice);
    gg_free(ctx, result);
    free(author);
    gg_free(ctx, attachments);
    return st;
}

/* Whether an idempotency key is 1-200 printable ASCII characters without
 * spaces (NULL: none, fine). */
static gg_status check_key(gg_ctx *ctx, const char *key)
{
    if (key == NULL || token_ok(key, 200))
        return GG_OK;
    return gg_error(ctx, GG_ERR_ARG, "an idempotency key is 1-200 printable ASCII characters without spaces");
}

/* One action inside the caller's transaction: a resend (an idempotency
 * key actor sent before) answered with the incident as it is, replayed
 * set; otherwise gg_case_act_within. A refusal writes nothing, so it
 * leaves the transaction as it was; an error of the store itself may
 * leave it half done (the caller rolls back). */
static gg_status act_one(gg_ctx *ctx, gg_store *store, int64_t id, const char *request_id,
                         const gg_case_request *req, const char *actor, gg_case *out, gg_case_env *env)
{
    if (gg_case_action_name(req->action) == NULL)
        return gg_error(ctx, GG_ERR_ARG, "action %d is not one this library has", (int)req->action);
    if (req->at != NULL && !iso_time(req->at))
        return gg_error(ctx, GG_ERR_ARG, "'%s' is not a time (ISO 8601)", req->at);
    gg_status st = check_key(ctx, req->idempotency_key);
    if (st != GG_OK)
        return st;
    if (blank(actor))
        actor = gg_store_actor(store);
    if (blank(actor))
        actor = "unknown";
    gg_case c;
    if (req->idempotency_key != NULL) {
        int64_t made_on = 0;
        char action[16];
        int resent = gg_store_case_resent(store, actor, req->idempotency_key, &made_on, action);
        if (resent < 0)
            return gg_ctx_errcode(ctx) != GG_OK ? gg_ctx_errcode(ctx) : GG_ERR_STORE;
        if (resent > 0) {
            st = gg_case_get(ctx, store, id, request_id, &c, NULL, NULL);
            if (st != GG_OK)
                return st;
            if (c.id != made_on || strcmp(action, gg_case_action_name(req->action)) != 0)
                return gg_error(ctx, GG_ERR_EXISTS,
                                "Idempotency-Key '%.60s' came before with a different request (%s on incident %lld)",
                                req->idempotency_key, action, (long long)made_on);
            c.replayed = 1;
            *out = c;
            return GG_OK;
        }
    }
    st = gg_case_get(ctx, store, id, request_id, &c, NULL, NULL);
    if (st == GG_OK)
        st = gg_case_act_within(ctx, store, &c, req, actor, NULL, env);
    if (st == GG_OK)
        *out = c;
    return st;
}

gg_status gg_case_act(gg_ctx *ctx, gg_store *store, int64_t id, const char *request_id,
                      const gg_case_request *req, gg_case *out)
{
    if (ctx == NULL || store == NULL || req == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_case_act: NULL store or request") : GG_ERR_ARG;
    gg_status st = gg_store_begin(store);
    if (st != GG_OK)
        return st;
    gg_case c;
    st = act_one(ctx, store, id, request_id, req, NULL, &c, NULL);
    if (st == GG_OK)
        st = gg_store_commit(store);
    else
        gg_store_rollback(store);
    if (st == GG_OK && out != NULL)
        *out = c;
    return st;
}

static void outcome_failed(gg_ctx *ctx, gg_status st, gg_case_outcome *out)
{
    memset(out, 0, sizeof *out);
    out->status = st;
    snprintf(out->message, sizeof out->message, "%s", gg_ctx_errmsg(ctx));
    gg_ctx_clear_error(ctx);
}

gg_status gg_case_act_many(gg_ctx *ctx, gg_store *store, const gg_case_item *items, size_t n, gg_case_outcome *out)
{
    if (ctx == NULL || store == NULL || (n > 0 && (items == NULL || out == NULL)))
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_case_act_many: NULL store, items or outcomes") : GG_ERR_ARG;
    if (n == 0)
        return GG_OK;
    gg_status st = gg_store_begin(store);
    if (st != GG_OK) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", gg_ctx_errmsg(ctx));
        for (size_t k = 0; k < n; k++) {
            memset(&out[k], 0, sizeof out[k]);
            out[k].status = st;
            snprintf(out[k].message, sizeof out[k].message, "%s", msg);
        }
        return st;
    }
    gg_case_env env; /* read once for the batch, when an action first needs it */
    gg_case_env_init(&env);
    for (size_t k = 0; k < n && st == GG_OK; k++) {
        memset(&out[k], 0, sizeof out[k]);
        gg_status one = act_one(ctx, store, items[k].id, items[k].request_id, &items[k].req, items[k].actor,
                                &out[k].incident, &env);
        if (one == GG_OK)
            continue;
        /* A refusal wrote nothing (every check comes before the first
         * write); a failure of the store itself ends the batch. */
        if (one == GG_ERR_INVALID_INPUT || one == GG_ERR_ARG || one == GG_ERR_NOT_FOUND || one == GG_ERR_EXISTS)
            outcome_failed(ctx, one, &out[k]);
        else
            st = one;
    }
    gg_case_env_free(&env);
    if (st == GG_OK)
        st = gg_store_commit(store);
    if (st != GG_OK) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", gg_ctx_errmsg(ctx));
        if (store->in_transaction)
            gg_store_rollback(store);
        for (size_t k = 0; k < n; k++)
            if (out[k].status == GG_OK) {
                memset(&out[k], 0, sizeof out[k]);
                out[k].status = st;
                snprintf(out[k].message, sizeof out[k].message, "%s", msg);
            }
        gg_error(ctx, st, "%s", msg);
    }
    return st;
}

void gg_case_events_free(gg_ctx *ctx, gg_case_event *events, size_t n)
{
    for (size_t i = 0; events != NULL && i < n; i++) {
        gg_free(ctx, events[i].note);
        gg_free(ctx, events[i].reason);
        gg_free(ctx, events[i].attachments);
        gg_free(ctx, events[i].author);
    }
    gg_free(ctx, events);
}

/* ---- the JSON view ---- */

static json_t *text_or_null(const char *s)
{
    return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

/* The departments of a ';'-separated list as a JSON array. */
static json_t *list_of(const char *text)
{
    json_t *a = json_array();
    const char *p = text;
    while (a != NULL && p != NULL && *p != '\0') {
        const char *end = strchr(p, ';');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > 0)
            json_array_append_new(a, json_stringn(p, n));
        p = end ? end + 1 : NULL;
    }
    return a;
}

json_t *gg_case_object(const gg_case *c)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:o, s:i, s:o, s:o, s:o, s:o, s:b, s:I}", "id", (json_int_t)c->id,
                          "request_id", c->request_id, "service_code", c->service_code, "state",
                          gg_case_state_name(c->state), "handler", text_or_null(c->handler), "level", c->level,
                          "deadline", text_or_null(c->deadline), "extension_asked", text_or_null(c->extension_asked),
                          "review_on", text_or_null(c->review_on), "satisfaction", text_or_null(c->satisfaction),
                          "accountability", c->accountability != 0, "events", (json_int_t)c->events);
    json_t *more = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "grid_code",
                             text_or_null(c->grid_code), "community", text_or_null(c->community), "source",
                             text_or_null(c->source), "department", text_or_null(c->department), "co_handlers",
                             list_of(c->co_handlers), "copied", text_or_null(c->copied), "referred_to",
                             text_or_null(c->referred_to), "stage_started", text_or_null(c->stage_started),
                             "reach_by", text_or_null(c->reach_by), "close_by", text_or_null(c->close_by));
    if (o == NULL || more == NULL || json_object_update(o, more) != 0) {
        json_decref(o);
        o = NULL;
    }
    json_decref(more);
    return o;
}

gg_status gg_case_json(gg_ctx *ctx, const gg_case *c, const gg_case_event *events, size_t n, int with_history,
                       char **json)
{
    *json = NULL;
    json_t *o = gg_case_object(c);
    json_t *h = with_history && o ? json_array() : NULL;
    for (size_t i = 0; h != NULL && i < n; i++) {
        const gg_case_event *e = &events[i];
        json_t *a = e->attachments ? json_loads(e->attachments, 0, NULL) : NULL;
        json_t *who = e->author ? json_loads(e->author, 0, NULL) : NULL;
        json_array_append_new(h, json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:i, s:o, s:o, s:o}",
                                           "seq", (json_int_t)e->seq, "at", e->at, "actor", e->actor, "action",
                                           e->action, "from", text_or_null(e->from_state), "to", e->to_state, "note",
                                           text_or_null(e->note), "reason", text_or_null(e->reason), "attachments",
                                           a ? a : json_array(), "deadline", text_or_null(e->deadline), "level",
                                           e->level, "handler", text_or_null(e->handler), "author",
                                           who ? who : json_null(), "client_update_id",
                                           text_or_null(e->client_update_id)));
    }
    if (h != NULL)
        json_object_set_new(o, "history", h);
    *json = o ? json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT) : NULL;
    json_decref(o);
    return *json ? GG_OK : gg_error_nomem(ctx);
}
