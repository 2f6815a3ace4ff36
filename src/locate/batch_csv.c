/* The CSV-to-CSV pipeline of a batch: the input read in chunks of whole
 * records, made into rows on the locating threads, written in order. */
#include "locate/batch.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The calling thread reads the input in chunks of whole records and
 * writes finished blocks in order; jobs threads each take a whole block,
 * make its rows from its chunk, locate them, give them their workers
 * (blocks take turns here, in input order, so that the round robin is the
 * same for any jobs) and format them. The rows are made on the workers
 * because that is most of the reading: the calling thread only finds
 * where the last whole record of a chunk ends, so that it is free to
 * write. A chunk with a quote in it (rare: a field holding a comma or a
 * line break) or an input in a CRS that PROJ converts has its rows made
 * by the calling thread, through the reader, as before. */

/* Bytes read into a chunk at a time: its rows, text and output stay in
 * the second-level cache of the core that handles it. */
#define CHUNK_BYTES (256u << 10)
/* Readable bytes after a chunk's closing NUL (field_stop reads 8 at a time). */
#define CHUNK_SLACK 8

typedef struct pipe_block {
    block k;
    uint64_t seq;
    int state;                  /* PIPE_FREE, PIPE_READY, PIPE_TAKEN, PIPE_DONE */
    int failed;
    char *chunk;                /* whole records of the input, chunk_len bytes and a NUL */
    size_t chunk_len, chunk_cap;
    long long chunk_line;       /* the physical line the chunk starts on */
    int plain;                  /* no quote in the chunk: its rows are still to be made (by the worker) */
} pipe_block;

enum { PIPE_FREE, PIPE_READY, PIPE_TAKEN, PIPE_DONE };

/* The calling thread's place in the input: the start of a record not yet
 * whole at the end of the last chunk, carried to the next. */
typedef struct chunk_reader {
    char *carry;
    size_t carry_len, carry_cap;
    long long line;             /* the physical line the next chunk starts on */
    int eof;
} chunk_reader;

typedef struct pipeline {
    batch *b;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pipe_block *blocks;
    int n_blocks;
    uint64_t next_pick;
    int stop;
    chunk_reader in;
} pipeline;

static long long count_lines(const char *s, size_t n)
{
    long long lines = 0;
    for (const char *p = s, *end = s + n; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
        lines++;
    return lines;
}

/* The offset of the line end of the record that starts at i, as the
 * reader splits records (a line break inside quotes is the field's); n
 * when it does not end within s[0, n). */
static size_t record_end(const char *s, size_t n, size_t i)
{
    int quoted = 0, after_quote = 0, filled = 0;
    for (; i < n; i++) {
        char c = s[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 == n)
                    return n; /* a doubled quote or the closing one: the next byte tells */
                if (s[i + 1] == '"')
                    i++;
                else
                    quoted = 0, after_quote = 1;
            }
            filled = 1;
            continue;
        }
        if (c == '\n' || c == '\r')
            return i;
        if (c == ',')
            filled = after_quote = 0;
        else if (c == '"' && !filled && !after_quote)
            quoted = 1;
        else
            filled = 1;
    }
    return n;
}

/* The offset just past the line end of the last whole record in s[0, n),
 * 0 when there is none; *long_at is set to the start of the first
 * record of GG_CSV_MAX_RECORD bytes or more among them (whole or not),
 * or to n. */
static size_t whole_records(const char *s, size_t n, int quotes, size_t *long_at)
{
    *long_at = n;
    size_t cut = 0;
    if (!quotes && n < GG_CSV_MAX_RECORD) {
        /* every line end ends a record: no record can be that long */
        for (size_t i = n; i-- > 0;)
            if (s[i] == '\n' || s[i] == '\r')
                return i + 1;
        return 0;
    }
    for (size_t i = 0;;) {
        while (i < n && (s[i] == '\n' || s[i] == '\r'))
            i++;
        if (i == n)
            return n;
        size_t e = record_end(s, n, i);
        if (e - i >= GG_CSV_MAX_RECORD && *long_at == n)
            *long_at = i;
        if (e == n)
            return cut;
        i = e + 1;
        cut = i;
    }
}

/* Fills a block's chunk with the next whole records of the input: the
 * carried start of a record, then CHUNK_BYTES more (more, doubling, while
 * not one record is whole, up to the reader's limit on a record). The
 * rest, the start of a record not yet whole, is carried to the next
 * chunk. The chunks are the same whatever the blocks and jobs: only the
 * rows written before an error in the input depend on them. *more = 0
 * once the input is done. */
static gg_status read_chunk(batch *b, chunk_reader *in, pipe_block *pb, int *more)
{
    size_t len = in->carry_len, step = CHUNK_BYTES;
    pb->chunk_line = in->line;
    size_t cut, long_at;
    for (int first = 1;; first = 0) {
        size_t want = len + step + 1 + CHUNK_SLACK;
        if (pb->chunk_cap < want) {
            char *grown = gg_realloc(b->ctx, pb->chunk, want);
            if (grown == NULL)
                return gg_error_nomem(b->ctx);
            pb->chunk = grown;
            pb->chunk_cap = want;
        }
        if (first && len)
            memcpy(pb->chunk, in->carry, len);
        if (!in->eof) {
            size_t got = fread(pb->chunk + len, 1, step, b->in);
            len += got;
            if (got < step) {
                if (ferror(b->in))
                    return gg_error(b->ctx, GG_ERR_IO, "%s: line %lld: read failed: %s", b->name, in->line,
                                    strerror(errno));
                in->eof = 1;
            }
        }
        int quotes = memchr(pb->chunk, '"', len) != NULL;
        cut = whole_records(pb->chunk, len, quotes, &long_at);
        if (in->eof)
            cut = len; /* the last record ends with the input */
        if (long_at < cut || (long_at < len && len - long_at >= GG_CSV_MAX_RECORD))
            return gg_error(b->ctx, GG_ERR_FORMAT, "%s: line %lld: a record longer than %u bytes (an unclosed quote?)",
                            b->name, in->line + count_lines(pb->chunk, long_at), GG_CSV_MAX_RECORD);
        if (cut > 0 || in->eof)
            break;
        step *= 2; /* not one whole record yet: read on */
    }
    size_t rest = len - cut;
    if (rest > in->carry_cap) {
        char *grown = gg_realloc(b->ctx, in->carry, rest);
        if (grown == NULL)
            return gg_error_nomem(b->ctx);
        in->carry = grown;
        in->carry_cap = rest;
    }
    if (rest)
        memcpy(in->carry, pb->chunk + cut, rest);
    in->carry_len = rest;
    in->line += count_lines(pb->chunk, cut);
    pb->chunk_len = cut;
    memset(pb->chunk + cut, 0, 1 + CHUNK_SLACK); /* the NUL, and bytes field_stop may read past it */
    pb->k.chunk = pb->chunk;
    pb->plain = memchr(pb->chunk, '"', cut) == NULL && b->transform == NULL;
    *more = !(in->eof && rest == 0);
    return GG_OK;
}

/* The rows of a chunk with a quote in it (or to be converted by PROJ),
 * made and converted by the calling thread through the reader. */
static gg_status reader_rows(batch *b, pipe_block *pb)
{
    gg_csv_reader r;
    gg_csv_init_at(&r, b->ctx, pb->chunk, pb->chunk_len, pb->chunk_line);
    if (r.buf == NULL)
        return gg_error_nomem(b->ctx);
    gg_status st = GG_OK;
    for (;;) {
        int got = gg_csv_next(&r);
        if (got < 0) {
            st = gg_batch_reader_error(b);
            break;
        }
        if (got == 0)
            break;
        st = gg_batch_csv_record(b, &pb->k, &r);
        if (st != GG_OK)
            break;
    }
    gg_csv_free(&r);
    if (st == GG_OK && !gg_batch_convert(b, &pb->k))
        st = gg_error_nomem(b->ctx);
    return st;
}

/* A row added for the plain reader: what csv_record sets, without
 * clearing the reason, which only an invalid row writes. */
static row *plain_row(const batch *b, block *k)
{
    if (k->n == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 1024;
        row *grown = gg_realloc(b->ctx, k->rows, cap * sizeof *grown);
        if (grown == NULL)
            return NULL;
        k->rows = grown;
        k->cap = cap;
    }
    row *r = &k->rows[k->n++];
    r->obj = NULL;
    r->valid = 0;
    r->reason = 0;
    r->res.grid = -1;
    r->res.status = GG_LOCATE_INVALID;
    r->res.distance_m = NAN;
    r->res.on_boundary = 0;
    r->worker = r->leader = NULL;
    return r;
}

/* A coordinate from the bytes [s, e) of a field of a plain chunk: a plain
 * decimal, read where it lies; anything else as the reader would give
 * the field (a NUL-terminated copy, so ending at a NUL in it) to
 * gg_batch_parse_coord, for the same value or the same reason. *nomem is set when
 * the copy cannot be made. */
static int plain_coord(const batch *b, int col, const char *s, const char *e, double *v, char *reason,
                       size_t size, int *nomem)
{
    size_t n = (size_t)(e - s);
    if (memchr(s, '\0', n) == NULL) {
        const char *t = s, *stop;
        while (t < e && (*t == ' ' || *t == '\t'))
            t++;
        double d;
        /* the field ends at a comma, a line end or the chunk's NUL, where
         * the decimal stops at the latest */
        if (t < e && gg_parse_decimal(t, &d, &stop)) {
            while (stop < e && (*stop == ' ' || *stop == '\t'))
                stop++;
            if (stop == e) {
                *v = d;
                return 1;
            }
        }
    }
    char small[64];
    char *text = n < sizeof small ? small : gg_malloc(b->ctx, n + 1);
    if (text == NULL) {
        *nomem = 1;
        return 0;
    }
    memcpy(text, s, n);
    text[n] = '\0';
    int ok = gg_batch_parse_coord(b->header[col], text, v, reason, size);
    if (text != small)
        gg_free(b->ctx, text);
    return ok;
}

/* A plain record [rec, end) of n_fields fields that are not the header's
 * number, padded or cut to the header's width in the block's text, as
 * csv_record does (each field as the reader gives it: up to a NUL). */
static int plain_padded(const batch *b, block *k, row *r, const char *rec, const char *end, size_t n_fields)
{
    size_t len = 0, cap = 0;
    char *s = NULL;
    const char *f = rec;
    int ok = 1;
    for (size_t i = 0; i < b->n_header && ok; i++) {
        const char *t = "";
        size_t tn = 0;
        if (i < n_fields) {
            const char *fe = memchr(f, ',', (size_t)(end - f));
            if (fe == NULL)
                fe = end;
            t = f;
            tn = strnlen(f, (size_t)(fe - f));
            f = fe < end ? fe + 1 : end;
        }
        if (i) {
            ok = gg_csv_append_field(b->ctx, &s, &len, &cap, "", 0);
            if (ok)
                s[len++] = ',';
        }
        ok = ok && gg_csv_append_field(b->ctx, &s, &len, &cap, t, tn);
    }
    ok = ok && gg_batch_block_text(b->ctx, k, s ? s : "", len, &r->text_at);
    gg_free(b->ctx, s);
    if (!ok)
        return 0;
    r->text_len = len;
    r->text_in_chunk = 0;
    return gg_batch_set_reason(b->ctx, k, r, "the row has %zu field%s, the header %zu", n_fields, n_fields == 1 ? "" : "s",
                      b->n_header);
}

/* The rows of a chunk with no quote in it: a record is its bytes up to a
 * line end and its fields the bytes between commas, so one scan finds a
 * row, whose text stays where it lies in the chunk; the coordinates are
 * read in place. Where the reader would do more (a row of another width
 * than the header, a coordinate that is not a plain decimal), it is done
 * as csv_record does it, so that the rows are the reader's, byte for
 * byte. Runs on a worker: records no error in the context; returns 0
 * when out of memory. */
#define BYTES_01 0x0101010101010101ULL
#define BYTES_80 0x8080808080808080ULL

/* The high bit of each zero byte of v; above the lowest, there may be
 * others that are not (a borrow), which the callers do not look at. */
static inline uint64_t zero_bytes(uint64_t v)
{
    return (v - BYTES_01) & ~v & BYTES_80;
}

/* The first byte at or after p that may end a field: a comma, a line end
 * or a NUL (the chunk ends with one, and 8 more readable bytes), looked
 * for 8 bytes at a time. */
static inline const char *field_stop(const char *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    for (;; p += 8) {
        uint64_t w;
        memcpy(&w, p, sizeof w);
        uint64_t m = zero_bytes(w) | zero_bytes(w ^ (BYTES_01 * ',')) | zero_bytes(w ^ (BYTES_01 * '\n')) |
                     zero_bytes(w ^ (BYTES_01 * '\r'));
        if (m)
            return p + (__builtin_ctzll(m) >> 3);
    }
#else
    while (*p != ',' && *p != '\n' && *p != '\r' && *p != '\0')
        p++;
    return p;
#endif
}

static int plain_rows(const batch *b, block *k, const char *data, size_t n, long long line)
{
    const char *p = data, *end = data + n;
    int lon_col = b->lon_col, lat_col = b->lat_col;
    int nomem = 0;
    while (p < end && !nomem) {
        if (*p == '\n') {
            line++;
            p++;
            continue;
        }
        if (*p == '\r') {
            p++;
            continue;
        }
        const char *rec = p, *field = p;
        const char *lon_s = NULL, *lon_e = NULL, *lat_s = NULL, *lat_e = NULL;
        size_t n_fields = 0;
        for (;; p++) {
            /* to the next byte that may end a field (a NUL inside the
             * chunk is a field's byte) */
            p = field_stop(p);
            char c = p < end ? *p : '\n';
            if (c == '\0')
                continue;
            if ((int)n_fields == lon_col)
                lon_s = field, lon_e = p;
            if ((int)n_fields == lat_col)
                lat_s = field, lat_e = p;
            n_fields++;
            if (c != ',')
                break;
            field = p + 1;
        }
        if (n_fields == 1) {
            const char *t = rec;
            while (t < p && (*t == ' ' || *t == '\t'))
                t++;
            if (t == p || *t == '\0')
                continue; /* a blank line, as the reader sees it */
        }
        row *r = plain_row(b, k);
        if (r == NULL)
            return 0;
        r->line = line;
        r->text_in_chunk = 1;
        r->text_at = (size_t)(rec - data);
        r->text_len = (size_t)(p - rec);
        if (n_fields != b->n_header) {
            if (!plain_padded(b, k, r, rec, p, n_fields))
                return 0;
            continue;
        }
        char why[REASON_BYTES];
        r->valid = plain_coord(b, lon_col, lon_s, lon_e, &r->lon, why, sizeof why, &nomem) &&
                   plain_coord(b, lat_col, lat_s, lat_e, &r->lat, why, sizeof why, &nomem);
        if (!r->valid && !nomem && !gg_batch_keep_reason(b->ctx, k, r, why))
            return 0;
    }
    return !nomem;
}

/* Makes the rows of a plain chunk (the worker's part of reading), then
 * locates, picks and formats one block (the caller has taken it). */
static void pipe_work(pipeline *pl, pipe_block *pb, int threaded)
{
    batch *b = pl->b;
    block *k = &pb->k;
    if (pb->plain) {
        pb->failed = !plain_rows(b, k, pb->chunk, pb->chunk_len, pb->chunk_line) ||
                     !gg_batch_convert(b, k); /* no PROJ (plain is only set without): nothing shared is written */
    }
    slice sl = {b, k, 0, pb->failed ? 0 : k->n, 1};
    gg_batch_locate_slice(&sl);
    if (threaded) {
        pthread_mutex_lock(&pl->mu);
        while (pl->next_pick != pb->seq)
            pthread_cond_wait(&pl->cv, &pl->mu);
        pthread_mutex_unlock(&pl->mu);
    }
    if (!pb->failed)
        gg_batch_pick_rows(b, k);
    if (threaded) {
        pthread_mutex_lock(&pl->mu);
        pl->next_pick++;
        pthread_cond_broadcast(&pl->cv);
        pthread_mutex_unlock(&pl->mu);
    } else {
        pl->next_pick++;
    }
    if (pb->failed)
        return;
    k->out.ctx = b->ctx;
    gg_batch_format_slice(&sl);
    pb->failed = !sl.ok;
}

static void *pipe_worker(void *arg)
{
    pipeline *pl = arg;
    pthread_mutex_lock(&pl->mu);
    for (;;) {
        pipe_block *take = NULL;
        for (int i = 0; i < pl->n_blocks; i++)
            if (pl->blocks[i].state == PIPE_READY && (take == NULL || pl->blocks[i].seq < take->seq))
                take = &pl->blocks[i];
        if (take == NULL) {
            if (pl->stop)
                break;
            pthread_cond_wait(&pl->cv, &pl->mu);
            continue;
        }
        take->state = PIPE_TAKEN;
        pthread_mutex_unlock(&pl->mu);
        pipe_work(pl, take, 1);
        pthread_mutex_lock(&pl->mu);
        take->state = PIPE_DONE;
        pthread_cond_broadcast(&pl->cv);
    }
    pthread_mutex_unlock(&pl->mu);
    return NULL;
}

/* Writes a finished block and frees its slot (called unlocked). */
static gg_status pipe_write(batch *b, pipe_block *pb)
{
    gg_status st = pb->failed ? gg_error_nomem(b->ctx) : gg_batch_write_out(b, &pb->k.out);
    b->n_written += pb->k.n;
    gg_batch_block_clear(&pb->k);
    if (st == GG_OK)
        st = gg_progress(b->ctx, "locate", (uint64_t)b->n_written, 0);
    return st;
}

/* Reads the next chunk into a block and, unless it is plain, makes its
 * rows (the calling thread). */
static gg_status pipe_read(pipeline *pl, pipe_block *pb, int *more)
{
    pb->failed = 0;
    gg_status st = read_chunk(pl->b, &pl->in, pb, more);
    if (st == GG_OK && !pb->plain)
        st = reader_rows(pl->b, pb);
    return st;
}

/* The reader's window after the header is where the chunks start. */
static gg_status pipe_start(pipeline *pl)
{
    batch *b = pl->b;
    gg_csv_reader *r = &b->csv;
    size_t n = r->end - r->start;
    pl->in.line = r->next_line;
    pl->in.eof = r->eof;
    if (n > 0) {
        pl->in.carry = gg_malloc(b->ctx, n);
        if (pl->in.carry == NULL)
            return gg_error_nomem(b->ctx);
        memcpy(pl->in.carry, r->buf + r->start, n);
        pl->in.carry_len = pl->in.carry_cap = n;
    }
    return GG_OK;
}

gg_status gg_batch_csv_pipeline(batch *b, int jobs)
{
    pipeline pl;
    memset(&pl, 0, sizeof pl);
    pl.b = b;
    pl.n_blocks = jobs + 2;
    pl.blocks = gg_calloc(b->ctx, (size_t)pl.n_blocks, sizeof *pl.blocks);
    if (pl.blocks == NULL)
        return gg_error_nomem(b->ctx);
    gg_status st = gg_batch_flush_out(b); /* the header */
    if (st == GG_OK)
        st = pipe_start(&pl);
    if (jobs <= 1) {
        /* one thread: each block in turn */
        pipe_block *pb = &pl.blocks[0];
        int more = st == GG_OK;
        while (st == GG_OK && more) {
            st = pipe_read(&pl, pb, &more);
            if (st != GG_OK)
                break;
            pb->seq = pl.next_pick;
            pipe_work(&pl, pb, 0);
            st = pipe_write(b, pb);
        }
    } else if (st == GG_OK) {
        pthread_mutex_init(&pl.mu, NULL);
        pthread_cond_init(&pl.cv, NULL);
        pthread_t threads[MAX_JOBS];
        int started = 0;
        for (int t = 0; t < jobs; t++)
            if (pthread_create(&threads[started], NULL, pipe_worker, &pl) == 0)
                started++;
        uint64_t seq = 0, next_write = 0;
        int more = 1;
        pthread_mutex_lock(&pl.mu);
        for (;;) {
            /* write what is finished, in order */
            pipe_block *w = NULL;
            for (int i = 0; i < pl.n_blocks; i++)
                if (pl.blocks[i].state == PIPE_DONE && pl.blocks[i].seq == next_write)
                    w = &pl.blocks[i];
            if (w != NULL) {
                pthread_mutex_unlock(&pl.mu);
                gg_status ws = pipe_write(b, w);
                pthread_mutex_lock(&pl.mu);
                w->state = PIPE_FREE;
                next_write++;
                if (st == GG_OK)
                    st = ws;
                continue;
            }
            if ((!more || st != GG_OK) && next_write == seq)
                break;
            pipe_block *f = NULL;
            for (int i = 0; i < pl.n_blocks && f == NULL; i++)
                if (pl.blocks[i].state == PIPE_FREE)
                    f = &pl.blocks[i];
            if (f != NULL && more && st == GG_OK && started > 0) {
                pthread_mutex_unlock(&pl.mu);
                gg_status rs = pipe_read(&pl, f, &more);
                pthread_mutex_lock(&pl.mu);
                if (rs != GG_OK) {
                    st = rs;
                    gg_batch_block_clear(&f->k);
                } else {
                    f->seq = seq++;
                    f->state = PIPE_READY;
                    pthread_cond_broadcast(&pl.cv);
                }
                continue;
            }
            if (started == 0 && st == GG_OK)
                st = gg_error(b->ctx, GG_ERR_INTERNAL, "could not start a thread to locate with");
            if (started == 0)
                break;
            pthread_cond_wait(&pl.cv, &pl.mu);
        }
        pl.stop = 1;
        pthread_cond_broadcast(&pl.cv);
        pthread_mutex_unlock(&pl.mu);
        for (int t = 0; t < started; t++)
            pthread_join(threads[t], NULL);
        pthread_cond_destroy(&pl.cv);
        pthread_mutex_destroy(&pl.mu);
    }
    for (int i = 0; i < pl.n_blocks; i++) {
        gg_batch_block_clear(&pl.blocks[i].k);
        gg_batch_block_free(b->ctx, &pl.blocks[i].k);
        gg_free(b->ctx, pl.blocks[i].chunk);
    }
    gg_free(b->ctx, pl.blocks);
    gg_free(b->ctx, pl.in.carry);
    return st;
}
