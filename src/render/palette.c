/* The palette: the colours of household classes, dedicated grids, flags
 * and outlines, shared by the printed map and the web map (served as
 * JSON). Plain constant tables, so there is nothing to initialise and
 * nothing to free. */
#include "govgrid/partition.h"
#include "govgrid/render.h"

#include <stdio.h>

/* Light to dark with the households: the window of a grid (300-500 in
 * town, 250-350 in the country) sits in the middle classes, so grids
 * too small or too large stand out. Grids without a count are grey-blue,
 * apart from the near-white of a counted empty grid. */
static const gg_household_class classes[] = {
    {"none", "无户数 no count", 0, -1, -1, {184, 196, 204}},
    {"0", "0 户 households", 1, 0, 0, {230, 230, 230}},
    {"1-249", "1-249", 1, 1, 249, {199, 219, 242}},
    {"250-299", "250-299", 1, 250, 299, {252, 237, 179}},
    {"300-399", "300-399", 1, 300, 399, {252, 204, 115}},
    {"400-500", "400-500", 1, 400, 500, {245, 148, 77}},
    {"501+", "> 500", 1, 501, INT64_MAX, {204, 51, 38}},
};

static const gg_flag_colour flags[] = {
    {GG_GRID_OVER_MAX, {204, 0, 0}},         {GG_GRID_UNDER_MIN, {230, 140, 0}},
    {GG_GRID_ISLAND, {0, 128, 128}},         {GG_GRID_INDIVISIBLE, {128, 0, 128}},
    {GG_GRID_SMALL_COMMUNITY, {102, 102, 204}}, {GG_GRID_NO_HOUSEHOLDS, {128, 128, 128}},
    {GG_GRID_MULTIPART, {0, 102, 204}},      {GG_GRID_INFEASIBLE, {153, 0, 76}},
    {GG_GRID_UNREACHABLE, {102, 51, 0}},
};

static const gg_palette palette = {
    classes,
    sizeof classes / sizeof classes[0],
    {158, 133, 209},
    "专属网格 dedicated",
    {51, 51, 51},
    {230, 0, 126},
    flags,
    sizeof flags / sizeof flags[0],
};

const gg_palette *gg_palette_get(void)
{
    return &palette;
}

const gg_household_class *gg_palette_class_of(int type, int counted, int64_t households)
{
    if (type != 1)
        return NULL;
    if (!counted || households < 0)
        return &classes[0];
    for (size_t i = 1; i < sizeof classes / sizeof classes[0]; i++)
        if (households <= classes[i].max)
            return &classes[i];
    return &classes[sizeof classes / sizeof classes[0] - 1];
}

const char *gg_colour_hex(gg_colour c, char *buf, size_t size)
{
    snprintf(buf, size, "#%02x%02x%02x", c.r, c.g, c.b);
    return buf;
}
