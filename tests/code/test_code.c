/* Division codes, urban-rural classes and grid code layouts. */
#include "harness.h"

#include "govgrid/code.h"

static gg_ctx *ctx;

static void setup(void)
{
    if (ctx == NULL)
        gg_ctx_new(&ctx);
}

static void parses_each_level(void)
{
    setup();
    gg_division_code c;
    CHECK_INT(gg_division_code_parse(ctx, "110108", &c), GG_OK);
    CHECK_STR(c.code, "110108");
    CHECK_INT(c.level, GG_LEVEL_COUNTY);
    CHECK_STR(c.parent, "");
    CHECK_INT(gg_division_code_parse(ctx, "110108001", &c), GG_OK);
    CHECK_INT(c.level, GG_LEVEL_TOWNSHIP);
    CHECK_STR(c.parent, "110108");
    CHECK_INT(gg_division_code_parse(ctx, " 110108001001\r\n", &c), GG_OK);
    CHECK_STR(c.code, "110108001001");
    CHECK_INT(c.level, GG_LEVEL_COMMUNITY);
    CHECK_STR(c.parent, "110108001");
    CHECK_STR(gg_division_level_name(c.level), "community");
}

static void normalises_zero_padded_statistical_codes(void)
{
    setup();
    gg_division_code c;
    CHECK_INT(gg_division_code_parse(ctx, "320102000000", &c), GG_OK);
    CHECK_STR(c.code, "320102");
    CHECK_INT(c.level, GG_LEVEL_COUNTY);
    CHECK_INT(gg_division_code_parse(ctx, "320102001000", &c), GG_OK);
    CHECK_STR(c.code, "320102001");
    CHECK_INT(c.level, GG_LEVEL_TOWNSHIP);
}

static void rejects_malformed_codes_with_reasons(void)
{
    setup();
    gg_division_code c;
    CHECK_INT(gg_division_code_parse(ctx, "", &c), GG_ERR_FORMAT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "empty");
    CHECK_INT(gg_division_code_parse(ctx, NULL, &c), GG_ERR_FORMAT);
    CHECK_INT(gg_division_code_parse(ctx, "1101080010", &c), GG_ERR_FORMAT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "has 10 digits");
    CHECK_INT(gg_division_code_parse(ctx, "11010A", &c), GG_ERR_FORMAT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "not 6, 9 or 12 digits");
    CHECK_INT(gg_division_code_parse(ctx, "1101080010011", &c), GG_ERR_FORMAT);
    CHECK_INT(gg_division_code_parse(ctx, "000000", &c), GG_ERR_FORMAT);
    CHECK_INT(gg_division_code_parse(ctx, "110108000", &c), GG_ERR_FORMAT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "township part 000");
    CHECK_INT(gg_division_code_parse(ctx, "110108000001", &c), GG_ERR_FORMAT);
    CHECK_INT(c.level, GG_LEVEL_NONE);
}

static void urban_rural_classes(void)
{
    const char *valid[] = {"111", "112", "121", "122", "123", "210", "220"};
    for (size_t i = 0; i < 7; i++)
        CHECK(gg_urban_rural_valid(valid[i]));
    CHECK(!gg_urban_rural_valid("113"));
    CHECK(!gg_urban_rural_valid("2200"));
    CHECK(!gg_urban_rural_valid(""));
    CHECK(!gg_urban_rural_valid(NULL));
    CHECK(gg_urban_rural_is_urban("111"));
    CHECK(gg_urban_rural_is_urban("123"));
    CHECK(!gg_urban_rural_is_urban("210"));
    CHECK(!gg_urban_rural_is_urban("220"));
    CHECK(!gg_urban_rural_is_urban("999"));
}

static void grid_code_layouts(void)
{
    char community[13];
    CHECK_INT(gg_grid_code_layout("1101080010011001", community), GG_CODE_LAYOUT_UNIFIED16);
    CHECK_STR(community, "110108001001");
    CHECK_INT(gg_grid_code_type("1101080010014002"), 4);
    CHECK_INT(gg_grid_code_layout("1101080010018001", community), GG_CODE_LAYOUT_UNKNOWN); /* type 8 is unassigned */
    CHECK_STR(community, "");
    CHECK_INT(gg_grid_code_layout("1101080010011000", NULL), GG_CODE_LAYOUT_UNKNOWN); /* sequence 000 */
    CHECK_INT(gg_grid_code_layout("110108001001002", community), GG_CODE_LAYOUT_DB11_15);
    CHECK_STR(community, "110108001001");
    CHECK_INT(gg_grid_code_type("110108001001002"), 0);
    CHECK_INT(gg_grid_code_layout("10010011010800100102", community), GG_CODE_LAYOUT_CJT_20);
    CHECK_STR(community, "110108001001");
    CHECK_INT(gg_grid_code_layout("10010000000000000102", community), GG_CODE_LAYOUT_CJT_20);
    CHECK_STR(community, ""); /* no county in it */
    CHECK_INT(gg_grid_code_layout("G-17", community), GG_CODE_LAYOUT_UNKNOWN);
    CHECK_INT(gg_grid_code_layout("", NULL), GG_CODE_LAYOUT_UNKNOWN);
    CHECK_INT(gg_grid_code_layout(NULL, NULL), GG_CODE_LAYOUT_UNKNOWN);
    gg_ctx_free(ctx);
    ctx = NULL;
}

static void beidou_codes(void)
{
    setup();
    char code[16];
    /* Tiananmen lies in the 1:1,000,000 sheet J-50 (zone 50: 114-120 E,
     * band J: 36-40 N), which is the BeiDou level-1 cell N50J. */
    CHECK_INT(gg_beidou_code(ctx, 116.3975, 39.9087, 1, code), GG_OK);
    CHECK_STR(code, "N50J");
    CHECK_INT(gg_beidou_code(ctx, 116.3975, 39.9087, 6, code), GG_OK);
    CHECK_INT(strlen(code), 12);
    /* Level 2: 2.3975 deg east of 114 E is column 4 of the 30' cells,
     * 3.9087 deg north of 36 N row 7; level 3: 23.85' into the 30' cell is
     * column 1 of the 15' cells, 24.5' row 2 of the 10' cells: Z = 5. */
    CHECK(strncmp(code, "N50J475", 7) == 0);
    /* Two points 1" apart inside one 2" cell share the code; 3" apart they do not. */
    char a[16], b[16];
    CHECK_INT(gg_beidou_code(ctx, 116.0 + 0.5 / 3600, 40.0 + 0.5 / 3600, 6, a), GG_OK);
    CHECK_INT(gg_beidou_code(ctx, 116.0 + 1.5 / 3600, 40.0 + 1.5 / 3600, 6, b), GG_OK);
    CHECK_STR(a, b);
    CHECK_INT(gg_beidou_code(ctx, 116.0 + 3.5 / 3600, 40.0 + 0.5 / 3600, 6, b), GG_OK);
    CHECK(strcmp(a, b) != 0);
    /* Monaco: zone 32 (6-12 E), band K (40-44 N). */
    CHECK_INT(gg_beidou_code(ctx, 7.4246, 43.7384, 1, code), GG_OK);
    CHECK_STR(code, "N32K");
    CHECK_INT(gg_beidou_code(ctx, -70.6, -33.4, 6, code), GG_ERR_ARG);
    CHECK_INT(gg_beidou_code(ctx, 116, 89, 6, code), GG_ERR_ARG);
    CHECK_INT(gg_beidou_code(ctx, 116, 40, 7, code), GG_ERR_ARG);
}

TEST_LIST(T(beidou_codes), T(parses_each_level), T(normalises_zero_padded_statistical_codes),
          T(rejects_malformed_codes_with_reasons), T(urban_rural_classes), T(grid_code_layouts))
