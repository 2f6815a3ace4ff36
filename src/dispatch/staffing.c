/* Staffing rules: the minimum team of a grid, per class of community,
 * as data (include/govgrid/incident.h). */
#include <stdio.h>
#include <string.h>

#include "core/ctx.h"
#include "govgrid/dispatch.h"
#include "io/sheet.h"
#include "store/cases.h"

gg_status gg_staffing_rules(gg_ctx *ctx, gg_store *store, gg_staffing_rule rules[2])
{
    if (ctx == NULL || store == NULL || rules == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_staffing_rules: NULL argument") : GG_ERR_ARG;
    return gg_store_staffing_rules(store, rules);
}

int gg_staffing_short(const gg_staffing_rule *rule, int leaders, int fulltime, int parttime, int volunteers)
{
    return leaders < rule->leaders || fulltime + parttime < rule->workers || fulltime < rule->fulltime ||
           volunteers < rule->volunteers;
}

gg_status gg_staffing_rules_import(gg_ctx *ctx, gg_store *store, const char *text, size_t len, const char *name)
{
    if (ctx == NULL || store == NULL || text == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_staffing_rules_import: NULL argument") : GG_ERR_ARG;
    static const char *const cols[] = {"class", "leaders", "workers", "fulltime", "volunteers", "note"};
    gg_staffing_rule rules[2];
    int seen[2] = {0, 0};
    memset(rules, 0, sizeof rules);
    gg_sheet sh;
    gg_status st = gg_sheet_open(ctx, &sh, text, len, name, cols, 6, 5);
    int rc = 0;
    while (st == GG_OK && (rc = gg_sheet_next(&sh)) > 0) {
        long long line = gg_sheet_line(&sh);
        const char *cls = gg_sheet_field(&sh, 0);
        int both = strcmp(cls, "*") == 0, k = strcmp(cls, "rural") == 0;
        if (!both && strcmp(cls, "urban") != 0 && strcmp(cls, "rural") != 0) {
            st = gg_error(ctx, GG_ERR_FORMAT, "%s: line %lld: class '%.40s' is not urban, rural or '*'", name, line,
                          cls);
            break;
        }
        int v[4];
        for (int j = 0; j < 4 && st == GG_OK; j++)
            if ((v[j] = gg_sheet_number(gg_sheet_field(&sh, j + 1), 100)) < 0)
                st = gg_error(ctx, GG_ERR_FORMAT, "%s: line %lld: %s '%.20s' is not a whole number from 0 to 100",
                              name, line, cols[j + 1], gg_sheet_field(&sh, j + 1));
        if (st == GG_OK && v[2] > v[1])
            st = gg_error(ctx, GG_ERR_FORMAT,
                          "%s: line %lld: %d full-time workers asked of %d workers: full-time ones are workers too",
                          name, line, v[2], v[1]);
        if (st == GG_OK && strlen(gg_sheet_field(&sh, 5)) >= sizeof rules[0].note)
            st = gg_error(ctx, GG_ERR_FORMAT, "%s: line %lld: the note is longer than %zu bytes", name, line,
                          sizeof rules[0].note - 1);
        for (int j = 0; j < 2 && st == GG_OK; j++) {
            if (!both && j != k)
                continue;
            if (seen[j]) {
                st = gg_error(ctx, GG_ERR_FORMAT, "%s: line %lld: the %s rule is given twice", name, line,
                              j ? "rural" : "urban");
                break;
            }
            seen[j] = 1;
            gg_staffing_rule *r = &rules[j];
            snprintf(r->class_name, sizeof r->class_name, "%s", j ? "rural" : "urban");
            r->leaders = v[0];
            r->workers = v[1];
            r->fulltime = v[2];
            r->volunteers = v[3];
            snprintf(r->note, sizeof r->note, "%s", gg_sheet_field(&sh, 5));
        }
    }
    if (st == GG_OK && rc < 0)
        st = gg_ctx_errcode(ctx);
    if (st == GG_OK && !(seen[0] && seen[1]))
        st = gg_error(ctx, GG_ERR_FORMAT, "%s: no rule for %s communities (give class %s, or '*' for both)", name,
                      seen[0] ? "rural" : "urban", seen[0] ? "rural" : "urban");
    gg_sheet_close(&sh);
    if (st == GG_OK)
        st = gg_store_begin(store);
    if (st == GG_OK) {
        st = gg_store_staffing_rules_replace(store, rules);
        if (st == GG_OK)
            st = gg_store_commit(store);
        else
            gg_store_rollback(store);
    }
    return st;
}
