/* Private: the feed of prepared features. Reading a source with GDAL,
 * converting values, checking, transforming and encoding geometry and
 * finding each point's community take about as long as writing the rows
 * into SQLite; the feed does the former, in a worker thread when asked, and
 * hands the writer batches of ready rows in source order. */
#ifndef GG_IO_FEED_H
#define GG_IO_FEED_H

#include "io/binding.h"
#include "io/import.h"

/* One feature, ready to be checked by the layer's rules and written. */
typedef struct feed_row {
    int64_t fid;
    int rejected;               /* values or geometry unusable: why says so */
    const char *why;
    field_value values[GG_MAX_FIELDS];
    int has_geom;
    unsigned char *blob;        /* SpatiaLite BLOB (malloc); taken by whoever binds it */
    int blob_size;
    double box[4];              /* xmin, xmax, ymin, ymax */
    const char *community;      /* households and units: the covering community, or NULL */
    const char *repair;         /* the repair made to the geometry, or NULL */
} feed_row;

typedef struct feed_batch feed_batch;

typedef struct gg_feed gg_feed;

/* Starts reading src (opened by gg_source_open). With want_communities set
 * the project's communities are loaded first, for looking points up. With
 * threaded set, a worker thread with a context of its own does the reading,
 * and src must not be touched until gg_feed_free. */
gg_status gg_feed_start(gg_ctx *ctx, gg_store *store, gg_source *src, const layer_spec *spec,
                        const field_binding *bindings, int want_communities, int threaded,
                        gg_feed **out);

/* Whether the project had communities to look points up in. */
int gg_feed_has_communities(const gg_feed *feed);

/* The next batch: *rows and *n receive its rows, *batch the handle to give
 * back with gg_feed_release. At the end of the source *batch is NULL.
 * Returns a failure (recorded on ctx) when reading failed. */
gg_status gg_feed_next(gg_feed *feed, feed_batch **batch, feed_row **rows, size_t *n);
void gg_feed_release(gg_feed *feed, feed_batch *batch);

/* Stops the worker (if any), waits for it, frees everything. NULL is a
 * no-op. */
void gg_feed_free(gg_feed *feed);

#endif
