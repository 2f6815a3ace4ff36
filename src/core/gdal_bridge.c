/* GDAL's error handler and driver registry, bridged to the context.
 *
 * GDAL keeps a stack of error handlers per thread. Rather than install one
 * for the context's lifetime (which would leak it into unrelated GDAL calls
 * made by the host program on the same thread), each govgrid entry point
 * that calls GDAL pushes the context's handler and pops it on the way out. */
#include "core/ctx.h"

#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <pthread.h>
#include <stdio.h>

static void CPL_STDCALL gdal_error_handler(CPLErr level, CPLErrorNum num, const char *message)
{
    gg_ctx *ctx = CPLGetErrorHandlerUserData();
    (void)num;
    if (ctx == NULL)
        return;
    if (level == CE_Failure || level == CE_Fatal) {
        snprintf(ctx->gdal_msg, sizeof ctx->gdal_msg, "%s", message);
        gg_log(ctx, GG_LOG_DEBUG, "GDAL: %s", message);
    } else if (level == CE_Warning) {
        gg_log(ctx, GG_LOG_DEBUG, "GDAL warning: %s", message);
    } else {
        gg_log(ctx, GG_LOG_DEBUG, "GDAL: %s", message);
    }
}

void gg_gdal_enter(gg_ctx *ctx)
{
    gg_gdal_register();
    CPLPushErrorHandlerEx(gdal_error_handler, ctx);
    CPLErrorReset();
}

void gg_gdal_leave(gg_ctx *ctx)
{
    (void)ctx;
    CPLPopErrorHandler();
}

static pthread_once_t gdal_once = PTHREAD_ONCE_INIT;

static void gdal_register_once(void)
{
    GDALAllRegister();
}

void gg_gdal_register(void)
{
    pthread_once(&gdal_once, gdal_register_once);
}
