/* Catalogue items' Open311 attributes: declarations checked on import,
 * values checked when a report comes in. */
#define _DEFAULT_SOURCE /* timegm */
#include "incident/attributes.h"

#include "core/ctx.h"
#include "govgrid/incident.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_ATTRIBUTES 40
#define MAX_VALUES 200
#define MAX_VALUE_BYTES 1000

static const char *const datatypes[] = {"string", "number", "datetime", "text", "singlevaluelist",
                                        "multivaluelist", NULL};

/* Starting with a letter, so that it is an XML name too. */
static int code_ok(const char *c)
{
    size_t n = strlen(c);
    if (n == 0 || n > 40 || !((c[0] >= 'a' && c[0] <= 'z') || (c[0] >= 'A' && c[0] <= 'Z')))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((c[i] >= 'a' && c[i] <= 'z') || (c[i] >= 'A' && c[i] <= 'Z') || (c[i] >= '0' && c[i] <= '9') ||
              c[i] == '_' || c[i] == '-'))
            return 0;
    return 1;
}

static int is_list(const char *datatype)
{
    return strcmp(datatype, "singlevaluelist") == 0 || strcmp(datatype, "multivaluelist") == 0;
}

/* A string member of o, or NULL (and bad set when present but not a
 * string). */
static const char *member_text(json_t *o, const char *name, int *bad)
{
    json_t *v = json_object_get(o, name);
    if (v == NULL || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        *bad = 1;
        return NULL;
    }
    return json_string_value(v);
}

static json_t *normalise_values(json_t *values, const char *label, char *why, size_t why_size)
{
    if (!json_is_array(values) || json_array_size(values) == 0 || json_array_size(values) > MAX_VALUES) {
        snprintf(why, why_size, "%s: values must be a list of 1-%d {\"key\", \"name\"} objects", label, MAX_VALUES);
        return NULL;
    }
    json_t *out = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(values, i, v) {
        int bad = 0;
        const char *key = json_is_object(v) ? member_text(v, "key", &bad) : NULL;
        const char *name = json_is_object(v) ? member_text(v, "name", &bad) : NULL;
        if (key == NULL || key[0] == '\0' || strlen(key) > 100 || name == NULL || name[0] == '\0' || bad) {
            snprintf(why, why_size, "%s: value %zu needs a key (1-100 bytes) and a name", label, i + 1);
            json_decref(out);
            return NULL;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(json_string_value(json_object_get(json_array_get(out, j), "key")), key) == 0) {
                snprintf(why, why_size, "%s: the key '%.40s' is given twice", label, key);
                json_decref(out);
                return NULL;
            }
        json_array_append_new(out, json_pack("{s:s, s:s}", "key", key, "name", name));
    }
    return out;
}

int gg_attributes_normalise(const char *text, char **normal, char *why, size_t why_size)
{
    *normal = NULL;
    why[0] = '\0';
    if (text == NULL || text[0] == '\0')
        return 1;
    json_error_t err;
    json_t *all = json_loads(text, JSON_REJECT_DUPLICATES, &err);
    if (all == NULL) {
        snprintf(why, why_size, "attributes: not JSON (column %d: %s)", err.column, err.text);
        return 0;
    }
    if (!json_is_array(all) || json_array_size(all) > MAX_ATTRIBUTES) {
        snprintf(why, why_size, "attributes: expected a JSON list of at most %d attribute definitions",
                 MAX_ATTRIBUTES);
        json_decref(all);
        return 0;
    }
    json_t *out = json_array();
    size_t i;
    json_t *a;
    int ok = 1;
    json_array_foreach(all, i, a) {
        char label[80];
        int bad = 0;
        const char *code = json_is_object(a) ? member_text(a, "code", &bad) : NULL;
        snprintf(label, sizeof label, "attribute %zu (%.40s)", i + 1, code ? code : "no code");
        if (!json_is_object(a) || code == NULL || !code_ok(code)) {
            snprintf(why, why_size, "%s: code must be 1-40 letters, digits, '_' or '-', starting with a letter", label);
            ok = 0;
            break;
        }
        for (size_t j = 0; j < i && ok; j++)
            if (strcmp(json_string_value(json_object_get(json_array_get(out, j), "code")), code) == 0) {
                snprintf(why, why_size, "%s: the code is declared twice", label);
                ok = 0;
            }
        const char *datatype = member_text(a, "datatype", &bad);
        int known = 0;
        for (int k = 0; datatype && datatypes[k]; k++)
            known |= strcmp(datatype, datatypes[k]) == 0;
        if (ok && !known) {
            snprintf(why, why_size,
                     "%s: datatype '%.30s' is not string, number, datetime, text, singlevaluelist or multivaluelist",
                     label, datatype ? datatype : "");
            ok = 0;
        }
        const char *description = member_text(a, "description", &bad);
        if (ok && (description == NULL || description[0] == '\0' || strlen(description) > 500)) {
            snprintf(why, why_size, "%s: a description (1-500 bytes) is required", label);
            ok = 0;
        }
        const char *dd = member_text(a, "datatype_description", &bad);
        json_t *required = json_object_get(a, "required"), *variable = json_object_get(a, "variable"),
               *order = json_object_get(a, "order");
        if (ok && ((required && !json_is_boolean(required)) || (variable && !json_is_boolean(variable)) ||
                   (order && (!json_is_integer(order) || json_integer_value(order) < 1 ||
                              json_integer_value(order) > 1000)) ||
                   bad)) {
            snprintf(why, why_size, "%s: required and variable are true or false, order a number from 1 to 1000, "
                                    "the texts strings",
                     label);
            ok = 0;
        }
        json_t *values = NULL;
        if (ok && is_list(datatype)) {
            values = normalise_values(json_object_get(a, "values"), label, why, why_size);
            ok = values != NULL;
        } else if (ok && json_object_get(a, "values") != NULL) {
            snprintf(why, why_size, "%s: values are for singlevaluelist and multivaluelist only", label);
            ok = 0;
        }
        const char *knownkeys[] = {"code", "datatype", "description", "datatype_description", "required",
                                   "variable", "order", "values", NULL};
        const char *key;
        json_t *ignored;
        json_object_foreach(a, key, ignored) {
            int k = 0;
            while (knownkeys[k] && strcmp(knownkeys[k], key) != 0)
                k++;
            if (ok && knownkeys[k] == NULL) {
                snprintf(why, why_size, "%s: '%.40s' is not a member of an attribute definition", label, key);
                ok = 0;
            }
        }
        if (!ok) {
            json_decref(values);
            break;
        }
        json_t *n = json_object();
        json_object_set_new(n, "variable", json_boolean(variable ? json_is_true(variable) : 1));
        json_object_set_new(n, "code", json_string(code));
        json_object_set_new(n, "datatype", json_string(datatype));
        json_object_set_new(n, "required", json_boolean(required && json_is_true(required)));
        json_object_set_new(n, "datatype_description", json_string(dd ? dd : ""));
        json_object_set_new(n, "order", json_integer(order ? json_integer_value(order) : (json_int_t)(i + 1)));
        json_object_set_new(n, "description", json_string(description));
        if (values)
            json_object_set_new(n, "values", values);
        json_array_append_new(out, n);
    }
    json_decref(all);
    if (ok && json_array_size(out) > 0) {
        *normal = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
        ok = *normal != NULL;
        if (!ok)
            snprintf(why, why_size, "attributes: out of memory");
    }
    json_decref(out);
    return ok;
}

int gg_iso8601_utc(const char *text, char *out, size_t size)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
    if (text == NULL || sscanf(text, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
        return 0;
    const char *p = text + n;
    int tz = 0;
    if (*p == 'T' || *p == ' ') {
        int m = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &m) != 2 || m != 5)
            return 0;
        p += 1 + m;
        if (*p == ':') {
            if (sscanf(p + 1, "%2d%n", &sec, &m) != 1 || m != 2)
                return 0;
            p += 1 + m;
        }
        if (*p == 'Z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int th, tm_ = 0;
            if (sscanf(p + 1, "%2d:%2d%n", &th, &tm_, &m) == 2 && m == 5)
                ;
            else if (sscanf(p + 1, "%2d%n", &th, &m) == 1 && m == 2)
                tm_ = 0;
            else
                return 0;
            if (th > 14 || tm_ > 59)
                return 0;
            tz = (*p == '-' ? -1 : 1) * (th * 60 + tm_);
            p += 1 + m;
        }
    }
    if (*p != '\0' || y < 1 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
        sec < 0 || sec > 60)
        return 0;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    time_t t = timegm(&tm) - (time_t)tz * 60;
    if (gmtime_r(&t, &tm) == NULL)
        return 0;
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return 1;
}

static int value_ok(json_t *def, const char *value, char *why, size_t why_size)
{
    const char *code = json_string_value(json_object_get(def, "code"));
    const char *datatype = json_string_value(json_object_get(def, "datatype"));
    if (strlen(value) > MAX_VALUE_BYTES) {
        snprintf(why, why_size, "attribute[%s]: longer than %d bytes", code, MAX_VALUE_BYTES);
        return 0;
    }
    if (strcmp(datatype, "number") == 0) {
        char *end = NULL;
        double v = strtod(value, &end);
        /* decimal only: strtod reads "0x10", "inf" and "nan" too */
        int plain = value[0] != '\0' && strspn(value, "+-0123456789.eE") == strlen(value);
        if (!plain || end == value || *end != '\0' || !isfinite(v)) {
            snprintf(why, why_size, "attribute[%s]: '%.40s' is not a number", code, value);
            return 0;
        }
    } else if (strcmp(datatype, "datetime") == 0) {
        char utc[32];
        if (!gg_iso8601_utc(value, utc, sizeof utc)) {
            snprintf(why, why_size, "attribute[%s]: '%.40s' is not an ISO 8601 date and time", code, value);
            return 0;
        }
    } else if (strcmp(datatype, "string") == 0 && strchr(value, '\n') != NULL) {
        snprintf(why, why_size, "attribute[%s]: a string is one line (use a text attribute for more)", code);
        return 0;
    } else if (is_list(datatype)) {
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(def, "values"), i, v)
            if (strcmp(json_string_value(json_object_get(v, "key")), value) == 0)
                return 1;
        char keys[300] = "";
        json_array_foreach(json_object_get(def, "values"), i, v) {
            size_t used = strlen(keys);
            if (used + 50 > sizeof keys) {
                snprintf(keys + used, sizeof keys - used, ", ...");
                break;
            }
            snprintf(keys + used, sizeof keys - used, "%s%.40s", i ? ", " : "",
                     json_string_value(json_object_get(v, "key")));
        }
        snprintf(why, why_size, "attribute[%s]: '%.40s' is not one of its keys (%s)", code, value, keys);
        return 0;
    }
    return 1;
}

gg_status gg_catalogue_attributes_check(gg_ctx *ctx, const gg_catalogue_item *item, const gg_attribute_value *values,
                                        size_t n, char **json)
{
    *json = NULL;
    json_t *defs = NULL;
    if (item->attributes != NULL && item->attributes[0] != '\0') {
        json_error_t err;
        defs = json_loads(item->attributes, 0, &err);
        if (!json_is_array(defs)) {
            json_decref(defs);
            return gg_error(ctx, GG_ERR_INTERNAL, "the attributes of %s cannot be read", item->item_code);
        }
    }
    json_t *out = json_object();
    char why[400];
    gg_status st = GG_OK;
    for (size_t k = 0; k < n && st == GG_OK; k++) {
        json_t *def = NULL;
        size_t i;
        json_t *d;
        json_array_foreach(defs, i, d)
            if (strcmp(json_string_value(json_object_get(d, "code")), values[k].code) == 0)
                def = d;
        if (def == NULL) {
            char list[240] = "";
            json_array_foreach(defs, i, d) {
                size_t used = strlen(list);
                snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                         json_string_value(json_object_get(d, "code")));
            }
            st = gg_error(ctx, GG_ERR_ARG, "attribute[%.60s]: service %s has no such attribute (%s%s)",
                          values[k].code, item->item_code, list[0] ? "it has " : "it has none", list);
            break;
        }
        if (!json_is_true(json_object_get(def, "variable"))) {
            st = gg_error(ctx, GG_ERR_ARG, "attribute[%s]: is information only (variable false), not an answer",
                          values[k].code);
            break;
        }
        if (!value_ok(def, values[k].value, why, sizeof why)) {
            st = gg_error(ctx, GG_ERR_ARG, "%s", why);
            break;
        }
        int multi = strcmp(json_string_value(json_object_get(def, "datatype")), "multivaluelist") == 0;
        json_t *held = json_object_get(out, values[k].code);
        if (held != NULL && !multi) {
            st = gg_error(ctx, GG_ERR_ARG, "attribute[%s]: given twice, and it takes one value", values[k].code);
            break;
        }
        if (multi) {
            if (held == NULL) {
                held = json_array();
                json_object_set_new(out, values[k].code, held);
            }
            json_array_append_new(held, json_string(values[k].value));
        } else {
            json_object_set_new(out, values[k].code, json_string(values[k].value));
        }
    }
    if (st == GG_OK) {
        size_t i;
        json_t *d;
        json_array_foreach(defs, i, d) {
            const char *code = json_string_value(json_object_get(d, "code"));
            if (json_is_true(json_object_get(d, "required")) && json_is_true(json_object_get(d, "variable")) &&
                json_object_get(out, code) == NULL) {
                st = gg_error(ctx, GG_ERR_ARG, "attribute[%s] is required for service %s: %s", code,
                              item->item_code, json_string_value(json_object_get(d, "description")));
                break;
            }
        }
    }
    if (st == GG_OK && json_object_size(out) > 0) {
        *json = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (*json == NULL)
            st = gg_error_nomem(ctx);
    }
    json_decref(out);
    json_decref(defs);
    return st;
}
