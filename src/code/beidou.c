/* BeiDou grid location codes (GB/T 39409-2020), two-dimensional, levels
 * 1 to 6, in the north-eastern hemisphere.
 *
 * Each level divides the cell of the level above into a fixed number of
 * columns and rows; all cell sizes are whole arcseconds, so the indices
 * are computed by flooring arcsecond offsets. The fragments count columns
 * eastwards and rows northwards. The standard mirrors the fragments in the
 * other hemispheres; which axis it mirrors at which level could not be
 * confirmed here (public implementations disagree), so points there are
 * refused rather than given a code that may be wrong. China lies wholly in
 * the north-eastern hemisphere. */
#include "core/ctx.h"
#include "govgrid/code.h"

#include <math.h>
#include <stdio.h>

typedef struct level_def {
    double lon_s, lat_s;        /* cell size, arcseconds */
    int cols, rows;
} level_def;

static const level_def levels[7] = {
    {0, 0, 0, 0},
    {21600, 14400, 60, 22},     /* 6 deg x 4 deg */
    {1800, 1800, 12, 8},        /* 30' */
    {900, 600, 2, 3},           /* 15' x 10' */
    {60, 60, 15, 10},           /* 1' */
    {4, 4, 15, 15},             /* 4" */
    {2, 2, 2, 2},               /* 2" */
};

static char hex_digit(int v)
{
    return "0123456789ABCDEF"[v & 15];
}

gg_status gg_beidou_code(gg_ctx *ctx, double lon, double lat, int level, char out[16])
{
    out[0] = '\0';
    if (level < 1 || level > 6)
        return gg_error(ctx, GG_ERR_ARG, "BeiDou grid level %d: expected 1 to 6", level);
    if (!isfinite(lon) || !isfinite(lat) || lon < -180 || lon >= 180 || lat < -90 || lat > 90)
        return gg_error(ctx, GG_ERR_ARG, "BeiDou grid code: (%g, %g) is not a longitude/latitude", lon, lat);
    if (fabs(lat) >= 88)
        return gg_error(ctx, GG_ERR_ARG, "BeiDou grid code: latitude %g is in a polar cell (not supported)", lat);
    if (lon < 0 || lat < 0)
        return gg_error(ctx, GG_ERR_ARG,
                        "BeiDou grid code: (%g, %g) is outside the north-eastern hemisphere, the only one "
                        "implemented", lon, lat);
    double x = lon * 3600.0, y = lat * 3600.0;
    int n = 0;
    out[n++] = 'N';
    /* Level 1: longitude zones 01-60 from 180 deg west, bands A-V from the equator. */
    int zone = (int)floor(lon / 6.0) + 31;
    int band = (int)floor(y / levels[1].lat_s);
    out[n++] = (char)('0' + zone / 10);
    out[n++] = (char)('0' + zone % 10);
    out[n++] = (char)('A' + band);
    /* The level-1 cell's corner nearest the equator and the meridian. */
    double x0 = floor(x / levels[1].lon_s) * levels[1].lon_s;
    double y0 = band * levels[1].lat_s;
    for (int k = 2; k <= level; k++) {
        const level_def *d = &levels[k];
        int col = (int)floor((x - x0) / d->lon_s), row = (int)floor((y - y0) / d->lat_s);
        if (col >= d->cols)
            col = d->cols - 1;
        if (row >= d->rows)
            row = d->rows - 1;
        x0 += col * d->lon_s;
        y0 += row * d->lat_s;
        if (k == 3 || k == 6) {
            /* Z order: two columns per row. */
            out[n++] = (char)('0' + row * 2 + col);
        } else {
            out[n++] = hex_digit(col);
            out[n++] = hex_digit(row);
        }
    }
    out[n] = '\0';
    return GG_OK;
}
