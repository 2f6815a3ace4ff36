/* Fuzz target: the service's request parsing (src/service/form.c): a form
 * or query string decoded, then every value through the checked number,
 * bbox and text parsers the handlers use. Checked: no crash, every
 * decoded name clean, values NUL-free, numbers inside their bounds. */
#include <math.h>
#include <string.h>

#include "fuzz_check.h"
#include "service/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gg_form f;
    char why[160];
    if (!gg_form_parse(&f, (const char *)data, size, why, sizeof why)) {
        FUZZ_CHECK(why[0] != '\0', "a refusal without a reason");
        return 0;
    }
    FUZZ_CHECK(f.n >= 0 && f.n <= GG_FORM_MAX_PARAMS, "%d parameters", f.n);
    for (int k = 0; k < f.n; k++) {
        FUZZ_CHECK(f.name[k][0] != '\0' && gg_text_clean(f.name[k]), "parameter %d has a bad name", k);
        FUZZ_CHECK(gg_form_get(&f, f.name[k]) != NULL, "lookup of '%s' failed", f.name[k]);
        double v, box[4];
        long long n;
        if (gg_param_double("v", f.value[k], -90, 90, &v, why, sizeof why))
            FUZZ_CHECK(v >= -90 && v <= 90 && isfinite(v), "%g out of bounds", v);
        if (gg_param_long("n", f.value[k], 1, 50000, &n, why, sizeof why))
            FUZZ_CHECK(n >= 1 && n <= 50000, "%lld out of bounds", n);
        if (gg_param_bbox(f.value[k], box, why, sizeof why))
            FUZZ_CHECK(box[0] < box[2] && box[1] < box[3] && box[0] >= -180 && box[2] <= 180, "a bad bbox");
        (void)gg_text_clean(f.value[k]);
    }
    gg_form_free(&f);
    return 0;
}
