/*
 * govgrid core: the context, status codes, messages, allocator, log and
 * progress callbacks.
 *
 * Every function that can fail, allocate, log or do I/O takes a gg_ctx as
 * its first argument and returns a gg_status. A context is not shared
 * between threads: create one per thread. The context owns the last error
 * (status and a message naming the file, layer, feature or line at fault),
 * the GEOS handle and the PROJ context, and routes messages of GEOS, PROJ
 * and GDAL to the log callback instead of stderr.
 */
#ifndef GOVGRID_CORE_H
#define GOVGRID_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "govgrid/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Result codes. GG_OK is 0; every other value is a failure whose detail is
 * in gg_ctx_errmsg(). The numbers are part of the ABI: never renumber. */
typedef enum gg_status {
    GG_OK = 0,
    GG_ERR_NOMEM = 1,        /* an allocation failed */
    GG_ERR_ARG = 2,          /* a caller passed an invalid argument */
    GG_ERR_IO = 3,           /* a file could not be opened, read or written */
    GG_ERR_FORMAT = 4,       /* a source could not be parsed or has the wrong shape */
    GG_ERR_INVALID_INPUT = 5,/* features or rows were rejected (see the report) */
    GG_ERR_CRS = 6,          /* unknown CRS, or a transformation failed */
    GG_ERR_GEOMETRY = 7,     /* a geometry operation failed */
    GG_ERR_STORE = 8,        /* the project store (SQLite/SpatiaLite) failed */
    GG_ERR_SCHEMA = 9,       /* not a govgrid project, or a newer schema */
    GG_ERR_NOT_FOUND = 10,   /* a named object (layer, plan, field) does not exist */
    GG_ERR_EXISTS = 11,      /* the object to create already exists */
    GG_ERR_CANCELLED = 12,   /* the progress callback asked to stop */
    GG_ERR_INTERNAL = 13,    /* a bug or a failure inside a dependency */
    GG_ERR_BUSY = 14         /* another connection held the project's write
                              * lock past the busy timeout: nothing was
                              * written, and the same call may be tried again */
} gg_status;

/* Fixed English text for a status ("out of memory", ...). Never NULL. */
GG_API const char *gg_status_str(gg_status status);

/* The library version as "MAJOR.MINOR.PATCH". */
GG_API const char *gg_version(void);

/* A replaceable allocator. The three functions follow malloc/realloc/free
 * semantics; free_fn(NULL) must be a no-op. user_data is passed through. */
typedef struct gg_allocator {
    void *(*malloc_fn)(void *user_data, size_t size);
    void *(*realloc_fn)(void *user_data, void *ptr, size_t size);
    void (*free_fn)(void *user_data, void *ptr);
    void *user_data;
} gg_allocator;

typedef enum gg_log_level {
    GG_LOG_DEBUG = 0,
    GG_LOG_INFO = 1,
    GG_LOG_WARNING = 2,
    GG_LOG_ERROR = 3
} gg_log_level;

/* Log callback: message is UTF-8 without a trailing newline, valid only
 * during the call. */
typedef void (*gg_log_fn)(void *user_data, gg_log_level level, const char *message);

/* Progress callback: stage names the step ("import households"), done and
 * total count its units (total is 0 when unknown). Return non-zero to ask
 * the running operation to stop; it then returns GG_ERR_CANCELLED and
 * leaves the store as it was. */
typedef int (*gg_progress_fn)(void *user_data, const char *stage, uint64_t done, uint64_t total);

typedef struct gg_ctx gg_ctx;

/* Creates a context with the C library's allocator.
 * out: receives the context (owned; free with gg_ctx_free).
 * Returns GG_OK, GG_ERR_ARG (out is NULL), GG_ERR_NOMEM or GG_ERR_INTERNAL
 * (GEOS or PROJ could not be initialised). */
GG_API gg_status gg_ctx_new(gg_ctx **out);

/* Same, with a caller-supplied allocator (copied; it must outlive the
 * context). Only govgrid's own allocations go through it: GEOS, PROJ, GDAL
 * and SQLite keep their own. */
GG_API gg_status gg_ctx_new_with_allocator(const gg_allocator *allocator, gg_ctx **out);

/* Frees the context and the handles it owns. NULL is a no-op. */
GG_API void gg_ctx_free(gg_ctx *ctx);

/* The status of the last failure recorded in ctx, GG_OK if none. */
GG_API gg_status gg_ctx_errcode(const gg_ctx *ctx);

/* The detail of the last failure ("households.csv: layer 'households':
 * feature 17 (id 'A-3'): latitude 95 is out of range"), or "" if none.
 * Owned by ctx; valid until the next call that fails or clears it. */
GG_API const char *gg_ctx_errmsg(const gg_ctx *ctx);

/* Forgets the last error. */
GG_API void gg_ctx_clear_error(gg_ctx *ctx);

/* Installs the log callback (NULL: messages are dropped) and the lowest
 * level passed to it (default GG_LOG_WARNING). */
GG_API void gg_ctx_set_log(gg_ctx *ctx, gg_log_fn fn, void *user_data, gg_log_level min_level);

/* Installs the progress callback (NULL: none). */
GG_API void gg_ctx_set_progress(gg_ctx *ctx, gg_progress_fn fn, void *user_data);

/* Frees text the library handed out (JSON, GeoJSON, CSV). NULL is a no-op. */
GG_API void gg_text_free(gg_ctx *ctx, char *text);

#ifdef __cplusplus
}
#endif
#endif
