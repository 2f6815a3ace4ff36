/* Core: contexts, status texts, errors, the allocator, log and progress. */
#include "failing_alloc.h"
#include "harness.h"

#include <stdlib.h>

#include "core/ctx.h"
#include "govgrid/core.h"

static void status_texts_are_distinct(void)
{
    for (int a = GG_OK; a <= GG_ERR_BUSY; a++) {
        const char *ta = gg_status_str((gg_status)a);
        CHECK(ta != NULL && ta[0] != '\0');
        for (int b = a + 1; b <= GG_ERR_BUSY; b++)
            CHECK(strcmp(ta, gg_status_str((gg_status)b)) != 0);
    }
    CHECK_STR(gg_status_str((gg_status)999), "unknown status");
}

static void ctx_records_and_clears_errors(void)
{
    gg_ctx *ctx = NULL;
    CHECK_INT(gg_ctx_new(&ctx), GG_OK);
    CHECK_INT(gg_ctx_errcode(ctx), GG_OK);
    CHECK_STR(gg_ctx_errmsg(ctx), "");
    CHECK_INT(gg_error(ctx, GG_ERR_FORMAT, "%s: line %d: bad", "a.csv", 7), GG_ERR_FORMAT);
    CHECK_INT(gg_ctx_errcode(ctx), GG_ERR_FORMAT);
    CHECK_STR(gg_ctx_errmsg(ctx), "a.csv: line 7: bad");
    gg_ctx_clear_error(ctx);
    CHECK_INT(gg_ctx_errcode(ctx), GG_OK);
    CHECK_STR(gg_ctx_errmsg(ctx), "");
    gg_ctx_free(ctx);
    gg_ctx_free(NULL);
    CHECK_INT(gg_ctx_new(NULL), GG_ERR_ARG);
    CHECK_INT(gg_ctx_errcode(NULL), GG_ERR_ARG);
}

static void long_messages_are_truncated_not_overflowed(void)
{
    gg_ctx *ctx = NULL;
    CHECK_INT(gg_ctx_new(&ctx), GG_OK);
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    gg_error(ctx, GG_ERR_IO, "%s", big);
    CHECK_INT(strlen(gg_ctx_errmsg(ctx)), GG_ERRMSG_MAX - 1);
    gg_ctx_free(ctx);
}

static void custom_allocator_is_used_and_failure_reported(void)
{
    failing_alloc state = {0, 0, 0};
    gg_allocator alloc = failing_alloc_make(&state);
    gg_ctx *ctx = NULL;
    CHECK_INT(gg_ctx_new_with_allocator(&alloc, &ctx), GG_OK);
    CHECK(state.calls >= 1);
    char *s = gg_strdup(ctx, "abc");
    CHECK_STR(s, "abc");
    gg_free(ctx, s);
    gg_ctx_free(ctx);
    CHECK_INT(state.live, 0);

    state = (failing_alloc){0, 1, 0};
    ctx = NULL;
    CHECK_INT(gg_ctx_new_with_allocator(&alloc, &ctx), GG_ERR_NOMEM);
    CHECK(ctx == NULL);
    CHECK_INT(state.live, 0);

    gg_allocator broken = alloc;
    broken.malloc_fn = NULL;
    CHECK_INT(gg_ctx_new_with_allocator(&broken, &ctx), GG_ERR_ARG);
}

static void grow_doubles_and_reports_overflow(void)
{
    gg_ctx *ctx = NULL;
    CHECK_INT(gg_ctx_new(&ctx), GG_OK);
    int *items = NULL;
    size_t cap = 0;
    CHECK_INT(gg_grow(ctx, (void **)&items, &cap, 1, sizeof *items), GG_OK);
    CHECK_INT(cap, 16);
    CHECK_INT(gg_grow(ctx, (void **)&items, &cap, 17, sizeof *items), GG_OK);
    CHECK_INT(cap, 32);
    CHECK_INT(gg_grow(ctx, (void **)&items, &cap, SIZE_MAX / 2, sizeof *items), GG_ERR_NOMEM);
    CHECK_INT(cap, 32);
    gg_free(ctx, items);
    gg_ctx_free(ctx);
}

typedef struct log_capture {
    int count;
    gg_log_level level;
    char last[256];
} log_capture;

static void capture_log(void *ud, gg_log_level level, const char *message)
{
    log_capture *c = ud;
    c->count++;
    c->level = level;
    snprintf(c->last, sizeof c->last, "%s", message);
}

static void geos_errors_reach_the_context_not_stderr(void)
{
    gg_ctx *ctx = NULL;
    CHECK_INT(gg_ctx_new(&ctx), GG_OK);
    log_capture cap = {0, GG_LOG_DEBUG, ""};
    gg_ctx_set_log(ctx, capture_log, &cap, GG_LOG_DEBUG);
    GEOSWKTReader *reader = GEOSWKTReader_create_r(ctx->geos);
    GEOSGeometry *g = GEOSWKTReader_read_r(ctx->geos, reader, "POLYGON((0 0, 1 1");
    CHECK(g == NULL);
    CHECK(ctx->geos_msg[0] != '\0');
    CHECK(cap.count >= 1);
    CHECK_CONTAINS(cap.last, "GEOS");
    GEOSWKTReader_destroy_r(ctx->geos, reader);
    /* Below the minimum level nothing is delivered. */
    gg_ctx_set_log(ctx, capture_log, &cap, GG_LOG_ERROR);
    int before = cap.count;
    gg_log(ctx, GG_LOG_WARNING, "dropped");
    CHECK_INT(cap.count, before);
    gg_log(ctx, GG_LOG_ERROR, "kept %d", 1);
    CHECK_STR(cap.last, "kept 1");
    gg_ctx_free(ctx);
}

static int stop_at_three(void *ud, const char *stage, uint64_t done, uint64_t total)
{
    (void)stage;
    (void)total;
    *(uint64_t *)ud = done;
    return done >= 3;
}

static void progress_can_cancel(void)
{
    gg_ctx *ctx = NULL;
    CHECK_INT(gg_ctx_new(&ctx), GG_OK);
    uint64_t seen = 0;
    CHECK_INT(gg_progress(ctx, "x", 1, 10), GG_OK); /* no callback yet */
    gg_ctx_set_progress(ctx, stop_at_three, &seen);
    CHECK_INT(gg_progress(ctx, "step", 2, 10), GG_OK);
    CHECK_INT(gg_progress(ctx, "step", 3, 10), GG_ERR_CANCELLED);
    CHECK_INT(seen, 3);
    CHECK_STR(gg_ctx_errmsg(ctx), "step: cancelled");
    gg_ctx_free(ctx);
}

static void version_is_semantic(void)
{
    int major = -1, minor = -1, patch = -1;
    CHECK_INT(sscanf(gg_version(), "%d.%d.%d", &major, &minor, &patch), 3);
    CHECK(major >= 0 && minor >= 0 && patch >= 0);
}

TEST_LIST(T(status_texts_are_distinct), T(ctx_records_and_clears_errors),
          T(long_messages_are_truncated_not_overflowed),
          T(custom_allocator_is_used_and_failure_reported), T(grow_doubles_and_reports_overflow),
          T(geos_errors_reach_the_context_not_stderr), T(progress_can_cancel), T(version_is_semantic))
