/* The import report: counters and the list of issues, bounded in size. */
#include "io/import.h"

#include <stdio.h>

gg_status gg_report_set(gg_ctx *ctx, char **field, const char *value)
{
    gg_free(ctx, *field);
    *field = NULL;
    if (value == NULL)
        return GG_OK;
    *field = gg_strdup(ctx, value);
    return *field ? GG_OK : gg_error_nomem(ctx);
}

gg_status gg_report_issue(gg_ctx *ctx, gg_import_report *report, size_t max_issues,
                          gg_issue_kind kind, int64_t fid, int64_t line, const char *id,
                          const char *fmt, ...)
{
    if (kind == GG_ISSUE_REPAIRED)
        report->repaired++;
    else if (kind == GG_ISSUE_REJECTED)
        report->rejected++;
    else
        report->warnings++;
    if (max_issues == 0)
        max_issues = 1000;
    if (report->n_issues >= max_issues) {
        report->issues_dropped++;
        return GG_OK;
    }
    size_t cap = report->n_issues; /* the array grows one at a time: issues are rare */
    gg_status st = gg_grow(ctx, (void **)&report->issues, &cap, report->n_issues + 1,
                           sizeof *report->issues);
    if (st != GG_OK)
        return st;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    gg_import_issue *issue = &report->issues[report->n_issues];
    issue->kind = kind;
    issue->fid = fid;
    issue->line = line;
    issue->id = id ? gg_strdup(ctx, id) : NULL;
    issue->message = gg_strdup(ctx, buf);
    if ((id && issue->id == NULL) || issue->message == NULL) {
        gg_free(ctx, issue->id);
        gg_free(ctx, issue->message);
        return gg_error_nomem(ctx);
    }
    report->n_issues++;
    return GG_OK;
}

void gg_import_report_free(gg_ctx *ctx, gg_import_report *report)
{
    if (report == NULL)
        return;
    for (size_t i = 0; i < report->n_issues; i++) {
        gg_free(ctx, report->issues[i].id);
        gg_free(ctx, report->issues[i].message);
    }
    for (size_t i = 0; i < report->n_outside_ids; i++)
        gg_free(ctx, report->outside_ids[i]);
    gg_free(ctx, report->outside_ids);
    gg_free(ctx, report->issues);
    gg_free(ctx, report->layer);
    gg_free(ctx, report->source);
    gg_free(ctx, report->src_layer);
    gg_free(ctx, report->driver);
    gg_free(ctx, report->source_crs);
    gg_free(ctx, report);
}
