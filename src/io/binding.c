/* Field bindings: which source field (or constant, or the feature number)
 * feeds each target field, and the strict conversion of values. */
#include "io/binding.h"

#include <cpl_string.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int spec_field_index(const layer_spec *spec, const char *name)
{
    for (size_t i = 0; i < spec->n_fields; i++)
        if (strcmp(spec->fields[i].name, name) == 0)
            return (int)i;
    return -1;
}

static void list_target_fields(const layer_spec *spec, char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t i = 0; i < spec->n_fields; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s%s", i ? ", " : "", spec->fields[i].name);
    }
}

static void list_source_fields(OGRFeatureDefnH defn, char *buf, size_t size)
{
    buf[0] = '\0';
    int n = OGR_FD_GetFieldCount(defn);
    for (int i = 0; i < n; i++) {
        size_t used = strlen(buf);
        if (used + 8 >= size) {
            snprintf(buf + used, size - used, ", ...");
            break;
        }
        snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                 OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
    }
    if (n == 0)
        snprintf(buf, size, "none");
}

static int is_fid_name(const char *name)
{
    return strcasecmp(name, "fid") == 0;
}

static gg_status check_targets(gg_ctx *ctx, const layer_spec *spec, const gg_binding *items,
                               size_t n, const char *option, int *seen)
{
    char fields[256];
    for (size_t i = 0; i < n; i++) {
        if (items[i].target == NULL || items[i].value == NULL || items[i].target[0] == '\0')
            return gg_error(ctx, GG_ERR_ARG, "%s needs TARGET=VALUE", option);
        int k = spec_field_index(spec, items[i].target);
        if (k < 0) {
            list_target_fields(spec, fields, sizeof fields);
            return gg_error(ctx, GG_ERR_ARG, "%s %s=%s: layer '%s' has no field '%s' (its fields: %s)",
                            option, items[i].target, items[i].value, gg_layer_name(spec->layer),
                            items[i].target, fields);
        }
        if (seen[k])
            return gg_error(ctx, GG_ERR_ARG, "field '%s' is given more than once by --map/--set",
                            items[i].target);
        seen[k] = 1;
    }
    return GG_OK;
}

gg_status gg_bindings_resolve(gg_ctx *ctx, const gg_source *src, const layer_spec *spec,
                              const gg_import_options *opts, field_binding *bindings)
{
    int seen[GG_MAX_FIELDS] = {0};
    gg_status st = check_targets(ctx, spec, opts->maps, opts->n_maps, "--map", seen);
    if (st == GG_OK)
        st = check_targets(ctx, spec, opts->sets, opts->n_sets, "--set", seen);
    if (st != GG_OK)
        return st;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(src->layer);
    char fields[1024];
    /* A layer with no attributes at all is most often a broken source (a
     * shapefile whose .dbf is missing, empty or unreadable), not a wish for
     * every default: numbering the features and counting each point as
     * one household turned 6,531 households into 500. */
    if (OGR_FD_GetFieldCount(defn) == 0 && opts->n_maps == 0 && opts->n_sets == 0)
        return gg_error(ctx, GG_ERR_FORMAT,
                        "%s: layer '%s' has no attribute fields (is its attribute table, a shapefile's .dbf, "
                        "missing, empty or unreadable?); to import it anyway give the values with --set "
                        "FIELD=VALUE, or number the features with --map %s=fid",
                        src->path, src->layer_name, spec->key);
    for (size_t i = 0; i < spec->n_fields; i++) {
        bindings[i].source_index = -1;
        bindings[i].constant = NULL;
        bindings[i].from_fid = 0;
    }
    for (size_t m = 0; m < opts->n_maps; m++) {
        int k = spec_field_index(spec, opts->maps[m].target);
        int idx = OGR_FD_GetFieldIndex(defn, opts->maps[m].value);
        if (idx < 0 && is_fid_name(opts->maps[m].value)) {
            bindings[k].from_fid = 1;
            continue;
        }
        if (idx < 0) {
            list_source_fields(defn, fields, sizeof fields);
            return gg_error(ctx, GG_ERR_NOT_FOUND,
                            "%s: layer '%s': no field '%s' to map to '%s' (fields: %s)", src->path,
                            src->layer_name, opts->maps[m].value, opts->maps[m].target, fields);
        }
        bindings[k].source_index = idx;
    }
    for (size_t s = 0; s < opts->n_sets; s++)
        bindings[spec_field_index(spec, opts->sets[s].target)].constant = opts->sets[s].value;
    for (size_t i = 0; i < spec->n_fields; i++) {
        if (seen[i])
            continue;
        bindings[i].source_index = OGR_FD_GetFieldIndex(defn, spec->fields[i].name);
        if (bindings[i].source_index < 0 && strlen(spec->fields[i].name) > 10) {
            /* dBase field names stop at 10 characters: urban_rural is urban_rura. */
            char shortened[11];
            memcpy(shortened, spec->fields[i].name, 10);
            shortened[10] = '\0';
            bindings[i].source_index = OGR_FD_GetFieldIndex(defn, shortened);
        }
        if (bindings[i].source_index >= 0)
            continue;
        int key_may_use_fid = strcmp(spec->fields[i].name, spec->key) == 0 &&
                              strcmp(spec->key, "code") != 0;
        /* A household layer without counts is refused rather than counted
         * as one household a point: give --set count=1 when that is meant. */
        int count_needed = spec->layer == GG_LAYER_HOUSEHOLDS && strcmp(spec->fields[i].name, "count") == 0 &&
                           bindings[i].constant == NULL;
        if (count_needed) {
            list_source_fields(defn, fields, sizeof fields);
            return gg_error(ctx, GG_ERR_NOT_FOUND,
                            "%s: layer '%s': no field for 'count' (fields: %s); map one with --map count=FIELD, "
                            "or give --set count=1 for one household a point",
                            src->path, src->layer_name, fields);
        }
        if (key_may_use_fid) {
            bindings[i].from_fid = 1;
        } else if (spec->fields[i].required) {
            list_source_fields(defn, fields, sizeof fields);
            return gg_error(ctx, GG_ERR_NOT_FOUND,
                            "%s: layer '%s': no field for '%s' (fields: %s); map one with "
                            "--map %s=FIELD or give a value with --set %s=VALUE",
                            src->path, src->layer_name, spec->fields[i].name, fields,
                            spec->fields[i].name, spec->fields[i].name);
        }
    }
    return GG_OK;
}

static int blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* strtoll/strtod accept leading blanks and stop at junk; here the whole
 * text (blanks around it aside) must be the number. "12.0" is a whole
 * number, "12.5" and "1e3x" are not. */
static int parse_int(const char *text, int64_t *out)
{
    while (blank(*text))
        text++;
    if (*text == '\0')
        return 0;
    errno = 0;
    char *end = NULL;
    long long v = strtoll(text, &end, 10);
    if (end != text && errno == 0) {
        while (blank(*end))
            end++;
        if (*end == '\0') {
            *out = v;
            return 1;
        }
    }
    errno = 0;
    double d = strtod(text, &end);
    if (end == text || errno != 0)
        return 0;
    while (blank(*end))
        end++;
    if (*end != '\0' || !isfinite(d) || d != floor(d) || fabs(d) > 9.0e15)
        return 0;
    *out = (int64_t)d;
    return 1;
}

static int parse_real(const char *text, double *out)
{
    while (blank(*text))
        text++;
    if (*text == '\0')
        return 0;
    errno = 0;
    char *end = NULL;
    double d = strtod(text, &end);
    if (end == text || errno != 0)
        return 0;
    while (blank(*end))
        end++;
    if (*end != '\0' || !isfinite(d))
        return 0;
    *out = d;
    return 1;
}

/* The text of a field. For a field that is not a string GDAL formats the
 * value into a buffer of the feature's that the next such call reuses, so
 * that text is copied (into *owned, freed with the feature's scratch). */
static const char *field_text(const gg_source *src, OGRFeatureH feature, int idx,
                              char **owned, int *bad_utf8)
{
    const char *text = OGR_F_GetFieldAsString(feature, idx);
    OGRFieldType type = OGR_Fld_GetType(OGR_F_GetFieldDefnRef(feature, idx));
    if (src->recode && text != NULL && text[0] != '\0' && type == OFTString) {
        *owned = CPLRecode(text, src->encoding, CPL_ENC_UTF8);
        text = *owned;
    } else if (type != OFTString && text != NULL) {
        *owned = CPLStrdup(text);
        text = *owned;
    }
    if (text != NULL && !CPLIsUTF8(text, -1))
        *bad_utf8 = 1;
    return text;
}

int gg_values_read(const gg_source *src, const layer_spec *spec, const field_binding *bindings,
                   OGRFeatureH feature, field_value *values, value_scratch *scratch, char *why,
                   size_t why_size)
{
    /* A rejection stops at the field at fault: the later ones stay absent. */
    memset(values, 0, sizeof *values * spec->n_fields);
    for (size_t i = 0; i < spec->n_fields; i++) {
        const field_spec *fs = &spec->fields[i];
        const field_binding *b = &bindings[i];
        field_value *v = &values[i];
        memset(v, 0, sizeof *v);
        const char *text = NULL;
        int bad_utf8 = 0;
        if (b->constant != NULL) {
            text = b->constant;
        } else if (b->from_fid) {
            snprintf(scratch->fid_text, sizeof scratch->fid_text, "%lld",
                     (long long)OGR_F_GetFID(feature));
            text = scratch->fid_text;
        } else if (b->source_index >= 0 && OGR_F_IsFieldSetAndNotNull(feature, b->source_index)) {
            int idx = b->source_index;
            OGRFieldType type = OGR_Fld_GetType(OGR_F_GetFieldDefnRef(feature, idx));
            if (fs->kind == FIELD_INT && (type == OFTInteger || type == OFTInteger64)) {
                v->present = 1;
                v->i = OGR_F_GetFieldAsInteger64(feature, idx);
                v->r = (double)v->i;
                continue;
            }
            if (fs->kind == FIELD_REAL && (type == OFTReal || type == OFTInteger || type == OFTInteger64)) {
                v->r = OGR_F_GetFieldAsDouble(feature, idx);
                if (!isfinite(v->r)) {
                    snprintf(why, why_size, "%s is not a finite number", fs->name);
                    return 0;
                }
                v->present = 1;
                continue;
            }
            text = field_text(src, feature, idx, &scratch->owned[i], &bad_utf8);
        }
        if (bad_utf8) {
            snprintf(why, why_size,
                     "%s is not valid UTF-8 text (give the source's encoding with --encoding, "
                     "e.g. --encoding GBK)",
                     fs->name);
            return 0;
        }
        if (text == NULL || text[0] == '\0') {
            if (fs->required) {
                snprintf(why, why_size, "%s is missing", fs->name);
                return 0;
            }
            continue;
        }
        v->text = text;
        if (fs->kind == FIELD_INT) {
            if (!parse_int(text, &v->i)) {
                snprintf(why, why_size, "%s '%.60s' is not a whole number", fs->name, text);
                return 0;
            }
            v->r = (double)v->i;
        } else if (fs->kind == FIELD_REAL) {
            if (!parse_real(text, &v->r)) {
                snprintf(why, why_size, "%s '%.60s' is not a number", fs->name, text);
                return 0;
            }
        }
        v->present = 1;
    }
    return 1;
}

void gg_values_release(value_scratch *scratch)
{
    for (size_t i = 0; i < GG_MAX_FIELDS; i++) {
        CPLFree(scratch->owned[i]);
        scratch->owned[i] = NULL;
    }
}
