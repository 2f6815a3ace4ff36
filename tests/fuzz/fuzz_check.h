/* Shared by the fuzz targets: the entry point libFuzzer calls, and
 * FUZZ_CHECK, which turns a broken promise of the library into a crash that
 * libFuzzer (or the replay under ctest) reports with the input at fault. */
#ifndef GG_FUZZ_CHECK_H
#define GG_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Defined by each target; called once per input with a buffer of exactly
 * size bytes (never NUL-terminated). Returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...)                                                                  \
    do {                                                                                        \
        if (!(cond)) {                                                                          \
            fprintf(stderr, "%s:%d: contract broken: %s: ", __FILE__, __LINE__, #cond);       \
            fprintf(stderr, __VA_ARGS__);                                                       \
            fputc('\n', stderr);                                                                \
            abort();                                                                            \
        }                                                                                       \
    } while (0)

#endif
