/*
 * govgrid geo: coordinate reference systems through PROJ.
 *
 * Storage is EPSG:4326 longitude/latitude. Lengths, areas and distances are
 * computed in a local metric CRS: in China the CGCS2000 3-degree
 * Gauss-Krüger zone of the area (EPSG:4534-4554, central meridians 75°E to
 * 135°E, false easting 500 km without zone prefix), elsewhere the WGS-84
 * UTM zone.
 */
#ifndef GOVGRID_GEO_H
#define GOVGRID_GEO_H

#include <stddef.h>

#include "govgrid/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The EPSG code of the local metric CRS for a point given in lon/lat
 * degrees. Returns 0 for a non-finite or out-of-range point. Pure. */
GG_API int gg_local_metric_epsg(double lon, double lat);

typedef struct gg_transform gg_transform;

/* A coordinate transformation between two CRSs given as any string PROJ
 * accepts ("EPSG:4549", a WKT, a PROJ string). Axis order is normalised to
 * x = easting/longitude, y = northing/latitude whatever the CRS declares.
 * out receives an object owned by the caller (gg_transform_free); it uses
 * ctx's PROJ context, so it belongs to ctx's thread.
 * Returns GG_OK, GG_ERR_CRS (unknown CRS or no transformation). */
GG_API gg_status gg_transform_new(gg_ctx *ctx, const char *source_crs, const char *target_crs,
                                  gg_transform **out);
GG_API void gg_transform_free(gg_transform *transform);

/* Transforms n points in place (x[i], y[i]). Returns GG_OK, or GG_ERR_CRS
 * naming the first point that could not be transformed (its coordinates
 * are then HUGE_VAL). */
GG_API gg_status gg_transform_points(gg_transform *transform, double *x, double *y, size_t n);

/* GCJ-02 ("Mars" coordinates, the offset that Chinese map apps apply by
 * regulation) and BD-09 (Baidu's further offset of GCJ-02). WGS 84 to
 * GCJ-02 and GCJ-02 to BD-09 are the published forward transforms; the
 * inverses iterate them to 1e-10 degrees (about 0.01 mm). Points outside
 * China's bounding box (72.004-137.8347 E, 0.8293-55.8271 N) are not
 * offset, as the apps do. */
GG_API void gg_wgs84_to_gcj02(double lon, double lat, double *out_lon, double *out_lat);
GG_API void gg_gcj02_to_wgs84(double lon, double lat, double *out_lon, double *out_lat);
GG_API void gg_gcj02_to_bd09(double lon, double lat, double *out_lon, double *out_lat);
GG_API void gg_bd09_to_gcj02(double lon, double lat, double *out_lon, double *out_lat);
GG_API void gg_wgs84_to_bd09(double lon, double lat, double *out_lon, double *out_lat);
GG_API void gg_bd09_to_wgs84(double lon, double lat, double *out_lon, double *out_lat);

#ifdef __cplusplus
}
#endif
#endif
