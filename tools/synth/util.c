#include "util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sy_die(const char *fmt, ...)
{
    va_list ap;
    fputs("govgrid-synth: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

void *sy_malloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        sy_die("out of memory (%zu bytes)", size);
    return p;
}

void *sy_calloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        sy_die("out of memory (%zu x %zu bytes)", count, size);
    return p;
}

void *sy_realloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p)
        sy_die("out of memory (%zu bytes)", size);
    return p;
}

char *sy_strdup(const char *text)
{
    size_t n = strlen(text) + 1;
    char *p = sy_malloc(n);
    memcpy(p, text, n);
    return p;
}

void sy_reserve(void **buf, size_t *cap, size_t need, size_t elem_size)
{
    if (need <= *cap)
        return;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need)
        ncap *= 2;
    *buf = sy_realloc(*buf, ncap * elem_size);
    *cap = ncap;
}

void sy_str_clear(sy_str *s)
{
    s->len = 0;
    if (s->buf)
        s->buf[0] = '\0';
}

void sy_str_cat(sy_str *s, const char *text)
{
    size_t n = strlen(text);
    sy_reserve((void **)&s->buf, &s->cap, s->len + n + 1, 1);
    memcpy(s->buf + s->len, text, n + 1);
    s->len += n;
}

void sy_str_catf(sy_str *s, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        sy_str_cat(s, tmp);
        return;
    }
    sy_reserve((void **)&s->buf, &s->cap, s->len + (size_t)n + 1, 1);
    va_start(ap, fmt);
    vsnprintf(s->buf + s->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    s->len += (size_t)n;
}

void sy_str_free(sy_str *s)
{
    free(s->buf);
    s->buf = NULL;
    s->len = s->cap = 0;
}

double sy_ring_area(const sy_pt *pts, size_t n)
{
    if (n < 3)
        return 0.0;
    /* Relative to the first vertex to keep precision at Gauss-Krueger scale. */
    double sum = 0.0, ox = pts[0].x, oy = pts[0].y;
    for (size_t i = 0; i < n; i++) {
        const sy_pt *a = &pts[i], *b = &pts[(i + 1) % n];
        sum += (a->x - ox) * (b->y - oy) - (b->x - ox) * (a->y - oy);
    }
    return 0.5 * sum;
}

sy_pt sy_ring_centroid(const sy_pt *pts, size_t n)
{
    sy_pt c = {0, 0};
    if (n == 0)
        return c;
    double ox = pts[0].x, oy = pts[0].y, a2 = 0, cx = 0, cy = 0;
    for (size_t i = 0; i < n; i++) {
        double x0 = pts[i].x - ox, y0 = pts[i].y - oy;
        double x1 = pts[(i + 1) % n].x - ox, y1 = pts[(i + 1) % n].y - oy;
        double cr = x0 * y1 - x1 * y0;
        a2 += cr;
        cx += (x0 + x1) * cr;
        cy += (y0 + y1) * cr;
    }
    if (fabs(a2) < 1e-12) {
        for (size_t i = 0; i < n; i++) {
            c.x += pts[i].x;
            c.y += pts[i].y;
        }
        c.x /= (double)n;
        c.y /= (double)n;
        return c;
    }
    c.x = ox + cx / (3.0 * a2);
    c.y = oy + cy / (3.0 * a2);
    return c;
}

double sy_dist(sy_pt a, sy_pt b)
{
    return hypot(a.x - b.x, a.y - b.y);
}

double sy_seg_dist(sy_pt p, sy_pt a, sy_pt b)
{
    double dx = b.x - a.x, dy = b.y - a.y;
    double l2 = dx * dx + dy * dy;
    double t = l2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / l2 : 0.0;
    if (t < 0)
        t = 0;
    if (t > 1)
        t = 1;
    return hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

int sy_ring_contains(const sy_pt *ring, size_t n, sy_pt p)
{
    int inside = 0;
    for (size_t i = 0, j = n - 1; i < n; j = i++) {
        const sy_pt *a = &ring[i], *b = &ring[j];
        if ((a->y > p.y) != (b->y > p.y)) {
            double x = a->x + (p.y - a->y) * (b->x - a->x) / (b->y - a->y);
            if (p.x < x)
                inside = !inside;
        }
    }
    return inside;
}
