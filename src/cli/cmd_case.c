/* govgrid case: an incident's place in the closed loop, its history, and
 * the actions that move it on. */
#include "cli/cli.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void help(FILE *out)
{
    fprintf(out,
            "Usage: govgrid case PROJECT.sqlite ID [show] [--json]\n"
            "       govgrid case PROJECT.sqlite ID ACTION [--note TEXT] [--reason TEXT] [--to HANDLER]\n"
            "                    [--deadline DATE] [--review DATE] [--approve] [--on-site]\n"
            "                    [--satisfaction satisfied|basically|not] [--photo URL]...\n"
            "                    [--accountability] [--json] [--quiet]\n"
            "\n"
            "An incident (its number or request id) in the closed loop: show prints its\n"
            "state, handler, level, deadline and its whole history; an action moves it on,\n"
            "in one transaction, and is kept in its history with who did it (GOVGRID_USER,\n"
            "else the login name) and when. A move the loop does not allow is refused with\n"
            "the state the incident is in, and nothing is written. The actions:\n"
            "  accept    reported -> accepted (it meets its item's reporting condition)\n"
            "  reject    reported -> rejected (--reason: the condition it fails)\n"
            "  dispatch  accepted or returned -> dispatched to --to (a worker id or department)\n"
            "  start     dispatched -> in progress\n"
            "  feedback  dispatched or in progress -> fed back (--note: what was done)\n"
            "  verify    fed back -> verified (checked on site)\n"
            "  close     verified -> closed; with --on-site, reported or accepted -> closed\n"
            "            (a grid worker fixed it on the spot; --note says what was done)\n"
            "  return    dispatched or in progress -> returned (--reason: why it is not\n"
            "            the handler's); dispatch it again\n"
            "  extend    asks for a new deadline (--deadline); --approve grants the one asked\n"
            "            (or the one given with --deadline)\n"
            "  suspend   dispatched or in progress -> suspended until --review DATE\n"
            "  resume    suspended -> in progress\n"
            "  reopen    fed back, verified or closed -> dispatched (--reason: verification\n"
            "            failed, or the reporter was not satisfied)\n"
            "  escalate  to the next of the project's levels (by default: grid, community\n"
            "            workstation, township centre, district centre), dispatched there\n"
            "            to the level's contact for the incident's place, or --to\n"
            "            (--reason); the level's time limit, if it has one, is the new\n"
            "            deadline\n"
            "  refer     at the last level: referred beyond it --to whom (--reason)\n"
            "  rate      closed: the reporter's --satisfaction\n"
            "  comment   any state, left as it is: a remark kept in the history (--note,\n"
            "            or --photo)\n"
            "\n"
            "Options:\n"
            "  --note TEXT       what was done or found\n"
            "  --reason TEXT     reject, return, reopen, escalate, refer: why\n"
            "  --to HANDLER      dispatch, escalate, refer: who takes it\n"
            "  --deadline DATE   extend: the deadline asked for or granted (YYYY-MM-DD[THH:MM:SSZ])\n"
            "  --review DATE     suspend: when to look at it again\n"
            "  --approve         extend: grant it\n"
            "  --on-site         close: handled on the spot\n"
            "  --satisfaction S  rate: satisfied, basically or not\n"
            "  --photo URL       an attachment (http or https), as often as needed\n"
            "  --accountability  escalate, reopen: flag the case for accountability review\n"
            "  --json            print the incident (and show: its history) as JSON\n"
            "  --quiet           print nothing but errors\n"
            "  --help            show this help\n");
}

static void print_case(const gg_case *c, const gg_case_level *levels, size_t n_levels)
{
    printf("incident %lld (request %s, item %s): %s", (long long)c->id, c->request_id, c->service_code,
           gg_case_state_name(c->state));
    if (c->handler[0])
        printf(", with %s", c->handler);
    if (c->level >= 0 && (size_t)c->level < n_levels)
        printf(" at level %d (%s)", c->level, levels[c->level].name);
    else
        printf(" at level %d", c->level);
    if (c->department[0])
        printf(", lead department %s", c->department);
    if (c->co_handlers[0])
        printf(", with %s", c->co_handlers);
    if (c->copied[0])
        printf(", copied to %s", c->copied);
    if (c->deadline[0])
        printf(", due %s", c->deadline);
    const char *stage = "";
    int64_t due = 0;
    gg_case_light light = gg_case_light_at(c, (int64_t)time(NULL), &stage, &due);
    if (light != GG_LIGHT_NONE)
        printf(", light %s (%s)", gg_case_light_name(light), stage);
    if (c->extension_asked[0])
        printf(", extension to %s asked", c->extension_asked);
    if (c->review_on[0])
        printf(", review on %s", c->review_on);
    if (c->referred_to[0])
        printf(", referred to %s", c->referred_to);
    if (c->satisfaction[0])
        printf(", reporter %s", c->satisfaction);
    if (c->accountability)
        printf(", flagged for accountability review");
    printf("\n");
}

static int run(int argc, char **argv)
{
    gg_case_request req;
    memset(&req, 0, sizeof req);
    const char *photos[32];
    char *rest[64];
    int n = 0;
    static const char *const with_value[] = {"--note", "--reason", "--to", "--deadline", "--review", "--satisfaction",
                                             "--photo"};
    for (int i = 0; i < argc && n < 63; i++) {
        size_t k = 0;
        while (k < sizeof with_value / sizeof with_value[0] && strcmp(argv[i], with_value[k]) != 0)
            k++;
        if (k < sizeof with_value / sizeof with_value[0]) {
            if (i + 1 >= argc)
                return cli_usage("case", "%s needs a value", argv[i]);
            const char *v = argv[++i];
            switch (k) {
            case 0: req.note = v; break;
            case 1: req.reason = v; break;
            case 2: req.handler = v; break;
            case 3: req.deadline = v; break;
            case 4: req.review_on = v; break;
            case 5: req.satisfaction = v; break;
            default:
                if (req.n_attachments >= sizeof photos / sizeof photos[0])
                    return cli_usage("case", "at most %zu --photo", sizeof photos / sizeof photos[0]);
                photos[req.n_attachments++] = v;
            }
        } else if (strcmp(argv[i], "--approve") == 0) {
            req.approve = 1;
        } else if (strcmp(argv[i], "--on-site") == 0) {
            req.on_site = 1;
        } else if (strcmp(argv[i], "--accountability") == 0) {
            req.accountability = 1;
        } else {
            rest[n++] = argv[i];
        }
    }
    rest[n] = NULL;
    req.attachments = photos;
    cli_common common;
    int first = 0;
    int rc = cli_parse_common(&cli_cmd_case, n, rest, &common, &first);
    if (rc >= 0)
        return rc;
    if (n - first < 2 || n - first > 3)
        return cli_usage("case", "expected PROJECT ID [show | ACTION]");
    const char *project = rest[first], *which = rest[first + 1];
    const char *action = n - first == 3 ? rest[first + 2] : "show";
    int show = strcmp(action, "show") == 0;
    int64_t id = 0;
    int digits = which[0] != '\0';
    for (const char *p = which; *p; p++)
        digits &= isdigit((unsigned char)*p) != 0;
    if (digits && strlen(which) < 18)
        id = strtoll(which, NULL, 10);
    gg_ctx *ctx = cli_ctx_new("case", &common);
    if (ctx == NULL)
        return CLI_FAILED;
    if (!show && gg_case_action_parse(ctx, action, &req.action) != GG_OK) {
        rc = cli_usage("case", "%s", gg_ctx_errmsg(ctx));
        gg_ctx_free(ctx);
        return rc;
    }
    gg_store *store = NULL;
    gg_case c;
    gg_case_event *events = NULL;
    size_t ne = 0;
    gg_status st = gg_store_open(ctx, project, !show, &store);
    if (st == GG_OK && show) {
        st = gg_case_get(ctx, store, id, digits ? NULL : which, &c, &events, &ne);
    } else if (st == GG_OK) {
        gg_store_set_actor(store, cli_actor());
        st = gg_case_act(ctx, store, id, digits ? NULL : which, &req, &c);
    }
    if (st != GG_OK) {
        rc = st == GG_ERR_ARG ? CLI_USAGE : CLI_FAILED;
        cli_fail("case", ctx);
    } else if (common.json) {
        char *text = NULL;
        if (gg_case_json(ctx, &c, events, ne, show, &text) != GG_OK) {
            rc = cli_fail("case", ctx);
        } else {
            rc = cli_print_json(json_loads(text, 0, NULL));
            gg_text_free(ctx, text);
        }
    } else {
        gg_case_level levels[GG_CASE_LEVELS_MAX];
        size_t n_levels = 0;
        if (gg_case_levels(ctx, store, levels, &n_levels) != GG_OK)
            gg_ctx_clear_error(ctx);
        if (show || !common.quiet)
            print_case(&c, levels, n_levels);
        for (size_t i = 0; show && i < ne; i++) {
            const gg_case_event *e = &events[i];
            char actor[192];
            printf("  %3lld  %-20s  %s  %-9s %s%s%s", (long long)e->seq, e->at,
                   cli_pad(actor, sizeof actor, e->actor, 10), e->action,
                   e->from_state[0] ? e->from_state : "", e->from_state[0] ? " -> " : "", e->to_state);
            if (e->handler[0])
                printf("  [%s]", e->handler);
            if (e->deadline[0])
                printf("  due %s", e->deadline);
            if (e->reason)
                printf("  reason: %s", e->reason);
            if (e->note)
                printf("  note: %s", e->note);
            if (e->attachments)
                printf("  photos: %s", e->attachments);
            printf("\n");
        }
        rc = CLI_OK;
    }
    gg_case_events_free(ctx, events, ne);
    gg_store_close(store);
    gg_ctx_free(ctx);
    return rc;
}

const cli_command cli_cmd_case = {"case", "an incident in the closed loop: its history, and the actions that move it on",
                                  run, help};
