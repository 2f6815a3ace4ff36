/* The chart of the statistics' series (govgrid stats --chart): the
 * closure rate and the on-time rate per interval as two lines over a
 * percentage axis, the intervals' dates along the bottom, a legend. An
 * interval with nothing to take a rate of leaves a gap in its line. */
#include "govgrid/render.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/ctx.h"
#include "render/canvas.h"
#include "render/png.h"

static const double closure_rgb[3] = {0.13, 0.40, 0.75}, on_time_rgb[3] = {0.90, 0.45, 0.05};

/* One line of the chart through the intervals' values (-1: a gap). */
static void draw_line(cairo_t *cr, const gg_case_stats *s, int which, double x0, double step, double y_bottom,
                      double px_per_unit, const double rgb[3], double unit)
{
    cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
    cairo_set_line_width(cr, 2.5 * unit);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    int drawing = 0;
    for (size_t i = 0; i < s->n_series; i++) {
        double v = which ? s->series[i].on_time_rate : s->series[i].closure_rate;
        if (v < 0) {
            drawing = 0;
            continue;
        }
        double x = x0 + step * ((double)i + 0.5), y = y_bottom - v * px_per_unit;
        if (drawing)
            cairo_line_to(cr, x, y);
        else
            cairo_move_to(cr, x, y);
        drawing = 1;
    }
    cairo_stroke(cr);
    if (s->n_series <= 60)
        for (size_t i = 0; i < s->n_series; i++) {
            double v = which ? s->series[i].on_time_rate : s->series[i].closure_rate;
            if (v < 0)
                continue;
            cairo_arc(cr, x0 + step * ((double)i + 0.5), y_bottom - v * px_per_unit, 3.5 * unit, 0, 2 * 3.14159265358979323846);
            cairo_fill(cr);
        }
}

gg_status gg_stats_chart_render(gg_ctx *ctx, const gg_case_stats *s, const char *path, int width_px)
{
    if (ctx == NULL)
        return GG_ERR_ARG;
    if (s == NULL || path == NULL)
        return gg_error(ctx, GG_ERR_ARG, "gg_stats_chart_render: NULL argument");
    const char *dot = strrchr(path, '.');
    if (dot == NULL || strcasecmp(dot, ".png") != 0)
        return gg_error(ctx, GG_ERR_ARG, "%s: the chart's name must end in .png", path);
    if (s->interval == GG_STATS_INTERVAL_NONE || s->n_series == 0)
        return gg_error(ctx, GG_ERR_ARG, "%s: the statistics have no series to chart (no interval)", path);
    double width = width_px > 0 ? width_px : 1200, unit = width / 1200.0, height = 620 * unit;
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)width, (int)height);
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(surface);
        return gg_error_nomem(ctx);
    }
    cairo_t *cr = cairo_create(surface);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);

    /* The axis runs to 100%, or past it (a closure rate above 1: more
     * closed in an interval than received in it) to the next 20%. */
    double top = 1;
    for (size_t i = 0; i < s->n_series; i++) {
        if (s->series[i].closure_rate > top)
            top = s->series[i].closure_rate;
        if (s->series[i].on_time_rate > top)
            top = s->series[i].on_time_rate;
    }
    top = ceil(top * 5 - 1e-9) / 5;
    if (top > 5)
        top = 5;
    double left = 90 * unit, right = width - 40 * unit, y_top = 110 * unit, y_bottom = height - 90 * unit;
    double px_per_unit = (y_bottom - y_top) / top, step = (right - left) / (double)s->n_series;

    char title[160];
    snprintf(title, sizeof title, "Closure and on-time rates by %s", gg_stats_interval_name(s->interval));
    gg_text(cr, title, left, 18 * unit, 24 * unit, 1, 0, 0.1, 0.1, 0.1);
    char sub[256];
    snprintf(sub, sizeof sub, "%s to %s · received %lld, closed %lld, closed on time %lld", s->series[0].label,
             s->series[s->n_series - 1].label, (long long)s->total.received, (long long)s->total.closed,
             (long long)s->total.closed_on_time);
    gg_text(cr, sub, left, 52 * unit, 15 * unit, 0, 0, 0.3, 0.3, 0.3);

    /* Grid lines and the percentages. */
    cairo_set_line_width(cr, 1 * unit);
    for (int k = 0; k <= (int)lround(top * 5); k++) {
        double v = k / 5.0, y = y_bottom - v * px_per_unit;
        cairo_set_source_rgb(cr, k == 0 || k == 5 ? 0.55 : 0.85, k == 0 || k == 5 ? 0.55 : 0.85,
                             k == 0 || k == 5 ? 0.55 : 0.85);
        cairo_move_to(cr, left, y);
        cairo_line_to(cr, right, y);
        cairo_stroke(cr);
        char label[16];
        snprintf(label, sizeof label, "%d%%", k * 20);
        gg_text(cr, label, left - 45 * unit, y - 9 * unit, 14 * unit, 0, 0, 0.25, 0.25, 0.25);
    }
    cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
    cairo_move_to(cr, left, y_top);
    cairo_line_to(cr, left, y_bottom);
    cairo_stroke(cr);

    /* The dates: at most about 12, evenly. */
    size_t every = (s->n_series + 11) / 12;
    for (size_t i = 0; i < s->n_series; i += every) {
        double x = left + step * ((double)i + 0.5);
        cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
        cairo_move_to(cr, x, y_bottom);
        cairo_line_to(cr, x, y_bottom + 6 * unit);
        cairo_stroke(cr);
        gg_text(cr, s->series[i].label, x, y_bottom + 22 * unit, 13 * unit, 0, 1, 0.25, 0.25, 0.25);
    }
    gg_text(cr, "rate (%)", 12 * unit, y_top - 30 * unit, 14 * unit, 0, 0, 0.25, 0.25, 0.25);
    char axis[64];
    snprintf(axis, sizeof axis, "%s starting (China Standard Time)", gg_stats_interval_name(s->interval));
    gg_text(cr, axis, (left + right) / 2, y_bottom + 52 * unit, 14 * unit, 0, 1, 0.25, 0.25, 0.25);

    draw_line(cr, s, 0, left, step, y_bottom, px_per_unit, closure_rgb, unit);
    draw_line(cr, s, 1, left, step, y_bottom, px_per_unit, on_time_rgb, unit);

    /* The legend, top right. */
    const char *names[2] = {"closure rate (closed / received)", "on-time rate (closed on time / closed)"};
    const double *colours[2] = {closure_rgb, on_time_rgb};
    for (int k = 0; k < 2; k++) {
        double x = right - 360 * unit, y = 58 * unit + 22 * unit * k;
        cairo_set_source_rgb(cr, colours[k][0], colours[k][1], colours[k][2]);
        cairo_set_line_width(cr, 3 * unit);
        cairo_move_to(cr, x, y + 9 * unit);
        cairo_line_to(cr, x + 30 * unit, y + 9 * unit);
        cairo_stroke(cr);
        gg_text(cr, names[k], x + 38 * unit, y, 14 * unit, 0, 0, 0.15, 0.15, 0.15);
    }
    cairo_destroy(cr);
    gg_status st = gg_png_write(ctx, surface, path);
    cairo_surface_destroy(surface);
    if (st != GG_OK)
        remove(path);
    return st;
}
