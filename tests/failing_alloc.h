/* An allocator for tests: counts calls and live blocks, and fails the
 * call numbered fail_at (0: never). */
#ifndef GG_TEST_FAILING_ALLOC_H
#define GG_TEST_FAILING_ALLOC_H

#include "govgrid/core.h"

typedef struct failing_alloc {
    long calls;
    long fail_at;
    long live;
} failing_alloc;

/* An allocator that uses state (which must outlive it). */
gg_allocator failing_alloc_make(failing_alloc *state);

#endif
