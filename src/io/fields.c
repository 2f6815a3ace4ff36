/* Target fields of each layer, and how source fields are bound to them. */
#include "io/import.h"

#include <string.h>
#include <strings.h>

static const layer_spec layer_specs[GG_LAYER_COUNT] = {
    [GG_LAYER_DIVISIONS] = {GG_LAYER_DIVISIONS,
                            {{"code", FIELD_TEXT, 1}, {"name", FIELD_TEXT, 0},
                             {"parent", FIELD_TEXT, 0}, {"urban_rural", FIELD_TEXT, 0}},
                            4, "code", GEOM_POLYGONAL, 1},
    [GG_LAYER_HOUSEHOLDS] = {GG_LAYER_HOUSEHOLDS,
                             {{"id", FIELD_TEXT, 1}, {"count", FIELD_INT, 0},
                              {"persons", FIELD_INT, 0}, {"address", FIELD_TEXT, 0}},
                             4, "id", GEOM_POINT, 0},
    [GG_LAYER_ROADS] = {GG_LAYER_ROADS,
                        {{"id", FIELD_TEXT, 1}, {"class", FIELD_TEXT, 0}, {"name", FIELD_TEXT, 0}},
                        3, "id", GEOM_LINEAR, 0},
    [GG_LAYER_WATERWAYS] = {GG_LAYER_WATERWAYS,
                            {{"id", FIELD_TEXT, 1}, {"kind", FIELD_TEXT, 0}, {"name", FIELD_TEXT, 0}},
                            3, "id", GEOM_LINEAR_OR_POLYGONAL, 0},
    [GG_LAYER_UNITS] = {GG_LAYER_UNITS,
                        {{"id", FIELD_TEXT, 1}, {"kind", FIELD_TEXT, 1}, {"name", FIELD_TEXT, 0},
                         {"size", FIELD_REAL, 0}},
                        4, "id", GEOM_POINT_OR_POLYGONAL, 0},
    [GG_LAYER_WORKERS] = {GG_LAYER_WORKERS,
                          {{"id", FIELD_TEXT, 1}, {"name", FIELD_TEXT, 1}, {"role", FIELD_TEXT, 1},
                           {"phone", FIELD_TEXT, 0}, {"grid_code", FIELD_TEXT, 0}, {"shift", FIELD_TEXT, 0}},
                          6, "id", GEOM_NONE, 0},
    [GG_LAYER_DEPT_GRIDS] = {GG_LAYER_DEPT_GRIDS,
                             {{"dept", FIELD_TEXT, 1}, {"id", FIELD_TEXT, 1}, {"name", FIELD_TEXT, 0}},
                             3, "id", GEOM_POLYGONAL, 0},
    [GG_LAYER_GRIDS] = {GG_LAYER_GRIDS,
                        {{"code", FIELD_TEXT, 1}, {"type", FIELD_INT, 0},
                         {"community", FIELD_TEXT, 0}, {"name", FIELD_TEXT, 0},
                         {"households", FIELD_INT, 0}, {"persons", FIELD_INT, 0}},
                        6, "code", GEOM_POLYGONAL, 0},
    [GG_LAYER_CATALOGUE] = {GG_LAYER_CATALOGUE,
                            {{"item_code", FIELD_TEXT, 1}, {"class", FIELD_TEXT, 1}, {"subclass", FIELD_TEXT, 0},
                             {"name", FIELD_TEXT, 1}, {"name_en", FIELD_TEXT, 0}, {"department", FIELD_TEXT, 1},
                             {"reporting_condition", FIELD_TEXT, 0}, {"reach_within", FIELD_TEXT, 1},
                             {"handle_within", FIELD_TEXT, 1}, {"closing_condition", FIELD_TEXT, 0},
                             {"attributes", FIELD_TEXT, 0}, {"route", FIELD_TEXT, 0},
                             {"co_departments", FIELD_TEXT, 0}, {"close_within", FIELD_TEXT, 0},
                             {"warn_at", FIELD_REAL, 0}},
                            15, "item_code", GEOM_NONE, 0},
};

static const char *const layer_field_names[GG_LAYER_COUNT][GG_MAX_FIELDS + 1] = {
    [GG_LAYER_DIVISIONS] = {"code", "name", "parent", "urban_rural", NULL},
    [GG_LAYER_HOUSEHOLDS] = {"id", "count", "persons", "address", NULL},
    [GG_LAYER_ROADS] = {"id", "class", "name", NULL},
    [GG_LAYER_WATERWAYS] = {"id", "kind", "name", NULL},
    [GG_LAYER_UNITS] = {"id", "kind", "name", "size", NULL},
    [GG_LAYER_WORKERS] = {"id", "name", "role", "phone", "grid_code", "shift", NULL},
    [GG_LAYER_DEPT_GRIDS] = {"dept", "id", "name", NULL},
    [GG_LAYER_GRIDS] = {"code", "type", "community", "name", "households", "persons", NULL},
    [GG_LAYER_CATALOGUE] = {"item_code", "class", "subclass", "name", "name_en", "department",
                            "reporting_condition", "reach_within", "handle_within", "closing_condition", "attributes",
                            "route", "co_departments", "close_within", "warn_at", NULL},
};

const layer_spec *gg_layer_spec(gg_layer layer)
{
    if ((int)layer < 0 || layer >= GG_LAYER_COUNT)
        return NULL;
    return &layer_specs[layer];
}

const char *const *gg_layer_fields(gg_layer layer)
{
    if ((int)layer < 0 || layer >= GG_LAYER_COUNT)
        return NULL;
    return layer_field_names[layer];
}
