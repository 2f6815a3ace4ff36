/* GCJ-02 and BD-09: the offsets Chinese map apps apply to coordinates.
 *
 * GCJ-02 adds to WGS 84 a smooth, deliberately irregular shift of up to a
 * few hundred metres: two polynomial-plus-sine series in (lon - 105,
 * lat - 35), scaled from metres to degrees on the Krasovsky ellipsoid
 * (a = 6378245 m, e^2 = 0.00669342162296594323). BD-09 turns GCJ-02 into
 * polar form and nudges radius and angle, then shifts by (0.0065,
 * 0.006) degrees. These are the transforms published and reproduced in many
 * open projects; the inverses are not published as formulas, so they are
 * solved here by fixed-point iteration: x <- x - (f(x) - target), which
 * converges quickly because the offsets vary slowly (their derivative is
 * of the order of 1e-5). */
#include "govgrid/geo.h"

#include <math.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define KRASOVSKY_A 6378245.0
#define KRASOVSKY_EE 0.00669342162296594323
#define BD_XPI (M_PI * 3000.0 / 180.0)
#define INVERSE_TOLERANCE 1e-10
#define INVERSE_STEPS 30

static int outside_china(double lon, double lat)
{
    return !(lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271);
}

/* The two series, in metres on the ellipsoid, of x = lon - 105, y = lat - 35. */
static double shift_lat(double x, double y)
{
    double v = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(fabs(x));
    v += (20.0 * sin(6.0 * x * M_PI) + 20.0 * sin(2.0 * x * M_PI)) * 2.0 / 3.0;
    v += (20.0 * sin(y * M_PI) + 40.0 * sin(y / 3.0 * M_PI)) * 2.0 / 3.0;
    v += (160.0 * sin(y / 12.0 * M_PI) + 320.0 * sin(y * M_PI / 30.0)) * 2.0 / 3.0;
    return v;
}

static double shift_lon(double x, double y)
{
    double v = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(fabs(x));
    v += (20.0 * sin(6.0 * x * M_PI) + 20.0 * sin(2.0 * x * M_PI)) * 2.0 / 3.0;
    v += (20.0 * sin(x * M_PI) + 40.0 * sin(x / 3.0 * M_PI)) * 2.0 / 3.0;
    v += (150.0 * sin(x / 12.0 * M_PI) + 300.0 * sin(x / 30.0 * M_PI)) * 2.0 / 3.0;
    return v;
}

void gg_wgs84_to_gcj02(double lon, double lat, double *out_lon, double *out_lat)
{
    if (!isfinite(lon) || !isfinite(lat) || outside_china(lon, lat)) {
        *out_lon = lon;
        *out_lat = lat;
        return;
    }
    double dlat = shift_lat(lon - 105.0, lat - 35.0);
    double dlon = shift_lon(lon - 105.0, lat - 35.0);
    double rad = lat / 180.0 * M_PI;
    double s = sin(rad);
    double w = 1.0 - KRASOVSKY_EE * s * s;
    double sw = sqrt(w);
    dlat = (dlat * 180.0) / ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (w * sw) * M_PI);
    dlon = (dlon * 180.0) / (KRASOVSKY_A / sw * cos(rad) * M_PI);
    *out_lon = lon + dlon;
    *out_lat = lat + dlat;
}

void gg_gcj02_to_bd09(double lon, double lat, double *out_lon, double *out_lat)
{
    double z = sqrt(lon * lon + lat * lat) + 0.00002 * sin(lat * BD_XPI);
    double t = atan2(lat, lon) + 0.000003 * cos(lon * BD_XPI);
    *out_lon = z * cos(t) + 0.0065;
    *out_lat = z * sin(t) + 0.006;
}

void gg_wgs84_to_bd09(double lon, double lat, double *out_lon, double *out_lat)
{
    double glon, glat;
    gg_wgs84_to_gcj02(lon, lat, &glon, &glat);
    gg_gcj02_to_bd09(glon, glat, out_lon, out_lat);
}

typedef void (*forward_fn)(double, double, double *, double *);

/* Solves forward(x) = (lon, lat) by fixed-point iteration from x = (lon, lat). */
static void invert(forward_fn forward, double lon, double lat, double *out_lon, double *out_lat)
{
    double x = lon, y = lat;
    if (!isfinite(lon) || !isfinite(lat)) {
        *out_lon = lon;
        *out_lat = lat;
        return;
    }
    for (int i = 0; i < INVERSE_STEPS; i++) {
        double fx, fy;
        forward(x, y, &fx, &fy);
        double ex = fx - lon, ey = fy - lat;
        x -= ex;
        y -= ey;
        if (fabs(ex) < INVERSE_TOLERANCE && fabs(ey) < INVERSE_TOLERANCE)
            break;
    }
    *out_lon = x;
    *out_lat = y;
}

void gg_gcj02_to_wgs84(double lon, double lat, double *out_lon, double *out_lat)
{
    invert(gg_wgs84_to_gcj02, lon, lat, out_lon, out_lat);
}

void gg_bd09_to_gcj02(double lon, double lat, double *out_lon, double *out_lat)
{
    invert(gg_gcj02_to_bd09, lon, lat, out_lon, out_lat);
}

void gg_bd09_to_wgs84(double lon, double lat, double *out_lon, double *out_lat)
{
    invert(gg_wgs84_to_bd09, lon, lat, out_lon, out_lat);
}
