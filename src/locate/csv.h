/* Private: a streaming CSV reader (RFC 4180: comma-separated, fields in
 * double quotes may hold commas, quotes doubled and line breaks; CRLF or LF
 * line ends; a UTF-8 byte-order mark skipped). It hands out each record's
 * raw text, to be written back untouched, and its fields unquoted. */
#ifndef GG_LOCATE_CSV_H
#define GG_LOCATE_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "core/ctx.h"

typedef struct gg_csv_field {
    const char *text;           /* unquoted, NUL-terminated */
    size_t len;
} gg_csv_field;

typedef struct gg_csv_reader {
    gg_ctx *ctx;
    FILE *in;                   /* NULL when reading from memory */
    char *buf;                  /* input window */
    size_t cap, start, end;
    int eof, first;
    long long line;             /* physical line where the current record starts (1-based) */
    long long next_line;
    /* the current record */
    const char *raw;            /* its text without the line end (not NUL-terminated) */
    size_t raw_len;
    gg_csv_field *fields;
    size_t n_fields, cap_fields;
    char *text;                 /* unquoted fields, each NUL-terminated */
    size_t cap_text;
} gg_csv_reader;

/* Reads from in, or from a copy of the n bytes at data when in is NULL. */
void gg_csv_init(gg_csv_reader *r, gg_ctx *ctx, FILE *in, const char *data, size_t n);
void gg_csv_free(gg_csv_reader *r);

/* Reads from a copy of n bytes at data that hold whole records from the
 * middle of an input (no byte-order mark is looked for), the first of
 * them on physical line `line`. */
void gg_csv_init_at(gg_csv_reader *r, gg_ctx *ctx, const char *data, size_t n, long long line);

/* The longest record the reader takes (bytes from its first to its line
 * end): a longer one is an error, most likely an unclosed quote. */
#define GG_CSV_MAX_RECORD (16u << 20)

/* Puts n bytes already read from the input (a peek at its start) in front
 * of what is still to be read from in. Call before the first record. */
int gg_csv_prime(gg_csv_reader *r, const char *data, size_t n);

/* The next record: 1, 0 at the end, or -1 on failure (an I/O error, an
 * unterminated quote, a record over 16 MiB: the message names the line).
 * Blank lines are skipped. */
int gg_csv_next(gg_csv_reader *r);

/* Writes text as one CSV field (quoted when it needs to be) to buf, which
 * grows; returns 0 without memory. */
int gg_csv_append_field(gg_ctx *ctx, char **buf, size_t *len, size_t *cap, const char *text, size_t n);

/* A plain decimal ([-+]digits[.digits], at most 19 digits) as strtod
 * reads it, bit for bit, several times faster: *end after it. Returns 0
 * (nothing read) for any other text, which is left to strtod. */
int gg_parse_decimal(const char *text, double *v, const char **end);

#endif
