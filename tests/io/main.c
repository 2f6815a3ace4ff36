/* The io module's test executable. */
#include "harness.h"

extern const gg_suite import_suite, import_bad_suite, source_policy_suite, alloc_suite;

SUITES_MAIN(&import_suite, &import_bad_suite, &source_policy_suite, &alloc_suite)
