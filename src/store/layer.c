/* The layer registry: CLI names, tables and geometry column types. */
#include "store/store.h"

#include <string.h>

static const gg_layer_table layer_tables[GG_LAYER_COUNT] = {
    [GG_LAYER_DIVISIONS] = {"divisions", "division", "MULTIPOLYGON", "division"},
    [GG_LAYER_HOUSEHOLDS] = {"households", "household", "POINT", "household"},
    [GG_LAYER_ROADS] = {"roads", "road", "MULTILINESTRING", "road"},
    [GG_LAYER_WATERWAYS] = {"waterways", "waterway", "GEOMETRY", "waterway"},
    [GG_LAYER_UNITS] = {"units", "unit", "GEOMETRY", "unit"},
    [GG_LAYER_WORKERS] = {"workers", "worker", NULL, "worker"},
    [GG_LAYER_DEPT_GRIDS] = {"dept-grids", "dept_grid", "MULTIPOLYGON", "dept_grid"},
    [GG_LAYER_GRIDS] = {"grids", "grid", "MULTIPOLYGON", "grid_row"},
    [GG_LAYER_CATALOGUE] = {"catalogue", "catalogue", NULL, "catalogue"},
};

const gg_layer_table *gg_layer_table_of(gg_layer layer)
{
    if ((int)layer < 0 || layer >= GG_LAYER_COUNT)
        return NULL;
    return &layer_tables[layer];
}

const char *gg_layer_name(gg_layer layer)
{
    const gg_layer_table *t = gg_layer_table_of(layer);
    return t ? t->name : NULL;
}

gg_status gg_layer_from_name(gg_ctx *ctx, const char *name, gg_layer *out)
{
    for (int i = 0; i < GG_LAYER_COUNT; i++) {
        if (name != NULL && strcmp(name, layer_tables[i].name) == 0) {
            *out = (gg_layer)i;
            return GG_OK;
        }
    }
    return gg_error(ctx, GG_ERR_NOT_FOUND,
                    "unknown layer '%s' (expected one of: divisions, households, roads, waterways, "
                    "units, workers, dept-grids, grids, catalogue)",
                    name ? name : "");
}
