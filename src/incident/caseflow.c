/* The closed loop's table of transitions: for each action, the states it
 * takes an incident from and the state it leads to. Everything the loop
 * may do to an incident is in this table; gg_case_next refuses the rest.
 *
 *   reported --accept--> accepted --dispatch--> dispatched --start--> in progress
 *   reported --reject--> rejected (the end)
 *   dispatched, in progress --feedback--> fed back --verify--> verified --close--> closed
 *   reported, accepted --close (on the spot)--> closed
 *   dispatched, in progress --return--> returned --dispatch--> dispatched
 *   dispatched, in progress --suspend--> suspended --resume--> in progress
 *   fed back, verified, closed --reopen--> dispatched
 *   accepted, dispatched, in progress, returned --escalate--> dispatched (a level up)
 *   dispatched, in progress --extend--> (the same state, a deadline asked or granted)
 *   closed --rate--> closed (the reporter's satisfaction)
 *   accepted, dispatched, in progress, returned --refer--> (the same state, referred beyond the last level)
 *   any state --comment--> (the same state: a remark kept in the history) */
#include "govgrid/incident.h"

#include <stdio.h>
#include <string.h>

#include "core/ctx.h"

#define S(x) (1u << (x))
#define SAME GG_CASE_STATE_COUNT
#define EVERY_STATE ((1u << GG_CASE_STATE_COUNT) - 1)

static const char *const state_names[GG_CASE_STATE_COUNT] = {
    [GG_CASE_REPORTED] = "reported",       [GG_CASE_ACCEPTED] = "accepted",  [GG_CASE_REJECTED] = "rejected",
    [GG_CASE_DISPATCHED] = "dispatched",   [GG_CASE_IN_PROGRESS] = "in_progress",
    [GG_CASE_FED_BACK] = "fed_back",       [GG_CASE_VERIFIED] = "verified",  [GG_CASE_CLOSED] = "closed",
    [GG_CASE_RETURNED] = "returned",       [GG_CASE_SUSPENDED] = "suspended",
};

static const struct {
    const char *name;
    unsigned from;              /* the states it takes an incident from */
    unsigned to;                /* a gg_case_state, or SAME */
} table[GG_CASE_ACTION_COUNT] = {
    [GG_CASE_ACCEPT] = {"accept", S(GG_CASE_REPORTED), GG_CASE_ACCEPTED},
    [GG_CASE_REJECT] = {"reject", S(GG_CASE_REPORTED), GG_CASE_REJECTED},
    [GG_CASE_DISPATCH] = {"dispatch", S(GG_CASE_ACCEPTED) | S(GG_CASE_RETURNED), GG_CASE_DISPATCHED},
    [GG_CASE_START] = {"start", S(GG_CASE_DISPATCHED), GG_CASE_IN_PROGRESS},
    [GG_CASE_FEEDBACK] = {"feedback", S(GG_CASE_DISPATCHED) | S(GG_CASE_IN_PROGRESS), GG_CASE_FED_BACK},
    [GG_CASE_VERIFY] = {"verify", S(GG_CASE_FED_BACK), GG_CASE_VERIFIED},
    [GG_CASE_CLOSE] = {"close", S(GG_CASE_VERIFIED), GG_CASE_CLOSED},
    [GG_CASE_RETURN] = {"return", S(GG_CASE_DISPATCHED) | S(GG_CASE_IN_PROGRESS), GG_CASE_RETURNED},
    [GG_CASE_EXTEND] = {"extend", S(GG_CASE_DISPATCHED) | S(GG_CASE_IN_PROGRESS), SAME},
    [GG_CASE_SUSPEND] = {"suspend", S(GG_CASE_DISPATCHED) | S(GG_CASE_IN_PROGRESS), GG_CASE_SUSPENDED},
    [GG_CASE_RESUME] = {"resume", S(GG_CASE_SUSPENDED), GG_CASE_IN_PROGRESS},
    [GG_CASE_REOPEN] = {"reopen", S(GG_CASE_FED_BACK) | S(GG_CASE_VERIFIED) | S(GG_CASE_CLOSED), GG_CASE_DISPATCHED},
    [GG_CASE_ESCALATE] = {"escalate",
                          S(GG_CASE_ACCEPTED) | S(GG_CASE_DISPATCHED) | S(GG_CASE_IN_PROGRESS) | S(GG_CASE_RETURNED),
                          GG_CASE_DISPATCHED},
    [GG_CASE_RATE] = {"rate", S(GG_CASE_CLOSED), SAME},
    [GG_CASE_REFER] = {"refer",
                       S(GG_CASE_ACCEPTED) | S(GG_CASE_DISPATCHED) | S(GG_CASE_IN_PROGRESS) | S(GG_CASE_RETURNED),
                       SAME},
    [GG_CASE_COMMENT] = {"comment", EVERY_STATE, SAME},
};

/* The close of a case handled on the spot: its own path. */
static const unsigned on_site_from = S(GG_CASE_REPORTED) | S(GG_CASE_ACCEPTED);

const char *gg_case_state_name(gg_case_state state)
{
    return (int)state >= 0 && state < GG_CASE_STATE_COUNT ? state_names[state] : NULL;
}

gg_status gg_case_state_parse(gg_ctx *ctx, const char *name, gg_case_state *state)
{
    for (int i = 0; name != NULL && i < GG_CASE_STATE_COUNT; i++)
        if (strcmp(name, state_names[i]) == 0) {
            *state = (gg_case_state)i;
            return GG_OK;
        }
    return gg_error(ctx, GG_ERR_ARG, "unknown incident state '%s'", name ? name : "");
}

const char *gg_case_action_name(gg_case_action action)
{
    return (int)action >= 0 && action < GG_CASE_ACTION_COUNT ? table[action].name : NULL;
}

gg_status gg_case_action_parse(gg_ctx *ctx, const char *name, gg_case_action *action)
{
    for (int i = 0; name != NULL && i < GG_CASE_ACTION_COUNT; i++)
        if (strcmp(name, table[i].name) == 0) {
            *action = (gg_case_action)i;
            return GG_OK;
        }
    char list[256];
    size_t used = 0;
    list[0] = '\0';
    for (int i = 0; i < GG_CASE_ACTION_COUNT && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", table[i].name);
    return gg_error(ctx, GG_ERR_ARG, "unknown action '%s' (expected one of: %s)", name ? name : "", list);
}

/* The states of mask, by name, into out. */
static void states_of(unsigned mask, char *out, size_t size)
{
    size_t used = 0;
    int k = 0;
    out[0] = '\0';
    for (int i = 0; i < GG_CASE_STATE_COUNT && used < size; i++)
        if (mask & S(i))
            used += (size_t)snprintf(out + used, size - used, "%s%s", k++ ? " or " : "", state_names[i]);
}

int gg_case_next(gg_case_state from, gg_case_action action, int on_site, gg_case_state *to, char *why,
                 size_t why_size)
{
    if ((int)action < 0 || action >= GG_CASE_ACTION_COUNT || (int)from < 0 || from >= GG_CASE_STATE_COUNT) {
        if (why != NULL && why_size > 0)
            snprintf(why, why_size, "no such action or state");
        return 0;
    }
    if (on_site && action != GG_CASE_CLOSE) {
        if (why != NULL && why_size > 0)
            snprintf(why, why_size, "only a close is done on the spot");
        return 0;
    }
    unsigned allowed = on_site ? on_site_from : table[action].from;
    if (!(allowed & S(from))) {
        if (why != NULL && why_size > 0) {
            char list[160];
            states_of(allowed, list, sizeof list);
            snprintf(why, why_size, "%s%s takes an incident that is %s, and this one is %s", table[action].name,
                     on_site ? " on the spot" : "", list, state_names[from]);
        }
        return 0;
    }
    *to = on_site ? GG_CASE_CLOSED : table[action].to == SAME ? from : (gg_case_state)table[action].to;
    return 1;
}
