/* The web map's files, compiled into the program (web/, with Leaflet from
 * web/node_modules installed by npm ci from the lock file): a fixed list,
 * so that no path from a request ever reaches the file system. Built
 * without the map (GOVGRID_BUILD_WEB=OFF), the page says so. */
#include "service/service.h"

#include <stdlib.h>
#include <string.h>

/* The icon browsers ask for on every page (a grid of four cells), so that
 * /favicon.ico is not a 404 in every log. */
static const char favicon_svg[] =
    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 16 16\">"
    "<rect width=\"16\" height=\"16\" rx=\"2\" fill=\"#2b6cb0\"/>"
    "<path d=\"M8 2v12M2 8h12\" stroke=\"#fff\" stroke-width=\"1.5\"/></svg>";

#ifdef GG_NO_WEB_MAP
static const char not_built[] =
    "<!doctype html><meta charset=\"utf-8\"><title>govgrid</title>"
    "<p>This govgrid was built without the web map (GOVGRID_BUILD_WEB=OFF). The HTTP API is here: "
    "/v1/locate, /v1/grids, /open311/v2/.</p>";
#else
extern const unsigned char gg_web_index_html[], gg_web_app_js[], gg_web_gridcanvas_js[], gg_web_planedit_js[],
    gg_web_console_js[], gg_web_app_css[], gg_web_leaflet_js[], gg_web_leaflet_css[];
extern const size_t gg_web_index_html_size, gg_web_app_js_size, gg_web_gridcanvas_js_size, gg_web_planedit_js_size,
    gg_web_console_js_size, gg_web_app_css_size, gg_web_leaflet_js_size, gg_web_leaflet_css_size;
#endif

static const size_t favicon_size = sizeof favicon_svg - 1;
#ifdef GG_NO_WEB_MAP
static const size_t not_built_size = sizeof not_built - 1;
#endif

int gg_route_static(gg_request *r, gg_reply *out)
{
    static const struct {
        const char *path, *type;
        const unsigned char *data;
        const size_t *size;
        int status;
    } files[] = {
        {"/favicon.ico", "image/svg+xml", (const unsigned char *)favicon_svg, &favicon_size, 200},
        {"/static/favicon.svg", "image/svg+xml", (const unsigned char *)favicon_svg, &favicon_size, 200},
#ifdef GG_NO_WEB_MAP
        {"/", "text/html; charset=utf-8", (const unsigned char *)not_built, &not_built_size, 404},
        {"/index.html", "text/html; charset=utf-8", (const unsigned char *)not_built, &not_built_size, 404},
#else
        {"/", "text/html; charset=utf-8", gg_web_index_html, &gg_web_index_html_size, 200},
        {"/index.html", "text/html; charset=utf-8", gg_web_index_html, &gg_web_index_html_size, 200},
        {"/static/app.js", "text/javascript; charset=utf-8", gg_web_app_js, &gg_web_app_js_size, 200},
        {"/static/gridcanvas.js", "text/javascript; charset=utf-8", gg_web_gridcanvas_js, &gg_web_gridcanvas_js_size, 200},
        {"/static/planedit.js", "text/javascript; charset=utf-8", gg_web_planedit_js, &gg_web_planedit_js_size, 200},
        {"/static/console.js", "text/javascript; charset=utf-8", gg_web_console_js, &gg_web_console_js_size, 200},
        {"/static/app.css", "text/css; charset=utf-8", gg_web_app_css, &gg_web_app_css_size, 200},
        {"/static/leaflet.js", "text/javascript; charset=utf-8", gg_web_leaflet_js, &gg_web_leaflet_js_size, 200},
        {"/static/leaflet.css", "text/css; charset=utf-8", gg_web_leaflet_css, &gg_web_leaflet_css_size, 200},
#endif
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
        gg_reply_text(out, files[i].status, files[i].type, copy, *files[i].size);
        /* kept by the browser, asked again each time: 304 while unchanged */
        gg_reply_header(out, "Cache-Control", "no-cache");
        return ROUTE_STATIC;
    }
    if (strncmp(r->path, "/static/", 8) == 0) {
        gg_reply_error(out, 404, "no such file");
        return ROUTE_STATIC;
    }
    return ROUTE_NONE;
}
