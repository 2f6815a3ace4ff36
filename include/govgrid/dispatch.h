/* Dispatch: the item catalogue (事项清单), its time limits, and incidents
 * through the closed loop. */
#ifndef GOVGRID_DISPATCH_H
#define GOVGRID_DISPATCH_H

#include <stdint.h>

#include "govgrid/core.h"
#include "govgrid/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Loads the catalogue shipped with govgrid (data/catalogue.csv, carried by
 * the library) as a new catalogue version, in one transaction. *version
 * (may be NULL) receives it. */
GG_API gg_status gg_catalogue_load_shipped(gg_ctx *ctx, gg_store *store, int64_t *version);

/* The newest catalogue version, 0 when the project has none. */
GG_API gg_status gg_catalogue_current(gg_ctx *ctx, gg_store *store, int64_t *version);

#ifdef __cplusplus
}
#endif

#endif
