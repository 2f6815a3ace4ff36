/* Escalation levels and their contacts: the project's, as imported from
 * sheets (include/govgrid/incident.h). */
#include "incident/levels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "worktime/limits.h"
#include "io/sheet.h"
#include "store/cases.h"

static const char *const scopes[] = {"grid", "community", "township", "district"};

static int scope_rank(const char *scope)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(scope, scopes[i]) == 0)
            return i;
    return -1;
}

gg_status gg_case_levels(gg_ctx *ctx, gg_store *store, gg_case_level *levels, size_t *n)
{
    if (ctx == NULL || store == NULL || levels == NULL || n == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_case_levels: NULL argument") : GG_ERR_ARG;
    gg_status st = gg_store_case_levels(store, levels, n);
    if (st == GG_OK && *n == 0)
        st = gg_error(ctx, GG_ERR_STORE, "%s: the project has no escalation levels", store->path);
    return st;
}

/* A catalogue route to a level that the levels being imported lack. */
typedef struct lost_route {
    const gg_case_level *levels;
    size_t n;
    char route[40], item[40];
} lost_route;

static int route_lost(void *ud, const char *route, const char *item)
{
    lost_route *l = ud;
    const char *to = route + 6;
    for (size_t i = 0; i < l->n; i++)
        if (i > 0 && (strcmp(l->levels[i].scope, to) == 0 || (to[0] >= '1' && to[0] <= '9' && atoi(to) == (int)i)))
            return 0;
    snprintf(l->route, sizeof l->route, "%s", route);
    snprintf(l->item, sizeof l->item, "%s", item);
    return 1;
}

gg_status gg_case_levels_import(gg_ctx *ctx, gg_store *store, const char *text, size_t len, const char *name,
                                size_t *n)
{
    if (n != NULL)
        *n = 0;
    if (ctx == NULL || store == NULL || text == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_case_levels_import: NULL argument") : GG_ERR_ARG;
    static const char *const cols[] = {"level", "name", "scope", "handle_within"};
    gg_case_level levels[GG_CASE_LEVELS_MAX];
    size_t count = 0;
    gg_sheet sh;
    gg_status st = gg_sheet_open(ctx, &sh, text, len, name, cols, 4, 3);
    int rc = 0;
    while (st == GG_OK && (rc = gg_sheet_next(&sh)) > 0) {
        long long line = gg_sheet_line(&sh);
        if (count == GG_CASE_LEVELS_MAX) {
            st = gg_error(ctx, GG_ERR_FORMAT, "%s: line %lld: more than %d levels", name, line, GG_CASE_LEVELS_MAX);
            break;
        }
        gg_case_level *l = &levels[count];
        memset(l, 0, sizeof *l);
        l->level = gg_sheet_number(gg_sheet_field(&sh, 0), GG_CASE_LEVELS_MAX - 1);
        const char *lname = gg_sheet_field(&sh, 1), *scope = gg_sheet_field(&sh, 2),
                   *limit = gg_sheet_field(&sh, 3);
        gg_limit stages[GG_MAX_STAGES];
        char why[160];
        if (l->level != (int)count)
            st = gg_error(ctx, GG_ERR_FORMAT, "%s: line %lld: level '%s': expected %zu (levels run 0, 1, ... in order)",
                          name, line, gg_sheet_field(&sh, 0), count);
        else if (lname[0] == '\0' || strlen(lname) >= sizeof l->name)
            st = gg_error(ctx, GG_ERR_FORMAT, "%s: line %lld: a level needs a name (at most %zu bytes)", name, line,
                          sizeof l->name - 1);
        else if (scope_rank(scope) < 0)
            st = gg_error(ctx, GG_ERR_FORMAT,
                          "%s: line %lld: scope '%.40s' is not one of grid, community, township, district", name,
                          line, scope);
        else if (count == 0 && strcmp(scope, "grid") != 0)
            st = gg_error(ctx, GG_ERR_FORMAT, "%s: line %lld: level 0 is the grid's (scope grid), not %s", name, line,
                          scope);
        else if (count > 0 && scope_rank(scope) < scope_rank(levels[count - 1].scope))
            st = gg_error(ctx, GG_ERR_FORMAT, "%s: line %lld: scope %s is narrower than level %zu's (%s)", name, line,
                          scope, count - 1, levels[count - 1].scope);
        else if (limit[0] != '\0' &&
                 (strlen(limit) >= sizeof l->handle_within || gg_limits_parse(limit, stages, GG_MAX_STAGES, why, sizeof why) == 0))
            st = gg_error(ctx, GG_ERR_FORMAT, "%s: line %lld: handle_within '%.40s': %s", name, line, limit,
                          strlen(limit) >= sizeof l->handle_within ? "too long" : why);
        if (st != GG_OK)
            break;
        snprintf(l->name, sizeof l->name, "%s", lname);
        snprintf(l->scope, sizeof l->scope, "%s", scope);
        snprintf(l->handle_within, sizeof l->handle_within, "%s", limit);
        count++;
    }
    if (st == GG_OK && rc < 0)
        st = gg_ctx_errcode(ctx);
    if (st == GG_OK && count < 2)
        st = gg_error(ctx, GG_ERR_FORMAT, "%s: %zu level%s: an incident needs the grid and at least one level above it",
                      name, count, count == 1 ? "" : "s");
    gg_sheet_close(&sh);
    if (st != GG_OK)
        return st;
    st = gg_store_begin(store);
    /* The catalogue may send an item straight to a level: that level, or
     * a level of that scope, must stay. */
    lost_route lost = {levels, count, "", ""};
    if (st == GG_OK)
        st = gg_store_catalogue_level_routes(store, route_lost, &lost);
    if (st == GG_OK && lost.route[0] != '\0')
        st = gg_error(ctx, GG_ERR_FORMAT,
                      "%s: the catalogue's item %s goes straight to %s (its route), which these %zu levels do not"
                      " have: import a catalogue that routes it otherwise first",
                      name, lost.item, lost.route, count);
    if (st == GG_OK)
        st = gg_store_case_levels_replace(store, levels, count);
    if (st == GG_OK)
        st = gg_store_commit(store);
    else
        gg_store_rollback(store);
    if (st == GG_OK && n != NULL)
        *n = count;
    return st;
}

gg_status gg_level_contacts_import(gg_ctx *ctx, gg_store *store, const char *text, size_t len, const char *name,
                                   size_t *n)
{
    if (n != NULL)
        *n = 0;
    if (ctx == NULL || store == NULL || text == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_level_contacts_import: NULL argument") : GG_ERR_ARG;
    gg_case_level levels[GG_CASE_LEVELS_MAX];
    size_t n_levels = 0;
    gg_status st = gg_case_levels(ctx, store, levels, &n_levels);
    if (st != GG_OK)
        return st;
    static const char *const cols[] = {"level", "division", "name", "phone"};
    gg_level_contact *contacts = NULL;
    size_t count = 0, cap = 0;
    gg_sheet sh;
    st = gg_sheet_open(ctx, &sh, text, len, name, cols, 4, 3);
    int rc = 0;
    while (st == GG_OK && (rc = gg_sheet_next(&sh)) > 0) {
        long long line = gg_sheet_line(&sh);
        int level = gg_sheet_number(gg_sheet_field(&sh, 0), GG_CASE_LEVELS_MAX - 1);
        const char *div = gg_sheet_field(&sh, 1), *cname = gg_sheet_field(&sh, 2), *phone = gg_sheet_field(&sh, 3);
        size_t dl = strlen(div);
        int digits = dl > 0;
        for (size_t i = 0; i < dl; i++)
            digits = digits && div[i] >= '0' && div[i] <= '9';
        if (level < 1 || (size_t)level >= n_levels)
            st = gg_error(ctx, GG_ERR_FORMAT,
                          "%s: line %lld: level '%s' is not one above the grid (the project has levels 1 to %zu;"
                          " the grid's contact is its leader)",
                          name, line, gg_sheet_field(&sh, 0), n_levels - 1);
        else if (strcmp(div, "*") != 0 && !(digits && (dl == 6 || dl == 9 || dl == 12)))
            st = gg_error(ctx, GG_ERR_FORMAT,
                          "%s: line %lld: division '%.40s' is not a 6-, 9- or 12-digit division code or '*'", name,
                          line, div);
        else if (cname[0] == '\0' || strlen(cname) >= 64 || strlen(phone) >= 32)
            st = gg_error(ctx, GG_ERR_FORMAT, "%s: line %lld: a contact needs a name (at most 63 bytes) and a phone"
                          " of at most 31", name, line);
        for (size_t i = 0; st == GG_OK && i < count; i++)
            if (contacts[i].level == level && strcmp(contacts[i].division, div) == 0)
                st = gg_error(ctx, GG_ERR_FORMAT, "%s: line %lld: level %d already has a contact for %s", name, line,
                              level, div);
        if (st == GG_OK && gg_grow(ctx, (void **)&contacts, &cap, count + 1, sizeof *contacts) != GG_OK)
            st = GG_ERR_NOMEM;
        if (st != GG_OK)
            break;
        gg_level_contact *c = &contacts[count++];
        memset(c, 0, sizeof *c);
        c->level = level;
        snprintf(c->division, sizeof c->division, "%s", div);
        snprintf(c->name, sizeof c->name, "%s", cname);
        snprintf(c->phone, sizeof c->phone, "%s", phone);
    }
    if (st == GG_OK && rc < 0)
        st = gg_ctx_errcode(ctx);
    gg_sheet_close(&sh);
    if (st == GG_OK)
        st = gg_store_begin(store);
    if (st == GG_OK) {
        st = gg_store_level_contacts_replace(store, contacts, count);
        if (st == GG_OK)
            st = gg_store_commit(store);
        else
            gg_store_rollback(store);
    }
    gg_free(ctx, contacts);
    if (st == GG_OK && n != NULL)
        *n = count;
    return st;
}

gg_status gg_case_level_contact(gg_store *store, const gg_case_level *lv, const gg_case *c, char name[64],
                                char phone[32])
{
    char divisions[3][16];
    const char *list[3];
    size_t n = 0;
    int rank = scope_rank(lv->scope);
    size_t len = strlen(c->community);
    /* The division of the level's scope that holds the incident. */
    int want = rank == 1 ? 12 : rank == 2 ? 9 : rank == 3 ? 6 : 0;
    if (want > 0 && len >= (size_t)want) {
        snprintf(divisions[n], sizeof divisions[n], "%.*s", want, c->community);
        list[n] = divisions[n];
        n++;
    }
    return gg_store_level_contact(store, lv->level, list, n, name, phone);
}
