#include "failing_alloc.h"

#include <stdlib.h>

/* The counters are updated atomically: a library call may allocate from
 * threads of its own (the locator builds its index beside the roster), and
 * the call numbered fail_at must fail exactly once whichever thread makes
 * it. */
static void *f_malloc(void *ud, size_t n)
{
    failing_alloc *f = ud;
    if (__atomic_add_fetch(&f->calls, 1, __ATOMIC_SEQ_CST) == f->fail_at)
        return NULL;
    __atomic_add_fetch(&f->live, 1, __ATOMIC_SEQ_CST);
    return malloc(n);
}

static void *f_realloc(void *ud, void *p, size_t n)
{
    failing_alloc *f = ud;
    if (__atomic_add_fetch(&f->calls, 1, __ATOMIC_SEQ_CST) == f->fail_at)
        return NULL;
    if (p == NULL)
        __atomic_add_fetch(&f->live, 1, __ATOMIC_SEQ_CST);
    return realloc(p, n);
}

static void f_free(void *ud, void *p)
{
    failing_alloc *f = ud;
    if (p != NULL)
        __atomic_sub_fetch(&f->live, 1, __ATOMIC_SEQ_CST);
    free(p);
}

gg_allocator failing_alloc_make(failing_alloc *state)
{
    gg_allocator a = {f_malloc, f_realloc, f_free, state};
    return a;
}
