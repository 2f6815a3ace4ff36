/* Private: what the batch's files share (src/locate/batch.c reads rows
 * of CSV, NDJSON and GeoJSON, locates, picks and writes them; batch_csv.c
 * is the CSV-to-CSV pipeline, which reads its input in chunks). */
#ifndef GG_LOCATE_BATCH_H
#define GG_LOCATE_BATCH_H

#include <jansson.h>
#include <stdio.h>

#include "govgrid/geo.h"
#include "locate/csv.h"
#include "locate/locate.h"

/* A row is what every stage reads, 96 bytes; the reason an invalid row
 * has is kept apart, in its block (a block's rows, 8,000 or so, then
 * stay in a core's second-level cache with its chunk and output: with
 * the reason inline, a row was 208 bytes, and the process took 4% more
 * CPU time). */
typedef struct row {
    long long line;             /* input line (CSV, NDJSON) or feature number (GeoJSON, from 1) */
    size_t text_at, text_len;   /* CSV: the row's text to write back, in the block's text (or its chunk) */
    json_t *obj;                /* JSON: the object written back (owned) */
    double lon, lat;            /* as given, then WGS 84 */
    int valid;
    int text_in_chunk;          /* the text lies in the block's chunk of input, not its own text */
    gg_locate_result res;
    const gg_roster_person *worker, *leader; /* once picked (in input order) */
    uint32_t reason;            /* its reason in the block's (from 1), 0 for none */
} row;

/* Why a row is invalid (as long as it was: snprintf cuts longer ones). */
#define REASON_BYTES 112

typedef struct row_reason {
    char text[REASON_BYTES];
} row_reason;

/* Output text being made. */
typedef struct obuf {
    gg_ctx *ctx;
    char *p;
    size_t len, cap;
} obuf;

#define MAX_JOBS 64

/* Rows read together and handed on together: located, picked, written. */
typedef struct block {
    row *rows;
    size_t n, cap;
    row_reason *reasons;        /* the invalid rows' reasons */
    size_t n_reasons, cap_reasons;
    char *text;
    size_t text_len, text_cap;
    const char *chunk;          /* CSV to CSV: the input the rows' texts lie in (gg_batch_csv_pipeline) */
    obuf out;                   /* CSV to CSV: the block's rows, formatted (gg_batch_csv_pipeline) */
} block;

/* One call of gg_locate_batch: its input, output and what the rows share. */
typedef struct batch {
    gg_ctx *ctx;
    const gg_locator *loc;
    const gg_locate_batch_options *o;
    const char *name;
    FILE *in, *out;
    gg_table_format in_format, out_format;
    gg_transform *transform;    /* EPSG and CGCS2000 inputs */
    gg_worker_pick pick;        /* who takes a row (opts->pick); pick.pick NULL: the leader */
    gg_locate_summary *sum;
    /* CSV input */
    gg_csv_reader csv;
    char **header;              /* field names */
    size_t n_header;
    int lon_col, lat_col;
    /* JSON input */
    char *peek;
    size_t peek_len, peek_at;
    json_t *all;                /* GeoJSON: the whole document */
    size_t next_feature;
    const char *lon_key, *lat_key;
    int keys_given;
    long long line;
    /* output */
    obuf out_buf;
    size_t n_written;
    char **out_columns;         /* CSV output from JSON input: the columns, from the first row */
    size_t n_out_columns;
    /* CSV output: each grid's and each person's located fields as CSV text
     * made once ("," before each field), so that a row copies three pieces:
     * a grid's code to county; a person's id, name and phone as a worker,
     * the same without the phone as a leader */
    char *frag;
    size_t frag_len;
    size_t *grid_frag;          /* offsets into frag, ending at the next one */
    size_t *person_frag;        /* offsets into frag, ending at the next one */
    size_t *person_phone;       /* where the person's ",phone" starts: the leader's piece ends there */
} batch;

/* A run of a block's rows for a thread (gg_batch_locate_slice,
 * gg_batch_format_slice). */
typedef struct slice {
    const batch *b;
    block *k;
    size_t from, to;
    int ok;                     /* gg_batch_format_slice: the rows went into k->out */
} slice;

/* A coordinate from a field's text; on failure, why into reason. */
int gg_batch_parse_coord(const char *field, const char *text, double *v, char *reason, size_t size);

/* Gives a row the reason text (cut to REASON_BYTES - 1 bytes), or the
 * text formatted; 0 without memory. Allocate through the context only:
 * safe on a locating thread. */
int gg_batch_keep_reason(gg_ctx *ctx, block *k, row *r, const char *text);
int gg_batch_set_reason(gg_ctx *ctx, block *k, row *r, const char *fmt, ...);

/* Appends n bytes to the block's text (*at: where); 0 without memory. */
int gg_batch_block_text(gg_ctx *ctx, block *k, const char *s, size_t n, size_t *at);

/* The CSV reader's failure, prefixed with the input's name. */
gg_status gg_batch_reader_error(batch *b);

/* The reader's current record made into a row of the block (none for a
 * blank line). */
gg_status gg_batch_csv_record(batch *b, block *k, const gg_csv_reader *c);

/* Converts a block's valid rows to WGS 84 and checks their range; 0
 * when a reason could not be kept (no memory). With b->transform (PROJ),
 * on the calling thread only. */
int gg_batch_convert(batch *b, block *k);

/* A slice's valid rows located (arg: a slice); its rows formatted as CSV
 * into the block's out, s->ok set (arg: a slice). */
void *gg_batch_locate_slice(void *arg);
void *gg_batch_format_slice(void *arg);

/* Gives a block's rows their workers, in input order (blocks take turns:
 * the pick is not thread-safe). */
void gg_batch_pick_rows(batch *b, block *k);

/* Writes o to the output and empties it; the batch's own buffer. */
gg_status gg_batch_write_out(batch *b, obuf *o);
gg_status gg_batch_flush_out(batch *b);

/* Empties a block for reuse; frees what it holds. */
void gg_batch_block_clear(block *k);
void gg_batch_block_free(gg_ctx *ctx, block *k);

/* CSV to CSV with jobs threads, after the header (batch_csv.c). */
gg_status gg_batch_csv_pipeline(batch *b, int jobs);

#endif
