/* Shared by the import fuzz targets: one context and one in-memory project
 * per process, holding two seed communities so that point layers are
 * checked against them, and one checked import of an input given as bytes. */
#ifndef GG_FUZZ_IMPORT_H
#define GG_FUZZ_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "govgrid/govgrid.h"

/* Writes data to a GDAL in-memory file named /vsimem/.../input.EXTENSION,
 * imports it into layer (replacing it) with skip_invalid as given, and
 * checks what io.h promises whatever the input:
 *   - a status among gg_status's values, and the context's message set
 *     whenever it is not GG_OK;
 *   - a report with consistent counts (imported + rejected <= read, none
 *     negative, at most max_issues issues listed, every issue with a
 *     message), and a rejection whenever the status is GG_ERR_INVALID_INPUT
 *     (none when it is GG_OK without skip_invalid);
 *   - on failure, the layer exactly as it was (its feature count);
 *     on success, the layer holding exactly the features imported.
 * Aborts on a broken promise. The seed communities are put back after an
 * import into divisions replaced them. */
void fuzz_import_bytes(const uint8_t *data, size_t size, const char *extension, gg_layer layer,
                       int skip_invalid);

#endif
