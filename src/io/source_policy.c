/* Which GDAL driver may read a source, decided before GDAL sees it.
 *
 * GDAL picks a driver by content, and some drivers read other files or
 * services named inside the file: an OGR VRT document saved as
 * "roster.csv" read the project's own incident table into the roster, and
 * a /vsicurl/ path made the host fetch URLs. So a source is opened only
 * with the drivers of the type its name declares (.csv: CSV, .gpkg: GPKG,
 * ...), after its first bytes were checked to be that type; drivers that
 * read other files, services or databases (VRT, WFS, PostgreSQL, ...) are
 * used only when the caller names them; network locations are refused
 * unless the caller allows them, and while a source is open the calling
 * thread's GDAL HTTP requests are refused too (a GeoJSON "crs" link, a
 * GML schema). */
#define _LARGEFILE64_SOURCE 1 /* VSIStatBufL is struct stat64 */
#include "io/import.h"

#include <cpl_conv.h>
#include <cpl_http.h>
#include <cpl_minixml.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ---- locations ---- */

/* GDAL's virtual file systems that reach the network: each name also
 * covers its _streaming variant (/vsicurl_streaming/, /vsis3_streaming/). */
static const char *const network_fs[] = {"vsicurl", "vsis3", "vsigs", "vsiaz", "vsiadls", "vsioss",
                                         "vsiswift", "vsihdfs", "vsiwebhdfs", NULL};
/* Those that read local bytes: memory and archives of local files. */
static const char *const local_fs[] = {"vsimem", "vsizip", "vsigzip", "vsitar", "vsi7z", "vsirar", NULL};

typedef enum location {
    LOCATION_LOCAL,         /* a plain path */
    LOCATION_LOCAL_VSI,     /* /vsimem/, /vsizip/ ... of a local file */
    LOCATION_NETWORK,       /* a URL or a network file system */
    LOCATION_OTHER_VSI      /* another GDAL virtual file system (/vsistdin/, /vsisparse/...) */
} location;

static int contains_nocase(const char *text, const char *needle)
{
    size_t n = strlen(needle);
    for (; *text != '\0'; text++)
        if (strncasecmp(text, needle, n) == 0)
            return 1;
    return 0;
}

static int in_list(const char *const *list, const char *name, size_t len, int prefix)
{
    for (size_t i = 0; list[i] != NULL; i++) {
        size_t n = strlen(list[i]);
        if (prefix ? (len >= n && strncasecmp(name, list[i], n) == 0)
                   : (len == n && strncasecmp(name, list[i], n) == 0))
            return 1;
    }
    return 0;
}

/* Walks a chain of virtual file systems ("/vsizip//vsicurl/https://...",
 * "/vsizip/vsicurl/...", "/vsitar/{/vsigzip/x.tgz}/a.csv"); what receives
 * the part to name in a refusal ("/vsicurl/", "https://"). */
static location locate_path(const char *path, char *what, size_t size)
{
    const char *s = path;
    int chained = 0;
    for (;;) {
        while (*s == '{')
            s++;
        int slash = *s == '/';
        if (strncasecmp(s + slash, "vsi", 3) != 0 || (!slash && !chained))
            break;
        const char *name = s + slash;
        size_t len = strcspn(name, "/?}");
        if (in_list(network_fs, name, len, 1)) {
            snprintf(what, size, "/%.*s/", (int)len, name);
            return LOCATION_NETWORK;
        }
        if (!in_list(local_fs, name, len, 0)) {
            if (!slash)
                break; /* "vsidata.zip" inside an archive path: a file name */
            snprintf(what, size, "/%.*s/", (int)len, name);
            return LOCATION_OTHER_VSI;
        }
        chained = 1;
        s = name + len;
        if (*s == '/')
            s++;
    }
    const char *scheme = strstr(path, "://");
    if (scheme != NULL) {
        const char *start = scheme;
        while (start > path && (isalnum((unsigned char)start[-1]) || start[-1] == '+' ||
                                start[-1] == '-' || start[-1] == '.'))
            start--;
        snprintf(what, size, "%.*s://", (int)(scheme - start > 16 ? 16 : scheme - start), start);
        return LOCATION_NETWORK;
    }
    return chained ? LOCATION_LOCAL_VSI : LOCATION_LOCAL;
}

/* ---- declared types ---- */

/* What the first bytes of a file are. */
enum content_kind {
    KIND_EMPTY = 1 << 0,
    KIND_TEXT = 1 << 1,
    KIND_XML = 1 << 2,
    KIND_INDIRECT = 1 << 3, /* XML that makes GDAL read other files or services */
    KIND_JSON = 1 << 4,
    KIND_SQLITE = 1 << 5,
    KIND_GPKG = 1 << 6,
    KIND_ZIP = 1 << 7,
    KIND_GZIP = 1 << 8,
    KIND_SHP = 1 << 9,
    KIND_FGB = 1 << 10,
    KIND_PBF = 1 << 11,
    KIND_BINARY = 1 << 12
};

typedef struct declared_type {
    const char *suffix;     /* matched at the end of the name, case-insensitively */
    const char *noun;       /* "a CSV file", for "not a CSV file" */
    const char *drivers[GG_SOURCE_MAX_DRIVERS];
    unsigned kinds;         /* contents the type may have */
} declared_type;

/* Longer suffixes first (.shp.zip before .zip, .osm.pbf before .pbf). */
static const declared_type declared_types[] = {
    {".shp.zip", "a zipped shapefile", {"ESRI Shapefile"}, KIND_ZIP},
    {".shz", "a zipped shapefile", {"ESRI Shapefile"}, KIND_ZIP},
    {".osm.pbf", "an OSM PBF file", {"OSM"}, KIND_PBF},
    {".pbf", "an OSM PBF file", {"OSM"}, KIND_PBF},
    {".osm", "an OSM XML file", {"OSM"}, KIND_XML},
    {".csv", "a CSV file", {"CSV"}, KIND_TEXT | KIND_EMPTY},
    {".tsv", "a tab-separated file", {"CSV"}, KIND_TEXT | KIND_EMPTY},
    {".shp", "a shapefile", {"ESRI Shapefile"}, KIND_SHP},
    {".dbf", "a dBase table", {"ESRI Shapefile"}, KIND_BINARY | KIND_TEXT},
    {".gpkg", "a GeoPackage", {"GPKG"}, KIND_GPKG | KIND_SQLITE},
    {".geojson", "a GeoJSON file", {"GeoJSON"}, KIND_JSON},
    {".json", "a JSON file", {"GeoJSON", "ESRIJSON", "TopoJSON"}, KIND_JSON},
    {".geojsonl", "a GeoJSON sequence", {"GeoJSONSeq"}, KIND_JSON},
    {".geojsons", "a GeoJSON sequence", {"GeoJSONSeq"}, KIND_JSON},
    {".kml", "a KML file", {"KML", "LIBKML"}, KIND_XML},
    {".kmz", "a KMZ file", {"LIBKML"}, KIND_ZIP},
    {".gml", "a GML file", {"GML"}, KIND_XML},
    {".gpx", "a GPX file", {"GPX"}, KIND_XML},
    {".sqlite", "an SQLite database", {"SQLite"}, KIND_SQLITE},
    {".fgb", "a FlatGeobuf file", {"FlatGeobuf"}, KIND_FGB},
    {".xlsx", "an Excel workbook", {"XLSX"}, KIND_ZIP},
    {".xls", "an Excel 97-2003 workbook", {"XLS"}, KIND_BINARY},
    {".ods", "an OpenDocument spreadsheet", {"ODS"}, KIND_ZIP},
    {".tab", "a MapInfo table", {"MapInfo File"}, KIND_TEXT},
    {".mif", "a MapInfo interchange file", {"MapInfo File"}, KIND_TEXT},
};

static const declared_type shapefile_folder = {"/", "a folder of shapefiles", {"ESRI Shapefile"}, 0};
static const declared_type file_geodatabase = {".gdb", "a file geodatabase", {"OpenFileGDB", "FileGDB"}, 0};

static int ends_with(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && strncasecmp(s + len - n, suffix, n) == 0;
}

/* The last component of path (without a trailing '/' or '}'): its start
 * and length. */
static const char *base_name(const char *path, size_t *len)
{
    size_t end = strlen(path);
    while (end > 1 && (path[end - 1] == '/' || path[end - 1] == '}'))
        end--;
    size_t start = end;
    while (start > 0 && path[start - 1] != '/' && path[start - 1] != '{')
        start--;
    *len = end - start;
    return path + start;
}

/* ---- content ---- */

typedef struct content {
    unsigned kind;
    char what[160];         /* "an OGR VRT document" */
    const char *driver;     /* the driver that reads it, to suggest; NULL for none */
} content;

static const char *skip_space(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    return p;
}

/* The root element of an XML document: skips the declaration, comments
 * and a DOCTYPE. Returns 0 when the text is not XML. */
static int xml_root(const char *p, const char *end, char *root, size_t size)
{
    for (;;) {
        p = skip_space(p, end);
        if (p >= end || *p != '<')
            return 0;
        const char *close = NULL;
        if (end - p >= 2 && p[1] == '?')
            close = "?>";
        else if (end - p >= 4 && memcmp(p, "<!--", 4) == 0)
            close = "-->";
        else if (end - p >= 2 && p[1] == '!')
            close = ">";
        if (close == NULL)
            break;
        const char *found = NULL;
        for (const char *q = p + 2; q + strlen(close) <= end && found == NULL; q++)
            if (memcmp(q, close, strlen(close)) == 0)
                found = q;
        if (found == NULL)
            return 0;
        p = found + strlen(close);
    }
    p++;
    const char *name = p;
    while (p < end && (isalnum((unsigned char)*p) || *p == '_' || *p == ':' || *p == '-' || *p == '.'))
        p++;
    if (p == name || !isalpha((unsigned char)*name) || p >= end ||
        !(*p == '>' || *p == '/' || *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        return 0;
    const char *colon = memchr(name, ':', (size_t)(p - name));
    if (colon != NULL)
        name = colon + 1; /* the local name: gml:FeatureCollection */
    snprintf(root, size, "%.*s", (int)(p - name), name);
    return 1;
}

static void describe_xml(const char *root, content *c)
{
    static const struct {
        const char *root;
        unsigned kind;
        const char *what;
        const char *driver;
    } known[] = {
        {"OGRVRTDataSource", KIND_INDIRECT, "an OGR VRT document", "OGR_VRT"},
        {"VRTDataset", KIND_INDIRECT, "a GDAL raster VRT document", NULL},
        {"OGRWFSDataSource", KIND_INDIRECT, "a WFS service description", "WFS"},
        {"OGRWFS3DataSource", KIND_INDIRECT, "an OGC API service description", "OAPIF"},
        {"GDAL_WMS", KIND_INDIRECT, "a WMS service description", NULL},
        {"GDAL_WMTS", KIND_INDIRECT, "a WMTS service description", NULL},
        {"WFS_Capabilities", KIND_INDIRECT, "a WFS capabilities document", "WFS"},
        {"kml", KIND_XML, "a KML document", "KML"},
        {"gpx", KIND_XML, "a GPX document", "GPX"},
        {"osm", KIND_XML, "an OSM XML document", "OSM"},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strcmp(root, known[i].root) == 0) {
            c->kind = known[i].kind;
            snprintf(c->what, sizeof c->what, "%s", known[i].what);
            c->driver = known[i].driver;
            return;
        }
    }
    c->kind = KIND_XML;
    if (ends_with(root, strlen(root), "FeatureCollection")) {
        snprintf(c->what, sizeof c->what, "a GML document");
        c->driver = "GML";
    } else {
        snprintf(c->what, sizeof c->what, "an XML document (root element <%.100s>)", root);
    }
}

/* Classifies the first bytes of a file. Only what can be told for sure is
 * named; the rest is text or binary data. */
static void sniff(const unsigned char *buf, size_t n, content *c)
{
    memset(c, 0, sizeof *c);
    const char *text = (const char *)buf, *end = text + n;
    if (n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        text += 3; /* UTF-8 byte order mark */
    const char *p = skip_space(text, end);
    char root[128];
    if (n == 0) {
        c->kind = KIND_EMPTY;
        snprintf(c->what, sizeof c->what, "empty");
    } else if (n >= 16 && memcmp(buf, "SQLite format 3", 16) == 0) {
        /* The application id at byte 68: "GPKG" (GeoPackage 1.2+), "GP10"/"GP11". */
        int gpkg = n >= 72 && (memcmp(buf + 68, "GPKG", 4) == 0 || memcmp(buf + 68, "GP1", 3) == 0);
        c->kind = gpkg ? KIND_GPKG : KIND_SQLITE;
        snprintf(c->what, sizeof c->what, "%s", gpkg ? "a GeoPackage" : "an SQLite database");
        c->driver = gpkg ? "GPKG" : "SQLite";
    } else if (n >= 4 && memcmp(buf, "PK\x03\x04", 4) == 0) {
        c->kind = KIND_ZIP;
        snprintf(c->what, sizeof c->what, "a ZIP archive");
    } else if (n >= 2 && buf[0] == 0x1f && buf[1] == 0x8b) {
        c->kind = KIND_GZIP;
        snprintf(c->what, sizeof c->what, "gzip-compressed data");
    } else if (n >= 4 && memcmp(buf, "\x00\x00\x27\x0a", 4) == 0) {
        c->kind = KIND_SHP;
        snprintf(c->what, sizeof c->what, "the geometry of a shapefile (.shp)");
        c->driver = "ESRI Shapefile";
    } else if (n >= 4 && memcmp(buf, "fgb\x03", 4) == 0) {
        c->kind = KIND_FGB;
        snprintf(c->what, sizeof c->what, "a FlatGeobuf file");
        c->driver = "FlatGeobuf";
    } else if (n >= 15 && memcmp(buf + 4, "\x0a\x09OSMHeader", 11) == 0) {
        c->kind = KIND_PBF;
        snprintf(c->what, sizeof c->what, "an OSM PBF file");
        c->driver = "OSM";
    } else if (memchr(buf, '\0', n) != NULL) {
        c->kind = KIND_BINARY;
        snprintf(c->what, sizeof c->what, "binary data");
    } else if (xml_root(p, end, root, sizeof root)) {
        describe_xml(root, c);
    } else if (p < end && (*p == '{' || *p == '[' || *p == '\x1e')) {
        /* '{' then a key, '[' then an object or array: a CSV line does not
         * start so. */
        const char *q = skip_space(p + 1, end);
        if (q >= end || (*p == '{' && (*q == '"' || *q == '}')) || (*p == '[' && (*q == '{' || *q == '[')) ||
            *p == '\x1e') {
            c->kind = KIND_JSON;
            int geojson = strstr(p, "\"Feature") != NULL;
            snprintf(c->what, sizeof c->what, "%s", geojson ? "GeoJSON" : "JSON text");
            c->driver = geojson ? "GeoJSON" : NULL;
        }
    }
    if (c->kind == 0) {
        size_t line = strcspn(p, "\r\n");
        int delimited = memchr(p, ',', line) || memchr(p, ';', line) || memchr(p, '\t', line) ||
                        memchr(p, '|', line);
        c->kind = KIND_TEXT;
        snprintf(c->what, sizeof c->what, "%s", delimited ? "delimited text (CSV)" : "plain text");
        c->driver = delimited ? "CSV" : NULL;
    }
}

/* The name a user gives for a driver: VRT for GDAL's OGR_VRT. */
static const char *driver_user_name(const char *driver)
{
    return strcmp(driver, "OGR_VRT") == 0 ? "VRT" : driver;
}

static void driver_option(const char *driver, char *buf, size_t size)
{
    const char *name = driver_user_name(driver);
    snprintf(buf, size, strchr(name, ' ') ? "--driver \"%s\"" : "--driver %s", name);
}

/* Reads the first bytes of path (at most size, NUL-terminated). */
static gg_status read_head(gg_ctx *ctx, const char *shown, const char *path, unsigned char *buf,
                           size_t size, size_t *n)
{
    *n = 0;
    VSILFILE *f = VSIFOpenL(path, "rb");
    if (f == NULL)
        return gg_error(ctx, GG_ERR_IO, "%s: cannot open for reading", shown);
    *n = VSIFReadL(buf, 1, size - 1, f);
    buf[*n] = '\0';
    VSIFCloseL(f);
    return GG_OK;
}

/* ---- what a VRT named with --driver reads ---- */

static int names_crs(const char *text)
{
    return strncmp(text, "http://www.opengis.net/def/crs/", 31) == 0 ||
           strncmp(text, "http://www.opengis.net/gml/srs/", 31) == 0;
}

static gg_status vrt_check(gg_ctx *ctx, const char *shown, const char *path, int depth);

/* Every text and attribute value of a VRT document: a network location
 * anywhere (a source, SQL that opens one) is refused, and VRT documents it
 * reads are checked in turn. The HTTP guard cannot stop /vsicurl/, which
 * talks to libcurl itself. */
static gg_status vrt_check_node(gg_ctx *ctx, const char *shown, const char *dir, CPLXMLNode *node,
                                int depth, int source)
{
    for (; node != NULL; node = node->psNext) {
        if (node->eType == CXT_Element) {
            int is_source = strcmp(node->pszValue, "SrcDataSource") == 0;
            gg_status st = vrt_check_node(ctx, shown, dir, node->psChild, depth, is_source);
            if (st != GG_OK)
                return st;
            if (is_source) {
                const char *value = CPLGetXMLValue(node, NULL, "");
                const char *nested = CPLGetXMLValue(node, "relativeToVRT", "0")[0] == '1'
                                         ? CPLFormFilename(dir, value, NULL)
                                         : value;
                size_t len = strlen(nested);
                if (ends_with(nested, len, ".vrt")) {
                    char copy[2048];
                    snprintf(copy, sizeof copy, "%s", nested);
                    st = vrt_check(ctx, shown, copy, depth + 1);
                    if (st != GG_OK)
                        return st;
                }
            }
        } else if (node->eType == CXT_Text || node->eType == CXT_Attribute) {
            const char *text = node->eType == CXT_Text ? node->pszValue
                               : node->psChild ? node->psChild->pszValue
                                               : "";
            char what[64];
            location where = locate_path(text, what, sizeof what);
            int network_fs_inside = 0;
            for (size_t i = 0; network_fs[i] != NULL && !network_fs_inside; i++) {
                char marker[32];
                snprintf(marker, sizeof marker, "/%s", network_fs[i]);
                network_fs_inside = contains_nocase(text, marker);
            }
            if (network_fs_inside || (where == LOCATION_NETWORK && !names_crs(text)) ||
                (source && where == LOCATION_OTHER_VSI))
                return gg_error(ctx, GG_ERR_ARG,
                                "%s: refused: the VRT document reads '%.200s', a network location; "
                                "govgrid reads only local files unless --allow-network is given",
                                shown, text);
        }
    }
    return GG_OK;
}

static gg_status vrt_check(gg_ctx *ctx, const char *shown, const char *path, int depth)
{
    if (depth > 8)
        return gg_error(ctx, GG_ERR_FORMAT, "%s: VRT documents nested more than 8 deep", shown);
    /* GDAL's VRT driver also takes the document itself in place of a name. */
    int inline_xml = path[0] == '<';
    CPLXMLNode *doc = inline_xml ? CPLParseXMLString(path) : CPLParseXMLFile(path);
    if (doc == NULL)
        return GG_OK; /* not XML, or missing: GDAL's VRT driver says so when it opens it */
    char dir[2048];
    snprintf(dir, sizeof dir, "%s", inline_xml ? "." : CPLGetPath(path));
    gg_status st = vrt_check_node(ctx, shown, dir, doc, depth, 0);
    CPLDestroyXMLNode(doc);
    return st;
}

/* ---- the plan ---- */

static gg_status plan_add_driver(gg_ctx *ctx, gg_source_plan *plan, const char *name)
{
    GDALDriverH driver = GDALGetDriverByName(name);
    if (driver == NULL || GDALGetMetadataItem(driver, GDAL_DCAP_VECTOR, NULL) == NULL)
        return GG_ERR_NOT_FOUND;
    size_t n = 0;
    while (plan->drivers[n] != NULL)
        n++;
    if (n >= GG_SOURCE_MAX_DRIVERS)
        return gg_error(ctx, GG_ERR_INTERNAL, "too many drivers for one source type");
    plan->drivers[n] = GDALGetDriverShortName(driver);
    return GG_OK;
}

static gg_status plan_explicit(gg_ctx *ctx, const char *path, const char *name, gg_source_plan *plan)
{
    const char *gdal_name = strcasecmp(name, "VRT") == 0 ? "OGR_VRT" : name;
    if (plan_add_driver(ctx, plan, gdal_name) != GG_OK)
        return gg_error(ctx, GG_ERR_ARG,
                        "--driver '%s': no GDAL vector driver of that name (e.g. CSV, GPKG, GeoJSON, "
                        "\"ESRI Shapefile\", VRT, PostgreSQL)",
                        name);
    /* GDAL's CSV driver takes only .csv, .tsv and .psv names, or any name
     * after "CSV:". */
    size_t len = strlen(path);
    if (strcmp(plan->drivers[0], "CSV") == 0 && strncasecmp(path, "CSV:", 4) != 0 &&
        !ends_with(path, len, ".csv") && !ends_with(path, len, ".tsv") && !ends_with(path, len, ".psv"))
        snprintf(plan->open_path, sizeof plan->open_path, "CSV:%s", path);
    if (strcmp(plan->drivers[0], "OGR_VRT") == 0 && !plan->allow_network)
        return vrt_check(ctx, path, path, 0);
    return GG_OK;
}

/* The plan for a source named by its type; readable: its first bytes can
 * be read with VSI, to check them. */
static gg_status plan_declared(gg_ctx *ctx, const char *path, int is_dir, int readable,
                               gg_source_plan *plan)
{
    size_t len;
    const char *name = base_name(path, &len);
    const declared_type *type = NULL;
    int gzipped = !is_dir && ends_with(name, len, ".gz");
    if (gzipped)
        len -= 3;
    if (is_dir) {
        type = ends_with(name, len, ".gdb") ? &file_geodatabase : &shapefile_folder;
    } else {
        for (size_t i = 0; i < sizeof declared_types / sizeof declared_types[0] && type == NULL; i++)
            if (ends_with(name, len, declared_types[i].suffix))
                type = &declared_types[i];
    }
    if (type == NULL) {
        if (ends_with(name, len, ".vrt"))
            return gg_error(ctx, GG_ERR_ARG,
                            "%s: a VRT document reads other files or services; to read it, name the "
                            "driver with --driver VRT",
                            path);
        if (ends_with(name, len, ".zip"))
            return gg_error(ctx, GG_ERR_ARG,
                            "%s: a ZIP archive: name the file inside it, as /vsizip/%s/NAME.shp", path,
                            path);
        const char *dot = NULL;
        for (size_t i = 0; i < len; i++)
            if (name[i] == '.')
                dot = name + i;
        char ext[32];
        snprintf(ext, sizeof ext, dot ? "extension '%.*s'" : "no extension", dot ? (int)(name + len - dot) : 0,
                 dot ? dot : "");
        return gg_error(ctx, GG_ERR_ARG,
                        "%s: cannot tell the format from the name (%s); name the driver with --driver "
                        "NAME (e.g. --driver CSV)",
                        path, ext);
    }
    for (size_t i = 0; i < GG_SOURCE_MAX_DRIVERS && type->drivers[i] != NULL; i++) {
        gg_status st = plan_add_driver(ctx, plan, type->drivers[i]);
        if (st != GG_OK && st != GG_ERR_NOT_FOUND)
            return st;
    }
    if (plan->drivers[0] == NULL)
        return gg_error(ctx, GG_ERR_FORMAT, "%s: this GDAL has no driver for %s", path, type->noun);
    if (gzipped && strncmp(path, "/vsigzip/", 9) != 0)
        snprintf(plan->open_path, sizeof plan->open_path, "/vsigzip/%s", path);
    if (is_dir || !readable)
        return GG_OK;

    unsigned char head[4097];
    size_t n;
    gg_status st = read_head(ctx, path, plan->open_path, head, sizeof head, &n);
    if (st != GG_OK)
        return st;
    content found;
    sniff(head, n, &found);
    if (found.kind & type->kinds)
        return GG_OK;
    char hint[400] = "";
    if (found.driver != NULL) {
        char option[64];
        driver_option(found.driver, option, sizeof option);
        snprintf(hint, sizeof hint, "; to read it as %s name the driver with %s",
                 driver_user_name(found.driver), option);
    } else if (found.kind == KIND_ZIP) {
        snprintf(hint, sizeof hint, "; name the file inside it, as /vsizip/%s/NAME", path);
    } else if (found.kind == KIND_GZIP) {
        snprintf(hint, sizeof hint, "; to read it, name it as /vsigzip/%s", path);
    }
    if (found.kind == KIND_EMPTY)
        return gg_error(ctx, GG_ERR_FORMAT, "%s: not %s (the file is empty)", path, type->noun);
    return gg_error(ctx, GG_ERR_FORMAT, "%s: not %s (its content is %s)%s", path, type->noun, found.what,
                    hint);
}

gg_status gg_source_plan_make(gg_ctx *ctx, const char *path, const gg_import_options *opts,
                              gg_source_plan *plan)
{
    memset(plan, 0, sizeof *plan);
    plan->allow_network = opts->allow_network != 0;
    snprintf(plan->open_path, sizeof plan->open_path, "%s", path);
    if (strlen(path) >= sizeof plan->open_path - 16)
        return gg_error(ctx, GG_ERR_ARG, "%.200s...: a source name longer than %zu bytes", path,
                        sizeof plan->open_path - 16);

    char what[64];
    location where = locate_path(path, what, sizeof what);
    if ((where == LOCATION_NETWORK || where == LOCATION_OTHER_VSI) && !plan->allow_network)
        return gg_error(ctx, GG_ERR_ARG,
                        where == LOCATION_NETWORK
                            ? "%s: refused: a network location (%s); govgrid reads only local files "
                              "unless --allow-network is given"
                            : "%s: refused: %s is not one of the local file systems govgrid reads "
                              "(/vsimem/, /vsizip/, /vsigzip/, /vsitar/); --allow-network lifts this",
                        path, what);

    if (opts->driver != NULL)
        return plan_explicit(ctx, path, opts->driver, plan);
    int is_dir = 0;
    if (where == LOCATION_LOCAL) {
        struct stat sb;
        if (stat(path, &sb) != 0) {
            if (strchr(path, ':') == NULL)
                return gg_error(ctx, GG_ERR_IO, "%s: %s", path, strerror(errno));
            return gg_error(ctx, GG_ERR_ARG,
                            "%s: no such file or folder; to read a database or a service, name its "
                            "driver with --driver (e.g. --driver PostgreSQL for PG:...)",
                            path);
        }
        is_dir = S_ISDIR(sb.st_mode);
        if (!is_dir && !S_ISREG(sb.st_mode))
            return gg_error(ctx, GG_ERR_ARG, "%s: not a regular file or a folder", path);
    } else if (path[0] == '/') {
        /* /vsi...: local, or on the network when allowed. */
        VSIStatBufL sb;
        if (VSIStatL(path, &sb) != 0)
            return gg_error(ctx, GG_ERR_IO, "%s: no such file (or it cannot be reached)", path);
        is_dir = VSI_ISDIR(sb.st_mode);
    } else {
        /* A URL, allowed: the driver of its type fetches it; its bytes are
         * not looked at first. */
        return plan_declared(ctx, path, 0, 0, plan);
    }
    return plan_declared(ctx, path, is_dir, 1, plan);
}

/* ---- while a source is open ---- */

/* Stands in for libcurl in CPLHTTPFetch on a guarded thread: every
 * request fails, and the first URL is kept for the report. The result is
 * allocated with CPLCalloc, which aborts when memory runs out: returning
 * NULL instead would hand the request to the next handler, libcurl, and a
 * guard that fails open is no guard. */
static CPLHTTPResult *refuse_fetch(const char *url, CSLConstList options, GDALProgressFunc progress,
                                   void *progress_arg, CPLHTTPFetchWriteFunc write, void *write_arg,
                                   void *user_data)
{
    (void)progress, (void)progress_arg, (void)write, (void)write_arg;
    gg_net_guard *guard = user_data;
    CPLHTTPResult *result = CPLCalloc(1, sizeof *result);
    if (CSLFetchNameValue(options, "CLOSE_PERSISTENT") != NULL)
        return result; /* closing a connection: nothing to refuse */
    result->nStatus = 1;
    result->pszErrBuf = VSIStrdup("network access refused by govgrid (--allow-network is off)");
    if (guard->refused++ == 0)
        snprintf(guard->first_url, sizeof guard->first_url, "%s", url ? url : "");
    return result;
}

int gg_net_guard_push(gg_net_guard *guard)
{
    memset(guard, 0, sizeof *guard);
    guard->pushed = CPLHTTPPushFetchCallback(refuse_fetch, guard) != 0;
    return guard->pushed;
}

void gg_net_guard_pop(gg_net_guard *guard)
{
    if (guard->pushed)
        CPLHTTPPopFetchCallback();
    guard->pushed = 0;
}

/* GDAL settings that follow links inside a file, turned off on this
 * thread while a source is opened (GML resolves xlinks and downloads
 * schemas, LIBKML fetches styles at open). */
static const char *const offline_settings[][2] = {
    {"GML_SKIP_RESOLVE_ELEMS", "ALL"},
    {"GML_DOWNLOAD_WFS_SCHEMA", "NO"},
    {"LIBKML_RESOLVE_STYLE", "NO"},
    {"LIBKML_EXTERNAL_STYLE", "NO"},
};
#define N_OFFLINE_SETTINGS (sizeof offline_settings / sizeof offline_settings[0])

gg_status gg_offline_settings_set(gg_ctx *ctx, char ***saved)
{
    *saved = NULL;
    char **previous = VSICalloc(N_OFFLINE_SETTINGS + 1, sizeof *previous);
    if (previous == NULL)
        return gg_error_nomem(ctx);
    for (size_t i = 0; i < N_OFFLINE_SETTINGS; i++) {
        const char *value = CPLGetThreadLocalConfigOption(offline_settings[i][0], NULL);
        if (value != NULL && (previous[i] = VSIStrdup(value)) == NULL) {
            for (size_t k = 0; k < i; k++)
                VSIFree(previous[k]);
            VSIFree(previous);
            return gg_error_nomem(ctx);
        }
    }
    for (size_t i = 0; i < N_OFFLINE_SETTINGS; i++)
        CPLSetThreadLocalConfigOption(offline_settings[i][0], offline_settings[i][1]);
    *saved = previous;
    return GG_OK;
}

void gg_offline_settings_restore(char **saved)
{
    if (saved == NULL)
        return;
    for (size_t i = 0; i < N_OFFLINE_SETTINGS; i++) {
        CPLSetThreadLocalConfigOption(offline_settings[i][0], saved[i]);
        VSIFree(saved[i]);
    }
    VSIFree(saved);
}
