/* The context: allocator, last error, log and progress callbacks, and the
 * GEOS and PROJ handles with their message handlers. */
#include "core/ctx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *default_malloc(void *ud, size_t size) { (void)ud; return malloc(size); }
static void *default_realloc(void *ud, void *p, size_t size) { (void)ud; return realloc(p, size); }
static void default_free(void *ud, void *p) { (void)ud; free(p); }

static const gg_allocator default_allocator = {default_malloc, default_realloc, default_free, NULL};

/* GEOS reports errors and notices through these; they land in the context
 * (the error kept for the failing call to quote, both passed to the log). */
static void geos_error_handler(const char *message, void *userdata)
{
    gg_ctx *ctx = userdata;
    snprintf(ctx->geos_msg, sizeof ctx->geos_msg, "%s", message);
    gg_log(ctx, GG_LOG_DEBUG, "GEOS: %s", message);
}

static void geos_notice_handler(const char *message, void *userdata)
{
    gg_log(userdata, GG_LOG_DEBUG, "GEOS notice: %s", message);
}

static void proj_log_handler(void *userdata, int level, const char *message)
{
    gg_ctx *ctx = userdata;
    if (level == PJ_LOG_ERROR)
        snprintf(ctx->proj_msg, sizeof ctx->proj_msg, "%s", message);
    gg_log(ctx, GG_LOG_DEBUG, "PROJ: %s", message);
}

gg_status gg_ctx_new(gg_ctx **out)
{
    return gg_ctx_new_with_allocator(&default_allocator, out);
}

gg_status gg_ctx_new_with_allocator(const gg_allocator *allocator, gg_ctx **out)
{
    if (out == NULL)
        return GG_ERR_ARG;
    *out = NULL;
    if (allocator == NULL || allocator->malloc_fn == NULL || allocator->realloc_fn == NULL ||
        allocator->free_fn == NULL)
        return GG_ERR_ARG;
    gg_ctx *ctx = allocator->malloc_fn(allocator->user_data, sizeof *ctx);
    if (ctx == NULL)
        return GG_ERR_NOMEM;
    memset(ctx, 0, sizeof *ctx);
    ctx->alloc = *allocator;
    ctx->log_min = GG_LOG_WARNING;
    ctx->geos = GEOS_init_r();
    if (ctx->geos == NULL) {
        gg_ctx_free(ctx);
        return GG_ERR_INTERNAL;
    }
    GEOSContext_setErrorMessageHandler_r(ctx->geos, geos_error_handler, ctx);
    GEOSContext_setNoticeMessageHandler_r(ctx->geos, geos_notice_handler, ctx);
    ctx->proj = proj_context_create();
    if (ctx->proj == NULL) {
        gg_ctx_free(ctx);
        return GG_ERR_INTERNAL;
    }
    proj_log_func(ctx->proj, ctx, proj_log_handler);
    proj_log_level(ctx->proj, PJ_LOG_ERROR);
    *out = ctx;
    return GG_OK;
}

void gg_ctx_free(gg_ctx *ctx)
{
    if (ctx == NULL)
        return;
    if (ctx->geos != NULL)
        GEOS_finish_r(ctx->geos);
    if (ctx->proj != NULL)
        proj_context_destroy(ctx->proj);
    gg_allocator a = ctx->alloc;
    a.free_fn(a.user_data, ctx);
}

gg_status gg_ctx_errcode(const gg_ctx *ctx)
{
    return ctx ? ctx->errcode : GG_ERR_ARG;
}

const char *gg_ctx_errmsg(const gg_ctx *ctx)
{
    return ctx ? ctx->errmsg : "no context";
}

void gg_ctx_clear_error(gg_ctx *ctx)
{
    ctx->errcode = GG_OK;
    ctx->errmsg[0] = '\0';
    ctx->geos_msg[0] = '\0';
    ctx->proj_msg[0] = '\0';
    ctx->gdal_msg[0] = '\0';
}

void gg_ctx_set_log(gg_ctx *ctx, gg_log_fn fn, void *user_data, gg_log_level min_level)
{
    ctx->log_fn = fn;
    ctx->log_data = user_data;
    ctx->log_min = min_level;
}

void gg_ctx_set_progress(gg_ctx *ctx, gg_progress_fn fn, void *user_data)
{
    ctx->progress_fn = fn;
    ctx->progress_data = user_data;
}

void *gg_malloc(gg_ctx *ctx, size_t size)
{
    return ctx->alloc.malloc_fn(ctx->alloc.user_data, size ? size : 1);
}

void *gg_calloc(gg_ctx *ctx, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    void *p = gg_malloc(ctx, count * size);
    if (p != NULL)
        memset(p, 0, count * size);
    return p;
}

void *gg_realloc(gg_ctx *ctx, void *ptr, size_t size)
{
    return ctx->alloc.realloc_fn(ctx->alloc.user_data, ptr, size ? size : 1);
}

void gg_free(gg_ctx *ctx, void *ptr)
{
    if (ptr != NULL)
        ctx->alloc.free_fn(ctx->alloc.user_data, ptr);
}

void gg_text_free(gg_ctx *ctx, char *text)
{
    (void)ctx;
    free(text); /* made by jansson or open_memstream: the C library's heap */
}

char *gg_strdup(gg_ctx *ctx, const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *copy = gg_malloc(ctx, n);
    if (copy != NULL)
        memcpy(copy, s, n);
    return copy;
}

/* Doubling growth keeps appends amortised O(1); the overflow checks make a
 * huge request fail as out-of-memory rather than wrap around. */
gg_status gg_grow(gg_ctx *ctx, void **items, size_t *cap, size_t need, size_t item_size)
{
    if (need <= *cap)
        return GG_OK;
    size_t next = *cap ? *cap : 16;
    while (next < need) {
        if (next > SIZE_MAX / 2)
            return gg_error_nomem(ctx);
        next *= 2;
    }
    if (next > SIZE_MAX / item_size)
        return gg_error_nomem(ctx);
    void *p = gg_realloc(ctx, *items, next * item_size);
    if (p == NULL)
        return gg_error_nomem(ctx);
    *items = p;
    *cap = next;
    return GG_OK;
}

gg_status gg_errorv(gg_ctx *ctx, gg_status status, const char *fmt, va_list ap)
{
    ctx->errcode = status;
    vsnprintf(ctx->errmsg, sizeof ctx->errmsg, fmt, ap);
    return status;
}

gg_status gg_error(gg_ctx *ctx, gg_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gg_errorv(ctx, status, fmt, ap);
    va_end(ap);
    return status;
}

gg_status gg_error_nomem(gg_ctx *ctx)
{
    return gg_error(ctx, GG_ERR_NOMEM, "out of memory");
}

void gg_log(gg_ctx *ctx, gg_log_level level, const char *fmt, ...)
{
    if (ctx->log_fn == NULL || level < ctx->log_min)
        return;
    char buf[GG_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ctx->log_fn(ctx->log_data, level, buf);
}

gg_status gg_progress(gg_ctx *ctx, const char *stage, uint64_t done, uint64_t total)
{
    if (ctx->progress_fn != NULL && ctx->progress_fn(ctx->progress_data, stage, done, total) != 0)
        return gg_error(ctx, GG_ERR_CANCELLED, "%s: cancelled", stage);
    return GG_OK;
}
