/* An image surface written as a PNG with libpng: RGB, zlib level 1, no
 * filter (on a county's dedup map, 2.5 MB in 0.14 s where the Up filter
 * made 3.3 MB in 0.17 s: flat fills and thin lines compress best as
 * they are). */
#include "render/png.h"
#include "render/canvas.h"

#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

typedef struct png_job {
    gg_ctx *ctx;
    const char *what;
    char msg[256];
} png_job;

/* libpng's errors and warnings go to the job, never to stderr. An error
 * handler must not return: back to png_write's setjmp. */
static void on_error(png_structp png, png_const_charp msg)
{
    png_job *job = png_get_error_ptr(png);
    snprintf(job->msg, sizeof job->msg, "%s", msg);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

/* Where the PNG's bytes go: a file, or memory grown as they come (a
 * failure to grow is recorded and the rest dropped). */
typedef struct png_out {
    FILE *f;
    gg_ctx *ctx;
    unsigned char *data;
    size_t len, cap;
    int nomem;
} png_out;

static void write_bytes(png_structp png, png_bytep bytes, png_size_t n)
{
    png_out *out = png_get_io_ptr(png);
    if (out->f != NULL) {
        if (fwrite(bytes, 1, n, out->f) != n)
            png_error(png, strerror(errno));
        return;
    }
    if (out->nomem)
        return;
    if (gg_grow(out->ctx, (void **)&out->data, &out->cap, out->len + n, 1) != GG_OK) {
        out->nomem = 1;
        return;
    }
    memcpy(out->data + out->len, bytes, n);
    out->len += n;
}

static void flush_bytes(png_structp png)
{
    png_out *out = png_get_io_ptr(png);
    if (out->f != NULL)
        fflush(out->f);
}

/* s as 8-bit RGB over white into out; what names it in messages. */
static gg_status encode(gg_ctx *ctx, cairo_surface_t *s, png_out *out, const char *what)
{
    if (!gg_rgb_image(s))
        return gg_error(ctx, GG_ERR_ARG, "%s: not an ARGB32 or RGB24 image to write as a PNG", what);
    cairo_surface_flush(s);
    int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
    int stride = cairo_image_surface_get_stride(s);
    int opaque = cairo_image_surface_get_format(s) == CAIRO_FORMAT_RGB24;
    const unsigned char *data = cairo_image_surface_get_data(s);
    if (data == NULL || w <= 0 || h <= 0)
        return gg_error(ctx, GG_ERR_ARG, "%s: an empty image", what);
    unsigned char *row = gg_malloc(ctx, (size_t)w * 3);
    if (row == NULL)
        return GG_ERR_NOMEM;
    png_job job = {ctx, what, ""};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &job, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    gg_status st = GG_OK;
    if (png == NULL || info == NULL) {
        st = gg_error_nomem(ctx);
    } else if (setjmp(png_jmpbuf(png))) {
        st = gg_error(ctx, GG_ERR_IO, "%s: cannot write the PNG: %s", what, job.msg);
    } else {
        png_set_write_fn(png, out, write_bytes, flush_bytes);
        png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
        png_set_compression_level(png, 1);
        png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
        png_write_info(png, info);
        for (int j = 0; j < h; j++) {
            const uint32_t *px = (const uint32_t *)(const void *)(data + (size_t)j * (size_t)stride);
            for (int i = 0; i < w; i++) {
                uint32_t p = px[i];
                /* premultiplied, over white: c + (255 - alpha) */
                unsigned a = opaque ? 255 : p >> 24, white = 255 - a;
                row[3 * i] = (unsigned char)(((p >> 16) & 255) + white);
                row[3 * i + 1] = (unsigned char)(((p >> 8) & 255) + white);
                row[3 * i + 2] = (unsigned char)((p & 255) + white);
            }
            png_write_row(png, row);
        }
        png_write_end(png, info);
    }
    png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
    gg_free(ctx, row);
    if (st == GG_OK && out->nomem)
        st = GG_ERR_NOMEM; /* recorded by gg_grow */
    return st;
}

gg_status gg_png_write(gg_ctx *ctx, cairo_surface_t *s, const char *path)
{
    if (!gg_rgb_image(s))
        return gg_error(ctx, GG_ERR_ARG, "%s: not an ARGB32 or RGB24 image to write as a PNG", path);
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return gg_error(ctx, GG_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    png_out out = {f, ctx, NULL, 0, 0, 0};
    gg_status st = encode(ctx, s, &out, path);
    if (fclose(f) != 0 && st == GG_OK)
        st = gg_error(ctx, GG_ERR_IO, "%s: write error: %s", path, strerror(errno));
    return st;
}

gg_status gg_png_encode(gg_ctx *ctx, cairo_surface_t *s, unsigned char **png, size_t *len)
{
    png_out out = {NULL, ctx, NULL, 0, 0, 0};
    *png = NULL;
    *len = 0;
    gg_status st = encode(ctx, s, &out, "tile");
    if (st != GG_OK) {
        gg_free(ctx, out.data);
        return st;
    }
    *png = out.data;
    *len = out.len;
    return GG_OK;
}
