/*
 * govgrid code: statistical division codes (统计用区划代码), urban-rural
 * classes (城乡分类代码) and the grid code layouts the project knows.
 *
 * Division codes: 6 digits for a county/district (GB/T 2260), 9 for a
 * township/street (+3), 12 for a community/village (+3). The statistical
 * tables also write every level as 12 digits padded with zeros
 * (320102000000 for a county, 320102001000 for a township); such codes are
 * recognised and normalised to their short form.
 */
#ifndef GOVGRID_CODE_H
#define GOVGRID_CODE_H

#include "govgrid/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gg_division_level {
    GG_LEVEL_NONE = 0,
    GG_LEVEL_COUNTY = 1,
    GG_LEVEL_TOWNSHIP = 2,
    GG_LEVEL_COMMUNITY = 3
} gg_division_level;

typedef struct gg_division_code {
    char code[13];              /* normalised: 6, 9 or 12 digits */
    char parent[13];            /* the code of the level above; "" for a county */
    gg_division_level level;
} gg_division_code;

/* "county", "township", "community"; "" for GG_LEVEL_NONE. */
GG_API const char *gg_division_level_name(gg_division_level level);

/* Parses a division code (surrounding blanks allowed). Returns GG_OK, or
 * GG_ERR_FORMAT with a message saying what is wrong with it. */
GG_API gg_status gg_division_code_parse(gg_ctx *ctx, const char *text, gg_division_code *out);

/* Non-zero when class is one of the urban-rural classes 111, 112, 121,
 * 122, 123, 210, 220. */
GG_API int gg_urban_rural_valid(const char *urban_rural);

/* Non-zero when the class takes the urban rule by default (111, 112, 121,
 * 122, 123); the rural rule is for 210 and 220. */
GG_API int gg_urban_rural_is_urban(const char *urban_rural);

typedef enum gg_code_layout {
    GG_CODE_LAYOUT_UNKNOWN = 0,
    GG_CODE_LAYOUT_UNIFIED16 = 16, /* 12-digit community + type digit + 3-digit sequence */
    GG_CODE_LAYOUT_DB11_15 = 15,   /* DB11/T 2157-2023: county 6 + township 3 + community 3 + grid 3 */
    GG_CODE_LAYOUT_CJT_20 = 20     /* CJ/T 349-2010: object 6 + county 6 + township 3 + community 3 + grid 2 */
} gg_code_layout;

/* The layout a grid code matches, GG_CODE_LAYOUT_UNKNOWN when none. When
 * the layout embeds the 12-digit community code (16 and 15 digits at the
 * start, 20 digits from the 7th) and community is not NULL, it is written
 * there (13 bytes); otherwise community is set to "". */
GG_API gg_code_layout gg_grid_code_layout(const char *code, char community[13]);

/* The grid type digit of a 16-digit unified code (1 comprehensive, 2-7 and
 * 9 dedicated), 0 for any other code. */
GG_API int gg_grid_code_type(const char *code);

/* The BeiDou grid location code (北斗网格位置码, GB/T 39409-2020) of a
 * point, two-dimensional, at level 1 (6° x 4°) to 6 (2" x 2"): the
 * hemisphere letter (N/S), the level-1 cell (2-digit longitude zone 01-60,
 * latitude band letter), then one fragment per level: 30' cells (12 x 8,
 * hex digits), 15' x 10' cells (2 x 3, Z order), 1' cells (15 x 10), 4"
 * cells (15 x 15) and 2" cells (2 x 2, Z order). Level 6 gives 12
 * characters. out must hold 16 bytes. Only the north-eastern hemisphere
 * (all of China) is implemented. Returns GG_OK, or GG_ERR_ARG for a level
 * out of 1-6, a point out of range or outside that hemisphere, or within
 * 2° of the pole (the polar cells of the standard are not implemented). */
GG_API gg_status gg_beidou_code(gg_ctx *ctx, double lon, double lat, int level, char out[16]);

#ifdef __cplusplus
}
#endif
#endif
