/* Which driver reads a source: only the one of the type its name declares,
 * after its content was checked; drivers that read other files or services
 * only when named; nothing fetched from the network unless allowed. */
#include "harness.h"
#include "io/fixtures.h"

#include <arpa/inet.h>
#include <cpl_conv.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *write_text(const char *name, const char *text)
{
    const char *path = gg_test_path(name);
    gg_test_write_file(path, text);
    return path;
}

static gg_status import_with(gg_ctx *ctx, gg_store *store, gg_layer layer, const char *source,
                             const gg_import_options *opts, gg_import_report **report)
{
    gg_import_report *r = NULL;
    gg_status st = gg_import(ctx, store, layer, source, opts, &r);
    if (report != NULL)
        *report = r;
    else
        gg_import_report_free(ctx, r);
    return st;
}

/* The attack as found: a VRT document named roster.csv that reads the
 * project's own incident table (the reporters' e-mail and phone) into
 * the roster. It is refused, and the roster stays empty. */
static void vrt_saved_as_csv_is_refused(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "project.sqlite");
    CHECK_INT(gg_store_exec(store,
                            "INSERT INTO incident(request_id, service_code, email, phone, requested, updated)"
                            " VALUES ('r1', 'S1', 'citizen.one@example.org', '+37799990001', 'now', 'now'),"
                            " ('r2', 'S1', 'citizen.two@example.org', '+37799990002', 'now', 'now')"),
              GG_OK);
    char vrt[2048];
    snprintf(vrt, sizeof vrt,
             "<OGRVRTDataSource><OGRVRTLayer name=\"workers\">"
             "<SrcDataSource>%s</SrcDataSource>"
             "<SrcSQL>SELECT request_id AS id, email AS name, 'volunteer' AS role, phone FROM incident</SrcSQL>"
             "</OGRVRTLayer></OGRVRTDataSource>\n",
             gg_test_path("project.sqlite"));
    const char *roster = write_text("roster.csv", vrt);
    gg_import_options opts;
    gg_import_options_init(&opts);
    CHECK_INT(import_with(ctx, store, GG_LAYER_WORKERS, roster, &opts, NULL), GG_ERR_FORMAT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "roster.csv: not a CSV file (its content is an OGR VRT document); to "
                                       "read it as VRT name the driver with --driver VRT");
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM worker"), 0);

    /* The same as households, with the e-mail as the address. */
    const char *contacts = write_text("contacts.csv", "id,lon,lat,email\n"
                                                      "r1,7.4246,43.7384,citizen.one@example.org\n");
    (void)contacts;
    const char *households = write_text(
        "households.csv",
        "<?xml version=\"1.0\"?>\n<!-- points -->\n<OGRVRTDataSource><OGRVRTLayer name=\"households\">"
        "<SrcDataSource relativeToVRT=\"1\">contacts.csv</SrcDataSource>"
        "<SrcSQL>SELECT id, lon, lat, 1 AS count, email AS address FROM contacts</SrcSQL>"
        "<GeometryType>wkbPoint</GeometryType><LayerSRS>EPSG:4326</LayerSRS>"
        "<GeometryField encoding=\"PointFromColumns\" x=\"lon\" y=\"lat\"/>"
        "</OGRVRTLayer></OGRVRTDataSource>\n");
    CHECK_INT(import_with(ctx, store, GG_LAYER_HOUSEHOLDS, households, &opts, NULL), GG_ERR_FORMAT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "households.csv: not a CSV file (its content is an OGR VRT document)");
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM household"), 0);

    /* A .vrt is not read without its driver named either. */
    const char *named = write_text("roster.vrt", vrt);
    CHECK_INT(import_with(ctx, store, GG_LAYER_WORKERS, named, &opts, NULL), GG_ERR_ARG);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "roster.vrt: a VRT document reads other files or services; to read "
                                       "it, name the driver with --driver VRT");
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM worker"), 0);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void vrt_named_with_its_driver_is_read(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "project.sqlite");
    write_text("people.csv", "id,name,role,phone\nw1,张伟,leader,13800000001\nw2,王芳,fulltime,13800000002\n");
    const char *vrt = write_text("workers.vrt", "<OGRVRTDataSource><OGRVRTLayer name=\"workers\">"
                                                "<SrcDataSource relativeToVRT=\"1\">people.csv</SrcDataSource>"
                                                "<SrcLayer>people</SrcLayer>"
                                                "</OGRVRTLayer></OGRVRTDataSource>\n");
    gg_import_options opts;
    gg_import_options_init(&opts);
    opts.driver = "VRT";
    gg_import_report *r = NULL;
    CHECK_INT(import_with(ctx, store, GG_LAYER_WORKERS, vrt, &opts, &r), GG_OK);
    CHECK(r != NULL && r->driver != NULL && strcmp(r->driver, "OGR_VRT") == 0);
    gg_import_report_free(ctx, r);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM worker"), 2);

    /* --driver CSV for a name that does not say CSV. */
    const char *txt = write_text("people.txt", "id,name,role\nw3,刘洋,parttime\n");
    opts.driver = "CSV";
    CHECK_INT(import_with(ctx, store, GG_LAYER_WORKERS, txt, &opts, NULL), GG_OK);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM worker"), 1);
    opts.driver = NULL;
    CHECK_INT(import_with(ctx, store, GG_LAYER_WORKERS, txt, &opts, NULL), GG_ERR_ARG);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "people.txt: cannot tell the format from the name (extension '.txt')");
    opts.driver = "NoSuchDriver";
    CHECK_INT(import_with(ctx, store, GG_LAYER_WORKERS, txt, &opts, NULL), GG_ERR_ARG);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "--driver 'NoSuchDriver': no GDAL vector driver of that name");
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM worker"), 1);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void content_must_match_the_name(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "project.sqlite");
    gg_import_options opts;
    gg_import_options_init(&opts);
    static const struct {
        const char *name, *content, *message;
    } cases[] = {
        {"h.geojson", "id,lon,lat,count\nh1,7.42,43.74,3\n",
         "h.geojson: not a GeoJSON file (its content is delimited text (CSV)); to read it as CSV name the "
         "driver with --driver CSV"},
        {"h.csv", "{\"type\": \"FeatureCollection\", \"features\": []}\n",
         "h.csv: not a CSV file (its content is GeoJSON); to read it as GeoJSON name the driver with "
         "--driver GeoJSON"},
        {"h.gpkg", "", "h.gpkg: not a GeoPackage (the file is empty)"},
        {"h.kml", "<OGRWFSDataSource><URL>http://127.0.0.1:9/wfs</URL></OGRWFSDataSource>",
         "h.kml: not a KML file (its content is a WFS service description); to read it as WFS name the "
         "driver with --driver WFS"},
        {"h.gml", "<OGRVRTDataSource/>", "h.gml: not a GML file (its content is an OGR VRT document)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK_INT(import_with(ctx, store, GG_LAYER_HOUSEHOLDS, write_text(cases[i].name, cases[i].content),
                              &opts, NULL),
                  GG_ERR_FORMAT);
        CHECK_CONTAINS(gg_ctx_errmsg(ctx), cases[i].message);
    }
    /* A GeoPackage named .csv. */
    char copy[1200];
    snprintf(copy, sizeof copy, "%s", gg_test_path("communities.csv"));
    CHECK(gg_test_copy_file(fx_data("monaco/communities.gpkg"), copy));
    CHECK_INT(import_with(ctx, store, GG_LAYER_DIVISIONS, copy, &opts, NULL), GG_ERR_FORMAT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "communities.csv: not a CSV file (its content is a GeoPackage); to read "
                                       "it as GPKG name the driver with --driver GPKG");
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM household"), 0);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM division"), 0);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* A TCP listener on the loopback: any connection GDAL makes to it waits
 * in the backlog, where accept() finds it. */
static int listen_loopback(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) != 0 ||
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(addr.sin_port);
    return fd;
}

/* form with "PORT" replaced by port. */
static void with_port(char *out, size_t size, const char *form, int port)
{
    const char *at = strstr(form, "PORT");
    if (at == NULL)
        snprintf(out, size, "%s", form);
    else
        snprintf(out, size, "%.*s%d%s", (int)(at - form), form, port, at + 4);
}

static int connections(int fd)
{
    int n = 0, c;
    while ((c = accept(fd, NULL, NULL)) >= 0) {
        close(c);
        n++;
    }
    return n;
}

static void network_is_refused_without_a_connection(void)
{
    int port = 0;
    int fd = listen_loopback(&port);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "project.sqlite");
    gg_import_options opts;
    gg_import_options_init(&opts);
    gg_binding sets[] = {{"count", "1"}};
    opts.sets = sets;
    opts.n_sets = 1;

    static const char *const forms[][2] = {
        {"/vsicurl/http://127.0.0.1:PORT/x.csv", "(/vsicurl/)"},
        {"/vsicurl_streaming/http://127.0.0.1:PORT/x.csv", "(/vsicurl_streaming/)"},
        {"/vsizip//vsicurl/http://127.0.0.1:PORT/x.zip/x.shp", "(/vsicurl/)"},
        {"/vsizip/vsicurl/http://127.0.0.1:PORT/x.zip/x.shp", "(/vsicurl/)"},
        {"/vsitar/{/vsigzip/{/vsicurl?url=http%3A%2F%2F127.0.0.1%3APORT%2Fx.tgz}}/x.csv", "(/vsicurl/)"},
        {"http://127.0.0.1:PORT/x.geojson", "(http://)"},
        {"https://127.0.0.1:PORT/x.geojson", "(https://)"},
        {"ftp://127.0.0.1:PORT/x.csv", "(ftp://)"},
        {"/vsis3/bucket-PORT/x.csv", "(/vsis3/)"},
        {"/VSIGS/bucket-PORT/x.csv", "(/VSIGS/)"},
    };
    char path[512], message[256];
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        with_port(path, sizeof path, forms[i][0], port);
        CHECK_INT(import_with(ctx, store, GG_LAYER_HOUSEHOLDS, path, &opts, NULL), GG_ERR_ARG);
        snprintf(message, sizeof message,
                 ": refused: a network location %s; govgrid reads only local files unless --allow-network "
                 "is given",
                 forms[i][1]);
        CHECK_CONTAINS(gg_ctx_errmsg(ctx), message);
    }

    /* A VRT named with its driver may still not read the network. */
    char vrt[512];
    snprintf(vrt, sizeof vrt,
             "<OGRVRTDataSource><OGRVRTLayer name=\"households\">"
             "<SrcDataSource>/vsicurl/http://127.0.0.1:%d/x.csv</SrcDataSource>"
             "</OGRVRTLayer></OGRVRTDataSource>",
             port);
    opts.driver = "VRT";
    CHECK_INT(import_with(ctx, store, GG_LAYER_HOUSEHOLDS, write_text("net.vrt", vrt), &opts, NULL), GG_ERR_ARG);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "net.vrt: refused: the VRT document reads '/vsicurl/http://127.0.0.1:");
    CHECK_INT(import_with(ctx, store, GG_LAYER_HOUSEHOLDS, vrt, &opts, NULL), GG_ERR_ARG); /* inline */
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "refused: a network location");
    snprintf(vrt, sizeof vrt,
             "<OGRVRTDataSource><OGRVRTLayer name=\"households\">"
             "<SrcDataSource relativeToVRT=\"1\">net.vrt</SrcDataSource>"
             "</OGRVRTLayer></OGRVRTDataSource>");
    CHECK_INT(import_with(ctx, store, GG_LAYER_HOUSEHOLDS, write_text("outer.vrt", vrt), &opts, NULL), GG_ERR_ARG);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "outer.vrt: refused: the VRT document reads '/vsicurl/");
    opts.driver = NULL;

    /* A GeoJSON whose "crs" is a link: GDAL would fetch it; the points are
     * imported and the report says what was not fetched. */
    char geojson[512];
    snprintf(geojson, sizeof geojson,
             "{\"type\": \"FeatureCollection\", \"crs\": {\"type\": \"link\", \"properties\": "
             "{\"href\": \"http://127.0.0.1:%d/crs.wkt\", \"type\": \"ogcwkt\"}}, \"features\": "
             "[{\"type\": \"Feature\", \"properties\": {\"id\": \"h1\"}, \"geometry\": "
             "{\"type\": \"Point\", \"coordinates\": [7.4246, 43.7384]}}]}",
             port);
    for (int jobs = 1; jobs <= 2; jobs++) {
        opts.jobs = jobs;
        gg_import_report *r = NULL;
        CHECK_INT(import_with(ctx, store, GG_LAYER_HOUSEHOLDS, write_text("linked.geojson", geojson), &opts, &r),
                  GG_OK);
        CHECK(r != NULL && fx_has_issue(r, GG_ISSUE_WARNING, NULL, "/crs.wkt; not fetched"));
        gg_import_report_free(ctx, r);
    }
    opts.jobs = 0;

    /* --s-srs given as a URL. */
    snprintf(path, sizeof path, "http://127.0.0.1:%d/srs.wkt", port);
    opts.source_crs = path;
    CHECK_INT(import_with(ctx, store, GG_LAYER_HOUSEHOLDS, gg_test_path("linked.geojson"), &opts, NULL),
              GG_ERR_ARG);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "a URL; govgrid fetches nothing from the network unless --allow-network");
    opts.source_crs = NULL;

    CHECK_INT(connections(fd), 0);

    /* The control: allowed, GDAL does connect, and the listener sees it. A
     * proxy in the environment would take the connection instead. */
    if (getenv("http_proxy") == NULL && getenv("HTTP_PROXY") == NULL && getenv("all_proxy") == NULL &&
        getenv("ALL_PROXY") == NULL) {
        CPLSetThreadLocalConfigOption("GDAL_HTTP_TIMEOUT", "1");
        opts.allow_network = 1;
        snprintf(path, sizeof path, "/vsicurl/http://127.0.0.1:%d/x.csv", port);
        CHECK(import_with(ctx, store, GG_LAYER_HOUSEHOLDS, path, &opts, NULL) != GG_OK);
        CPLSetThreadLocalConfigOption("GDAL_HTTP_TIMEOUT", NULL);
        CHECK(connections(fd) > 0);
    }
    close(fd);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void local_virtual_files_are_read(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "project.sqlite");
    gg_import_options opts;
    gg_import_options_init(&opts);
    char path[1200];
    snprintf(path, sizeof path, "/vsizip/%s/nothing.csv", gg_test_path("missing.zip"));
    CHECK_INT(import_with(ctx, store, GG_LAYER_WORKERS, path, &opts, NULL), GG_ERR_IO);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "missing.zip/nothing.csv: no such file");
    CHECK_INT(import_with(ctx, store, GG_LAYER_WORKERS, "/vsistdin/", &opts, NULL), GG_ERR_ARG);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "/vsistdin/: refused: /vsistdin/ is not one of the local file systems");
    CHECK_INT(import_with(ctx, store, GG_LAYER_WORKERS, "PG:dbname=govgrid", &opts, NULL), GG_ERR_ARG);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "PG:dbname=govgrid: no such file or folder; to read a database or a "
                                       "service, name its driver with --driver");
    /* The shipped catalogue is read from /vsimem/. */
    int64_t version = 0;
    CHECK_INT(gg_catalogue_load_shipped(ctx, store, &version), GG_OK);
    CHECK(version > 0);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

TEST_SUITE(source_policy_suite, T(vrt_saved_as_csv_is_refused), T(vrt_named_with_its_driver_is_read),
           T(content_must_match_the_name), T(network_is_refused_without_a_connection),
           T(local_virtual_files_are_read))
