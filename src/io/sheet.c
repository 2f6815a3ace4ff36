/* The loop's configuration sheets (sheet.h). */
#include "io/sheet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The reader's message, with the sheet's name in front. */
static gg_status reader_error(gg_ctx *ctx, const char *name)
{
    char msg[400];
    snprintf(msg, sizeof msg, "%s", gg_ctx_errmsg(ctx));
    return gg_error(ctx, GG_ERR_FORMAT, "%s: %s", name, msg);
}

gg_status gg_sheet_open(gg_ctx *ctx, gg_sheet *sh, const char *text, size_t len, const char *name,
                        const char *const *columns, int n_columns, int n_required)
{
    memset(sh, 0, sizeof *sh);
    sh->name = name;
    sh->columns = columns;
    sh->n_columns = n_columns < GG_SHEET_MAX_COLUMNS ? n_columns : GG_SHEET_MAX_COLUMNS;
    for (int k = 0; k < GG_SHEET_MAX_COLUMNS; k++)
        sh->at[k] = -1;
    gg_csv_init(&sh->r, ctx, NULL, text, len);
    int rc = gg_csv_next(&sh->r);
    if (rc < 0)
        return reader_error(ctx, name);
    if (rc == 0)
        return gg_error(ctx, GG_ERR_FORMAT, "%s: empty: expected a header line", name);
    for (size_t f = 0; f < sh->r.n_fields; f++)
        for (int k = 0; k < sh->n_columns; k++)
            if (strcasecmp(sh->r.fields[f].text, columns[k]) == 0 && sh->at[k] < 0)
                sh->at[k] = (int)f;
    for (int k = 0; k < n_required && k < sh->n_columns; k++)
        if (sh->at[k] < 0) {
            char want[256];
            size_t used = 0;
            want[0] = '\0';
            for (int j = 0; j < sh->n_columns && used < sizeof want; j++)
                used += (size_t)snprintf(want + used, sizeof want - used, "%s%s%s", j ? "," : "", columns[j],
                                         j < n_required ? "" : "?");
            return gg_error(ctx, GG_ERR_FORMAT, "%s: line 1: the header has no column '%s' (expected %s)", name,
                            columns[k], want);
        }
    return GG_OK;
}

int gg_sheet_next(gg_sheet *sh)
{
    int rc = gg_csv_next(&sh->r);
    if (rc < 0)
        reader_error(sh->r.ctx, sh->name);
    return rc;
}

const char *gg_sheet_field(const gg_sheet *sh, int k)
{
    if (k < 0 || k >= sh->n_columns || sh->at[k] < 0 || (size_t)sh->at[k] >= sh->r.n_fields)
        return "";
    return sh->r.fields[sh->at[k]].text;
}

int gg_sheet_number(const char *text, int max)
{
    char *end = NULL;
    long v = strtol(text, &end, 10);
    return text[0] != '\0' && *end == '\0' && v >= 0 && v <= max ? (int)v : -1;
}

long long gg_sheet_line(const gg_sheet *sh)
{
    return sh->r.line;
}

void gg_sheet_close(gg_sheet *sh)
{
    gg_csv_free(&sh->r);
}
