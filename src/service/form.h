/* Private to the service: request parameters from the query string or an
 * application/x-www-form-urlencoded body, and the checks every handler
 * applies to them. Pure functions, fuzzed (tests/fuzz/fuzz_service_form.c). */
#ifndef GG_SERVICE_FORM_H
#define GG_SERVICE_FORM_H

#include <stddef.h>

#define GG_FORM_MAX_PARAMS 64

typedef struct gg_form {
    char *buf;                  /* decoded names and values, NUL-terminated */
    const char *name[GG_FORM_MAX_PARAMS];
    const char *value[GG_FORM_MAX_PARAMS];
    int n;
} gg_form;

/* Parses "a=1&b=x%20y+z" (n bytes, not NUL-terminated). Returns 1, or 0
 * with why filled in: a bad percent escape, a NUL byte (raw or %00), a
 * name or a value that is not clean UTF-8 text (gg_text_clean: valid
 * UTF-8 cut mid-character is not), more than GG_FORM_MAX_PARAMS
 * parameters, no memory. */
int gg_form_parse(gg_form *f, const char *body, size_t n, char *why, size_t why_size);
void gg_form_free(gg_form *f);

/* The first value of name, or NULL. */
const char *gg_form_get(const gg_form *f, const char *name);

/* A number in [lo, hi]: 1, or 0 with why ("lat: 'x' is not a number"). */
int gg_param_double(const char *name, const char *text, double lo, double hi, double *out, char *why, size_t why_size);

/* A whole number in [lo, hi]. */
int gg_param_long(const char *name, const char *text, long long lo, long long hi, long long *out, char *why,
                  size_t why_size);

/* "w,s,e,n" in degrees with w < e, s < n. */
int gg_param_bbox(const char *text, double box[4], char *why, size_t why_size);

/* A coordinate system as clients name it: wgs84, EPSG:4326, cgcs2000 and
 * EPSG:4490 (GG_COORD_WGS84: they agree to centimetres), gcj02, bd09 (any
 * case). 1 with *crs (a gg_coord_system) set, or 0. */
int gg_param_crs(const char *text, int *crs);

/* Is the text valid UTF-8 with no control characters but tab and line
 * ends? (Stored fields must be.) */
int gg_text_clean(const char *text);

#endif
