/* Local metric CRS choice and PROJ-backed transformations. */
#include "core/ctx.h"
#include "geo/crs.h"
#include "govgrid/geo.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* China's extent with a margin: the CGCS2000 Gauss-Krüger zones are defined
 * for 73.5°E-136°E. Elsewhere (test data, Monaco) UTM is the natural
 * choice. */
int gg_local_metric_epsg(double lon, double lat)
{
    if (!isfinite(lon) || !isfinite(lat) || lon < -180.0 || lon > 180.0 || lat < -90.0 || lat > 90.0)
        return 0;
    if (lon >= 73.5 && lon <= 136.5 && lat >= 3.0 && lat <= 54.0) {
        int cm = (int)lround(lon / 3.0) * 3;
        if (cm < 75)
            cm = 75;
        if (cm > 135)
            cm = 135;
        return 4534 + (cm - 75) / 3;
    }
    int zone = (int)floor((lon + 180.0) / 6.0) + 1;
    if (zone > 60)
        zone = 60;
    return (lat >= 0 ? 32600 : 32700) + zone;
}

struct gg_transform {
    gg_ctx *ctx;
    PJ *pj;
};

gg_status gg_transform_new(gg_ctx *ctx, const char *source_crs, const char *target_crs,
                           gg_transform **out)
{
    if (ctx == NULL || source_crs == NULL || target_crs == NULL || out == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_transform_new: NULL argument") : GG_ERR_ARG;
    *out = NULL;
    ctx->proj_msg[0] = '\0';
    PJ *raw = proj_create_crs_to_crs(ctx->proj, source_crs, target_crs, NULL);
    if (raw == NULL)
        return gg_error(ctx, GG_ERR_CRS, "no transformation from '%s' to '%s'%s%s", source_crs,
                        target_crs, ctx->proj_msg[0] ? ": " : "", ctx->proj_msg);
    PJ *pj = proj_normalize_for_visualization(ctx->proj, raw);
    proj_destroy(raw);
    if (pj == NULL)
        return gg_error(ctx, GG_ERR_CRS, "cannot normalise the axis order of '%s' -> '%s'",
                        source_crs, target_crs);
    gg_transform *t = gg_malloc(ctx, sizeof *t);
    if (t == NULL) {
        proj_destroy(pj);
        return gg_error_nomem(ctx);
    }
    t->ctx = ctx;
    t->pj = pj;
    *out = t;
    return GG_OK;
}

void gg_transform_free(gg_transform *transform)
{
    if (transform == NULL)
        return;
    proj_destroy(transform->pj);
    gg_free(transform->ctx, transform);
}

gg_status gg_transform_points(gg_transform *transform, double *x, double *y, size_t n)
{
    proj_trans_generic(transform->pj, PJ_FWD, x, sizeof *x, n, y, sizeof *y, n, NULL, 0, 0, NULL,
                       0, 0);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]) || x[i] == HUGE_VAL || y[i] == HUGE_VAL)
            return gg_error(transform->ctx, GG_ERR_CRS, "point %zu could not be transformed", i);
    }
    return GG_OK;
}

gg_status gg_metric_cache_get(gg_ctx *ctx, gg_metric_cache *cache, int epsg, struct gg_transform **out)
{
    *out = NULL;
    for (int i = 0; i < cache->n; i++)
        if (cache->epsg[i] == epsg) {
            *out = cache->t[i];
            return GG_OK;
        }
    char crs[24];
    snprintf(crs, sizeof crs, "EPSG:%d", epsg);
    struct gg_transform *t = NULL;
    gg_status st = gg_transform_new(ctx, "EPSG:4326", crs, &t);
    if (st != GG_OK)
        return st;
    int slot = cache->n;
    if (slot == GG_METRIC_CACHE_SIZE) {
        gg_transform_free(cache->t[0]);
        memmove(cache->t, cache->t + 1, (GG_METRIC_CACHE_SIZE - 1) * sizeof cache->t[0]);
        memmove(cache->epsg, cache->epsg + 1, (GG_METRIC_CACHE_SIZE - 1) * sizeof cache->epsg[0]);
        slot = GG_METRIC_CACHE_SIZE - 1;
    } else {
        cache->n++;
    }
    cache->epsg[slot] = epsg;
    cache->t[slot] = t;
    *out = t;
    return GG_OK;
}

void gg_metric_cache_clear(gg_metric_cache *cache)
{
    for (int i = 0; i < cache->n; i++)
        gg_transform_free(cache->t[i]);
    cache->n = 0;
}
