/* One answer as JSON or XML (see doc.h for the mapping). */
#include "service/doc.h"

#include <libxml/xmlwriter.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

const char *gg_doc_type(gg_doc_format format)
{
    return format == GG_DOC_XML ? "text/xml; charset=utf-8" : "application/json; charset=utf-8";
}

const char *gg_doc_item_name(const char *container)
{
    static const char *const pairs[][2] = {
        {"services", "service"},     {"service_requests", "request"}, {"errors", "error"},
        {"attributes", "attribute"}, {"values", "value"},           {"endpoints", "endpoint"},
        {"formats", "format"},       {"service_request_updates", "request_update"},
    };
    for (size_t i = 0; container && i < sizeof pairs / sizeof pairs[0]; i++)
        if (strcmp(container, pairs[i][0]) == 0)
            return pairs[i][1];
    return NULL;
}

/* Names are ASCII here: the spec's and govgrid's own. */
static int xml_name_ok(const char *name)
{
    if (name == NULL || !((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z') || name[0] == '_'))
        return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
              *p == '-' || *p == '.'))
            return 0;
    return strlen(name) < 100;
}

/* The text with what XML 1.0 cannot carry replaced by U+FFFD. jansson's
 * strings are valid UTF-8, so only the C0 controls and U+FFFE/U+FFFF
 * (EF BF BE, EF BF BF) need looking for. NULL when there is nothing to
 * replace (the text is written as it is). */
static char *xml_safe(const char *s, size_t n)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
            (c == 0xEF && i + 2 < n && (unsigned char)s[i + 1] == 0xBF && ((unsigned char)s[i + 2] & 0xFE) == 0xBE))
            bad++;
    }
    if (bad == 0)
        return NULL;
    char *out = malloc(n + bad * 3 + 1);
    if (out == NULL)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int three = c == 0xEF && i + 2 < n && (unsigned char)s[i + 1] == 0xBF &&
                    ((unsigned char)s[i + 2] & 0xFE) == 0xBE;
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || three) {
            memcpy(out + k, "\xEF\xBF\xBD", 3);
            k += 3;
            i += three ? 2 : 0;
        } else {
            out[k++] = (char)c;
        }
    }
    out[k] = '\0';
    return out;
}

static int write_text(xmlTextWriterPtr w, const char *s, size_t n)
{
    if (memchr(s, '\0', n) != NULL)
        return -1; /* a string with a NUL inside is not text */
    char *safe = xml_safe(s, n);
    int rc = xmlTextWriterWriteString(w, (const xmlChar *)(safe ? safe : s));
    free(safe);
    return rc < 0 ? -1 : 0;
}

static int write_value(xmlTextWriterPtr w, const char *name, json_t *v, int depth);

static int write_children(xmlTextWriterPtr w, const char *name, json_t *v, int depth)
{
    if (json_is_object(v)) {
        const char *key;
        json_t *item;
        json_object_foreach(v, key, item)
            if (write_value(w, key, item, depth + 1) != 0)
                return -1;
        return 0;
    }
    if (json_is_array(v)) {
        const char *item_name = gg_doc_item_name(name);
        if (item_name == NULL)
            item_name = "item";
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
            if (write_value(w, item_name, item, depth + 1) != 0)
                return -1;
        return 0;
    }
    if (json_is_string(v))
        return write_text(w, json_string_value(v), json_string_length(v));
    if (json_is_true(v))
        return xmlTextWriterWriteString(w, (const xmlChar *)"true") < 0 ? -1 : 0;
    if (json_is_false(v))
        return xmlTextWriterWriteString(w, (const xmlChar *)"false") < 0 ? -1 : 0;
    if (json_is_number(v)) {
        /* As the JSON form writes it, so that the two forms agree. */
        char *text = json_dumps(v, JSON_FLAGS | JSON_ENCODE_ANY);
        if (text == NULL)
            return -1;
        int rc = xmlTextWriterWriteString(w, (const xmlChar *)text);
        free(text);
        return rc < 0 ? -1 : 0;
    }
    return 0; /* null: the element stays empty */
}

static int write_value(xmlTextWriterPtr w, const char *name, json_t *v, int depth)
{
    if (depth > 32 || !xml_name_ok(name))
        return -1;
    if (xmlTextWriterStartElement(w, (const xmlChar *)name) < 0)
        return -1;
    if (write_children(w, name, v, depth) != 0)
        return -1;
    return xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

static char *with_newline(const char *text, size_t n, size_t *len)
{
    char *out = malloc(n + 2);
    if (out == NULL)
        return NULL;
    memcpy(out, text, n);
    out[n] = '\n';
    out[n + 1] = '\0';
    *len = n + 1;
    return out;
}

char *gg_doc_write(const json_t *value, gg_doc_format format, const char *root, size_t *len)
{
    *len = 0;
    if (value == NULL)
        return NULL;
    if (format == GG_DOC_JSON) {
        char *text = json_dumps(value, JSON_FLAGS | JSON_ENCODE_ANY);
        if (text == NULL)
            return NULL;
        char *out = with_newline(text, strlen(text), len);
        free(text);
        return out;
    }
    xmlBufferPtr buf = xmlBufferCreate();
    xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
    int ok = w != NULL && xmlTextWriterSetIndent(w, 1) >= 0 &&
             xmlTextWriterSetIndentString(w, (const xmlChar *)"  ") >= 0 &&
             xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) >= 0 && write_value(w, root, (json_t *)(uintptr_t)value, 0) == 0 &&
             xmlTextWriterEndDocument(w) >= 0;
    if (w != NULL)
        xmlFreeTextWriter(w); /* flushes into buf */
    char *out = NULL;
    if (ok && buf != NULL) {
        const char *text = (const char *)xmlBufferContent(buf);
        size_t n = (size_t)xmlBufferLength(buf);
        while (n > 0 && text[n - 1] == '\n')
            n--;
        out = with_newline(text, n, len);
    }
    if (buf != NULL)
        xmlBufferFree(buf);
    return out;
}
