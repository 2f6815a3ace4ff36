/*
 * util.h - small helpers shared by the govgrid-synth generator: checked
 * allocation, growable arrays and planar point arithmetic.
 *
 * The generator is a stand-alone tool, so an allocation failure ends the
 * process with exit status 1 after a message on stderr (sy_die); nothing in
 * the govgrid library itself may do this.
 */
#ifndef SYNTH_UTIL_H
#define SYNTH_UTIL_H

#include <stddef.h>
#include <math.h>
#include <stdint.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

typedef struct sy_pt {
    double x, y;
} sy_pt;

/* Prints "govgrid-synth: <message>" to stderr and exits with status 1. */
void sy_die(const char *fmt, ...);

void *sy_malloc(size_t size);
void *sy_calloc(size_t count, size_t size);
void *sy_realloc(void *ptr, size_t size);
char *sy_strdup(const char *text);

/* Grows *buf (holding *cap elements of elem_size bytes) so that it can hold at
 * least need elements. */
void sy_reserve(void **buf, size_t *cap, size_t need, size_t elem_size);

#define SY_PUSH(arr, n, cap, value)                                         \
    do {                                                                    \
        sy_reserve((void **)&(arr), &(cap), (size_t)(n) + 1, sizeof *(arr)); \
        (arr)[(n)++] = (value);                                             \
    } while (0)

/* Growable byte string used for UTF-8 text. */
typedef struct sy_str {
    char *buf;
    size_t len, cap;
} sy_str;

void sy_str_clear(sy_str *s);
void sy_str_cat(sy_str *s, const char *text);
void sy_str_catf(sy_str *s, const char *fmt, ...);
void sy_str_free(sy_str *s);

double sy_ring_area(const sy_pt *pts, size_t n); /* signed, shoelace, ring open or closed */
sy_pt sy_ring_centroid(const sy_pt *pts, size_t n);
double sy_dist(sy_pt a, sy_pt b);
double sy_seg_dist(sy_pt p, sy_pt a, sy_pt b);
/* Even-odd point-in-ring test; ring may be closed (last == first) or open. */
int sy_ring_contains(const sy_pt *ring, size_t n, sy_pt p);

#endif
