/* Private: the context's layout and the helpers every module uses to
 * allocate, record errors, log and report progress. */
#ifndef GG_CORE_CTX_H
#define GG_CORE_CTX_H

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
#include <proj.h>
#include <stdarg.h>

#include "govgrid/core.h"

#define GG_ERRMSG_MAX 2048
#define GG_DEPMSG_MAX 512

struct gg_ctx {
    gg_allocator alloc;
    GEOSContextHandle_t geos;
    PJ_CONTEXT *proj;
    gg_status errcode;
    char errmsg[GG_ERRMSG_MAX];
    /* The last error message a dependency sent through its handler, so that
     * the failing call can quote it. */
    char geos_msg[GG_DEPMSG_MAX];
    char proj_msg[GG_DEPMSG_MAX];
    char gdal_msg[GG_DEPMSG_MAX];
    gg_log_fn log_fn;
    void *log_data;
    gg_log_level log_min;
    gg_progress_fn progress_fn;
    void *progress_data;
};

void *gg_malloc(gg_ctx *ctx, size_t size);
void *gg_calloc(gg_ctx *ctx, size_t count, size_t size);
void *gg_realloc(gg_ctx *ctx, void *ptr, size_t size);
void gg_free(gg_ctx *ctx, void *ptr);
char *gg_strdup(gg_ctx *ctx, const char *s);

/* Grows *items (of item_size bytes each) so that it holds at least need
 * items; *cap is updated. Returns GG_OK or GG_ERR_NOMEM (recorded). */
gg_status gg_grow(gg_ctx *ctx, void **items, size_t *cap, size_t need, size_t item_size);

/* Records status and a formatted message as the context's last error and
 * returns status, so that callers can write `return gg_error(...)`. */
gg_status gg_error(gg_ctx *ctx, gg_status status, const char *fmt, ...) GG_PRINTF(3, 4);
gg_status gg_errorv(gg_ctx *ctx, gg_status status, const char *fmt, va_list ap) GG_PRINTF(3, 0);
/* Records GG_ERR_NOMEM with a fixed message. */
gg_status gg_error_nomem(gg_ctx *ctx);

void gg_log(gg_ctx *ctx, gg_log_level level, const char *fmt, ...) GG_PRINTF(3, 4);

/* Calls the progress callback; returns GG_ERR_CANCELLED (recorded) when it
 * asks to stop. */
gg_status gg_progress(gg_ctx *ctx, const char *stage, uint64_t done, uint64_t total);

/* GDAL keeps its error handler per thread: a call into GDAL is bracketed
 * by these two so that its messages reach this context. Nestable. */
void gg_gdal_enter(gg_ctx *ctx);
void gg_gdal_leave(gg_ctx *ctx);
/* Registers GDAL's drivers once per process (thread-safe). */
void gg_gdal_register(void);

#endif
