/* Fuzz target: the code parsers (division codes, grid code layouts and type
 * digits, urban-rural classes) on arbitrary bytes.
 *
 * Each function gets a NUL-terminated copy of the input. Besides not
 * crashing, the results must agree with what code.h promises: a parsed
 * division code is 6, 9 or 12 digits with its level and parent; a grid
 * layout is one of the enum values with the community code it embeds; a
 * failure leaves a message in the context. */
#include "fuzz_check.h"

#include <string.h>

#include "govgrid/govgrid.h"

static gg_ctx *fuzz_ctx(void)
{
    static gg_ctx *ctx;
    if (ctx == NULL) {
        gg_status st = gg_ctx_new(&ctx);
        FUZZ_CHECK(st == GG_OK && ctx != NULL, "gg_ctx_new: %s", gg_status_str(st));
    }
    return ctx;
}

static int all_digits(const char *s)
{
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

static void check_division_code(gg_ctx *ctx, const char *text)
{
    gg_division_code code;
    memset(&code, 0x5a, sizeof code);
    gg_ctx_clear_error(ctx);
    gg_status st = gg_division_code_parse(ctx, text, &code);
    FUZZ_CHECK(st == GG_OK || st == GG_ERR_FORMAT, "status %d", (int)st);
    FUZZ_CHECK(memchr(code.code, '\0', sizeof code.code) != NULL, "code not terminated");
    FUZZ_CHECK(memchr(code.parent, '\0', sizeof code.parent) != NULL, "parent not terminated");
    if (st != GG_OK) {
        FUZZ_CHECK(gg_ctx_errcode(ctx) == st, "errcode %d, status %d", (int)gg_ctx_errcode(ctx), (int)st);
        FUZZ_CHECK(gg_ctx_errmsg(ctx)[0] != '\0', "failure without a message");
        return;
    }
    size_t n = strlen(code.code);
    FUZZ_CHECK(n == 6 || n == 9 || n == 12, "code '%s' has %zu digits", code.code, n);
    FUZZ_CHECK(all_digits(code.code), "code '%s' is not all digits", code.code);
    FUZZ_CHECK(strstr(text, code.code) != NULL, "code '%s' is not in the input", code.code);
    gg_division_level want = n == 6 ? GG_LEVEL_COUNTY : n == 9 ? GG_LEVEL_TOWNSHIP : GG_LEVEL_COMMUNITY;
    FUZZ_CHECK(code.level == want, "code '%s': level %d", code.code, (int)code.level);
    if (n == 6) {
        FUZZ_CHECK(code.parent[0] == '\0', "county '%s' has parent '%s'", code.code, code.parent);
    } else {
        FUZZ_CHECK(strlen(code.parent) == n - 3 && strncmp(code.parent, code.code, n - 3) == 0,
                   "code '%s': parent '%s'", code.code, code.parent);
    }
    FUZZ_CHECK(gg_division_level_name(code.level)[0] != '\0', "level %d has no name", (int)code.level);
    /* A parsed code parses again to itself. */
    gg_division_code again;
    FUZZ_CHECK(gg_division_code_parse(ctx, code.code, &again) == GG_OK && strcmp(again.code, code.code) == 0,
               "'%s' does not parse to itself", code.code);
}

static void check_grid_code(const char *text)
{
    char community[13];
    memset(community, 0x5a, sizeof community);
    gg_code_layout layout = gg_grid_code_layout(text, community);
    FUZZ_CHECK(layout == GG_CODE_LAYOUT_UNKNOWN || layout == GG_CODE_LAYOUT_UNIFIED16 ||
                   layout == GG_CODE_LAYOUT_DB11_15 || layout == GG_CODE_LAYOUT_CJT_20,
               "layout %d", (int)layout);
    FUZZ_CHECK(memchr(community, '\0', sizeof community) != NULL, "community not terminated");
    FUZZ_CHECK(gg_grid_code_layout(text, NULL) == layout, "layout differs without community");
    if (layout != GG_CODE_LAYOUT_UNKNOWN) {
        FUZZ_CHECK(strlen(text) == (size_t)layout && all_digits(text), "layout %d for '%s'", (int)layout, text);
    }
    if (layout == GG_CODE_LAYOUT_UNIFIED16 || layout == GG_CODE_LAYOUT_DB11_15) {
        FUZZ_CHECK(strlen(community) == 12 && strncmp(community, text, 12) == 0, "community '%s' of '%s'",
                   community, text);
    } else {
        FUZZ_CHECK(community[0] == '\0', "community '%s' for layout %d", community, (int)layout);
    }
    int type = gg_grid_code_type(text);
    if (layout == GG_CODE_LAYOUT_UNIFIED16)
        FUZZ_CHECK((type >= 1 && type <= 7) || type == 9, "type %d of '%s'", type, text);
    else
        FUZZ_CHECK(type == 0, "type %d for layout %d", type, (int)layout);
}

static void check_urban_rural(const char *text)
{
    static const char *const classes[] = {"111", "112", "121", "122", "123", "210", "220"};
    int known = 0;
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        if (strcmp(text, classes[i]) == 0)
            known = 1;
    int valid = gg_urban_rural_valid(text) != 0;
    FUZZ_CHECK(valid == known, "'%s': valid %d", text, valid);
    int urban = gg_urban_rural_is_urban(text) != 0;
    FUZZ_CHECK(urban == (known && text[0] == '1'), "'%s': urban %d", text, urban);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gg_ctx *ctx = fuzz_ctx();
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    check_division_code(ctx, text);
    check_grid_code(text);
    check_urban_rural(text);
    /* The same bytes cut at each line, as a table's cells would be. */
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        check_division_code(ctx, line);
        check_grid_code(line);
        check_urban_rural(line);
    }
    free(text);
    return 0;
}
