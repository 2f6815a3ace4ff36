/* The web map's files, compiled into the program (web/, with Leaflet from
 * web/node_modules installed by npm ci from the lock file): a fixed list,
 * so that no path from a request ever reaches the file system. */
#include "service/service.h"

#include <stdlib.h>
#include <string.h>

extern const unsigned char gg_web_index_html[], gg_web_app_js[], gg_web_leaflet_js[], gg_web_leaflet_css[];
extern const size_t gg_web_index_html_size, gg_web_app_js_size, gg_web_leaflet_js_size, gg_web_leaflet_css_size;

int gg_route_static(gg_request *r, gg_reply *out)
{
    static const struct {
        const char *path, *type;
        const unsigned char *data;
        const size_t *size;
    } files[] = {
        {"/", "text/html; charset=utf-8", gg_web_index_html, &gg_web_index_html_size},
        {"/index.html", "text/html; charset=utf-8", gg_web_index_html, &gg_web_index_html_size},
        {"/static/app.js", "text/javascript; charset=utf-8", gg_web_app_js, &gg_web_app_js_size},
        {"/static/leaflet.js", "text/javascript; charset=utf-8", gg_web_leaflet_js, &gg_web_leaflet_js_size},
        {"/static/leaflet.css", "text/css; charset=utf-8", gg_web_leaflet_css, &gg_web_leaflet_css_size},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        if (strcmp(r->path, files[i].path) != 0)
            continue;
        if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
            gg_reply_error(out, 405, "use GET");
            return ROUTE_STATIC;
        }
        char *copy = malloc(*files[i].size ? *files[i].size : 1);
        if (copy == NULL) {
            gg_reply_error(out, 500, "out of memory");
            return ROUTE_STATIC;
        }
        memcpy(copy, files[i].data, *files[i].size);
        gg_reply_text(out, 200, files[i].type, copy, *files[i].size);
        return ROUTE_STATIC;
    }
    if (strncmp(r->path, "/static/", 8) == 0) {
        gg_reply_error(out, 404, "no such file");
        return ROUTE_STATIC;
    }
    return ROUTE_NONE;
}
