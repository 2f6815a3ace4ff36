/* Fuzz target: catalogue attributes (src/incident/attributes.c). The input
 * is a declaration (the catalogue's "attributes" column, up to the first
 * newline) and a form of answers (the rest, attribute[CODE]=V as a POST
 * sends them). Checked: no crash; a declaration accepted is written back
 * as a JSON list that is accepted again unchanged; answers are accepted or
 * refused with a reason, and accepted ones are a JSON object naming only
 * declared codes. */
#include <jansson.h>
#include <string.h>

#include "incident/attributes.h"
#include "fuzz_check.h"
#include "govgrid/govgrid.h"
#include "service/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *nl = memchr(data, '\n', size);
    size_t decl_len = nl ? (size_t)(nl - (const char *)data) : size;
    char *decl = malloc(decl_len + 1);
    if (decl == NULL)
        return 0;
    memcpy(decl, data, decl_len);
    decl[decl_len] = '\0';
    char why[400];
    char *normal = NULL;
    if (!gg_attributes_normalise(decl, &normal, why, sizeof why)) {
        FUZZ_CHECK(why[0] != '\0', "a declaration refused without a reason");
        free(decl);
        return 0;
    }
    if (normal != NULL) {
        char *again = NULL;
        FUZZ_CHECK(gg_attributes_normalise(normal, &again, why, sizeof why), "its own output refused: %s", why);
        FUZZ_CHECK(again != NULL && strcmp(again, normal) == 0, "normalising twice changes it");
        free(again);
    }
    gg_form f;
    if (nl != NULL && gg_form_parse(&f, nl + 1, size - decl_len - 1, why, sizeof why)) {
        gg_attribute_value values[GG_FORM_MAX_PARAMS];
        for (int k = 0; k < f.n; k++) {
            values[k].code = f.name[k];
            values[k].value = f.value[k];
        }
        gg_catalogue_item item;
        memset(&item, 0, sizeof item);
        item.item_code = "FUZZ01";
        item.attributes = normal ? normal : "";
        gg_ctx *ctx = NULL;
        if (gg_ctx_new(&ctx) == GG_OK) {
            char *json = NULL;
            gg_status st = gg_catalogue_attributes_check(ctx, &item, values, (size_t)f.n, &json);
            if (st == GG_OK && json != NULL) {
                json_error_t err;
                json_t *o = json_loads(json, 0, &err);
                FUZZ_CHECK(json_is_object(o), "accepted answers are not an object");
                const char *code;
                json_t *v;
                json_object_foreach(o, code, v)
                    FUZZ_CHECK(strstr(normal, code) != NULL, "an answer to an undeclared '%s'", code);
                json_decref(o);
            } else if (st != GG_OK) {
                FUZZ_CHECK(gg_ctx_errmsg(ctx)[0] != '\0', "answers refused without a reason");
            }
            gg_text_free(ctx, json);
            gg_ctx_free(ctx);
        }
        gg_form_free(&f);
    }
    free(normal);
    free(decl);
    return 0;
}
