/* A tiny test harness: each TEST is a function; CHECK records a failure
 * with its file and line and goes on; the runner prints
 * "N passed, N failed" and exits non-zero on any failure. */
#ifndef GG_TEST_HARNESS_H
#define GG_TEST_HARNESS_H

#include <stdio.h>
#include <string.h>

typedef struct gg_test {
    const char *name;
    void (*fn)(void);
} gg_test;

extern int gg_test_failures; /* failures in the running test */

void gg_test_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int gg_test_run(const gg_test *tests, size_t n, int argc, char **argv);

/* A fresh directory for the running test's files (under $TMPDIR). */
const char *gg_test_tmpdir(void);
/* tmpdir/name in a static buffer of one of 8 rotating slots. */
const char *gg_test_path(const char *name);
/* Non-zero when two files have the same bytes. */
int gg_test_same_file(const char *a, const char *b);
int gg_test_copy_file(const char *from, const char *to);
int gg_test_write_file(const char *path, const char *text);

#define CHECK(cond) \
    do { if (!(cond)) gg_test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond); } while (0)
#define CHECK_INT(a, b) \
    do { long long _a = (long long)(a), _b = (long long)(b); \
         if (_a != _b) gg_test_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", #a, _a, #b, _b); } while (0)
#define CHECK_STR(a, b) \
    do { const char *_a = (a), *_b = (b); \
         if (_a == NULL || _b == NULL || strcmp(_a, _b) != 0) \
             gg_test_fail(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", #a, _a ? _a : "(null)", _b ? _b : "(null)"); } while (0)
#define CHECK_CONTAINS(hay, needle) \
    do { const char *_h = (hay), *_n = (needle); \
         if (_h == NULL || strstr(_h, _n) == NULL) \
             gg_test_fail(__FILE__, __LINE__, "%s == \"%s\" does not contain \"%s\"", #hay, _h ? _h : "(null)", _n); } while (0)
#define CHECK_NEAR(a, b, eps) \
    do { double _a = (a), _b = (b); \
         if (!(_a - _b <= (eps) && _b - _a <= (eps))) \
             gg_test_fail(__FILE__, __LINE__, "%s == %.12g, expected %.12g within %g", #a, _a, _b, (double)(eps)); } while (0)

#define TEST_LIST(...) \
    static const gg_test gg_tests[] = {__VA_ARGS__}; \
    int main(int argc, char **argv) { return gg_test_run(gg_tests, sizeof gg_tests / sizeof gg_tests[0], argc, argv); }
#define T(fn) {#fn, fn}

/* For an executable whose tests are spread over several files: each file
 * has a TEST_SUITE, and one main file lists the suites with SUITES_MAIN. */
typedef struct gg_suite {
    const gg_test *tests;
    size_t n;
} gg_suite;
#define TEST_SUITE(name, ...) \
    static const gg_test name##_tests[] = {__VA_ARGS__}; \
    const gg_suite name = {name##_tests, sizeof name##_tests / sizeof name##_tests[0]};
int gg_test_run_suites(const gg_suite *const *suites, size_t n, int argc, char **argv);
#define SUITES_MAIN(...) \
    int main(int argc, char **argv) { \
        static const gg_suite *const suites[] = {__VA_ARGS__}; \
        return gg_test_run_suites(suites, sizeof suites / sizeof suites[0], argc, argv); }

#endif
