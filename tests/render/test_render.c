/* The maps' drawing helpers: the coverage mask for thin lines (coverage
 * by distance, clipping, the largest coverage kept, painting), the walk
 * of a geometry onto the page (points left out only within a quarter of
 * a pixel, rings oriented), the PNG writer (read back with cairo). */
#include "harness.h"

#include "core/ctx.h"
#include "failing_alloc.h"
#include "geo/blob.h"
#include "render/canvas.h"
#include "render/mask.h"
#include "render/png.h"
#include "store/store.h"
#include "govgrid/render.h"

#include <math.h>
#include <stdlib.h>

static gg_ctx *new_ctx(void)
{
    gg_ctx *ctx = NULL;
    CHECK_INT(gg_ctx_new(&ctx), GG_OK);
    return ctx;
}

static unsigned at(const gg_mask *m, int i, int j)
{
    return m->cov[(size_t)j * (size_t)m->w + (size_t)i];
}

static double total(const gg_mask *m)
{
    double s = 0;
    for (size_t k = 0; k < (size_t)m->w * (size_t)m->h; k++)
        s += m->cov[k] / 255.0;
    return s;
}

static void mask_covers_by_distance_to_the_segment(void)
{
    gg_ctx *ctx = new_ctx();
    gg_mask m;
    double clip[4] = {0, 0, 64, 32};
    CHECK_INT(gg_mask_init(ctx, &m, 64, 32, clip), GG_OK);
    /* along row 10's centres, 2 px wide: the row full, the rows beside at
     * half (their centres 1 px away), two rows off nothing */
    gg_mask_segment(&m, 10, 10.5, 30, 10.5, 2);
    for (int i = 10; i < 30; i++) {
        CHECK_INT(at(&m, i, 10), 255);
        CHECK_NEAR(at(&m, i, 9), 128, 1);
        CHECK_NEAR(at(&m, i, 11), 128, 1);
        CHECK_INT(at(&m, i, 8), 0);
        CHECK_INT(at(&m, i, 12), 0);
    }
    /* round ends: nothing 1.5 px or more beyond an end */
    CHECK_INT(at(&m, 8, 10), 0);
    CHECK_INT(at(&m, 31, 10), 0);
    CHECK_INT(at(&m, 9, 10), 255);
    CHECK_NEAR(at(&m, 30, 9), 97, 1); /* past the end: 1.118 px from it */
    /* touched: the pixels within 1.5 px of the segment's box */
    CHECK_INT(m.dx0, 8);
    CHECK_INT(m.dx1, 32);
    CHECK_INT(m.dy0, 9);
    CHECK_INT(m.dy1, 13);
    /* drawn again, the same: the largest coverage is kept, not a sum */
    double before = total(&m);
    gg_mask_segment(&m, 10, 10.5, 30, 10.5, 2);
    gg_mask_segment(&m, 30, 10.5, 10, 10.5, 2);
    CHECK_NEAR(total(&m), before, 1e-9);
    /* a thin line's coverage adds up to its length times its width */
    memset(m.cov, 0, (size_t)m.w * (size_t)m.h);
    gg_mask_segment(&m, 5.2, 3.7, 55.9, 27.1, 1.0);
    double len = hypot(55.9 - 5.2, 27.1 - 3.7);
    CHECK_NEAR(total(&m) / (len + 1.0), 1.0, 0.05);
    /* nothing for a zero width or a point at infinity */
    before = total(&m);
    gg_mask_segment(&m, 1, 1, 20, 20, 0);
    gg_mask_segment(&m, 1, 1, INFINITY, 20, 3);
    gg_mask_segment(&m, NAN, 1, 20, 20, 3);
    CHECK_NEAR(total(&m), before, 1e-9);
    gg_mask_free(ctx, &m);
    gg_ctx_free(ctx);
}

static void mask_draws_only_inside_its_clip(void)
{
    gg_ctx *ctx = new_ctx();
    gg_mask m;
    double clip[4] = {4.5, 6, 20, 18.2};
    CHECK_INT(gg_mask_init(ctx, &m, 24, 24, clip), GG_OK);
    CHECK_INT(m.cx0, 4);
    CHECK_INT(m.cy0, 6);
    CHECK_INT(m.cx1, 20);
    CHECK_INT(m.cy1, 19);
    /* lines far across and around the clip, and off the mask altogether */
    gg_mask_segment(&m, -100, -50, 300, 200, 3);
    gg_mask_segment(&m, -1e9, 12, 1e9, 12.5, 2);
    gg_mask_segment(&m, 12, -1e6, 12.5, 1e6, 2);
    gg_mask_segment(&m, 1000, 1000, 2000, 1500, 5);
    int inside = 0, outside = 0;
    for (int j = 0; j < 24; j++)
        for (int i = 0; i < 24; i++) {
            int in = i >= 4 && i < 20 && j >= 6 && j < 19;
            if (at(&m, i, j))
                in ? inside++ : outside++;
        }
    CHECK(inside > 30);
    CHECK_INT(outside, 0);
    CHECK(m.dx0 >= 4 && m.dx1 <= 20 && m.dy0 >= 6 && m.dy1 <= 19);
    gg_mask_free(ctx, &m);
    /* a clip off the mask, or no pixels, is refused */
    double off[4] = {30, 30, 40, 40};
    CHECK_INT(gg_mask_init(ctx, &m, 24, 24, off), GG_ERR_ARG);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "no pixel");
    CHECK_INT(gg_mask_init(ctx, &m, 0, 24, clip), GG_ERR_ARG);
    gg_ctx_free(ctx);
}

static uint32_t pixel(cairo_surface_t *s, int i, int j)
{
    cairo_surface_flush(s);
    const unsigned char *d = cairo_image_surface_get_data(s);
    return ((const uint32_t *)(const void *)(d + (size_t)j * (size_t)cairo_image_surface_get_stride(s)))[i];
}

static void mask_paints_its_colour_by_coverage(void)
{
    gg_ctx *ctx = new_ctx();
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 40, 20);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    gg_mask m;
    double clip[4] = {0, 0, 40, 20};
    CHECK_INT(gg_mask_init(ctx, &m, 40, 20, clip), GG_OK);
    gg_mask_segment(&m, 5, 10.5, 35, 10.5, 2);
    CHECK_INT(gg_mask_paint(ctx, &m, s, 1, 0, 0), GG_OK);
    CHECK_INT(pixel(s, 20, 10), 0xffff0000u);         /* full: red */
    uint32_t half = pixel(s, 20, 9); /* half: red over white, half and half */
    CHECK_INT(half >> 16, 0xffff);
    CHECK_NEAR(half >> 8 & 255, 127, 1);
    CHECK_NEAR(half & 255, 127, 1);
    CHECK_INT(pixel(s, 20, 5), 0xffffffffu);          /* none: white */
    CHECK_NEAR(total(&m), 0, 0);                      /* painting clears the mask */
    CHECK(m.dx0 >= m.dx1);
    CHECK_INT(gg_mask_paint(ctx, &m, s, 0, 0, 1), GG_OK); /* nothing to paint: nothing changes */
    CHECK_INT(pixel(s, 20, 10), 0xffff0000u);
    /* cairo draws over what the mask painted */
    cairo_rectangle(cr, 18, 8, 4, 4);
    cairo_set_source_rgb(cr, 0, 0, 1);
    cairo_fill(cr);
    CHECK_INT(pixel(s, 20, 10), 0xff0000ffu);
    cairo_destroy(cr);
    /* not an image, or not the mask's size: refused */
    cairo_surface_t *rec = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, NULL);
    CHECK_INT(gg_mask_paint(ctx, &m, rec, 1, 0, 0), GG_ERR_ARG);
    cairo_surface_destroy(rec);
    cairo_surface_t *small = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 10, 10);
    CHECK_INT(gg_mask_paint(ctx, &m, small, 1, 0, 0), GG_ERR_ARG);
    cairo_surface_destroy(small);
    gg_mask_free(ctx, &m);
    cairo_surface_destroy(s);
    gg_ctx_free(ctx);
}

static void mask_allocation_failure_is_a_status(void)
{
    failing_alloc state = {0, 0, 0};
    gg_allocator alloc = failing_alloc_make(&state);
    gg_ctx *ctx = NULL;
    CHECK_INT(gg_ctx_new_with_allocator(&alloc, &ctx), GG_OK);
    if (ctx == NULL)
        return;
    state.calls = 0;
    state.fail_at = 1;
    gg_mask m;
    double clip[4] = {0, 0, 10, 10};
    CHECK_INT(gg_mask_init(ctx, &m, 10, 10, clip), GG_ERR_NOMEM);
    CHECK(m.cov == NULL);
    gg_ctx_free(ctx);
    CHECK_INT(state.live, 0);
}

/* What a walk sends: the points, each ring's start and whether it closed. */
typedef struct recorded {
    double xy[2 * 4096];
    int n, moves, closes;
    int start[64];
} recorded;

static void rec_move(void *u, double x, double y)
{
    recorded *r = u;
    if (r->moves < 64)
        r->start[r->moves] = r->n;
    r->moves++;
    r->xy[2 * r->n] = x, r->xy[2 * r->n + 1] = y, r->n++;
}

static void rec_line(void *u, double x, double y)
{
    recorded *r = u;
    if (r->n < 4096)
        r->xy[2 * r->n] = x, r->xy[2 * r->n + 1] = y, r->n++;
}

static void rec_close(void *u)
{
    ((recorded *)u)->closes++;
}

static double seg_dist(double px, double py, double ax, double ay, double bx, double by)
{
    double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
    double t = l2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / l2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return hypot(px - ax - t * dx, py - ay - t * dy);
}

/* A view of one unit a degree (kx 1): page x = lon, page y = 100 - lat. */
static gg_view unit_view(void)
{
    gg_view v = {0, 0, 1, 1, 0, 0, 100, 0};
    return v;
}

static void walk_leaves_out_points_only_within_a_quarter_pixel(void)
{
    gg_ctx *ctx = new_ctx();
    GEOSContextHandle_t h = ctx->geos;
    gg_view v = unit_view();
    /* a noisy line: 2,200 points, a random walk in 0.05 px steps with
     * turns, then a straight run */
    int n = 2200;
    GEOSCoordSequence *seq = GEOSCoordSeq_create_r(h, (unsigned)n, 2);
    double x = 10, y = 50, a = 0;
    srand(7);
    double *pts = malloc(sizeof(double) * 2 * (size_t)n);
    for (int i = 0; i < n; i++) {
        if (i < 2000) {
            a += (rand() / (double)RAND_MAX - 0.5) * 0.6;
            x += 0.05 * cos(a), y += 0.05 * sin(a);
        } else {
            x += 0.1, y += 0.02;
        }
        pts[2 * i] = x, pts[2 * i + 1] = y;
        GEOSCoordSeq_setXY_r(h, seq, (unsigned)i, x, y);
    }
    GEOSGeometry *line = GEOSGeom_createLineString_r(h, seq);
    recorded *r = calloc(1, sizeof *r);
    gg_sink sink = {rec_move, rec_line, rec_close, r};
    gg_walk_geom(&sink, h, &v, line);
    CHECK_INT(r->moves, 1);
    CHECK_INT(r->closes, 0); /* a line is not closed */
    CHECK(r->n >= 2 && r->n < n / 4);
    /* first and last points kept */
    CHECK_NEAR(r->xy[0], pts[0], 1e-9);
    CHECK_NEAR(r->xy[1], 100 - pts[1], 1e-9);
    CHECK_NEAR(r->xy[2 * r->n - 2], pts[2 * n - 2], 1e-9);
    CHECK_NEAR(r->xy[2 * r->n - 1], 100 - pts[2 * n - 1], 1e-9);
    /* every point within a quarter pixel of the line drawn */
    double worst = 0;
    for (int i = 0; i < n; i++) {
        double best = INFINITY;
        for (int k = 0; k + 1 < r->n; k++)
            best = fmin(best, seg_dist(pts[2 * i], 100 - pts[2 * i + 1], r->xy[2 * k], r->xy[2 * k + 1],
                                       r->xy[2 * k + 2], r->xy[2 * k + 3]));
        worst = fmax(worst, best);
    }
    CHECK(worst <= 0.25 + 1e-9);
    /* 200 points in a straight line: its two ends */
    GEOSCoordSequence *st = GEOSCoordSeq_create_r(h, 200, 2);
    for (unsigned i = 0; i < 200; i++)
        GEOSCoordSeq_setXY_r(h, st, i, 10 + 0.1 * i, 50 + 0.02 * i);
    GEOSGeometry *straight = GEOSGeom_createLineString_r(h, st);
    memset(r, 0, sizeof *r);
    gg_walk_geom(&sink, h, &v, straight);
    CHECK_INT(r->n, 2);
    GEOSGeom_destroy_r(h, straight);
    /* a zigzag a pixel high keeps its every corner */
    GEOSCoordSequence *z = GEOSCoordSeq_create_r(h, 41, 2);
    for (unsigned i = 0; i < 41; i++)
        GEOSCoordSeq_setXY_r(h, z, i, 10 + i, 50 + (i % 2));
    GEOSGeometry *zig = GEOSGeom_createLineString_r(h, z);
    memset(r, 0, sizeof *r);
    gg_walk_geom(&sink, h, &v, zig);
    CHECK_INT(r->n, 41);
    GEOSGeom_destroy_r(h, zig);
    GEOSGeom_destroy_r(h, line);
    free(r);
    free(pts);
    gg_ctx_free(ctx);
}

static double ring_area(const recorded *r, int k, int end)
{
    double s = 0;
    for (int i = r->start[k]; i + 1 < end; i++)
        s += r->xy[2 * i] * r->xy[2 * i + 3] - r->xy[2 * i + 2] * r->xy[2 * i + 1];
    return s / 2;
}

static void walk_orients_shells_and_holes_whichever_way_stored(void)
{
    gg_ctx *ctx = new_ctx();
    GEOSContextHandle_t h = ctx->geos;
    gg_view v = unit_view();
    const char *wkt[] = {
        /* shell counter-clockwise, hole clockwise (as OGC has it) */
        "POLYGON((0 0, 40 0, 40 40, 0 40, 0 0), (10 10, 10 30, 30 30, 30 10, 10 10))",
        /* both the other way */
        "POLYGON((0 0, 0 40, 40 40, 40 0, 0 0), (10 10, 30 10, 30 30, 10 30, 10 10))",
        /* both the same way */
        "POLYGON((0 0, 40 0, 40 40, 0 40, 0 0), (10 10, 30 10, 30 30, 10 30, 10 10))",
    };
    GEOSWKTReader *rd = GEOSWKTReader_create_r(h);
    recorded *r = calloc(1, sizeof *r);
    gg_sink sink = {rec_move, rec_line, rec_close, r};
    for (size_t i = 0; i < sizeof wkt / sizeof wkt[0]; i++) {
        GEOSGeometry *g = GEOSWKTReader_read_r(h, rd, wkt[i]);
        memset(r, 0, sizeof *r);
        gg_walk_geom(&sink, h, &v, g);
        CHECK_INT(r->moves, 2);
        CHECK_INT(r->closes, 2);
        double shell = ring_area(r, 0, r->start[1]), hole = ring_area(r, 1, r->n);
        /* on the page (y down) a counter-clockwise lon/lat ring turns the
         * other way: the shell's signed area negative, the hole's positive */
        CHECK_NEAR(shell, -1600, 1e-9);
        CHECK_NEAR(hole, 400, 1e-9);
        GEOSGeom_destroy_r(h, g);
    }
    /* a multipolygon: every part's shell the same way */
    GEOSGeometry *g = GEOSWKTReader_read_r(h, rd, "MULTIPOLYGON(((0 0, 5 0, 5 5, 0 0)), ((10 0, 10 5, 15 5, 10 0)))");
    memset(r, 0, sizeof *r);
    gg_walk_geom(&sink, h, &v, g);
    CHECK_INT(r->moves, 2);
    CHECK(ring_area(r, 0, r->start[1]) < 0 && ring_area(r, 1, r->n) < 0);
    GEOSGeom_destroy_r(h, g);
    GEOSWKTReader_destroy_r(h, rd);
    free(r);
    gg_ctx_free(ctx);
}

static void walk_of_a_blob_is_the_walk_of_its_geometry(void)
{
    gg_ctx *ctx = new_ctx();
    GEOSContextHandle_t h = ctx->geos;
    gg_view v = unit_view();
    GEOSWKTReader *rd = GEOSWKTReader_create_r(h);
    /* a noisy shell stored clockwise, a hole; a second part */
    GEOSGeometry *g = GEOSWKTReader_read_r(
        h, rd,
        "MULTIPOLYGON(((0 0, 0 40, 20 40.1, 20.1 40, 40 40, 40 0, 0 0), (10 10, 30 10, 30 30, 10 30, 10 10)),"
        " ((50 0, 60 0, 60 10, 50 0)))");
    unsigned char *blob = NULL;
    int size = 0;
    CHECK_INT(gg_geom_to_blob(ctx, g, &blob, &size), GG_OK);
    recorded *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    gg_sink sa = {rec_move, rec_line, rec_close, a}, sb = {rec_move, rec_line, rec_close, b};
    gg_walk_geom(&sa, h, &v, g);
    CHECK(gg_walk_blob(&sb, &v, blob, (size_t)size));
    CHECK_INT(b->moves, 3);
    CHECK_INT(b->closes, 3);
    CHECK_INT(b->n, a->n);
    CHECK(a->n < 16); /* the points a quarter pixel off the shell's top left out */
    for (int i = 0; i < 2 * a->n; i++)
        CHECK_NEAR(b->xy[i], a->xy[i], 0);
    /* one walk into two sinks */
    memset(a, 0, sizeof *a);
    memset(b, 0, sizeof *b);
    gg_sink two[2] = {sa, sb};
    gg_sink tee = gg_tee_sink(two);
    CHECK(gg_walk_blob(&tee, &v, blob, (size_t)size));
    CHECK_INT(a->n, b->n);
    CHECK_INT(a->closes, 3);
    /* a truncated BLOB draws nothing */
    memset(b, 0, sizeof *b);
    CHECK(!gg_walk_blob(&sb, &v, blob, (size_t)size - 9));
    CHECK_INT(b->n, 0);
    free(blob);
    free(a);
    free(b);
    GEOSGeom_destroy_r(h, g);
    GEOSWKTReader_destroy_r(h, rd);
    gg_ctx_free(ctx);
}

static void png_reads_back_as_drawn_over_white(void)
{
    gg_ctx *ctx = new_ctx();
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 37, 23);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 0.2, 0.4, 0.6);
    cairo_rectangle(cr, 0, 0, 20, 23);
    cairo_fill(cr);
    cairo_set_source_rgba(cr, 1, 0, 0, 0.5); /* half see-through over nothing: over white, pink */
    cairo_rectangle(cr, 20, 0, 17, 23);
    cairo_fill(cr);
    cairo_destroy(cr);
    const char *path = gg_test_path("t.png");
    CHECK_INT(gg_png_write(ctx, s, path), GG_OK);
    cairo_surface_t *back = cairo_image_surface_create_from_png(path);
    CHECK_INT(cairo_surface_status(back), CAIRO_STATUS_SUCCESS);
    CHECK_INT(cairo_image_surface_get_width(back), 37);
    CHECK_INT(cairo_image_surface_get_height(back), 23);
    CHECK_INT(pixel(back, 3, 3) & 0xffffffu, pixel(s, 3, 3) & 0xffffffu);
    CHECK_INT(pixel(back, 3, 3) >> 24, 255);
    uint32_t pink = pixel(back, 30, 12);
    CHECK_INT(pink >> 24, 255);
    CHECK((pink >> 16 & 255) == 255 && (pink >> 8 & 255) >= 126 && (pink >> 8 & 255) <= 128 &&
          (pink & 255) >= 126 && (pink & 255) <= 128);
    cairo_surface_destroy(back);
    /* a directory that does not exist: the path named, nothing written */
    CHECK_INT(gg_png_write(ctx, s, "/nonexistent-dir/x.png"), GG_ERR_IO);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "/nonexistent-dir/x.png: cannot create");
    /* not an image */
    cairo_surface_t *rec = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, NULL);
    CHECK_INT(gg_png_write(ctx, rec, path), GG_ERR_ARG);
    cairo_surface_destroy(rec);
    cairo_surface_destroy(s);
    gg_ctx_free(ctx);
}

static void tile_bounds_are_web_mercator_xyz(void)
{
    gg_ctx *ctx = new_ctx();
    double box[4];
    gg_tile_request world = {0, 0, 0, 1};
    CHECK_INT(gg_tile_bounds(ctx, &world, box), GG_OK);
    CHECK_NEAR(box[0], -180, 1e-9);
    CHECK_NEAR(box[1], -85.0511287798, 1e-9);
    CHECK_NEAR(box[2], 180, 1e-9);
    CHECK_NEAR(box[3], 85.0511287798, 1e-9);
    /* y counts from the north: zoom 1's tile 1/1/0 is the north-east quarter */
    gg_tile_request ne = {1, 1, 0, 1};
    CHECK_INT(gg_tile_bounds(ctx, &ne, box), GG_OK);
    CHECK_NEAR(box[0], 0, 1e-9);
    CHECK_NEAR(box[1], 0, 1e-9);
    CHECK_NEAR(box[3], 85.0511287798, 1e-9);
    /* Beijing's tile at zoom 10 (as OpenStreetMap numbers it) */
    gg_tile_request bj = {10, 843, 387, 2};
    CHECK_INT(gg_tile_bounds(ctx, &bj, box), GG_OK);
    CHECK_NEAR(box[0], 116.3671875, 1e-9);
    CHECK_NEAR(box[2], 116.71875, 1e-9);
    CHECK_NEAR(box[1], 39.90973623453718, 1e-9);
    CHECK_NEAR(box[3], 40.17887331434696, 1e-9);
    /* the Mercator y and its inverse agree */
    CHECK_NEAR(gg_mercator_lat(gg_mercator_deg(39.9)), 39.9, 1e-12);
    /* out of range, said which */
    gg_tile_request bad = {20, 0, 0, 1};
    CHECK_INT(gg_tile_bounds(ctx, &bad, box), GG_ERR_ARG);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "zoom 20 is out of range");
    bad = (gg_tile_request){3, 8, 0, 1};
    CHECK_INT(gg_tile_bounds(ctx, &bad, box), GG_ERR_ARG);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "tile 3/8/0 does not exist");
    bad = (gg_tile_request){3, 0, -1, 1};
    CHECK_INT(gg_tile_bounds(ctx, &bad, box), GG_ERR_ARG);
    bad = (gg_tile_request){3, 0, 0, 3};
    CHECK_INT(gg_tile_bounds(ctx, &bad, box), GG_ERR_ARG);
    gg_ctx_free(ctx);
}

typedef struct png_read {
    const unsigned char *data;
    size_t len, at;
} png_read;

static cairo_status_t read_png(void *closure, unsigned char *data, unsigned int length)
{
    png_read *r = closure;
    if (r->len - r->at < length)
        return CAIRO_STATUS_READ_ERROR;
    memcpy(data, r->data + r->at, length);
    r->at += length;
    return CAIRO_STATUS_SUCCESS;
}

static cairo_surface_t *decode(const gg_tile *t)
{
    png_read r = {t->png, t->len, 0};
    cairo_surface_t *s = cairo_image_surface_create_from_png_stream(read_png, &r);
    CHECK_INT(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    return s;
}

static unsigned rgb(cairo_surface_t *s, int i, int j)
{
    return pixel(s, i, j) & 0xffffffu;
}

#define LAND 0xf2efe9u
#define PRIMARY 0xfcd6a4u

/* A new project at name with a primary road along the middle row of
 * tile req, from a quarter into it on to three quarters into the next
 * tile east. */
static gg_store *road_store(gg_ctx *ctx, const char *name, const gg_tile_request *req)
{
    gg_store *store = NULL;
    CHECK_INT(gg_store_create(ctx, gg_test_path(name), &store), GG_OK);
    double box[4];
    CHECK_INT(gg_tile_bounds(ctx, req, box), GG_OK);
    double mid_lat = gg_mercator_lat((gg_mercator_deg(box[1]) + gg_mercator_deg(box[3])) / 2);
    double width = box[2] - box[0];
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO road(id, class, name, geom) VALUES ('r1', 'primary', '长安街', CastToMultiLineString("
             "GeomFromText('LINESTRING(%.10f %.10f, %.10f %.10f)', 4326)))",
             box[0] + width * 0.25, mid_lat, box[2] + width * 0.75, mid_lat);
    CHECK_INT(gg_store_exec(store, sql), GG_OK);
    return store;
}

/* A primary road along the middle row of tile 16/53958/24832 (Beijing)
 * and on east through the next tile: drawn in the primary colour on the
 * row, land above and below it, joined across the tiles' edge; a tile
 * with nothing in it empty, with the background for it; a residential
 * street not drawn far out. */
static void tile_draws_roads_in_their_class_colour(void)
{
    gg_ctx *ctx = new_ctx();
    gg_tile_request req = {16, 53958, 24832, 1};
    gg_store *store = road_store(ctx, "tiles.sqlite", &req);
    gg_tile t;
    CHECK_INT(gg_tile_render(ctx, store, &req, &t), GG_OK);
    CHECK_INT(t.empty, 0);
    CHECK(t.len > 8 && memcmp(t.png, "\x89PNG\r\n\x1a\n", 8) == 0);
    cairo_surface_t *s = decode(&t);
    CHECK_INT(cairo_image_surface_get_width(s), 256);
    CHECK_INT(rgb(s, 128, 128), PRIMARY);
    CHECK_INT(rgb(s, 250, 127), PRIMARY);
    CHECK_INT(rgb(s, 10, 128), LAND); /* the road begins a quarter in */
    CHECK_INT(rgb(s, 128, 100), LAND);
    CHECK_INT(rgb(s, 128, 160), LAND);
    /* its casing, darker, just beside it */
    int j = 128;
    while (j > 110 && rgb(s, 128, j) == PRIMARY)
        j--;
    CHECK(rgb(s, 128, j) != PRIMARY && rgb(s, 128, j) != LAND);
    cairo_surface_destroy(s);
    gg_tile_free(ctx, &t);
    CHECK(t.png == NULL);
    /* the tile to the east: the road from its west edge on, at the same row */
    gg_tile_request east = {16, 53959, 24832, 2};
    CHECK_INT(gg_tile_render(ctx, store, &east, &t), GG_OK);
    s = decode(&t);
    CHECK_INT(cairo_image_surface_get_width(s), 512);
    CHECK_INT(rgb(s, 0, 256), PRIMARY);
    CHECK_INT(rgb(s, 300, 256), PRIMARY);
    CHECK_INT(rgb(s, 500, 256), LAND);
    cairo_surface_destroy(s);
    gg_tile_free(ctx, &t);
    /* far away: empty, and the background is land */
    gg_tile_request away = {16, 53958, 24900, 1};
    CHECK_INT(gg_tile_render(ctx, store, &away, &t), GG_OK);
    CHECK_INT(t.empty, 1);
    CHECK(t.png == NULL);
    CHECK_INT(gg_tile_background(ctx, 1, &t), GG_OK);
    s = decode(&t);
    CHECK_INT(rgb(s, 0, 0), LAND);
    CHECK_INT(rgb(s, 255, 255), LAND);
    cairo_surface_destroy(s);
    gg_tile_free(ctx, &t);
    /* a residential street shows from zoom 13: at zoom 10 its tile is empty */
    CHECK_INT(gg_store_exec(store, "DELETE FROM road"), GG_OK);
    CHECK_INT(gg_store_exec(store, "INSERT INTO road(id, class, geom) VALUES ('r2', 'residential', CastToMultiLineString("
                                   "GeomFromText('LINESTRING(116.40 40.0, 116.45 40.0)', 4326)))"),
              GG_OK);
    gg_tile_request z10 = {10, 843, 387, 1}, z14 = {14, 13490, 6202, 1};
    CHECK_INT(gg_tile_render(ctx, store, &z10, &t), GG_OK);
    CHECK_INT(t.empty, 1);
    CHECK_INT(gg_tile_render(ctx, store, &z14, &t), GG_OK);
    CHECK_INT(t.empty, 0);
    gg_tile_free(ctx, &t);
    /* out of range: an error, nothing drawn */
    gg_tile_request bad = {19, 1 << 19, 0, 1};
    CHECK_INT(gg_tile_render(ctx, store, &bad, &t), GG_ERR_ARG);
    CHECK(t.png == NULL);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* Every allocation of a tile's drawing failed in turn: GG_ERR_NOMEM, no
 * PNG, nothing left allocated; then it succeeds. */
static void tile_allocation_failure_is_a_status(void)
{
    gg_ctx *ctx = new_ctx();
    gg_tile_request req = {16, 53958, 24832, 1};
    gg_store_close(road_store(ctx, "tiles-fail.sqlite", &req));
    gg_ctx_free(ctx);
    failing_alloc state = {0, 0, 0};
    gg_allocator alloc = failing_alloc_make(&state);
    CHECK_INT(gg_ctx_new_with_allocator(&alloc, &ctx), GG_OK);
    gg_store *store = NULL;
    CHECK_INT(gg_store_open(ctx, gg_test_path("tiles-fail.sqlite"), 0, &store), GG_OK);
    long live = state.live, failures = 0;
    for (long n = 1; n < 10000; n++) {
        state.calls = 0;
        state.fail_at = n;
        gg_tile t;
        gg_status st = gg_tile_render(ctx, store, &req, &t);
        if (st == GG_OK) {
            CHECK(t.png != NULL && t.len > 8);
            gg_tile_free(ctx, &t);
            CHECK_INT(state.live, live);
            break;
        }
        CHECK_INT(st, GG_ERR_NOMEM);
        CHECK(t.png == NULL);
        CHECK_INT(state.live, live);
        failures++;
    }
    CHECK(failures > 0);
    state.fail_at = 0;
    gg_store_close(store);
    gg_ctx_free(ctx);
    CHECK_INT(state.live, 0);
}

/* The palette's classes cover every count once, in order, with the
 * "no count" class first; dedicated grids have no class. */
static void palette_classes_cover_every_count(void)
{
    const gg_palette *p = gg_palette_get();
    CHECK(p->class_count >= 3);
    CHECK_STR(p->classes[0].key, "none");
    CHECK_INT(p->classes[0].counted, 0);
    CHECK_STR(p->classes[1].key, "0");
    CHECK_INT(p->classes[1].min, 0);
    for (size_t i = 2; i < p->class_count; i++)
        CHECK_INT(p->classes[i].min, p->classes[i - 1].max + 1);
    CHECK_INT(p->classes[p->class_count - 1].max, INT64_MAX);
    CHECK(gg_palette_class_of(1, 0, 400) == &p->classes[0]);
    CHECK(gg_palette_class_of(1, 1, 0) == &p->classes[1]);
    CHECK(gg_palette_class_of(1, 1, -3) == &p->classes[0]);
    CHECK_STR(gg_palette_class_of(1, 1, 400)->key, "400-500");
    CHECK_STR(gg_palette_class_of(1, 1, 501)->key, "501+");
    CHECK(gg_palette_class_of(2, 1, 400) == NULL);
    char hex[8];
    CHECK_STR(gg_colour_hex((gg_colour){252, 214, 164}, hex, sizeof hex), "#fcd6a4");
}

TEST_LIST(T(mask_covers_by_distance_to_the_segment), T(mask_draws_only_inside_its_clip),
          T(mask_paints_its_colour_by_coverage), T(mask_allocation_failure_is_a_status),
          T(walk_leaves_out_points_only_within_a_quarter_pixel),
          T(walk_orients_shells_and_holes_whichever_way_stored), T(walk_of_a_blob_is_the_walk_of_its_geometry),
          T(png_reads_back_as_drawn_over_white), T(tile_bounds_are_web_mercator_xyz),
          T(tile_draws_roads_in_their_class_colour), T(tile_allocation_failure_is_a_status),
          T(palette_classes_cover_every_count))
