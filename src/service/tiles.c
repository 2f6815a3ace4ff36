/* The basemap: GET /tiles/{z}/{x}/{y}.png (and @2x.png, 512 px), drawn by
 * the library (gg_tile_render) from the project's roads, waters, units and
 * households, and GET /v1/palette, the colours the web map draws grids in
 * (the library's palette, as govgrid map uses it).
 *
 * Tiles need no key: they show the ground, no grid, worker or count. They
 * are kept in memory, least recently used first out, up to
 * GG_TILE_CACHE_BYTES of PNG; every empty tile (nothing of the project in
 * it) is the one background PNG of its scale, held once. Like the
 * service's documents, the tiles are as of the service's start: an
 * import of new roads shows after a restart. Each tile's ETag is a hash
 * of its PNG, so a browser holding it is answered 304 (server.c). */
#include "service/service.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TILE_BUCKETS 4096

typedef struct tile_entry {
    int z, x, y, scale;
    unsigned char *png;         /* owned, or the cache's background of the scale */
    size_t len;
    int background;
    char etag[24];
    struct tile_entry *hash_next, *newer, *older;
} tile_entry;

struct gg_tile_cache {
    pthread_mutex_t lock;
    size_t max_bytes, bytes;
    tile_entry *buckets[TILE_BUCKETS];
    tile_entry *newest, *oldest;
    /* the background PNG of scale 1 and 2, made at first need */
    unsigned char *background[3];
    size_t background_len[3];
    char background_etag[3][24];
};

gg_tile_cache *gg_tile_cache_new(size_t max_bytes)
{
    gg_tile_cache *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    if (pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c);
        return NULL;
    }
    c->max_bytes = max_bytes;
    return c;
}

void gg_tile_cache_free(gg_tile_cache *c)
{
    if (c == NULL)
        return;
    for (tile_entry *e = c->newest, *next; e != NULL; e = next) {
        next = e->older;
        if (!e->background)
            free(e->png);
        free(e);
    }
    for (int s = 0; s < 3; s++)
        free(c->background[s]);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* A strong ETag: FNV-1a (64 bits) of the bytes, quoted. */
void gg_etag_of(const void *data, size_t len, char *etag, size_t size)
{
    const unsigned char *p = data;
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    snprintf(etag, size, "\"%016llx\"", (unsigned long long)h);
}

static size_t bucket_of(int z, int x, int y, int scale)
{
    uint64_t h = ((uint64_t)(unsigned)z * 0x9E3779B97F4A7C15ULL) ^ ((uint64_t)(unsigned)x * 0xC2B2AE3D27D4EB4FULL) ^
                 ((uint64_t)(unsigned)y * 0x165667B19E3779F9ULL) ^ (uint64_t)(unsigned)scale;
    return (size_t)((h ^ (h >> 29)) % TILE_BUCKETS);
}

static void unlink_lru(gg_tile_cache *c, tile_entry *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void push_newest(gg_tile_cache *c, tile_entry *e)
{
    e->older = c->newest;
    e->newer = NULL;
    if (c->newest)
        c->newest->newer = e;
    c->newest = e;
    if (c->oldest == NULL)
        c->oldest = e;
}

/* Under the lock: the entry, made the newest; NULL when not kept. */
static tile_entry *find(gg_tile_cache *c, int z, int x, int y, int scale)
{
    for (tile_entry *e = c->buckets[bucket_of(z, x, y, scale)]; e != NULL; e = e->hash_next)
        if (e->z == z && e->x == x && e->y == y && e->scale == scale) {
            unlink_lru(c, e);
            push_newest(c, e);
            return e;
        }
    return NULL;
}

/* Under the lock: drops the oldest tiles until bytes fit. */
static void evict(gg_tile_cache *c)
{
    while (c->bytes > c->max_bytes && c->oldest != NULL) {
        tile_entry *e = c->oldest;
        unlink_lru(c, e);
        tile_entry **link = &c->buckets[bucket_of(e->z, e->x, e->y, e->scale)];
        while (*link != e)
            link = &(*link)->hash_next;
        *link = e->hash_next;
        c->bytes -= sizeof *e + (e->background ? 0 : e->len);
        if (!e->background)
            free(e->png);
        free(e);
    }
}

/* The answer from an entry: a copy of its PNG, its ETag, cacheable. */
static void reply_tile(gg_reply *out, const unsigned char *png, size_t len, const char *etag)
{
    char *body = malloc(len ? len : 1);
    if (body == NULL) {
        gg_reply_error(out, 500, "out of memory");
        return;
    }
    memcpy(body, png, len);
    gg_reply_text(out, 200, "image/png", body, len);
    gg_reply_header(out, "ETag", etag);
    gg_reply_header(out, "Cache-Control", "public, max-age=86400");
}

/* "{z}/{x}/{y}.png" or "{z}/{x}/{y}@2x.png": 1 with the numbers, else 0.
 * Digits only (no signs, spaces or exponents), at most 7 of each. */
static int parse_tile_path(const char *p, int *z, int *x, int *y, int *scale)
{
    int *v[3] = {z, x, y};
    for (int k = 0; k < 3; k++) {
        int n = 0, digits = 0;
        while (*p >= '0' && *p <= '9' && digits < 8) {
            n = n * 10 + (*p++ - '0');
            digits++;
        }
        if (digits == 0 || digits > 7)
            return 0;
        *v[k] = n;
        if (k < 2 && *p++ != '/')
            return 0;
    }
    if (strcmp(p, ".png") == 0)
        *scale = 1;
    else if (strcmp(p, "@2x.png") == 0)
        *scale = 2;
    else
        return 0;
    return 1;
}

static void serve_tile(gg_request *r, gg_reply *out)
{
    gg_tile_cache *c = r->svc->tiles;
    gg_tile_request req = {0, 0, 0, 1};
    if (!parse_tile_path(r->path + 7, &req.z, &req.x, &req.y, &req.scale)) {
        gg_reply_error(out, 404, "no such tile: %.200s (tiles are /tiles/{z}/{x}/{y}.png or {y}@2x.png)", r->path);
        return;
    }
    gg_ctx *ctx = NULL;
    gg_store *store = gg_request_store(r, &ctx);
    if (store == NULL) {
        gg_reply_error(out, 503, "the project cannot be read");
        return;
    }
    double box[4];
    if (gg_tile_bounds(ctx, &req, box) != GG_OK) {
        gg_reply_error(out, 404, "%s", gg_ctx_errmsg(ctx));
        return;
    }
    pthread_mutex_lock(&c->lock);
    tile_entry *e = find(c, req.z, req.x, req.y, req.scale);
    if (e != NULL) {
        reply_tile(out, e->png, e->len, e->etag);
        pthread_mutex_unlock(&c->lock);
        return;
    }
    pthread_mutex_unlock(&c->lock);

    gg_tile tile;
    if (gg_tile_render(ctx, store, &req, &tile) != GG_OK) {
        gg_reply_error(out, 500, "cannot draw tile %d/%d/%d: %s", req.z, req.x, req.y, gg_ctx_errmsg(ctx));
        return;
    }
    gg_tile background = {NULL, 0, 1};
    if (tile.empty) {
        pthread_mutex_lock(&c->lock);
        int have = c->background[req.scale] != NULL;
        pthread_mutex_unlock(&c->lock);
        if (!have && gg_tile_background(ctx, req.scale, &background) != GG_OK) {
            gg_reply_error(out, 500, "cannot draw an empty tile: %s", gg_ctx_errmsg(ctx));
            return;
        }
    }
    e = calloc(1, sizeof *e);
    pthread_mutex_lock(&c->lock);
    if (tile.empty && c->background[req.scale] == NULL) {
        /* the library's buffer to one of our own, kept for good */
        c->background[req.scale] = malloc(background.len);
        if (c->background[req.scale] != NULL) {
            memcpy(c->background[req.scale], background.png, background.len);
            c->background_len[req.scale] = background.len;
            gg_etag_of(background.png, background.len, c->background_etag[req.scale], sizeof c->background_etag[0]);
        }
    }
    gg_tile_free(ctx, &background);
    tile_entry *kept = find(c, req.z, req.x, req.y, req.scale); /* drawn meanwhile by another thread */
    if (kept == NULL && e != NULL) {
        e->z = req.z, e->x = req.x, e->y = req.y, e->scale = req.scale;
        if (tile.empty) {
            e->background = 1;
            e->png = c->background[req.scale];
            e->len = c->background_len[req.scale];
            snprintf(e->etag, sizeof e->etag, "%s", c->background_etag[req.scale]);
        } else {
            e->png = malloc(tile.len);
            e->len = tile.len;
            if (e->png != NULL) {
                memcpy(e->png, tile.png, tile.len);
                gg_etag_of(tile.png, tile.len, e->etag, sizeof e->etag);
            }
        }
        if (e->png != NULL) {
            size_t b = bucket_of(e->z, e->x, e->y, e->scale);
            e->hash_next = c->buckets[b];
            c->buckets[b] = e;
            push_newest(c, e);
            c->bytes += sizeof *e + (e->background ? 0 : e->len);
            kept = e;
            e = NULL;
        }
    }
    if (kept != NULL)
        reply_tile(out, kept->png, kept->len, kept->etag);
    else
        gg_reply_error(out, 500, "out of memory");
    evict(c);
    pthread_mutex_unlock(&c->lock);
    if (e != NULL)
        free(e->png);
    free(e);
    gg_tile_free(ctx, &tile);
}

static void serve_palette(gg_reply *out)
{
    const gg_palette *p = gg_palette_get();
    char hex[8];
    json_t *classes = json_array(), *flags = json_array();
    for (size_t i = 0; i < p->class_count; i++) {
        const gg_household_class *k = &p->classes[i];
        json_array_append_new(
            classes, json_pack("{s:s, s:s, s:b, s:o, s:o, s:s}", "key", k->key, "label", k->label, "counted",
                               k->counted, "min", k->counted ? json_integer(k->min) : json_null(), "max",
                               k->counted && k->max != INT64_MAX ? json_integer(k->max) : json_null(), "colour",
                               gg_colour_hex(k->colour, hex, sizeof hex)));
    }
    for (size_t i = 0; i < p->flag_count; i++) {
        char word[96];
        gg_grid_flags_text(p->flags[i].flag, word, sizeof word);
        json_array_append_new(flags, json_pack("{s:s, s:s}", "flag", word, "colour",
                                               gg_colour_hex(p->flags[i].colour, hex, sizeof hex)));
    }
    char dedicated[8], outline[8], short_staffed[8];
    gg_reply_json(out, 200,
                  json_pack("{s:o, s:{s:s, s:s}, s:s, s:s, s:o}", "classes", classes, "dedicated", "label",
                            p->dedicated_label, "colour", gg_colour_hex(p->dedicated, dedicated, sizeof dedicated),
                            "outline", gg_colour_hex(p->outline, outline, sizeof outline), "short_staffed",
                            gg_colour_hex(p->short_staffed, short_staffed, sizeof short_staffed), "flags", flags));
}

int gg_route_tiles(gg_request *r, gg_reply *out)
{
    int tiles = strncmp(r->path, "/tiles/", 7) == 0, palette = strcmp(r->path, "/v1/palette") == 0;
    if (!tiles && !palette)
        return ROUTE_NONE;
    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0)
        gg_reply_error(out, 405, "%s %.200s: tiles and the palette are read with GET", r->method, r->path);
    else if (tiles)
        serve_tile(r, out);
    else
        serve_palette(out);
    return tiles ? ROUTE_TILES : ROUTE_PALETTE;
}
