/* An answer as the client can take it: conditional GETs (ETag,
 * If-None-Match, 304) and gzip (Accept-Encoding, Content-Encoding, Vary).
 *
 * Every GET (and HEAD) answered 200 gets a strong ETag: the route's own
 * (tiles keep theirs with the PNG) or a hash of the body. A client naming
 * it in If-None-Match is answered 304 with no body: a web map polling
 * /v1/grids, or reloading the page, is sent nothing that has not changed.
 * Keyed answers still say Cache-Control: no-store (server.c), so nothing
 * shared keeps them; the ETag serves the client's own revalidation.
 *
 * Text answers (JSON, GeoJSON, XML, HTML, JavaScript, CSS, SVG) over
 * 1 KiB are compressed with gzip when Accept-Encoding allows it (the
 * four test grids' GeoJSON, 1,197 bytes, go in 277; coordinates repeated
 * between neighbours compress well). The compressed
 * answer's ETag is the plain one's with "-gz" added, as a representation
 * of its own; either form in If-None-Match matches. */
#include "service/service.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#define GZIP_MIN_BYTES 1024

static int compressible(const char *type)
{
    static const char *const types[] = {"application/json", "application/geo+json", "application/xml",
                                        "text/",            "application/javascript", "image/svg+xml"};
    if (type == NULL)
        return 1; /* the default: JSON */
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strncasecmp(type, types[i], strlen(types[i])) == 0)
            return 1;
    return 0;
}

/* Whether Accept-Encoding takes gzip: a "gzip" or "*" coding whose q is
 * not 0 ("gzip;q=0" refuses it). */
static int accepts_gzip(const char *header)
{
    if (header == NULL)
        return 0;
    const char *p = header;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *name = p;
        while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
            p++;
        size_t n = (size_t)(p - name);
        double q = 1;
        while (*p && *p != ',') {
            if (*p == ';') {
                p++;
                while (*p == ' ' || *p == '\t')
                    p++;
                if ((p[0] == 'q' || p[0] == 'Q') && p[1] == '=')
                    q = strtod(p + 2, NULL);
            } else {
                p++;
            }
        }
        if (((n == 4 && strncasecmp(name, "gzip", 4) == 0) || (n == 1 && *name == '*')) && q > 0)
            return 1;
    }
    return 0;
}

/* Whether If-None-Match names etag ("*", or one of a list; weak forms
 * and the gzip form compare equal). */
static int names_etag(const char *header, const char *etag)
{
    if (header == NULL)
        return 0;
    size_t base = strlen(etag) - 1; /* without the closing quote */
    const char *p = header;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '*')
            return 1;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        const char *tag = p;
        while (*p && *p != ',' && *p != ' ' && *p != '\t')
            p++;
        size_t n = (size_t)(p - tag);
        if (n >= base + 1 && strncmp(tag, etag, base) == 0 &&
            ((n == base + 1 && tag[base] == '"') || (n == base + 4 && strncmp(tag + base, "-gz\"", 4) == 0)))
            return 1;
    }
    return 0;
}

/* The reply's header value (its own headers text), copied to buf; 0 when
 * it has none. */
static int reply_header(const gg_reply *out, const char *name, char *buf, size_t size)
{
    size_t n = strlen(name);
    for (const char *line = out->headers; *line;) {
        const char *end = strstr(line, "\r\n");
        if (end == NULL)
            break;
        if (strncasecmp(line, name, n) == 0 && line[n] == ':' && line[n + 1] == ' ') {
            snprintf(buf, size, "%.*s", (int)(end - line - n - 2), line + n + 2);
            return 1;
        }
        line = end + 2;
    }
    return 0;
}

/* Bodies at least this long are compressed at zlib's fastest level: a web
 * map view's 1.7 MB of grids takes 8 ms at level 1 and 28 ms at level 6,
 * for 24% more bytes, and the time is what a map waits for. */
#define GZIP_FAST_BYTES (256 * 1024)

/* body as a gzip member (zlib level 6, or 1 from GZIP_FAST_BYTES); NULL
 * when it cannot be. */
static char *gzip(const char *body, size_t len, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, len >= GZIP_FAST_BYTES ? 1 : 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    uLong cap = deflateBound(&z, (uLong)len);
    char *out = malloc(cap);
    if (out == NULL) {
        deflateEnd(&z);
        return NULL;
    }
    z.next_in = (Bytef *)(uintptr_t)body;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    *out_len = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

void gg_reply_negotiate(const gg_request *r, gg_reply *out)
{
    int get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
    int text = compressible(out->type);
    char etag[64] = "";
    if (get && out->status == 200) {
        if (!reply_header(out, "ETag", etag, sizeof etag)) {
            gg_etag_of(out->body, out->len, etag, sizeof etag);
            gg_reply_header(out, "ETag", etag);
        }
        if (etag[0] == '"' && names_etag(gg_request_header(r, "If-None-Match"), etag)) {
            gg_reply_text(out, 304, out->type, NULL, 0);
            if (text)
                gg_reply_header(out, "Vary", "Accept-Encoding");
            return;
        }
    }
    if (!text || out->body == NULL)
        return;
    gg_reply_header(out, "Vary", "Accept-Encoding");
    if (out->len < GZIP_MIN_BYTES || out->len > UINT32_MAX || !accepts_gzip(gg_request_header(r, "Accept-Encoding")))
        return;
    size_t zlen = 0;
    char *z = gzip(out->body, out->len, &zlen);
    if (z == NULL)
        return; /* sent plain */
    gg_reply_text(out, out->status, out->type, z, zlen);
    gg_reply_header(out, "Content-Encoding", "gzip");
    if (etag[0] == '"') {
        /* the compressed representation's own tag: replace the plain one */
        char *line = strstr(out->headers, etag);
        size_t n = strlen(etag);
        if (line != NULL && strlen(out->headers) + 3 < sizeof out->headers) {
            memmove(line + n + 2, line + n - 1, strlen(line + n - 1) + 1);
            memcpy(line + n - 1, "-gz\"", 4);
        }
    }
}
