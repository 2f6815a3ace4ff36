/* Private to the service: one answer written as JSON or as XML.
 *
 * Open311 GeoReport v2 answers the same document in two forms, chosen by
 * the path's extension. The handlers build the document once, as a
 * jansson value, and this writes it in the form asked for: JSON as it is,
 * XML by libxml2's writer (which escapes every text), by the spec's rule:
 *   - an object is an element per member, in order, named by the member;
 *   - an array is an element per item, named by the singular the spec
 *     gives its container (services → service, service_requests →
 *     request, errors → error, attributes → attribute, values → value,
 *     endpoints → endpoint, formats → format);
 *   - null is an empty element (<account_id/>), true and false are the
 *     words, numbers as JSON writes them.
 * Pure functions of their input, fuzzed (tests/fuzz/fuzz_service_doc.c). */
#ifndef GG_SERVICE_DOC_H
#define GG_SERVICE_DOC_H

#include <jansson.h>
#include <stddef.h>

typedef enum gg_doc_format { GG_DOC_JSON = 0, GG_DOC_XML = 1 } gg_doc_format;

/* The Content-Type of a format. */
const char *gg_doc_type(gg_doc_format format);

/* The element name of one item of the array named container; NULL for a
 * container the spec does not name. */
const char *gg_doc_item_name(const char *container);

/* Writes value (borrowed) as format, root naming the outer element in
 * XML (ignored in JSON). Returns the text (malloc'ed, NUL-terminated,
 * ending in a newline) and its length in *len, or NULL when the value
 * cannot be written (no memory; an XML name that is not one: a member
 * name or root that is not letters, digits, '_', '-', '.' starting with
 * a letter or '_'). Text that XML 1.0 cannot carry (control characters
 * but tab and line ends, U+FFFE, U+FFFF) is written as U+FFFD. */
char *gg_doc_write(const json_t *value, gg_doc_format format, const char *root, size_t *len);

#endif
