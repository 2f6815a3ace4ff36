/* Batches of incidents: CSV, NDJSON or GeoJSON in; every row written back
 * in input order with its grid, community, workers and status.
 *
 * Rows are read in blocks; a block's coordinates are converted to WGS 84,
 * located by up to `jobs` threads at once, then written by the calling
 * thread in input order, which is also the order workers are picked in.
 * CSV to CSV goes through its own pipeline (batch_csv.c), on the pieces
 * made here. */
#include "locate/batch.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BLOCK_ROWS 16384
#define PEEK_BYTES 65536

static const char *const out_fields[] = {"grid_code",  "grid_type",   "community",    "township",
                                         "county",     "worker_id",   "worker_name",  "worker_phone",
                                         "leader_id",  "leader_name", "status",       "distance_m",
                                         "reason",     NULL};

void gg_locate_batch_options_init(gg_locate_batch_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->jobs = 1;
}


/* ---- small helpers ---- */

static int is_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t')
            return 0;
    return 1;
}

static int name_is(const char *name, const char *const *choices)
{
    for (size_t i = 0; choices[i]; i++)
        if (strcasecmp(name, choices[i]) == 0)
            return 1;
    return 0;
}

static const char *const lon_names[] = {"lon", "lng", "long", "longitude", "x", "经度", NULL};
static const char *const lat_names[] = {"lat", "latitude", "y", "纬度", NULL};

/* Parses a coordinate; on failure writes why into reason. */
int gg_batch_parse_coord(const char *field, const char *text, double *v, char *reason, size_t size)
{
    while (*text == ' ' || *text == '\t')
        text++;
    if (*text == '\0') {
        snprintf(reason, size, "no value in field '%s'", field);
        return 0;
    }
    const char *end;
    double d;
    if (!gg_parse_decimal(text, &d, &end)) {
        char *stop;
        d = strtod(text, &stop);
        end = stop;
    }
    while (*end == ' ' || *end == '\t')
        end++;
    if (end == text || *end != '\0') {
        snprintf(reason, size, "%s '%.40s' is not a number", field, text);
        return 0;
    }
    if (!isfinite(d)) {
        snprintf(reason, size, "%s '%.40s' is not a finite number", field, text);
        return 0;
    }
    *v = d;
    return 1;
}

static int check_range(const char *lon_name, const char *lat_name, double lon, double lat, char *reason, size_t size)
{
    if (!(lon >= -180 && lon <= 180)) {
        snprintf(reason, size, "%s %.10g is out of range (-180 to 180)", lon_name, lon);
        return 0;
    }
    if (!(lat >= -90 && lat <= 90)) {
        snprintf(reason, size, "%s %.10g is out of range (-90 to 90)", lat_name, lat);
        return 0;
    }
    return 1;
}

static int ob_reserve(obuf *o, size_t more)
{
    if (o->len + more <= o->cap)
        return 1;
    size_t cap = o->cap ? o->cap : 1 << 20;
    while (cap < o->len + more)
        cap *= 2;
    char *grown = gg_realloc(o->ctx, o->p, cap);
    if (grown == NULL)
        return 0;
    o->p = grown;
    o->cap = cap;
    return 1;
}

static int ob_bytes(obuf *o, const char *s, size_t n)
{
    if (!ob_reserve(o, n))
        return 0;
    memcpy(o->p + o->len, s, n);
    o->len += n;
    return 1;
}

static int ob_str(obuf *o, const char *s)
{
    return ob_bytes(o, s, strlen(s));
}

static int ob_csv_field(obuf *o, const char *s)
{
    return gg_csv_append_field(o->ctx, &o->p, &o->len, &o->cap, s, strlen(s));
}

static int out_bytes(batch *b, const char *s, size_t n)
{
    return ob_bytes(&b->out_buf, s, n);
}

static int out_str(batch *b, const char *s)
{
    return ob_str(&b->out_buf, s);
}

static int out_csv_field(batch *b, const char *s)
{
    return ob_csv_field(&b->out_buf, s);
}

gg_status gg_batch_write_out(batch *b, obuf *o)
{
    if (o->len && fwrite(o->p, 1, o->len, b->out) != o->len)
        return gg_error(b->ctx, GG_ERR_IO, "writing the output: %s", strerror(errno));
    o->len = 0;
    return GG_OK;
}

gg_status gg_batch_flush_out(batch *b)
{
    return gg_batch_write_out(b, &b->out_buf);
}

/* A row's reason ("" when it has none). */
static const char *reason_of(const block *k, const row *r)
{
    return r->reason ? k->reasons[r->reason - 1].text : "";
}

/* Gives a row the reason text (cut to REASON_BYTES - 1 bytes, as the
 * buffer it was written to before); 0 without memory. Allocates through
 * the context only: safe on a locating thread. */
int gg_batch_keep_reason(gg_ctx *ctx, block *k, row *r, const char *text)
{
    if (r->reason == 0) {
        if (k->n_reasons == k->cap_reasons) {
            size_t cap = k->cap_reasons ? k->cap_reasons * 2 : 64;
            row_reason *grown = gg_realloc(ctx, k->reasons, cap * sizeof *grown);
            if (grown == NULL)
                return 0;
            k->reasons = grown;
            k->cap_reasons = cap;
        }
        r->reason = (uint32_t)++k->n_reasons;
    }
    snprintf(k->reasons[r->reason - 1].text, REASON_BYTES, "%s", text);
    return 1;
}

/* keep_reason with the text formatted. */
int gg_batch_set_reason(gg_ctx *ctx, block *k, row *r, const char *fmt, ...)
{
    char why[REASON_BYTES];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return gg_batch_keep_reason(ctx, k, r, why);
}

/* Distance in metres with one decimal, as text ("" for none). */
static void format_distance(double d, char *buf, size_t size)
{
    if (!isfinite(d)) {
        buf[0] = '\0';
        return;
    }
    long long t = llround(d * 10.0);
    if (t < 0 || t > 999999999999LL) {
        snprintf(buf, size, "%.1f", d);
        return;
    }
    /* Digits by hand: this runs for every row. */
    char tmp[24];
    int n = 0;
    tmp[n++] = (char)('0' + t % 10);
    tmp[n++] = '.';
    t /= 10;
    do {
        tmp[n++] = (char)('0' + t % 10);
        t /= 10;
    } while (t > 0);
    int m = 0;
    while (n > 0 && m + 1 < (int)size)
        buf[m++] = tmp[--n];
    buf[m] = '\0';
}

/* ---- the located fields of a row ---- */

typedef struct located {
    const gg_located_grid *grid;
    const gg_roster_person *worker, *leader;
    char type[4], distance[32];
    const char *status, *reason;
} located;

/* Counts a row in the summary and, in a grid, picks its worker and
 * leader: in input order, for the dispatcher's round robin. */
static void pick_row(batch *b, const block *k, row *r)
{
    gg_locate_summary *s = b->sum;
    s->rows++;
    s->by_status[r->valid ? r->res.status : GG_LOCATE_INVALID]++;
    const gg_located_grid *g = r->valid ? gg_locator_grid(b->loc, r->res.grid) : NULL;
    r->worker = r->leader = NULL;
    if (g != NULL) {
        s->by_type[g->type >= 1 && g->type <= 9 ? g->type : 0]++;
        if (b->pick.pick != NULL)
            r->worker = b->pick.pick(b->pick.self, r->res.grid, &r->leader);
        else
            r->leader = g->leader;
        if (r->worker == NULL) {
            r->worker = r->leader;
            if (r->leader)
                s->to_leader++;
            else
                s->no_contact++;
        }
    } else {
        s->by_type[0]++;
    }
    if (!r->valid && s->first_invalid[0] == '\0')
        snprintf(s->first_invalid, sizeof s->first_invalid, "%s %lld: %s",
                 b->in_format == GG_TABLE_GEOJSON ? "feature" : "line", r->line, reason_of(k, r));
}

/* The grid a located row is in, or -1. */
static inline int32_t row_grid(const row *r)
{
    return r->valid ? r->res.grid : -1;
}

/* Picks the rows of a block in input order. The grids, their workers and
 * the counts are read at random (a grid's worth of cache lines, in
 * megabytes of them): they are fetched for the rows a little ahead,
 * grid, list and counts in turn, so that a row does not wait for them. */
void gg_batch_pick_rows(batch *b, block *k)
{
    enum { AHEAD = 4 };
    size_t n = k->n;
    void (*prefetch)(const void *, int32_t, int) = b->pick.prefetch;
    const void *self = b->pick.self;
    for (size_t i = 0; i < n; i++) {
        if (prefetch != NULL) {
            if (i + 3 * AHEAD < n)
                prefetch(self, row_grid(&k->rows[i + 3 * AHEAD]), 0);
            if (i + 2 * AHEAD < n)
                prefetch(self, row_grid(&k->rows[i + 2 * AHEAD]), 1);
            if (i + AHEAD < n)
                prefetch(self, row_grid(&k->rows[i + AHEAD]), 2);
        }
        pick_row(b, k, &k->rows[i]);
    }
}

/* The located fields of a picked row. */
static void located_of(const batch *b, const block *k, const row *r, located *l)
{
    memset(l, 0, sizeof *l);
    l->grid = r->valid ? gg_locator_grid(b->loc, r->res.grid) : NULL;
    l->status = gg_locate_status_name(r->valid ? r->res.status : GG_LOCATE_INVALID);
    l->reason = r->valid ? "" : reason_of(k, r);
    if (r->valid)
        format_distance(r->res.distance_m, l->distance, sizeof l->distance);
    if (l->grid != NULL) {
        l->type[0] = (char)('0' + (l->grid->type >= 0 && l->grid->type <= 9 ? l->grid->type : 0));
        l->type[1] = '\0';
    }
    l->worker = r->worker;
    l->leader = r->leader;
}

static const char *located_text(const located *l, int k)
{
    const gg_located_grid *g = l->grid;
    switch (k) {
    case 0: return g ? g->code : "";
    case 1: return l->type;
    case 2: return g ? g->community : "";
    case 3: return g ? g->township : "";
    case 4: return g ? g->county : "";
    case 5: return l->worker ? l->worker->id : "";
    case 6: return l->worker ? l->worker->name : "";
    case 7: return l->worker ? l->worker->phone : "";
    case 8: return l->leader ? l->leader->id : "";
    case 9: return l->leader ? l->leader->name : "";
    case 10: return l->status;
    case 11: return l->distance;
    default: return l->reason;
    }
}

/* The located fields added to a JSON object (null where there is none). */
static int add_located_json(json_t *obj, const located *l, const row *r)
{
    int bad = 0;
    for (int k = 0; out_fields[k]; k++) {
        const char *t = located_text(l, k);
        json_t *v;
        if (k == 1)
            v = l->grid ? json_integer(l->grid->type) : json_null();
        else if (k == 11)
            v = r->valid && isfinite(r->res.distance_m) ? json_real(llround(r->res.distance_m * 10.0) / 10.0)
                                                        : json_null();
        else
            v = t[0] ? json_string(t) : json_null();
        bad |= v == NULL || json_object_set_new(obj, out_fields[k], v) != 0;
    }
    return !bad;
}

/* ---- reading CSV ---- */

/* The CSV reader's failure, prefixed with the input's name. */
gg_status gg_batch_reader_error(batch *b)
{
    char msg[512];
    snprintf(msg, sizeof msg, "%s", gg_ctx_errmsg(b->ctx));
    return gg_error(b->ctx, gg_ctx_errcode(b->ctx), "%s: %s", b->name, msg);
}

static gg_status csv_header(batch *b)
{
    int got = gg_csv_next(&b->csv);
    if (got < 0)
        return gg_batch_reader_error(b);
    if (got == 0)
        return gg_error(b->ctx, GG_ERR_FORMAT, "%s: empty input: a CSV header line is needed", b->name);
    b->n_header = b->csv.n_fields;
    b->header = gg_calloc(b->ctx, b->n_header, sizeof *b->header);
    if (b->header == NULL)
        return gg_error_nomem(b->ctx);
    for (size_t i = 0; i < b->n_header; i++) {
        b->header[i] = gg_strdup(b->ctx, b->csv.fields[i].text);
        if (b->header[i] == NULL)
            return gg_error_nomem(b->ctx);
        for (int k = 0; out_fields[k]; k++)
            if (strcmp(b->header[i], out_fields[k]) == 0)
                return gg_error(b->ctx, GG_ERR_FORMAT,
                                "%s: line 1: input field '%s' has the name of an output field: rename or drop it",
                                b->name, b->header[i]);
        for (size_t j = 0; j < i; j++)
            if (strcmp(b->header[i], b->header[j]) == 0)
                return gg_error(b->ctx, GG_ERR_FORMAT, "%s: line 1: field '%s' appears twice in the header", b->name,
                                b->header[i]);
    }
    b->lon_col = b->lat_col = -1;
    for (size_t i = 0; i < b->n_header; i++) {
        const char *h = b->header[i];
        if (b->o->lon_field ? strcmp(h, b->o->lon_field) == 0 : (b->lon_col < 0 && name_is(h, lon_names)))
            b->lon_col = (int)i;
        if (b->o->lat_field ? strcmp(h, b->o->lat_field) == 0 : (b->lat_col < 0 && name_is(h, lat_names)))
            b->lat_col = (int)i;
    }
    if (b->lon_col < 0 || b->lat_col < 0) {
        char list[512] = "";
        size_t at = 0;
        for (size_t i = 0; i < b->n_header && at < sizeof list - 8; i++)
            at += (size_t)snprintf(list + at, sizeof list - at, "%s%s", i ? ", " : "", b->header[i]);
        const char *which = b->lon_col < 0 ? "longitude" : "latitude";
        const char *given = b->lon_col < 0 ? b->o->lon_field : b->o->lat_field;
        if (given)
            return gg_error(b->ctx, GG_ERR_NOT_FOUND, "%s: line 1: no field '%s' in the header (fields: %s)", b->name,
                            given, list);
        return gg_error(b->ctx, GG_ERR_NOT_FOUND,
                        "%s: line 1: no %s field (looked for %s; fields: %s): name it with --%s-field", b->name, which,
                        b->lon_col < 0 ? "lon, lng, long, longitude, x" : "lat, latitude, y", list,
                        b->lon_col < 0 ? "lon" : "lat");
    }
    if (b->o->id_field) {
        int found = 0;
        for (size_t i = 0; i < b->n_header; i++)
            found |= strcmp(b->header[i], b->o->id_field) == 0;
        if (!found)
            return gg_error(b->ctx, GG_ERR_NOT_FOUND, "%s: line 1: no field '%s' in the header", b->name,
                            b->o->id_field);
    }
    return GG_OK;
}

int gg_batch_block_text(gg_ctx *ctx, block *k, const char *s, size_t n, size_t *at)
{
    if (k->text_len + n > k->text_cap) {
        size_t cap = k->text_cap ? k->text_cap : 1 << 20;
        while (cap < k->text_len + n)
            cap *= 2;
        char *grown = gg_realloc(ctx, k->text, cap);
        if (grown == NULL)
            return 0;
        k->text = grown;
        k->text_cap = cap;
    }
    memcpy(k->text + k->text_len, s, n);
    *at = k->text_len;
    k->text_len += n;
    return 1;
}

static row *block_add(batch *b, block *k)
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
    memset(r, 0, sizeof *r);
    return r;
}

/* The reader's current record made into a row of the block (none for a
 * blank line): its text copied into the block's text, padded or cut to
 * the header's width when its fields are not as many. */
gg_status gg_batch_csv_record(batch *b, block *k, const gg_csv_reader *c)
{
    if (c->n_fields == 1 && is_blank(c->fields[0].text))
        return GG_OK;
    row *r = block_add(b, k);
    if (r == NULL)
        return gg_error_nomem(b->ctx);
    r->line = c->line;
    if (c->n_fields == b->n_header) {
        if (!gg_batch_block_text(b->ctx, k, c->raw, c->raw_len, &r->text_at))
            return gg_error_nomem(b->ctx);
        r->text_len = c->raw_len;
    } else {
        /* Padded or cut to the header's width, so the added columns line up. */
        size_t len = 0, cap = 0;
        char *s = NULL;
        for (size_t i = 0; i < b->n_header; i++) {
            const char *t = i < c->n_fields ? c->fields[i].text : "";
            /* an empty field reserves room; the separator goes in by hand */
            if (i) {
                if (!gg_csv_append_field(b->ctx, &s, &len, &cap, "", 0)) {
                    gg_free(b->ctx, s);
                    return gg_error_nomem(b->ctx);
                }
                s[len++] = ',';
            }
            if (!gg_csv_append_field(b->ctx, &s, &len, &cap, t, strlen(t))) {
                gg_free(b->ctx, s);
                return gg_error_nomem(b->ctx);
            }
        }
        int ok = gg_batch_block_text(b->ctx, k, s ? s : "", len, &r->text_at);
        gg_free(b->ctx, s);
        if (!ok)
            return gg_error_nomem(b->ctx);
        r->text_len = len;
        if (!gg_batch_set_reason(b->ctx, k, r, "the row has %zu field%s, the header %zu", c->n_fields,
                        c->n_fields == 1 ? "" : "s", b->n_header))
            return gg_error_nomem(b->ctx);
        return GG_OK;
    }
    char why[REASON_BYTES] = "";
    r->valid = gg_batch_parse_coord(b->header[b->lon_col], c->fields[b->lon_col].text, &r->lon, why, sizeof why) &&
               gg_batch_parse_coord(b->header[b->lat_col], c->fields[b->lat_col].text, &r->lat, why, sizeof why);
    if (!r->valid && !gg_batch_keep_reason(b->ctx, k, r, why))
        return gg_error_nomem(b->ctx);
    return GG_OK;
}

/* Reads up to BLOCK_ROWS CSV rows; *more = 0 at the end. */
static gg_status csv_block(batch *b, block *k, int *more)
{
    *more = 1;
    while (k->n < BLOCK_ROWS) {
        int got = gg_csv_next(&b->csv);
        if (got < 0)
            return gg_batch_reader_error(b);
        if (got == 0) {
            *more = 0;
            return GG_OK;
        }
        gg_status st = gg_batch_csv_record(b, k, &b->csv);
        if (st != GG_OK)
            return st;
    }
    return GG_OK;
}

/* ---- reading JSON ---- */

/* A coordinate from a JSON value: a number, or a string holding one. */
static int json_coord(const char *key, json_t *v, double *out, char *reason, size_t size)
{
    if (v == NULL || json_is_null(v)) {
        snprintf(reason, size, "no value in field '%s'", key);
        return 0;
    }
    if (json_is_number(v)) {
        *out = json_number_value(v);
        if (!isfinite(*out)) {
            snprintf(reason, size, "%s is not a finite number", key);
            return 0;
        }
        return 1;
    }
    if (json_is_string(v))
        return gg_batch_parse_coord(key, json_string_value(v), out, reason, size);
    snprintf(reason, size, "%s is not a number", key);
    return 0;
}

/* Finds the coordinate keys among an object's keys (the options' names, or
 * the usual ones). */
static void find_keys(batch *b, json_t *props, const char **lon_key, const char **lat_key)
{
    *lon_key = b->o->lon_field;
    *lat_key = b->o->lat_field;
    const char *key;
    json_t *v;
    json_object_foreach(props, key, v) {
        (void)v;
        if (*lon_key == NULL && name_is(key, lon_names))
            *lon_key = key;
        if (*lat_key == NULL && name_is(key, lat_names))
            *lat_key = key;
    }
}

/* One JSON value (an object, or a GeoJSON Feature) made into a row (the
 * reason for an invalid one written to why). The row owns obj. */
static void json_row_of(batch *b, row *r, json_t *obj, char *why)
{
    r->obj = obj;
    if (!json_is_object(obj)) {
        snprintf(why, REASON_BYTES, "not a JSON object");
        return;
    }
    json_t *type = json_object_get(obj, "type");
    if (json_is_string(type) && strcmp(json_string_value(type), "Feature") == 0) {
        json_t *props = json_object_get(obj, "properties");
        if (!json_is_object(props)) {
            props = json_object();
            if (props == NULL || json_object_set_new(obj, "properties", props) != 0) {
                snprintf(why, REASON_BYTES, "out of memory");
                return;
            }
        }
        const char *key;
        json_t *v;
        json_object_foreach(props, key, v) {
            (void)v;
            for (int k = 0; out_fields[k]; k++)
                if (strcmp(key, out_fields[k]) == 0) {
                    snprintf(why, REASON_BYTES, "property '%s' has the name of an output field", key);
                    return;
                }
        }
        if (b->o->lon_field || b->o->lat_field) {
            const char *lk, *ak;
            find_keys(b, props, &lk, &ak);
            r->valid = json_coord(lk ? lk : "lon", lk ? json_object_get(props, lk) : NULL, &r->lon, why,
                                  REASON_BYTES) &&
                       json_coord(ak ? ak : "lat", ak ? json_object_get(props, ak) : NULL, &r->lat, why,
                                  REASON_BYTES);
            return;
        }
        json_t *geom = json_object_get(obj, "geometry");
        json_t *gt = json_object_get(geom, "type");
        json_t *coords = json_object_get(geom, "coordinates");
        if (!json_is_string(gt) || strcmp(json_string_value(gt), "Point") != 0 || !json_is_array(coords) ||
            json_array_size(coords) < 2) {
            snprintf(why, REASON_BYTES, "no Point geometry");
            return;
        }
        r->valid = json_coord("longitude", json_array_get(coords, 0), &r->lon, why, REASON_BYTES) &&
                   json_coord("latitude", json_array_get(coords, 1), &r->lat, why, REASON_BYTES);
        return;
    }
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        (void)v;
        for (int k = 0; out_fields[k]; k++)
            if (strcmp(key, out_fields[k]) == 0) {
                snprintf(why, REASON_BYTES, "field '%s' has the name of an output field", key);
                return;
            }
    }
    const char *lk, *ak;
    find_keys(b, obj, &lk, &ak);
    r->valid = json_coord(lk ? lk : b->o->lon_field ? b->o->lon_field : "lon", lk ? json_object_get(obj, lk) : NULL,
                          &r->lon, why, REASON_BYTES) &&
               json_coord(ak ? ak : b->o->lat_field ? b->o->lat_field : "lat", ak ? json_object_get(obj, ak) : NULL,
                          &r->lat, why, REASON_BYTES);
}

/* json_row_of, the reason kept in the block; 0 without memory. */
static int json_row(batch *b, block *k, row *r, json_t *obj)
{
    char why[REASON_BYTES] = "";
    json_row_of(b, r, obj, why);
    return r->valid || why[0] == '\0' || gg_batch_keep_reason(b->ctx, k, r, why);
}

/* The next line of the input (peeked bytes first), NUL-terminated in
 * *line; 0 at the end, -1 on a read error. */
static int next_line(batch *b, char **line, size_t *cap)
{
    size_t len = 0;
    for (;;) {
        int c;
        if (b->peek_at < b->peek_len)
            c = (unsigned char)b->peek[b->peek_at++];
        else
            c = getc(b->in);
        if (c == EOF) {
            if (ferror(b->in))
                return -1;
            if (len == 0)
                return 0;
            break;
        }
        if (len + 2 > *cap) {
            size_t n = *cap ? *cap * 2 : 4096;
            char *grown = gg_realloc(b->ctx, *line, n);
            if (grown == NULL)
                return -2;
            *line = grown;
            *cap = n;
        }
        if (c == '\n')
            break;
        (*line)[len++] = (char)c;
    }
    while (len > 0 && ((*line)[len - 1] == '\r'))
        len--;
    (*line)[len] = '\0';
    return 1;
}

static gg_status ndjson_block(batch *b, block *k, int *more)
{
    char *line = NULL;
    size_t cap = 0;
    gg_status st = GG_OK;
    *more = 1;
    while (k->n < BLOCK_ROWS) {
        int got = next_line(b, &line, &cap);
        if (got == -2) {
            st = gg_error_nomem(b->ctx);
            break;
        }
        if (got < 0) {
            st = gg_error(b->ctx, GG_ERR_IO, "%s: line %lld: read failed: %s", b->name, b->line + 1, strerror(errno));
            break;
        }
        if (got == 0) {
            *more = 0;
            break;
        }
        b->line++;
        if (is_blank(line))
            continue;
        json_error_t err;
        json_t *obj = json_loads(line, JSON_REJECT_DUPLICATES, &err);
        if (obj == NULL) {
            st = gg_error(b->ctx, GG_ERR_FORMAT, "%s: line %lld, column %d: %s", b->name, b->line, err.column,
                          err.text);
            break;
        }
        row *r = block_add(b, k);
        if (r == NULL) {
            json_decref(obj);
            st = gg_error_nomem(b->ctx);
            break;
        }
        r->line = b->line;
        if (!json_row(b, k, r, obj)) {
            st = gg_error_nomem(b->ctx);
            break;
        }
    }
    gg_free(b->ctx, line);
    return st;
}

static gg_status geojson_load(batch *b)
{
    size_t cap = b->peek_len + PEEK_BYTES, len = b->peek_len;
    char *all = gg_malloc(b->ctx, cap);
    if (all == NULL)
        return gg_error_nomem(b->ctx);
    memcpy(all, b->peek, b->peek_len);
    for (;;) {
        if (cap - len < PEEK_BYTES) {
            char *grown = gg_realloc(b->ctx, all, cap * 2);
            if (grown == NULL) {
                gg_free(b->ctx, all);
                return gg_error_nomem(b->ctx);
            }
            all = grown;
            cap *= 2;
        }
        size_t got = fread(all + len, 1, cap - len, b->in);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(b->in)) {
        gg_free(b->ctx, all);
        return gg_error(b->ctx, GG_ERR_IO, "%s: read failed: %s", b->name, strerror(errno));
    }
    json_error_t err;
    b->all = json_loadb(all, len, JSON_REJECT_DUPLICATES, &err);
    gg_free(b->ctx, all);
    if (b->all == NULL)
        return gg_error(b->ctx, GG_ERR_FORMAT, "%s: line %d, column %d: %s", b->name, err.line, err.column, err.text);
    json_t *type = json_object_get(b->all, "type");
    if (json_is_array(b->all))
        return GG_OK;
    if (!json_is_string(type) || strcmp(json_string_value(type), "FeatureCollection") != 0 ||
        !json_is_array(json_object_get(b->all, "features")))
        return gg_error(b->ctx, GG_ERR_FORMAT,
                        "%s: not a GeoJSON FeatureCollection (a JSON object needs \"type\": \"FeatureCollection\" and"
                        " \"features\"; for one object per line, give NDJSON)",
                        b->name);
    return GG_OK;
}

static gg_status geojson_block(batch *b, block *k, int *more)
{
    json_t *list = json_is_array(b->all) ? b->all : json_object_get(b->all, "features");
    size_t n = json_array_size(list);
    *more = 1;
    while (k->n < BLOCK_ROWS) {
        if (b->next_feature >= n) {
            *more = 0;
            break;
        }
        json_t *f = json_array_get(list, b->next_feature++);
        row *r = block_add(b, k);
        if (r == NULL)
            return gg_error_nomem(b->ctx);
        r->line = (long long)b->next_feature;
        json_incref(f);
        if (!json_row(b, k, r, f))
            return gg_error_nomem(b->ctx);
    }
    return GG_OK;
}

/* ---- converting and locating ---- */

/* Converts the valid rows to WGS 84 and checks their range; 0 when a
 * reason could not be kept (no memory). */
int gg_batch_convert(batch *b, block *k)
{
    int ok = 1;
    const char *lon_name = "lon", *lat_name = "lat";
    if (b->in_format == GG_TABLE_CSV) {
        lon_name = b->header[b->lon_col];
        lat_name = b->header[b->lat_col];
    }
    if (b->transform != NULL) {
        for (size_t i = 0; i < k->n; i++) {
            row *r = &k->rows[i];
            if (!r->valid)
                continue;
            double x = r->lon, y = r->lat;
            if (gg_transform_points(b->transform, &x, &y, 1) != GG_OK) {
                gg_ctx_clear_error(b->ctx);
                r->valid = 0;
                ok &= gg_batch_set_reason(b->ctx, k, r, "%.6g %.6g cannot be transformed from %s to WGS 84", r->lon, r->lat,
                                 b->o->crs == GG_COORD_CGCS2000 ? "CGCS2000" : "the CRS given");
                continue;
            }
            r->lon = x;
            r->lat = y;
        }
    }
    for (size_t i = 0; i < k->n; i++) {
        row *r = &k->rows[i];
        if (!r->valid)
            continue;
        char why[REASON_BYTES];
        if (!check_range(lon_name, lat_name, r->lon, r->lat, why, sizeof why)) {
            r->valid = 0;
            ok &= gg_batch_keep_reason(b->ctx, k, r, why);
            continue;
        }
        if (b->o->crs == GG_COORD_GCJ02)
            gg_gcj02_to_wgs84(r->lon, r->lat, &r->lon, &r->lat);
        else if (b->o->crs == GG_COORD_BD09)
            gg_bd09_to_wgs84(r->lon, r->lat, &r->lon, &r->lat);
    }
    return ok;
}

/* A comma, then the field (quoted where CSV needs it: as
 * gg_csv_append_field writes it), at p, which has room for twice its
 * length and 3 bytes; returns the end. Copied as it is looked at: almost
 * no field needs quotes. */
static char *put_frag_field(char *p, const char *text)
{
    *p++ = ',';
    char *start = p;
    int special = 0;
    for (const char *t = text; *t; t++) {
        char c = *t;
        special |= (c == ',') | (c == '"') | (c == '\n') | (c == '\r');
        *p++ = c;
    }
    if (!special)
        return p;
    p = start;
    *p++ = '"';
    for (const char *t = text; *t; t++) {
        if (*t == '"')
            *p++ = '"';
        *p++ = *t;
    }
    *p++ = '"';
    return p;
}

/* A part of make_fragments: the grids (for the first part) and people
 * [first, end), written from frag + at, room bytes at most. */
typedef struct frag_part {
    batch *b;
    int grids;
    size_t first, end;
    size_t at, room, used;
} frag_part;

static size_t frag_part_room(const batch *b, const frag_part *f)
{
    const gg_locator *loc = b->loc;
    size_t room = 1;
    for (int32_t g = 0; f->grids && g < loc->n_grids; g++) {
        const gg_located_grid *gr = &loc->grids[g];
        room += 2 * (strlen(gr->code) + strlen(gr->community) + strlen(gr->township) + strlen(gr->county)) + 5 * 3 + 1;
    }
    for (size_t i = f->first; i < f->end; i++) {
        const gg_roster_person *q = &loc->people[i];
        room += 2 * (strlen(q->id) + strlen(q->name) + strlen(q->phone)) + 3 * 3;
    }
    return room;
}

static void *frag_part_main(void *arg)
{
    frag_part *f = arg;
    batch *b = f->b;
    const gg_locator *loc = b->loc;
    char *p = b->frag + f->at;
    for (int32_t g = 0; f->grids && g < loc->n_grids; g++) {
        const gg_located_grid *gr = &loc->grids[g];
        b->grid_frag[g] = (size_t)(p - b->frag);
        char type[2] = {(char)('0' + (gr->type >= 0 && gr->type <= 9 ? gr->type : 0)), '\0'};
        p = put_frag_field(p, gr->code);
        p = put_frag_field(p, type);
        p = put_frag_field(p, gr->community);
        p = put_frag_field(p, gr->township);
        p = put_frag_field(p, gr->county);
    }
    if (f->grids)
        b->grid_frag[loc->n_grids] = (size_t)(p - b->frag);
    for (size_t i = f->first; i < f->end; i++) {
        const gg_roster_person *q = &loc->people[i];
        b->person_frag[i] = (size_t)(p - b->frag);
        p = put_frag_field(p, q->id);
        p = put_frag_field(p, q->name);
        b->person_phone[i] = (size_t)(p - b->frag);
        p = put_frag_field(p, q->phone);
    }
    if (f->end == loc->n_people) /* the end of the last piece (the next part starts the others') */
        b->person_frag[f->end] = b->person_phone[f->end] = (size_t)(p - b->frag);
    f->used = (size_t)(p - b->frag) - f->at;
    return NULL;
}

/* The pieces of CSV text of every grid (code, type, community, township,
 * county) and person (id, name, phone; a leader's piece is the same
 * without the phone), in one buffer sized beforehand: half a million
 * short fields on the benchmark plan, which took 23 ms through
 * gg_csv_append_field and a buffer that grew (a fifth of the start), 6
 * ms so on one thread. With threads >= 2, the second half of the people
 * is written on a second thread, after the first half's room, and moved
 * down to follow it. */
static gg_status make_fragments(batch *b, int threads)
{
    const gg_locator *loc = b->loc;
    size_t n_grids = (size_t)loc->n_grids, n_people = loc->n_people;
    size_t half = threads >= 2 ? n_people / 2 : n_people;
    frag_part parts[2] = {{b, 1, 0, half, 0, 0, 0}, {b, 0, half, n_people, 0, 0, 0}};
    parts[0].room = frag_part_room(b, &parts[0]);
    parts[1].room = frag_part_room(b, &parts[1]);
    parts[1].at = parts[0].room;
    b->grid_frag = gg_malloc(b->ctx, (n_grids + 1) * sizeof *b->grid_frag);
    b->person_frag = gg_malloc(b->ctx, (n_people + 1) * sizeof *b->person_frag);
    b->person_phone = gg_malloc(b->ctx, (n_people + 1) * sizeof *b->person_phone);
    b->frag = gg_malloc(b->ctx, parts[0].room + parts[1].room);
    if (b->grid_frag == NULL || b->person_frag == NULL || b->person_phone == NULL || b->frag == NULL)
        return gg_error_nomem(b->ctx);
    pthread_t thread;
    int threaded = half < n_people && pthread_create(&thread, NULL, frag_part_main, &parts[1]) == 0;
    frag_part_main(&parts[0]);
    if (threaded)
        pthread_join(thread, NULL);
    else
        frag_part_main(&parts[1]);
    /* the second part follows the first */
    size_t gap = parts[1].at - (parts[0].at + parts[0].used);
    memmove(b->frag + parts[0].used, b->frag + parts[1].at, parts[1].used);
    for (size_t i = half; i <= n_people; i++) {
        b->person_frag[i] -= gap;
        b->person_phone[i] -= gap;
    }
    b->frag_len = parts[0].used + parts[1].used;
    return GG_OK;
}

/* The located fields of a row as CSV, each after a comma, from the
 * pieces made beforehand. */
static int write_located_csv(const batch *b, obuf *o, const located *l)
{
    const gg_locator *loc = b->loc;
    int ok = 1;
    if (l->grid != NULL) {
        size_t g = (size_t)(l->grid - loc->grids);
        ok = ob_bytes(o, b->frag + b->grid_frag[g], b->grid_frag[g + 1] - b->grid_frag[g]);
    } else {
        ok = ob_bytes(o, ",,,,,", 5);
    }
    if (ok && l->worker != NULL) {
        size_t i = (size_t)(l->worker - loc->people);
        ok = ob_bytes(o, b->frag + b->person_frag[i], b->person_frag[i + 1] - b->person_frag[i]);
    } else if (ok) {
        ok = ob_bytes(o, ",,,", 3);
    }
    if (ok && l->leader != NULL) {
        size_t i = (size_t)(l->leader - loc->people);
        ok = ob_bytes(o, b->frag + b->person_frag[i], b->person_phone[i] - b->person_frag[i]);
    } else if (ok) {
        ok = ob_bytes(o, ",,", 2);
    }
    ok = ok && ob_bytes(o, ",", 1) && ob_str(o, l->status) && ob_bytes(o, ",", 1) && ob_str(o, l->distance) &&
         ob_bytes(o, ",", 1);
    if (ok && l->reason[0])
        ok = ob_csv_field(o, l->reason);
    return ok && ob_bytes(o, "\n", 1);
}


/* Locates the valid rows of a slice, 256 at a time through the batch
 * query (which overlaps their memory reads). */
void *gg_batch_locate_slice(void *arg)
{
    slice *s = arg;
    row *rows = s->k->rows;
    enum { BATCH = 256 };
    double lon[BATCH], lat[BATCH];
    size_t at[BATCH];
    gg_locate_result res[BATCH];
    size_t m = 0;
    for (size_t i = s->from; i <= s->to; i++) {
        if (m == BATCH || (i == s->to && m > 0)) {
            gg_locator_query_many(s->b->loc, lon, lat, m, res);
            for (size_t k = 0; k < m; k++)
                rows[at[k]].res = res[k];
            m = 0;
        }
        if (i < s->to && rows[i].valid) {
            lon[m] = rows[i].lon;
            lat[m] = rows[i].lat;
            at[m++] = i;
        }
    }
    return NULL;
}

/* Where a row's pieces lie in the batch's fragments. */
typedef struct row_pieces {
    size_t grid_at, grid_len, worker_at, worker_len, leader_at, leader_len;
} row_pieces;

static void pieces_of(const batch *b, const row *r, row_pieces *p)
{
    int32_t g = row_grid(r);
    memset(p, 0, sizeof *p);
    if (g >= 0 && g < b->loc->n_grids) {
        p->grid_at = b->grid_frag[g];
        p->grid_len = b->grid_frag[g + 1] - p->grid_at;
    }
    if (r->worker != NULL) {
        size_t i = (size_t)(r->worker - b->loc->people);
        p->worker_at = b->person_frag[i];
        p->worker_len = b->person_frag[i + 1] - p->worker_at;
    }
    if (r->leader != NULL) {
        size_t i = (size_t)(r->leader - b->loc->people);
        p->leader_at = b->person_frag[i];
        p->leader_len = b->person_phone[i] - p->leader_at;
    }
}

/* Fetches the pieces of a row ahead: stage 0 their offsets, 1 (once
 * those have arrived) their text. */
static void prefetch_pieces(const batch *b, const row *r, int stage)
{
    int32_t g = row_grid(r);
    size_t w = r->worker ? (size_t)(r->worker - b->loc->people) : SIZE_MAX;
    size_t l = r->leader ? (size_t)(r->leader - b->loc->people) : SIZE_MAX;
    if (stage == 0) {
        if (g >= 0 && g < b->loc->n_grids)
            __builtin_prefetch(&b->grid_frag[g]);
        if (w != SIZE_MAX)
            __builtin_prefetch(&b->person_frag[w]);
        if (l != SIZE_MAX) {
            __builtin_prefetch(&b->person_frag[l]);
            __builtin_prefetch(&b->person_phone[l]);
        }
        return;
    }
    row_pieces p;
    pieces_of(b, r, &p);
    if (p.grid_len)
        __builtin_prefetch(b->frag + p.grid_at);
    if (p.worker_len)
        __builtin_prefetch(b->frag + p.worker_at);
    if (p.leader_len)
        __builtin_prefetch(b->frag + p.leader_at);
}

/* A row's text and its located fields as CSV (what write_located_csv
 * writes from located_of, without the grid's record, which is in the
 * pieces), with one check for room. */
static int format_row(const batch *b, obuf *o, const block *k, const row *r)
{
    row_pieces p;
    pieces_of(b, r, &p);
    const char *status = gg_locate_status_name(r->valid ? r->res.status : GG_LOCATE_INVALID);
    char distance[32] = "";
    if (r->valid)
        format_distance(r->res.distance_m, distance, sizeof distance);
    size_t status_len = strlen(status), distance_len = strlen(distance);
    const char *reason = r->valid ? "" : reason_of(k, r);
    size_t need = r->text_len + p.grid_len + p.worker_len + p.leader_len + status_len + distance_len + 16;
    if (!ob_reserve(o, need))
        return 0;
    char *at = o->p + o->len;
    memcpy(at, (r->text_in_chunk ? k->chunk : k->text) + r->text_at, r->text_len);
    at += r->text_len;
    if (p.grid_len) {
        memcpy(at, b->frag + p.grid_at, p.grid_len);
        at += p.grid_len;
    } else {
        memcpy(at, ",,,,,", 5);
        at += 5;
    }
    if (p.worker_len) {
        memcpy(at, b->frag + p.worker_at, p.worker_len);
        at += p.worker_len;
    } else {
        memcpy(at, ",,,", 3);
        at += 3;
    }
    if (p.leader_len) {
        memcpy(at, b->frag + p.leader_at, p.leader_len);
        at += p.leader_len;
    } else {
        memcpy(at, ",,", 2);
        at += 2;
    }
    *at++ = ',';
    memcpy(at, status, status_len);
    at += status_len;
    *at++ = ',';
    memcpy(at, distance, distance_len);
    at += distance_len;
    *at++ = ',';
    o->len = (size_t)(at - o->p);
    if (reason[0] && !ob_csv_field(o, reason))
        return 0;
    return ob_bytes(o, "\n", 1);
}

/* Formats a slice's rows, fetching each row's pieces a little ahead (they
 * are read at random from megabytes of them). */
void *gg_batch_format_slice(void *arg)
{
    enum { AHEAD = 6 };
    slice *s = arg;
    block *k = s->k;
    const batch *b = s->b;
    obuf *o = &k->out;
    size_t text = 0;
    for (size_t i = s->from; i < s->to; i++)
        text += k->rows[i].text_len;
    o->len = 0;
    int ok = ob_reserve(o, text + (s->to - s->from) * 192);
    for (size_t i = s->from; i < s->to && ok; i++) {
        if (i + 2 * AHEAD < s->to)
            prefetch_pieces(b, &k->rows[i + 2 * AHEAD], 0);
        if (i + AHEAD < s->to)
            prefetch_pieces(b, &k->rows[i + AHEAD], 1);
        ok = format_row(b, o, k, &k->rows[i]);
    }
    s->ok = ok;
    return NULL;
}

/* Runs fn over the block in jobs slices, jobs - 1 of them on threads. */
static void run_slices(const batch *b, block *k, int jobs, void *(*fn)(void *))
{
    slice slices[MAX_JOBS];
    pthread_t threads[MAX_JOBS];
    int started[MAX_JOBS] = {0};
    size_t per = (k->n + (size_t)jobs - 1) / (size_t)jobs;
    for (int t = 0; t < jobs; t++) {
        size_t from = (size_t)t * per, to = from + per > k->n ? k->n : from + per;
        slices[t] = (slice){b, k, from < k->n ? from : k->n, to, 1};
        if (t > 0)
            started[t] = pthread_create(&threads[t], NULL, fn, &slices[t]) == 0;
    }
    fn(&slices[0]);
    for (int t = 1; t < jobs; t++) {
        if (started[t])
            pthread_join(threads[t], NULL);
        else
            fn(&slices[t]); /* no thread: done here */
    }
}

/* Locates a block with jobs threads. */
static void process_block(batch *b, block *k, int jobs)
{
    if (k->n == 0)
        return;
    if (jobs < 1)
        jobs = 1;
    if (jobs > MAX_JOBS)
        jobs = MAX_JOBS;
    if ((size_t)jobs > k->n / 1024 + 1)
        jobs = (int)(k->n / 1024 + 1);
    run_slices(b, k, jobs, gg_batch_locate_slice);
}

/* A block located in the background while the calling thread writes the
 * one before and reads the one after. */
typedef struct background {
    batch *b;
    block *k;
    int jobs;
    pthread_t thread;
    int running;
} background;

static void *background_main(void *arg)
{
    background *bg = arg;
    process_block(bg->b, bg->k, bg->jobs);
    return NULL;
}

static void background_start(background *bg, batch *b, block *k, int jobs)
{
    bg->b = b;
    bg->k = k;
    bg->jobs = jobs;
    bg->running = pthread_create(&bg->thread, NULL, background_main, bg) == 0;
    if (!bg->running)
        process_block(b, k, jobs); /* no thread: here and now */
}

static void background_join(background *bg)
{
    if (bg->running)
        pthread_join(bg->thread, NULL);
    bg->running = 0;
}

/* ---- writing ---- */

static gg_status write_header(batch *b)
{
    int ok = 1;
    if (b->out_format == GG_TABLE_CSV) {
        if (b->in_format == GG_TABLE_CSV) {
            for (size_t i = 0; i < b->n_header && ok; i++)
                ok = (i == 0 || out_str(b, ",")) && out_csv_field(b, b->header[i]);
        } else {
            for (size_t i = 0; i < b->n_out_columns && ok; i++)
                ok = (i == 0 || out_str(b, ",")) && out_csv_field(b, b->out_columns[i]);
        }
        for (int k = 0; out_fields[k] && ok; k++)
            ok = ((b->in_format == GG_TABLE_CSV ? b->n_header : b->n_out_columns) == 0 && k == 0 ? 1 : out_str(b, ",")) &&
                 out_str(b, out_fields[k]);
        ok = ok && out_str(b, "\n");
    } else if (b->out_format == GG_TABLE_GEOJSON) {
        ok = out_str(b, "{\"type\":\"FeatureCollection\",\"features\":[\n");
    }
    return ok ? GG_OK : gg_error_nomem(b->ctx);
}

/* A JSON object for a row of a CSV input: its fields as strings. */
static json_t *csv_row_object(batch *b, const block *k, const row *r)
{
    gg_csv_reader one;
    gg_csv_init(&one, b->ctx, NULL, k->text + r->text_at, r->text_len);
    json_t *obj = json_object();
    if (obj != NULL && gg_csv_next(&one) == 1) {
        for (size_t i = 0; i < b->n_header && i < one.n_fields; i++)
            json_object_set_new(obj, b->header[i], json_string(one.fields[i].text));
    }
    gg_csv_free(&one);
    return obj;
}

/* Text of a JSON value for a CSV cell. */
static char *json_cell(json_t *v)
{
    if (v == NULL || json_is_null(v))
        return NULL;
    if (json_is_string(v))
        return strdup(json_string_value(v));
    return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(15));
}

static gg_status write_block(batch *b, block *k)
{
    gg_status st = GG_OK;
    for (size_t i = 0; i < k->n && st == GG_OK; i++) {
        row *r = &k->rows[i];
        located l;
        pick_row(b, k, r);
        located_of(b, k, r, &l);
        int ok = 1;
        if (b->out_format == GG_TABLE_CSV) {
            if (b->in_format == GG_TABLE_CSV) {
                ok = out_bytes(b, k->text + r->text_at, r->text_len);
            } else {
                json_t *props = r->obj;
                if (json_is_object(props) && json_is_object(json_object_get(props, "properties")))
                    props = json_object_get(props, "properties");
                for (size_t c = 0; c < b->n_out_columns && ok; c++) {
                    char *t = json_is_object(props) ? json_cell(json_object_get(props, b->out_columns[c])) : NULL;
                    ok = (c == 0 || out_str(b, ",")) && out_csv_field(b, t ? t : "");
                    free(t);
                }
            }
            size_t width = b->in_format == GG_TABLE_CSV ? b->n_header : b->n_out_columns;
            if (width > 0 && b->grid_frag != NULL) {
                ok = ok && write_located_csv(b, &b->out_buf, &l);
            } else {
                for (int f = 0; out_fields[f] && ok; f++)
                    ok = ((width == 0 && f == 0) || out_str(b, ",")) && out_csv_field(b, located_text(&l, f));
                ok = ok && out_str(b, "\n");
            }
        } else {
            json_t *obj = r->obj;
            int own = 0;
            if (b->in_format == GG_TABLE_CSV) {
                obj = csv_row_object(b, k, r);
                own = 1;
            } else if (!json_is_object(obj)) {
                obj = json_object();
                own = 1;
                if (obj && r->obj)
                    json_object_set(obj, "value", r->obj);
            }
            json_t *out = obj;
            if (obj == NULL) {
                ok = 0;
            } else if (b->out_format == GG_TABLE_GEOJSON) {
                json_t *type = json_object_get(obj, "type");
                int is_feature = json_is_string(type) && strcmp(json_string_value(type), "Feature") == 0;
                if (is_feature) {
                    json_t *props = json_object_get(obj, "properties");
                    ok = json_is_object(props) && add_located_json(props, &l, r);
                } else {
                    out = json_object();
                    json_t *geom = r->valid ? json_pack("{s:s, s:[f, f]}", "type", "Point", "coordinates", r->lon, r->lat)
                                            : json_null();
                    ok = out && geom && json_object_set_new(out, "type", json_string("Feature")) == 0 &&
                         json_object_set_new(out, "geometry", geom) == 0 &&
                         json_object_set(out, "properties", obj) == 0 && add_located_json(obj, &l, r);
                }
            } else {
                json_t *props = json_object_get(obj, "properties");
                ok = add_located_json(json_is_object(props) ? props : obj, &l, r);
            }
            char *text = ok ? json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15)) : NULL;
            ok = text != NULL;
            if (ok && b->out_format == GG_TABLE_GEOJSON && b->n_written > 0)
                ok = out_str(b, ",\n");
            ok = ok && out_str(b, text) && (b->out_format == GG_TABLE_GEOJSON || out_str(b, "\n"));
            free(text);
            if (out != obj)
                json_decref(out);
            if (own)
                json_decref(obj);
        }
        if (!ok)
            st = gg_error_nomem(b->ctx);
        b->n_written++;
    }
    if (st == GG_OK)
        st = gg_batch_flush_out(b);
    return st;
}

void gg_batch_block_clear(block *k)
{
    for (size_t i = 0; i < k->n; i++)
        json_decref(k->rows[i].obj);
    k->n = 0;
    k->n_reasons = 0;
    k->text_len = 0;
}

void gg_batch_block_free(gg_ctx *ctx, block *k)
{
    gg_free(ctx, k->rows);
    gg_free(ctx, k->reasons);
    gg_free(ctx, k->text);
    gg_free(ctx, k->out.p);
}

static gg_status read_block(batch *b, block *k, int *more);

/* Frees what the batch holds. */
static void batch_free(batch *b)
{
    gg_ctx *ctx = b->ctx;
    if (b->in_format == GG_TABLE_CSV)
        gg_csv_free(&b->csv);
    for (size_t i = 0; b->header && i < b->n_header; i++)
        gg_free(ctx, b->header[i]);
    gg_free(ctx, b->header);
    for (size_t i = 0; i < b->n_out_columns; i++)
        gg_free(ctx, b->out_columns[i]);
    gg_free(ctx, b->out_columns);
    json_decref(b->all);
    gg_free(ctx, b->peek);
    gg_free(ctx, b->out_buf.p);
    gg_free(ctx, b->frag);
    gg_free(ctx, b->grid_frag);
    gg_free(ctx, b->person_frag);
    gg_free(ctx, b->person_phone);
    gg_transform_free(b->transform);
}

/* ---- the whole batch ---- */

static gg_status read_block(batch *b, block *k, int *more)
{
    if (b->in_format == GG_TABLE_CSV)
        return csv_block(b, k, more);
    if (b->in_format == GG_TABLE_NDJSON)
        return ndjson_block(b, k, more);
    return geojson_block(b, k, more);
}

/* Reads the first bytes and decides the format. */
static gg_status detect(batch *b)
{
    b->peek = gg_malloc(b->ctx, PEEK_BYTES);
    if (b->peek == NULL)
        return gg_error_nomem(b->ctx);
    b->peek_len = fread(b->peek, 1, PEEK_BYTES, b->in);
    if (b->peek_len == 0 && ferror(b->in))
        return gg_error(b->ctx, GG_ERR_IO, "%s: read failed: %s", b->name, strerror(errno));
    b->in_format = b->o->input_format;
    if (b->in_format != GG_TABLE_AUTO)
        return GG_OK;
    size_t i = 0;
    if (b->peek_len >= 3 && memcmp(b->peek, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < b->peek_len && (b->peek[i] == ' ' || b->peek[i] == '\t' || b->peek[i] == '\r' || b->peek[i] == '\n'))
        i++;
    if (i < b->peek_len && b->peek[i] == '[') {
        b->in_format = GG_TABLE_GEOJSON;
    } else if (i < b->peek_len && b->peek[i] == '{') {
        /* One object per line, or one document? The first line decides. */
        size_t end = i;
        while (end < b->peek_len && b->peek[end] != '\n')
            end++;
        json_error_t err;
        json_t *first = json_loadb(b->peek + i, end - i, 0, &err);
        json_t *type = json_object_get(first, "type");
        b->in_format = first != NULL && !(json_is_string(type) && !strcmp(json_string_value(type), "FeatureCollection"))
                           ? GG_TABLE_NDJSON
                           : GG_TABLE_GEOJSON;
        json_decref(first);
    } else {
        b->in_format = GG_TABLE_CSV;
    }
    return GG_OK;
}

static gg_status setup_columns_from_json(batch *b, const block *k)
{
    /* CSV output from JSON input: the first row's keys are the columns. */
    json_t *first = NULL;
    for (size_t i = 0; i < k->n && first == NULL; i++)
        if (json_is_object(k->rows[i].obj))
            first = k->rows[i].obj;
    json_t *props = json_object_get(first, "properties");
    json_t *src = json_is_object(props) ? props : first;
    if (src == NULL)
        return GG_OK;
    size_t n = json_object_size(src);
    b->out_columns = gg_calloc(b->ctx, n ? n : 1, sizeof *b->out_columns);
    if (b->out_columns == NULL)
        return gg_error_nomem(b->ctx);
    const char *key;
    json_t *v;
    json_object_foreach(src, key, v) {
        (void)v;
        int clash = 0;
        for (int f = 0; out_fields[f]; f++)
            clash |= strcmp(key, out_fields[f]) == 0;
        if (clash)
            continue;
        b->out_columns[b->n_out_columns] = gg_strdup(b->ctx, key);
        if (b->out_columns[b->n_out_columns] == NULL)
            return gg_error_nomem(b->ctx);
        b->n_out_columns++;
    }
    return GG_OK;
}

gg_status gg_locate_batch(gg_ctx *ctx, const gg_locator *loc, const gg_locate_batch_options *opts, FILE *in,
                          const char *in_name, FILE *out, gg_locate_summary *summary)
{
    gg_locate_batch_options defaults;
    if (opts == NULL) {
        gg_locate_batch_options_init(&defaults);
        opts = &defaults;
    }
    gg_locate_summary local;
    batch b;
    memset(&b, 0, sizeof b);
    b.ctx = ctx;
    b.out_buf.ctx = ctx;
    b.loc = loc;
    b.o = opts;
    b.name = in_name ? in_name : "-";
    b.in = in;
    b.out = out;
    b.sum = summary ? summary : &local;
    memset(b.sum, 0, sizeof *b.sum);
    block k;
    memset(&k, 0, sizeof k);
    gg_status st = GG_OK;
    if (opts->crs == GG_COORD_EPSG || opts->crs == GG_COORD_CGCS2000) {
        char crs[32];
        snprintf(crs, sizeof crs, "EPSG:%d", opts->crs == GG_COORD_CGCS2000 ? 4490 : opts->epsg);
        st = gg_transform_new(ctx, crs, "EPSG:4326", &b.transform);
    }
    b.pick = opts->pick;
    if (st == GG_OK)
        st = detect(&b);
    if (st == GG_OK) {
        b.out_format = opts->output_format != GG_TABLE_AUTO ? opts->output_format : b.in_format;
        if (b.in_format == GG_TABLE_CSV) {
            gg_csv_init(&b.csv, ctx, in, NULL, 0);
            if (!gg_csv_prime(&b.csv, b.peek, b.peek_len))
                st = gg_error_nomem(ctx);
            if (st == GG_OK)
                st = csv_header(&b);
        } else if (b.in_format == GG_TABLE_GEOJSON) {
            st = geojson_load(&b);
        }
    }
    int jobs = opts->jobs < 1 ? 1 : opts->jobs > MAX_JOBS ? MAX_JOBS : opts->jobs;
    if (st == GG_OK && b.in_format == GG_TABLE_CSV && b.out_format == GG_TABLE_CSV && b.n_header > 0) {
        st = write_header(&b);
        if (st == GG_OK)
            st = make_fragments(&b, jobs);
        if (st == GG_OK)
            st = gg_batch_csv_pipeline(&b, jobs);
        if (st == GG_OK && fflush(out) != 0)
            st = gg_error(ctx, GG_ERR_IO, "writing the output: %s", strerror(errno));
        if (st == GG_OK)
            st = gg_progress(ctx, "locate", (uint64_t)b.n_written, (uint64_t)b.n_written);
        batch_free(&b);
        return st;
    }
    /* Other formats: blocks in a pipeline: while one is located (by jobs
     * threads), this thread writes the one before and reads the one after.
     * With one job, each block is read, located and written in turn. */
    block k2;
    memset(&k2, 0, sizeof k2);
    block *cur = &k, *next = &k2;
    background bg = {0};
    int more = 1, first = 1, pending = 0;
    if (st == GG_OK)
        st = read_block(&b, cur, &more);
    if (st == GG_OK) {
        if (b.out_format == GG_TABLE_CSV && b.in_format != GG_TABLE_CSV)
            st = setup_columns_from_json(&b, cur);
        if (st == GG_OK)
            st = write_header(&b);
        if (st == GG_OK && b.out_format == GG_TABLE_CSV)
            st = make_fragments(&b, jobs);
        first = 0;
    }
    if (st == GG_OK && !gg_batch_convert(&b, cur))
        st = gg_error_nomem(ctx);
    if (st == GG_OK) {
        if (jobs > 1)
            background_start(&bg, &b, cur, jobs);
        else
            process_block(&b, cur, 1);
        pending = 1;
    }
    while (st == GG_OK && pending) {
        /* Read the next block while this one is located. */
        if (more)
            st = read_block(&b, next, &more);
        background_join(&bg);
        if (st != GG_OK)
            break;
        if (next->n > 0) {
            if (!gg_batch_convert(&b, next)) {
                st = gg_error_nomem(ctx);
                break;
            }
            if (jobs > 1)
                background_start(&bg, &b, next, jobs);
            else
                process_block(&b, next, 1);
        }
        st = write_block(&b, cur);
        gg_batch_block_clear(cur);
        if (st == GG_OK)
            st = gg_progress(ctx, "locate", (uint64_t)b.n_written, next->n || more ? 0 : (uint64_t)b.n_written);
        pending = next->n > 0;
        block *t = cur;
        cur = next;
        next = t;
    }
    background_join(&bg);
    (void)first;
    gg_batch_block_clear(&k2);
    gg_batch_block_free(ctx, &k2);
    if (st == GG_OK && b.out_format == GG_TABLE_GEOJSON) {
        if (!out_str(&b, "\n]}\n"))
            st = gg_error_nomem(ctx);
        else
            st = gg_batch_flush_out(&b);
    }
    if (st == GG_OK && fflush(out) != 0)
        st = gg_error(ctx, GG_ERR_IO, "writing the output: %s", strerror(errno));
    gg_batch_block_clear(&k);
    gg_batch_block_free(ctx, &k);
    batch_free(&b);
    return st;
}
