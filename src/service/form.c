/* Form and query parameters: percent-decoding and checked numbers. */
#include "service/form.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "govgrid/locate.h"

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int gg_text_clean(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        if (c < 0x80) {
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                return 0;
            if (c == 0x7F)
                return 0;
            p++;
            continue;
        }
        int len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (len == 0 || (len == 2 && c < 0xC2) || c > 0xF4)
            return 0;
        unsigned cp = c & (0x3F >> (len - 1));
        for (int i = 1; i < len; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (p[i] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        p += len;
    }
    return 1;
}

int gg_form_parse(gg_form *f, const char *body, size_t n, char *why, size_t why_size)
{
    memset(f, 0, sizeof *f);
    f->buf = malloc(3 * n + 3); /* "a&b": each name and value ends with a NUL */
    if (f->buf == NULL) {
        snprintf(why, why_size, "out of memory");
        return 0;
    }
    size_t out = 0, i = 0;
    while (i < n) {
        if (body[i] == '&') {
            i++;
            continue;
        }
        if (f->n == GG_FORM_MAX_PARAMS) {
            snprintf(why, why_size, "more than %d parameters", GG_FORM_MAX_PARAMS);
            gg_form_free(f);
            return 0;
        }
        /* name, then value: each decoded into buf */
        for (int part = 0; part < 2; part++) {
            size_t start = out;
            while (i < n && body[i] != '&' && (part == 1 || body[i] != '=')) {
                char c = body[i];
                if (c == '+') {
                    f->buf[out++] = ' ';
                    i++;
                } else if (c == '%') {
                    int hi = -1, lo = -1;
                    if (i + 2 < n) {
                        hi = hex_value(body[i + 1]);
                        lo = hex_value(body[i + 2]);
                    }
                    if (hi < 0 || lo < 0) {
                        snprintf(why, why_size, "a bad percent escape at byte %zu", i);
                        gg_form_free(f);
                        return 0;
                    }
                    if (hi == 0 && lo == 0) {
                        snprintf(why, why_size, "a NUL byte (%%00) at byte %zu", i);
                        gg_form_free(f);
                        return 0;
                    }
                    f->buf[out++] = (char)(hi * 16 + lo);
                    i += 3;
                } else if (c == '\0') {
                    /* A raw NUL would cut the value short where it is
                     * stored: refused, as %00 is. */
                    snprintf(why, why_size, "a NUL byte at byte %zu", i);
                    gg_form_free(f);
                    return 0;
                } else {
                    f->buf[out++] = c;
                    i++;
                }
            }
            f->buf[out++] = '\0';
            if (part == 0) {
                f->name[f->n] = (const char *)(uintptr_t)start;
                if (i < n && body[i] == '=')
                    i++;
                else {
                    /* a name without '=': an empty value */
                    f->buf[out] = '\0';
                    f->value[f->n] = (const char *)(uintptr_t)out;
                    out++;
                    break;
                }
            } else {
                f->value[f->n] = (const char *)(uintptr_t)start;
            }
        }
        f->n++;
    }
    for (int k = 0; k < f->n; k++) {
        f->name[k] = f->buf + (uintptr_t)f->name[k];
        f->value[k] = f->buf + (uintptr_t)f->value[k];
        if (strlen(f->name[k]) == 0 || !gg_text_clean(f->name[k])) {
            snprintf(why, why_size, "parameter %d has an empty or unreadable name", k + 1);
            gg_form_free(f);
            return 0;
        }
        if (!gg_text_clean(f->value[k])) {
            snprintf(why, why_size, "the value of '%.60s' is not valid UTF-8 text (or holds control characters)",
                     f->name[k]);
            gg_form_free(f);
            return 0;
        }
    }
    return 1;
}

void gg_form_free(gg_form *f)
{
    free(f->buf);
    memset(f, 0, sizeof *f);
}

const char *gg_form_get(const gg_form *f, const char *name)
{
    for (int k = 0; k < f->n; k++)
        if (strcmp(f->name[k], name) == 0)
            return f->value[k];
    return NULL;
}

int gg_param_double(const char *name, const char *text, double lo, double hi, double *out, char *why, size_t why_size)
{
    if (text == NULL || *text == '\0') {
        snprintf(why, why_size, "%s is missing", name);
        return 0;
    }
    /* Decimal only: strtod also reads "0x10" as 16 and "inf". */
    if (strspn(text, "0123456789+-.eE") != strlen(text)) {
        snprintf(why, why_size, "%s: '%.40s' is not a number", name, text);
        return 0;
    }
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || !isfinite(v)) {
        snprintf(why, why_size, "%s: '%.40s' is not a number", name, text);
        return 0;
    }
    if (v < lo || v > hi) {
        snprintf(why, why_size, "%s: %.10g is out of range (%g to %g)", name, v, lo, hi);
        return 0;
    }
    *out = v;
    return 1;
}

int gg_param_long(const char *name, const char *text, long long lo, long long hi, long long *out, char *why,
                  size_t why_size)
{
    if (text == NULL || *text == '\0') {
        snprintf(why, why_size, "%s is missing", name);
        return 0;
    }
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (end == text || *end != '\0' || errno) {
        snprintf(why, why_size, "%s: '%.40s' is not a whole number", name, text);
        return 0;
    }
    if (v < lo || v > hi) {
        snprintf(why, why_size, "%s: %lld is out of range (%lld to %lld)", name, v, lo, hi);
        return 0;
    }
    *out = v;
    return 1;
}

int gg_param_bbox(const char *text, double box[4], char *why, size_t why_size)
{
    if (text == NULL) {
        snprintf(why, why_size, "bbox is missing");
        return 0;
    }
    char copy[256];
    if (strlen(text) >= sizeof copy) {
        snprintf(why, why_size, "bbox is too long");
        return 0;
    }
    snprintf(copy, sizeof copy, "%s", text);
    char *p = copy;
    static const char *const names[4] = {"bbox west", "bbox south", "bbox east", "bbox north"};
    for (int k = 0; k < 4; k++) {
        char *comma = k < 3 ? strchr(p, ',') : NULL;
        if (k < 3 && comma == NULL) {
            snprintf(why, why_size, "bbox: expected west,south,east,north");
            return 0;
        }
        if (comma)
            *comma = '\0';
        if (!gg_param_double(names[k], p, k % 2 ? -90 : -180, k % 2 ? 90 : 180, &box[k], why, why_size))
            return 0;
        p = comma ? comma + 1 : p;
    }
    if (!(box[0] < box[2] && box[1] < box[3])) {
        snprintf(why, why_size, "bbox: west must be less than east and south less than north");
        return 0;
    }
    return 1;
}

int gg_param_crs(const char *text, int *crs)
{
    if (text == NULL)
        return 0;
    if (!strcasecmp(text, "wgs84") || !strcasecmp(text, "EPSG:4326") || !strcasecmp(text, "cgcs2000") ||
        !strcasecmp(text, "EPSG:4490"))
        *crs = GG_COORD_WGS84;
    else if (!strcasecmp(text, "gcj02"))
        *crs = GG_COORD_GCJ02;
    else if (!strcasecmp(text, "bd09"))
        *crs = GG_COORD_BD09;
    else
        return 0;
    return 1;
}
