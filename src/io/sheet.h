/* Private: the small CSV sheets that configure the loop (escalation
 * levels, their contacts, staffing rules): a header naming the columns,
 * in any order, then one row per line. Messages name the sheet and the
 * line. */
#ifndef GG_IO_SHEET_H
#define GG_IO_SHEET_H

#include "locate/csv.h"

#define GG_SHEET_MAX_COLUMNS 8

typedef struct gg_sheet {
    gg_csv_reader r;
    const char *name;
    const char *const *columns;
    int n_columns;
    int at[GG_SHEET_MAX_COLUMNS];   /* each column's field in a row, -1 when the header lacks it */
} gg_sheet;

/* Reads the header of text (len bytes; name for messages): each of
 * columns[0..n_required) must be there; the rest may be. GG_ERR_FORMAT
 * naming what is missing. gg_sheet_close in every case. */
gg_status gg_sheet_open(gg_ctx *ctx, gg_sheet *sh, const char *text, size_t len, const char *name,
                        const char *const *columns, int n_columns, int n_required);
/* The next row: 1, 0 at the end, -1 on an error (set on ctx). */
int gg_sheet_next(gg_sheet *sh);
/* Column k of the current row ("" when absent). */
const char *gg_sheet_field(const gg_sheet *sh, int k);
/* A whole number from 0 to max written as text (no sign, nothing after
 * it), or -1. */
int gg_sheet_number(const char *text, int max);
/* The current row's line. */
long long gg_sheet_line(const gg_sheet *sh);
void gg_sheet_close(gg_sheet *sh);

#endif
