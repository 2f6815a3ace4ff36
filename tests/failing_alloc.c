#include "failing_alloc.h"

#include <stdlib.h>

static void *f_malloc(void *ud, size_t n)
{
    failing_alloc *f = ud;
    if (++f->calls == f->fail_at)
        return NULL;
    f->live++;
    return malloc(n);
}

static void *f_realloc(void *ud, void *p, size_t n)
{
    failing_alloc *f = ud;
    if (++f->calls == f->fail_at)
        return NULL;
    if (p == NULL)
        f->live++;
    return realloc(p, n);
}

static void f_free(void *ud, void *p)
{
    failing_alloc *f = ud;
    if (p != NULL)
        f->live--;
    free(p);
}

gg_allocator failing_alloc_make(failing_alloc *state)
{
    gg_allocator a = {f_malloc, f_realloc, f_free, state};
    return a;
}
