/* Division codes, urban-rural classes and grid code layouts. */
#include "core/ctx.h"
#include "govgrid/code.h"

#include <string.h>

const char *gg_division_level_name(gg_division_level level)
{
    switch (level) {
    case GG_LEVEL_COUNTY: return "county";
    case GG_LEVEL_TOWNSHIP: return "township";
    case GG_LEVEL_COMMUNITY: return "community";
    case GG_LEVEL_NONE: break;
    }
    return "";
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int all_zero(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != '0')
            return 0;
    return 1;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

gg_status gg_division_code_parse(gg_ctx *ctx, const char *text, gg_division_code *out)
{
    memset(out, 0, sizeof *out);
    if (text == NULL)
        return gg_error(ctx, GG_ERR_FORMAT, "division code is missing");
    while (is_blank(*text))
        text++;
    size_t n = strlen(text);
    while (n > 0 && is_blank(text[n - 1]))
        n--;
    if (n == 0)
        return gg_error(ctx, GG_ERR_FORMAT, "division code is empty");
    if (n > 12 || !all_digits(text, n))
        return gg_error(ctx, GG_ERR_FORMAT,
                        "division code '%.*s' is not 6, 9 or 12 digits", (int)(n > 40 ? 40 : n), text);
    if (n != 6 && n != 9 && n != 12)
        return gg_error(ctx, GG_ERR_FORMAT,
                        "division code '%.*s' has %zu digits; expected 6 (county), 9 (township) "
                        "or 12 (community)",
                        (int)n, text, n);
    if (all_zero(text, 6) || all_zero(text + 2, 4))
        return gg_error(ctx, GG_ERR_FORMAT, "division code '%.*s' has no county part", (int)n, text);
    /* Zero-padded 12-digit forms of the upper levels. */
    if (n == 12 && all_zero(text + 6, 6))
        n = 6;
    else if (n == 12 && all_zero(text + 9, 3))
        n = 9;
    if (n >= 9 && all_zero(text + 6, 3))
        return gg_error(ctx, GG_ERR_FORMAT,
                        "division code '%.*s' has township part 000", (int)n, text);
    memcpy(out->code, text, n);
    out->code[n] = '\0';
    out->level = n == 6 ? GG_LEVEL_COUNTY : n == 9 ? GG_LEVEL_TOWNSHIP : GG_LEVEL_COMMUNITY;
    if (n > 6) {
        memcpy(out->parent, text, n - 3);
        out->parent[n - 3] = '\0';
    }
    return GG_OK;
}

static const char *const urban_rural_classes[] = {"111", "112", "121", "122", "123", "210", "220"};

int gg_urban_rural_valid(const char *urban_rural)
{
    if (urban_rural == NULL)
        return 0;
    for (size_t i = 0; i < sizeof urban_rural_classes / sizeof urban_rural_classes[0]; i++)
        if (strcmp(urban_rural, urban_rural_classes[i]) == 0)
            return 1;
    return 0;
}

int gg_urban_rural_is_urban(const char *urban_rural)
{
    return gg_urban_rural_valid(urban_rural) && urban_rural[0] == '1';
}

static int valid_type_digit(char c)
{
    return (c >= '1' && c <= '7') || c == '9';
}

gg_code_layout gg_grid_code_layout(const char *code, char community[13])
{
    if (community != NULL)
        community[0] = '\0';
    if (code == NULL)
        return GG_CODE_LAYOUT_UNKNOWN;
    size_t n = strlen(code);
    if (!all_digits(code, n) || all_zero(code, 6))
        return GG_CODE_LAYOUT_UNKNOWN;
    gg_code_layout layout = GG_CODE_LAYOUT_UNKNOWN;
    if (n == 16 && valid_type_digit(code[12]) && !all_zero(code + 6, 3) && !all_zero(code + 9, 3) &&
        !all_zero(code + 13, 3))
        layout = GG_CODE_LAYOUT_UNIFIED16;
    else if (n == 15 && !all_zero(code + 6, 3) && !all_zero(code + 9, 3) && !all_zero(code + 12, 3))
        layout = GG_CODE_LAYOUT_DB11_15;
    else if (n == 20)
        layout = GG_CODE_LAYOUT_CJT_20;
    if (community != NULL && (layout == GG_CODE_LAYOUT_UNIFIED16 || layout == GG_CODE_LAYOUT_DB11_15)) {
        memcpy(community, code, 12);
        community[12] = '\0';
    } else if (community != NULL && layout == GG_CODE_LAYOUT_CJT_20 && !all_zero(code + 6, 6) &&
               !all_zero(code + 12, 3) && !all_zero(code + 15, 3)) {
        /* CJ/T 349: object 6, county 6, township 3, community 3, grid 2. */
        memcpy(community, code + 6, 12);
        community[12] = '\0';
    }
    return layout;
}

int gg_grid_code_type(const char *code)
{
    if (gg_grid_code_layout(code, NULL) != GG_CODE_LAYOUT_UNIFIED16)
        return 0;
    return code[12] - '0';
}
