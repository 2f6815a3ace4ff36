/* Fuzz target: gg_import of a GeoJSON document into units (points or
 * polygons, a required kind, checked against communities) with
 * skip_invalid off and on, then into divisions (division codes, polygon
 * repair) with skip_invalid chosen by the input's length, so that both
 * settings are reached without tripling the cost. See fuzz_import.c for
 * what is checked. */
#include "fuzz_check.h"
#include "fuzz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_import_bytes(data, size, "geojson", GG_LAYER_UNITS, 0);
    fuzz_import_bytes(data, size, "geojson", GG_LAYER_UNITS, 1);
    fuzz_import_bytes(data, size, "geojson", GG_LAYER_DIVISIONS, (int)(size & 1));
    return 0;
}
