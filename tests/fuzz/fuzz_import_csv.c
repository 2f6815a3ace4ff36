/* Fuzz target: gg_import of a CSV (longitude/latitude or WKT columns) into
 * the households layer, whose rules cover ids, whole-number counts, point
 * geometry, coordinate ranges and the check against communities. Each
 * input is imported twice, with skip_invalid off and on, into a project
 * made once per process (see fuzz_import.c for what is checked). */
#include "fuzz_check.h"
#include "fuzz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_import_bytes(data, size, "csv", GG_LAYER_HOUSEHOLDS, 0);
    fuzz_import_bytes(data, size, "csv", GG_LAYER_HOUSEHOLDS, 1);
    return 0;
}
