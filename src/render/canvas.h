/* Private: drawing helpers shared by the maps (cairo, pango). */
#ifndef GG_RENDER_CANVAS_H
#define GG_RENDER_CANVAS_H

#include "core/ctx.h"

#include <cairo.h>
#include <sqlite3.h>
#include <pango/pangocairo.h>

#define FONT "WenQuanYi Micro Hei, Noto Sans CJK SC, Noto Sans CJK, sans"

/* The view: lon/lat to page, with longitude shrunk by cos(latitude) so
 * that the map is not stretched. A Mercator view (a web map's tile,
 * EPSG:3857) takes each latitude to gg_mercator_deg(lat) first; its lat0
 * is the bottom edge's. */
typedef struct gg_view {
    double lon0, lat0, kx, scale, x0, y0, height;
    int mercator;
} gg_view;

/* Web Mercator's y in degrees of longitude at the equator (ln tan(pi/4 +
 * lat/2), as degrees), and its inverse. */
double gg_mercator_deg(double lat);
double gg_mercator_lat(double y_deg);

void gg_to_page(const gg_view *v, double lon, double lat, double *x, double *y);
/* Where a geometry's points go on the page: move to a ring's or line's
 * first point, line to each next one, close a ring (NULL: not told). */
typedef struct gg_sink {
    void (*move)(void *user, double x, double y);
    void (*line)(void *user, double x, double y);
    void (*close)(void *user);
    void *user;
} gg_sink;

/* A sink adding to cr's current path; one passing everything to both of
 * two[0] and two[1] (which must outlive it). */
gg_sink gg_cairo_sink(cairo_t *cr);
gg_sink gg_tee_sink(gg_sink two[2]);

/* Any geometry's rings and lines (lon/lat) through view v into sink:
 * points are left out where the line drawn passes within a quarter of a
 * pixel of them (a line's first and last points never are); shells go
 * counter-clockwise and holes clockwise in lon/lat, whichever way they
 * are stored. */
void gg_walk_geom(const gg_sink *sink, GEOSContextHandle_t h, const gg_view *v, const GEOSGeometry *g);
/* The same for a SpatiaLite BLOB read in place (geo/blob.h); 0, drawing
 * nothing, when it cannot be (gg_blob_lines: not GG_BLOB_READ). */
int gg_walk_blob(const gg_sink *sink, const gg_view *v, const unsigned char *blob, size_t size);
/* Adds any geometry's rings and lines to the current path (gg_walk_geom):
 * polygons that touch or overlap, drawn in one path, fill as their union
 * under CAIRO_FILL_RULE_WINDING. */
void gg_path_geom(cairo_t *cr, GEOSContextHandle_t h, const gg_view *v, const GEOSGeometry *g);
/* Text at (x, y) (its centre when centred), size in px, with a white halo. */
void gg_text(cairo_t *cr, const char *s, double x, double y, double size, int bold, int centred, double r,
             double g, double b);
/* Steps stmt, whose row is min x, min y, max x, max y and a count, into
 * box; returns the count (0 when there is no row). Finalizes stmt. */
int64_t gg_read_box(sqlite3_stmt *stmt, double box[4]);
void gg_scale_bar(cairo_t *cr, double x, double y, double unit, double metres_per_unit_px);

/* Whether s is an image surface of 8-bit RGB pixels (ARGB32 or RGB24),
 * whose bytes the mask and the PNG writer read and write directly. */
int gg_rgb_image(cairo_surface_t *s);

/* A page: the surface (PNG, SVG or PDF: format 1, 2, 3), its cairo
 * context, the view fitting box (lon/lat) in width_px (0: 1600) with
 * margins and a title band, painted white. */
typedef struct gg_page {
    cairo_surface_t *surface;
    cairo_t *cr;
    gg_view view;
    double width, height, unit, margin, title_h, metres_per_px;
} gg_page;

gg_status gg_page_begin(gg_ctx *ctx, const char *path, int format, const double box[4], int width_px,
                        gg_page *page);
/* Writes the PNG (format 1) and finishes the surface; on failure (st or
 * its own) removes path. Returns the status. */
gg_status gg_page_end(gg_ctx *ctx, gg_page *page, const char *path, int format, gg_status st);

#endif
