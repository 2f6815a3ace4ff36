/* Private: transformations kept for reuse. Creating a PROJ transformation
 * searches proj.db (tens of milliseconds); a partition or a report needs
 * the same few (WGS 84 to the local metric zone) for every community. */
#ifndef GG_GEO_CRS_H
#define GG_GEO_CRS_H

#include "govgrid/geo.h"

#define GG_METRIC_CACHE_SIZE 8

typedef struct gg_metric_cache {
    int epsg[GG_METRIC_CACHE_SIZE];
    struct gg_transform *t[GG_METRIC_CACHE_SIZE];
    int n;
} gg_metric_cache;

/* The EPSG:4326 -> EPSG:epsg transformation, made on first use and owned
 * by the cache (never free it). With a full cache a new one replaces the
 * oldest. One cache belongs to one thread (one context). */
gg_status gg_metric_cache_get(gg_ctx *ctx, gg_metric_cache *cache, int epsg, struct gg_transform **out);
void gg_metric_cache_clear(gg_metric_cache *cache);

#endif
