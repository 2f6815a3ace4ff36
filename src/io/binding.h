/* Private: binding source fields to target fields, and reading values. */
#ifndef GG_IO_BINDING_H
#define GG_IO_BINDING_H

#include "io/import.h"

/* Resolves --map, --set and the default same-name bindings for every
 * target field of spec. Fails (GG_ERR_ARG / GG_ERR_NOT_FOUND) naming the
 * field at fault and listing the ones that exist. */
gg_status gg_bindings_resolve(gg_ctx *ctx, const gg_source *src, const layer_spec *spec,
                              const gg_import_options *opts, field_binding *bindings);

/* Per-feature scratch: texts recoded or copied, released after the feature. */
typedef struct value_scratch {
    char *owned[GG_MAX_FIELDS];
    char fid_text[32];
} value_scratch;

/* Reads and converts the values of one feature. Returns 1 when they are
 * all acceptable, 0 with why filled when the feature must be rejected. */
int gg_values_read(const gg_source *src, const layer_spec *spec, const field_binding *bindings,
                   OGRFeatureH feature, field_value *values, value_scratch *scratch, char *why,
                   size_t why_size);
void gg_values_release(value_scratch *scratch);

#endif
