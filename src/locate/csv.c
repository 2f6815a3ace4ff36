/* The streaming CSV reader: a window over the input that slides and grows
 * so that one whole record is always in memory. */
#include "locate/csv.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define CSV_CHUNK (1u << 20)

void gg_csv_init(gg_csv_reader *r, gg_ctx *ctx, FILE *in, const char *data, size_t n)
{
    memset(r, 0, sizeof *r);
    r->ctx = ctx;
    r->in = in;
    r->first = 1;
    r->next_line = 1;
    if (in == NULL) {
        r->eof = 1;
        r->buf = gg_malloc(ctx, n ? n : 1); /* a copy: the window is writable */
        if (r->buf != NULL) {
            if (n)
                memcpy(r->buf, data, n);
            r->cap = r->end = n;
        }
    }
}

void gg_csv_init_at(gg_csv_reader *r, gg_ctx *ctx, const char *data, size_t n, long long line)
{
    gg_csv_init(r, ctx, NULL, data, n);
    r->first = 0;
    r->next_line = line;
}

int gg_csv_prime(gg_csv_reader *r, const char *data, size_t n)
{
    if (r->in == NULL || n == 0)
        return 1;
    size_t cap = n > CSV_CHUNK ? n * 2 : CSV_CHUNK;
    char *grown = gg_realloc(r->ctx, r->buf, cap);
    if (grown == NULL)
        return 0;
    r->buf = grown;
    r->cap = cap;
    memcpy(r->buf, data, n);
    r->start = 0;
    r->end = n;
    return 1;
}

void gg_csv_free(gg_csv_reader *r)
{
    gg_free(r->ctx, r->buf);
    gg_free(r->ctx, r->fields);
    gg_free(r->ctx, r->text);
    memset(r, 0, sizeof *r);
}

/* Makes more input available after end; 0 at the end of the input, -1 on
 * failure. */
static int refill(gg_csv_reader *r)
{
    if (r->eof || r->in == NULL)
        return 0;
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    if (r->cap - r->end < CSV_CHUNK / 2) {
        if (r->end >= GG_CSV_MAX_RECORD)
            return gg_error(r->ctx, GG_ERR_FORMAT, "line %lld: a record longer than %u bytes (an unclosed quote?)",
                            r->next_line, GG_CSV_MAX_RECORD),
                   -1;
        size_t cap = r->cap ? r->cap * 2 : CSV_CHUNK;
        char *grown = gg_realloc(r->ctx, r->buf, cap);
        if (grown == NULL)
            return gg_error_nomem(r->ctx), -1;
        r->buf = grown;
        r->cap = cap;
    }
    size_t got = fread(r->buf + r->end, 1, r->cap - r->end, r->in);
    if (got == 0) {
        if (ferror(r->in))
            return gg_error(r->ctx, GG_ERR_IO, "line %lld: read failed: %s", r->next_line, strerror(errno)), -1;
        r->eof = 1;
        return 0;
    }
    r->end += got;
    return 1;
}

static int push_field(gg_csv_reader *r, size_t text_at, size_t len)
{
    if (r->n_fields == r->cap_fields) {
        size_t cap = r->cap_fields ? r->cap_fields * 2 : 32;
        gg_csv_field *grown = gg_realloc(r->ctx, r->fields, cap * sizeof *grown);
        if (grown == NULL)
            return 0;
        r->fields = grown;
        r->cap_fields = cap;
    }
    r->fields[r->n_fields].text = (const char *)(uintptr_t)text_at; /* an offset until the record is done */
    r->fields[r->n_fields++].len = len;
    return 1;
}

int gg_csv_next(gg_csv_reader *r)
{
    for (;;) {
        /* Skip line ends (blank lines) and, once, a byte-order mark. */
        for (;;) {
            if (r->start == r->end) {
                int got = refill(r);
                if (got < 0)
                    return -1;
                if (got == 0)
                    return 0;
            }
            if (r->first) {
                if (r->end - r->start < 3 && !r->eof) {
                    int got = refill(r);
                    if (got < 0)
                        return -1;
                    if (got > 0)
                        continue;
                }
                r->first = 0;
                if (r->end - r->start >= 3 && memcmp(r->buf + r->start, "\xEF\xBB\xBF", 3) == 0)
                    r->start += 3;
                continue;
            }
            char c = r->buf[r->start];
            if (c == '\n') {
                r->start++;
                r->next_line++;
            } else if (c == '\r') {
                r->start++;
            } else {
                break;
            }
        }
        /* One record: scan until an unquoted line end, refilling as needed
         * (a refill may move the window: work with offsets). */
        size_t pos = r->start;
        size_t need = (r->end - r->start) + 1;
        if (need > r->cap_text) {
            char *grown = gg_realloc(r->ctx, r->text, need + 64);
            if (grown == NULL)
                return gg_error_nomem(r->ctx), -1;
            r->text = grown;
            r->cap_text = need + 64;
        }
        size_t out = 0, field_at = 0;
        int quoted = 0, after_quote = 0;
        long long lines = 0;
        r->n_fields = 0;
        r->line = r->next_line;
        for (;;) {
            if (pos == r->end) {
                size_t off = pos - r->start;
                int got = refill(r);
                if (got < 0)
                    return -1;
                pos = r->start + off;
                if (got == 0)
                    break;
                size_t want = (r->end - r->start) + 1;
                if (want > r->cap_text) {
                    char *grown = gg_realloc(r->ctx, r->text, want + 64);
                    if (grown == NULL)
                        return gg_error_nomem(r->ctx), -1;
                    r->text = grown;
                    r->cap_text = want + 64;
                }
                continue;
            }
            char c = r->buf[pos];
            if (quoted) {
                if (c == '"') {
                    if (pos + 1 == r->end && !r->eof) {
                        size_t off = pos - r->start;
                        int got = refill(r);
                        if (got < 0)
                            return -1;
                        pos = r->start + off;
                        if (got > 0) {
                            size_t want = (r->end - r->start) + 1;
                            if (want > r->cap_text) {
                                char *grown = gg_realloc(r->ctx, r->text, want + 64);
                                if (grown == NULL)
                                    return gg_error_nomem(r->ctx), -1;
                                r->text = grown;
                                r->cap_text = want + 64;
                            }
                            continue;
                        }
                    }
                    if (pos + 1 < r->end && r->buf[pos + 1] == '"') {
                        r->text[out++] = '"';
                        pos += 2;
                        continue;
                    }
                    quoted = 0;
                    after_quote = 1;
                    pos++;
                    continue;
                }
                if (c == '\n')
                    lines++;
                r->text[out++] = c;
                pos++;
                continue;
            }
            if (c == ',') {
                r->text[out++] = '\0';
                if (!push_field(r, field_at, out - 1 - field_at))
                    return gg_error_nomem(r->ctx), -1;
                field_at = out;
                after_quote = 0;
                pos++;
                continue;
            }
            if (c == '\n' || c == '\r')
                break;
            if (c == '"' && out == field_at && !after_quote) {
                quoted = 1;
                pos++;
                continue;
            }
            r->text[out++] = c; /* a stray quote inside a field is kept as text */
            pos++;
        }
        if (quoted)
            return gg_error(r->ctx, GG_ERR_FORMAT, "line %lld: a quoted field is not closed before the end of the input",
                            r->line),
                   -1;
        r->text[out++] = '\0';
        if (!push_field(r, field_at, out - 1 - field_at))
            return gg_error_nomem(r->ctx), -1;
        r->raw = r->buf + r->start;
        r->raw_len = pos - r->start;
        /* Drop a CR before the LF from the raw text. */
        while (r->raw_len > 0 && r->raw[r->raw_len - 1] == '\r')
            r->raw_len--;
        for (size_t i = 0; i < r->n_fields; i++)
            r->fields[i].text = r->text + (size_t)(uintptr_t)r->fields[i].text;
        r->start = pos;
        r->next_line += lines;
        return 1;
    }
}

int gg_csv_append_field(gg_ctx *ctx, char **buf, size_t *len, size_t *cap, const char *text, size_t n)
{
    int quote = 0;
    for (size_t i = 0; i < n && !quote; i++)
        quote = text[i] == ',' || text[i] == '"' || text[i] == '\n' || text[i] == '\r';
    size_t need = *len + 2 * n + 3;
    if (need > *cap) {
        size_t c = *cap ? *cap : 4096;
        while (c < need)
            c *= 2;
        char *grown = gg_realloc(ctx, *buf, c);
        if (grown == NULL)
            return 0;
        *buf = grown;
        *cap = c;
    }
    char *p = *buf + *len;
    if (quote)
        *p++ = '"';
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '"' && quote)
            *p++ = '"';
        *p++ = text[i];
    }
    if (quote)
        *p++ = '"';
    *len = (size_t)(p - *buf);
    return 1;
}

#ifdef __SIZEOF_INT128__
__extension__ typedef unsigned __int128 u128;

/* m / 10^frac rounded to the nearest double (ties to even), for m < 10^19
 * and 1 <= frac <= 19, with integers only: the quotient of m * 2^shift by
 * 10^frac, 55 or 56 bits long, and whether a remainder is left, are all
 * that rounding to 53 bits needs. */
static double quotient_pow10(uint64_t m, int frac)
{
    static const uint64_t pow10[20] = {1ULL,
                                       10ULL,
                                       100ULL,
                                       1000ULL,
                                       10000ULL,
                                       100000ULL,
                                       1000000ULL,
                                       10000000ULL,
                                       100000000ULL,
                                       1000000000ULL,
                                       10000000000ULL,
                                       100000000000ULL,
                                       1000000000000ULL,
                                       10000000000000ULL,
                                       100000000000000ULL,
                                       1000000000000000ULL,
                                       10000000000000000ULL,
                                       100000000000000000ULL,
                                       1000000000000000000ULL,
                                       10000000000000000000ULL};
    if (m == 0)
        return 0.0;
    uint64_t p = pow10[frac];
    int m_bits = 64 - __builtin_clzll(m), p_bits = 64 - __builtin_clzll(p);
    /* m * 2^shift / p lies in (2^54, 2^56), and m * 2^shift < 2^119 */
    int shift = 55 + p_bits - m_bits;
    if (shift < 0)
        shift = 0; /* m / p itself is then longer than 55 bits */
    u128 num = (u128)m << shift;
    uint64_t q = (uint64_t)(num / p);
    int inexact = (uint64_t)(num % p) != 0;
    int q_bits = 64 - __builtin_clzll(q);
    int drop = q_bits - 53; /* at least 2 */
    uint64_t kept = q >> drop, rest = q & ((1ULL << drop) - 1), half = 1ULL << (drop - 1);
    if (rest > half || (rest == half && (inexact || (kept & 1))))
        kept++; /* 2^53 at most: exact in a double */
    return ldexp((double)kept, drop - shift);
}
#endif

/* A plain decimal ([-+]digits[.digits], at most 19 digits): the digits
 * as an integer, exact, then divided by a power of ten with one rounding,
 * correctly: the value strtod gives, several times faster. Up to 15
 * digits in double arithmetic (the integer and the power of ten are both
 * exact doubles, and one division rounds once); 16 to 19 digits (a
 * coordinate written with %.17g) in integers (quotient_pow10). Returns 0
 * for anything else (exponents, more digits, hexadecimal, inf, nan), left
 * to strtod. */
int gg_parse_decimal(const char *text, double *v, const char **end)
{
    static const double pow10[16] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
                                     1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    const char *p = text;
    int neg = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    uint64_t m = 0;
    int digits = 0, frac = 0, dot = 0;
    for (;; p++) {
        if (*p >= '0' && *p <= '9') {
            if (digits < 19)
                m = m * 10 + (uint64_t)(*p - '0');
            digits++;
            frac += dot;
        } else if (*p == '.' && !dot) {
            dot = 1;
        } else {
            break;
        }
    }
    if (digits == 0 || digits > 19 || *p == 'e' || *p == 'E' || *p == 'x' || *p == 'X')
        return 0;
    double d;
    if (digits <= 15)
        d = (double)m / pow10[frac];
    else if (frac == 0)
        d = (double)m; /* one rounding of an exact integer */
    else
#ifdef __SIZEOF_INT128__
        d = quotient_pow10(m, frac);
#else
        return 0;
#endif
    *v = neg ? -d : d;
    *end = p;
    return 1;
}
