/* The feed of prepared features: the reading half of an import, run in
 * the calling thread or in a worker, handing over batches in source order.
 *
 * Three batches circulate between a free list and a queue of full ones, so
 * the worker reads ahead while the writer writes. Text values are copied
 * into each batch's arena (the OGR feature they came from is gone by the
 * time the writer sees them), geometry is handed over already encoded as a
 * SpatiaLite BLOB with its bounding box. */
#include "io/feed.h"

#include <cpl_error.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FEED_BATCH_ROWS 1024
#define FEED_BATCHES 3
#define NO_TEXT ((size_t)-1)
/* Arena slots per row: the fields, then why and repair. */
#define SLOT_WHY GG_MAX_FIELDS
#define SLOT_REPAIR (GG_MAX_FIELDS + 1)
#define SLOTS (GG_MAX_FIELDS + 2)

struct feed_batch {
    feed_row rows[FEED_BATCH_ROWS];
    size_t text_at[FEED_BATCH_ROWS][SLOTS];
    size_t n;
    char *arena;
    size_t used, cap;
    int last;                   /* the source ends after these rows */
    gg_status status;           /* reading failed after these rows */
    char errmsg[GG_ERRMSG_MAX];
    feed_batch *next;
};

struct gg_feed {
    gg_ctx *ctx;                /* the caller's */
    gg_ctx *wctx;               /* the reader's: ctx itself, or the worker's own */
    gg_source *src;
    const layer_spec *spec;
    const field_binding *bindings;
    gg_community_index *communities;
    int locate_layer;           /* households or units: find each one's community */
    int threaded;
    int thread_started;
    pthread_t thread;
    pthread_mutex_t mutex;
    pthread_cond_t changed;
    int sync_ready;             /* mutex and condition initialised */
    feed_batch *free_list;
    feed_batch *full_head, *full_tail;
    int stop;                   /* the writer gave up: the worker should end */
    int finished;               /* the last batch was handed out */
    int64_t features_read;      /* by the reader, for error messages */
    feed_batch *batches[FEED_BATCHES];
};

/* Copies text into the batch's arena and returns its offset. */
static int arena_put(gg_ctx *ctx, feed_batch *b, const char *text, size_t *at)
{
    if (text == NULL) {
        *at = NO_TEXT;
        return 1;
    }
    size_t len = strlen(text) + 1;
    if (b->used + len > b->cap &&
        gg_grow(ctx, (void **)&b->arena, &b->cap, b->used + len, 1) != GG_OK)
        return 0;
    memcpy(b->arena + b->used, text, len);
    *at = b->used;
    b->used += len;
    return 1;
}

static void batch_clear(feed_batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->rows[i].blob);
        b->rows[i].blob = NULL;
    }
    b->n = 0;
    b->used = 0;
    b->last = 0;
    b->status = GG_OK;
    b->errmsg[0] = '\0';
    b->next = NULL;
}

/* Turns arena offsets into pointers once the arena stops moving. */
static void batch_seal(feed_batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        feed_row *r = &b->rows[i];
        for (size_t k = 0; k < GG_MAX_FIELDS; k++)
            r->values[k].text = b->text_at[i][k] == NO_TEXT ? NULL : b->arena + b->text_at[i][k];
        r->why = b->text_at[i][SLOT_WHY] == NO_TEXT ? NULL : b->arena + b->text_at[i][SLOT_WHY];
        r->repair = b->text_at[i][SLOT_REPAIR] == NO_TEXT ? NULL : b->arena + b->text_at[i][SLOT_REPAIR];
    }
}

static gg_status batch_fail(feed_batch *b, gg_ctx *wctx, gg_status st)
{
    b->status = st;
    snprintf(b->errmsg, sizeof b->errmsg, "%s", gg_ctx_errmsg(wctx)[0] ? gg_ctx_errmsg(wctx) : gg_status_str(st));
    b->last = 1;
    return st;
}

/* The geometry of one feature: checked, transformed, encoded, boxed and,
 * for households and units, located in a community. Returns a failure
 * only for internal errors; a rejection sets *why. */
static gg_status prepare_geometry(gg_feed *f, OGRFeatureH feature, feed_row *r, geom_result *g)
{
    gg_ctx *w = f->wctx;
    GEOSContextHandle_t h = w->geos;
    OGRGeometryH ogr = OGR_F_GetGeometryRef(feature);
    if (ogr == NULL && f->spec->geom_optional)
        return GG_OK;
    gg_status st = gg_geom_prepare(w, f->src, ogr, f->spec->geom, g);
    if (st != GG_OK || g->geom == NULL)
        return st;
    r->has_geom = 1;
    if (GEOSGeom_getXMin_r(h, g->geom, &r->box[0]) != 1 || GEOSGeom_getXMax_r(h, g->geom, &r->box[1]) != 1 ||
        GEOSGeom_getYMin_r(h, g->geom, &r->box[2]) != 1 || GEOSGeom_getYMax_r(h, g->geom, &r->box[3]) != 1)
        return gg_error(w, GG_ERR_GEOMETRY, "cannot compute a bounding box: %s", w->geos_msg);
    if (f->communities != NULL && f->locate_layer) {
        double x = r->box[0], y = r->box[2];
        if (GEOSGeomTypeId_r(h, g->geom) != GEOS_POINT) {
            /* A parcel's point on surface always lies inside the parcel. */
            GEOSGeometry *p = GEOSPointOnSurface_r(h, g->geom);
            if (p == NULL || GEOSGeomGetX_r(h, p, &x) != 1 || GEOSGeomGetY_r(h, p, &y) != 1) {
                if (p)
                    GEOSGeom_destroy_r(h, p);
                return gg_error(w, GG_ERR_GEOMETRY, "point on surface failed: %s", w->geos_msg);
            }
            GEOSGeom_destroy_r(h, p);
        }
        r->community = gg_community_index_find(f->communities, x, y);
    }
    return gg_geom_to_blob(w, g->geom, &r->blob, &r->blob_size);
}

/* Reads up to a batch of features. */
static void fill_batch(gg_feed *f, feed_batch *b)
{
    gg_ctx *w = f->wctx;
    const layer_spec *spec = f->spec;
    field_value values[GG_MAX_FIELDS];
    char why[512];
    while (b->n < FEED_BATCH_ROWS) {
        OGRFeatureH feature = OGR_L_GetNextFeature(f->src->layer);
        if (feature == NULL) {
            if (CPLGetLastErrorType() >= CE_Failure) {
                gg_error(w, GG_ERR_FORMAT, "%s: layer '%s': read error after %lld feature(s): %s",
                         f->src->path, f->src->layer_name, (long long)f->features_read,
                         CPLGetLastErrorMsg());
                batch_fail(b, w, GG_ERR_FORMAT);
            }
            b->last = 1;
            break;
        }
        f->features_read++;
        feed_row *r = &b->rows[b->n];
        size_t *at = b->text_at[b->n];
        memset(r, 0, sizeof *r);
        r->fid = OGR_F_GetFID(feature);
        value_scratch scratch;
        memset(&scratch, 0, sizeof scratch);
        int ok = gg_values_read(f->src, spec, f->bindings, feature, values, &scratch, why, sizeof why);
        int copied = 1;
        for (size_t k = 0; k < GG_MAX_FIELDS; k++) {
            if (k < spec->n_fields) {
                r->values[k] = values[k];
                copied &= arena_put(w, b, values[k].present ? values[k].text : NULL, &at[k]);
            } else {
                at[k] = NO_TEXT;
            }
        }
        geom_result g;
        memset(&g, 0, sizeof g);
        gg_status st = GG_OK;
        if (ok && spec->geom != GEOM_NONE) {
            st = prepare_geometry(f, feature, r, &g);
            if (st == GG_OK && !r->has_geom && !(spec->geom_optional && OGR_F_GetGeometryRef(feature) == NULL)) {
                ok = 0;
                snprintf(why, sizeof why, "%s", g.message);
            }
        }
        r->rejected = !ok;
        copied &= arena_put(w, b, ok ? NULL : why, &at[SLOT_WHY]);
        copied &= arena_put(w, b, g.repaired ? g.message : NULL, &at[SLOT_REPAIR]);
        if (g.geom != NULL)
            GEOSGeom_destroy_r(w->geos, g.geom);
        gg_values_release(&scratch);
        OGR_F_Destroy(feature);
        b->n++;
        if (st == GG_OK && !copied)
            st = gg_error_nomem(w);
        if (st != GG_OK) {
            batch_fail(b, w, st);
            break;
        }
        CPLErrorReset();
    }
    batch_seal(b);
}

static void *worker_main(void *arg)
{
    gg_feed *f = arg;
    gg_gdal_enter(f->wctx);
    /* The guard against GDAL's HTTP requests is per thread: the reader
     * installs its own, as the opening thread did. */
    gg_net_guard guard;
    memset(&guard, 0, sizeof guard);
    int guard_failed = !f->src->allow_network && !gg_net_guard_push(&guard);
    /* A coordinate transformation belongs to the thread that uses it (its
     * PROJ objects carry a per-thread context): the reader makes its own. */
    int transform_failed = 0;
    if (f->src->to_storage != NULL) {
        OCTDestroyCoordinateTransformation(f->src->to_storage);
        f->src->to_storage = OCTNewCoordinateTransformation(f->src->source_srs, f->src->storage_srs);
        transform_failed = f->src->to_storage == NULL;
    }
    for (;;) {
        pthread_mutex_lock(&f->mutex);
        while (f->free_list == NULL && !f->stop)
            pthread_cond_wait(&f->changed, &f->mutex);
        if (f->stop) {
            pthread_mutex_unlock(&f->mutex);
            break;
        }
        feed_batch *b = f->free_list;
        f->free_list = b->next;
        pthread_mutex_unlock(&f->mutex);

        batch_clear(b);
        if (guard_failed) {
            gg_error(f->wctx, GG_ERR_INTERNAL, "cannot install the guard against network access in GDAL");
            batch_fail(b, f->wctx, GG_ERR_INTERNAL);
        } else if (transform_failed) {
            gg_error(f->wctx, GG_ERR_CRS, "%s: layer '%s': no transformation from %s to EPSG:%d",
                     f->src->path, f->src->layer_name, f->src->crs_text, GG_STORAGE_SRID);
            batch_fail(b, f->wctx, GG_ERR_CRS);
        } else {
            fill_batch(f, b);
        }

        int last = b->last; /* once queued, the batch is the writer's */
        pthread_mutex_lock(&f->mutex);
        if (f->full_tail)
            f->full_tail->next = b;
        else
            f->full_head = b;
        f->full_tail = b;
        pthread_cond_broadcast(&f->changed);
        pthread_mutex_unlock(&f->mutex);
        if (last)
            break;
    }
    gg_net_guard_pop(&guard);
    gg_gdal_leave(f->wctx);
    return NULL;
}

gg_status gg_feed_start(gg_ctx *ctx, gg_store *store, gg_source *src, const layer_spec *spec,
                        const field_binding *bindings, int want_communities, int threaded,
                        gg_feed **out)
{
    *out = NULL;
    gg_feed *f = gg_calloc(ctx, 1, sizeof *f);
    if (f == NULL)
        return gg_error_nomem(ctx);
    f->ctx = ctx;
    f->src = src;
    f->spec = spec;
    f->bindings = bindings;
    f->threaded = threaded;
    f->locate_layer = spec->layer == GG_LAYER_HOUSEHOLDS || spec->layer == GG_LAYER_UNITS;
    f->wctx = ctx;
    gg_status st = GG_OK;
    if (threaded) {
        st = gg_ctx_new_with_allocator(&ctx->alloc, &f->wctx);
        if (st != GG_OK) {
            f->wctx = ctx;
            gg_feed_free(f);
            return gg_error(ctx, st, "cannot start the reader: %s", gg_status_str(st));
        }
    }
    for (int i = 0; i < (threaded ? FEED_BATCHES : 1) && st == GG_OK; i++) {
        f->batches[i] = gg_calloc(ctx, 1, sizeof *f->batches[i]);
        if (f->batches[i] == NULL)
            st = gg_error_nomem(ctx);
        else {
            f->batches[i]->next = f->free_list;
            f->free_list = f->batches[i];
        }
    }
    /* The index's geometries belong to the reader's GEOS handle. */
    if (st == GG_OK && want_communities) {
        st = gg_community_index_new(f->wctx, store, &f->communities);
        if (st != GG_OK && f->wctx != ctx)
            gg_error(ctx, st, "%s", gg_ctx_errmsg(f->wctx)[0] ? gg_ctx_errmsg(f->wctx) : gg_ctx_errmsg(ctx));
    }
    OGR_L_ResetReading(src->layer); /* before the reader starts: it owns the layer from then on */
    if (st == GG_OK && threaded) {
        if (pthread_mutex_init(&f->mutex, NULL) != 0 || pthread_cond_init(&f->changed, NULL) != 0) {
            st = gg_error(ctx, GG_ERR_INTERNAL, "cannot create the reader's lock");
        } else {
            f->sync_ready = 1;
            if (pthread_create(&f->thread, NULL, worker_main, f) != 0)
                st = gg_error(ctx, GG_ERR_INTERNAL, "cannot start the reader thread");
            else
                f->thread_started = 1;
        }
    }
    if (st != GG_OK) {
        gg_feed_free(f);
        return st;
    }
    *out = f;
    return GG_OK;
}

int gg_feed_has_communities(const gg_feed *feed)
{
    return feed->communities != NULL;
}

gg_status gg_feed_next(gg_feed *f, feed_batch **batch, feed_row **rows, size_t *n)
{
    *batch = NULL;
    *rows = NULL;
    *n = 0;
    if (f->finished)
        return GG_OK;
    feed_batch *b;
    if (!f->threaded) {
        b = f->free_list;
        batch_clear(b);
        CPLErrorReset();
        fill_batch(f, b);
    } else {
        pthread_mutex_lock(&f->mutex);
        while (f->full_head == NULL)
            pthread_cond_wait(&f->changed, &f->mutex);
        b = f->full_head;
        f->full_head = b->next;
        if (f->full_head == NULL)
            f->full_tail = NULL;
        pthread_mutex_unlock(&f->mutex);
    }
    if (b->last)
        f->finished = 1;
    if (b->status != GG_OK) {
        gg_status st = gg_error(f->ctx, b->status, "%s", b->errmsg);
        gg_feed_release(f, b);
        f->finished = 1;
        return st;
    }
    *batch = b;
    *rows = b->rows;
    *n = b->n;
    return GG_OK;
}

void gg_feed_release(gg_feed *f, feed_batch *b)
{
    if (b == NULL)
        return;
    batch_clear(b);
    if (!f->threaded)
        return; /* the one batch stays on the free list */
    pthread_mutex_lock(&f->mutex);
    b->next = f->free_list;
    f->free_list = b;
    pthread_cond_broadcast(&f->changed);
    pthread_mutex_unlock(&f->mutex);
}

void gg_feed_free(gg_feed *f)
{
    if (f == NULL)
        return;
    gg_ctx *ctx = f->ctx;
    if (f->thread_started) {
        pthread_mutex_lock(&f->mutex);
        f->stop = 1;
        pthread_cond_broadcast(&f->changed);
        pthread_mutex_unlock(&f->mutex);
        pthread_join(f->thread, NULL);
    }
    if (f->sync_ready) {
        pthread_mutex_destroy(&f->mutex);
        pthread_cond_destroy(&f->changed);
    }
    for (int i = 0; i < FEED_BATCHES; i++) {
        if (f->batches[i] == NULL)
            continue;
        batch_clear(f->batches[i]);
        gg_free(ctx, f->batches[i]->arena);
        gg_free(ctx, f->batches[i]);
    }
    gg_community_index_free(f->communities);
    if (f->wctx != ctx)
        gg_ctx_free(f->wctx);
    gg_free(ctx, f);
}
