/* Private: an image surface written as a PNG, faster than cairo's
 * writer. cairo compresses at zlib's default level and tries every
 * filter on every row, about 0.4 s for a 1,600 x 2,000 map; here it is
 * zlib level 1 and no filter, in about a third of the time, and a map of
 * thin lines on flat fills comes out smaller. */
#ifndef GG_RENDER_PNG_H
#define GG_RENDER_PNG_H

#include "core/ctx.h"

#include <cairo.h>

/* Writes image surface s (ARGB32 or RGB24) to path as 8-bit RGB, each
 * pixel composed over white. Returns GG_OK, GG_ERR_ARG (not such a
 * surface), GG_ERR_IO (path names the file), GG_ERR_NOMEM. On failure
 * the file may be left partly written: the caller removes it. */
gg_status gg_png_write(gg_ctx *ctx, cairo_surface_t *s, const char *path);
/* The same PNG in memory: *png (allocated with ctx's allocator, free
 * with gg_free) of *len bytes; NULL and 0 on failure. Returns GG_OK,
 * GG_ERR_ARG, GG_ERR_IO (libpng refused), GG_ERR_NOMEM. */
gg_status gg_png_encode(gg_ctx *ctx, cairo_surface_t *s, unsigned char **png, size_t *len);

#endif
