/* One checked import of fuzzed bytes into an in-memory project.
 *
 * The project lives for the whole process (creating one per input would
 * cost more than the import), in SQLite's memory (":memory:"), so that no
 * file is left behind by a fuzzer that is killed. Every import replaces
 * its layer, so one input's result does not depend on the inputs before
 * it; after an import into divisions the seed communities are restored. */
#include "fuzz_import.h"

#include <cpl_vsi.h>
#include <string.h>

#include "fuzz_check.h"

#define FUZZ_MAX_ISSUES 8

/* Two adjacent communities in Monaco under one township, as GeoJSON. */
static const char seed_communities[] =
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"code\":\"980100001001\",\"name\":\"West\","
    "\"urban_rural\":\"111\",\"parent\":\"980100001\"},\"geometry\":{\"type\":\"Polygon\","
    "\"coordinates\":[[[7.40,43.72],[7.42,43.72],[7.42,43.75],[7.40,43.75],[7.40,43.72]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"code\":\"980100001002\",\"name\":\"East\","
    "\"urban_rural\":\"220\",\"parent\":\"980100001\"},\"geometry\":{\"type\":\"Polygon\","
    "\"coordinates\":[[[7.42,43.72],[7.44,43.72],[7.44,43.75],[7.42,43.75],[7.42,43.72]]]}}]}";

static gg_ctx *fuzz_ctx;
static gg_store *fuzz_store;

static void write_vsimem(const char *path, const void *data, size_t size)
{
    /* GDAL takes ownership of a buffer from its own allocator. */
    GByte *copy = VSIMalloc(size ? size : 1);
    FUZZ_CHECK(copy != NULL, "out of memory");
    memcpy(copy, data, size);
    VSILFILE *f = VSIFileFromMemBuffer(path, copy, (vsi_l_offset)size, TRUE);
    FUZZ_CHECK(f != NULL, "cannot create %s", path);
    VSIFCloseL(f);
}

static int64_t layer_features(gg_layer layer)
{
    gg_store_info *info = NULL;
    gg_status st = gg_store_info_get(fuzz_ctx, fuzz_store, &info);
    FUZZ_CHECK(st == GG_OK, "gg_store_info_get: %s", gg_ctx_errmsg(fuzz_ctx));
    int64_t n = info->layers[layer].features;
    gg_store_info_free(fuzz_ctx, info);
    return n;
}

static void seed_divisions(void)
{
    const char *path = "/vsimem/govgrid_fuzz/seed_communities.geojson";
    write_vsimem(path, seed_communities, sizeof seed_communities - 1);
    gg_import_options opts;
    gg_import_options_init(&opts);
    gg_import_report *report = NULL;
    gg_status st = gg_import(fuzz_ctx, fuzz_store, GG_LAYER_DIVISIONS, path, &opts, &report);
    FUZZ_CHECK(st == GG_OK, "seeding the communities: %s", gg_ctx_errmsg(fuzz_ctx));
    gg_import_report_free(fuzz_ctx, report);
    VSIUnlink(path);
}

static void fuzz_teardown(void)
{
    gg_store_close(fuzz_store);
    gg_ctx_free(fuzz_ctx);
    fuzz_store = NULL;
    fuzz_ctx = NULL;
}

static void fuzz_setup(void)
{
    if (fuzz_store != NULL)
        return;
    gg_status st = gg_ctx_new(&fuzz_ctx);
    FUZZ_CHECK(st == GG_OK, "gg_ctx_new: %s", gg_status_str(st));
    st = gg_store_create(fuzz_ctx, ":memory:", &fuzz_store);
    FUZZ_CHECK(st == GG_OK, "gg_store_create(:memory:): %s", gg_ctx_errmsg(fuzz_ctx));
    atexit(fuzz_teardown);
    seed_divisions();
}

static void check_report(const gg_import_report *r, gg_status st, int skip_invalid)
{
    FUZZ_CHECK(r->read >= 0 && r->imported >= 0 && r->repaired >= 0 && r->rejected >= 0 &&
                   r->warnings >= 0 && r->replaced >= 0 && r->outside >= 0 && r->issues_dropped >= 0,
               "a negative count: read %lld imported %lld repaired %lld rejected %lld warnings %lld",
               (long long)r->read, (long long)r->imported, (long long)r->repaired,
               (long long)r->rejected, (long long)r->warnings);
    FUZZ_CHECK(r->imported + r->rejected <= r->read, "imported %lld + rejected %lld > read %lld",
               (long long)r->imported, (long long)r->rejected, (long long)r->read);
    FUZZ_CHECK(r->n_issues <= FUZZ_MAX_ISSUES, "%zu issues listed, at most %d asked", r->n_issues,
               FUZZ_MAX_ISSUES);
    FUZZ_CHECK((int64_t)r->n_issues + r->issues_dropped == r->repaired + r->rejected + r->warnings,
               "%zu issues listed + %lld dropped != repaired %lld + rejected %lld + warnings %lld",
               r->n_issues, (long long)r->issues_dropped, (long long)r->repaired,
               (long long)r->rejected, (long long)r->warnings);
    FUZZ_CHECK(r->n_outside_ids <= 10 && (int64_t)r->n_outside_ids <= r->outside,
               "%zu outside ids for %lld outside", r->n_outside_ids, (long long)r->outside);
    for (size_t i = 0; i < r->n_issues; i++) {
        const gg_import_issue *issue = &r->issues[i];
        FUZZ_CHECK(issue->kind == GG_ISSUE_WARNING || issue->kind == GG_ISSUE_REPAIRED ||
                       issue->kind == GG_ISSUE_REJECTED,
                   "issue %zu: kind %d", i, (int)issue->kind);
        FUZZ_CHECK(issue->message != NULL && issue->message[0] != '\0', "issue %zu without a message", i);
        FUZZ_CHECK(issue->fid >= -1 && issue->line >= 0, "issue %zu: fid %lld line %lld", i,
                   (long long)issue->fid, (long long)issue->line);
        char where[512];
        gg_import_issue_where(r, issue, where, sizeof where);
        FUZZ_CHECK(where[0] != '\0', "issue %zu: no location", i);
    }
    if (st == GG_ERR_INVALID_INPUT)
        FUZZ_CHECK(r->rejected > 0, "GG_ERR_INVALID_INPUT without a rejected feature: %s", gg_ctx_errmsg(fuzz_ctx));
    if (st == GG_OK && !skip_invalid)
        FUZZ_CHECK(r->rejected == 0, "GG_OK with %lld rejected and skip_invalid off", (long long)r->rejected);
}

void fuzz_import_bytes(const uint8_t *data, size_t size, const char *extension, gg_layer layer,
                       int skip_invalid)
{
    fuzz_setup();
    char path[128];
    snprintf(path, sizeof path, "/vsimem/govgrid_fuzz/input.%s", extension);
    write_vsimem(path, data, size);

    int64_t before = layer_features(layer);
    gg_import_options opts;
    gg_import_options_init(&opts);
    opts.skip_invalid = skip_invalid;
    opts.max_issues = FUZZ_MAX_ISSUES;
    gg_import_report *report = NULL;
    gg_ctx_clear_error(fuzz_ctx);
    gg_status st = gg_import(fuzz_ctx, fuzz_store, layer, path, &opts, &report);
    VSIUnlink(path);

    FUZZ_CHECK(st >= GG_OK && st <= GG_ERR_BUSY, "status %d out of range", (int)st);
    FUZZ_CHECK(st != GG_ERR_NOMEM && st != GG_ERR_INTERNAL && st != GG_ERR_STORE,
               "status %s on a small input: %s", gg_status_str(st), gg_ctx_errmsg(fuzz_ctx));
    if (st != GG_OK) {
        FUZZ_CHECK(gg_ctx_errmsg(fuzz_ctx)[0] != '\0', "status %s without a message", gg_status_str(st));
        FUZZ_CHECK(gg_ctx_errcode(fuzz_ctx) == st, "errcode %d, status %d", (int)gg_ctx_errcode(fuzz_ctx),
                   (int)st);
    }
    if (st == GG_OK)
        FUZZ_CHECK(report != NULL, "GG_OK without a report");
    if (report != NULL)
        check_report(report, st, skip_invalid);
    if (getenv("GG_FUZZ_VERBOSE") != NULL)
        fprintf(stderr, "  %s skip_invalid=%d: %s%s%s", gg_layer_name(layer), skip_invalid, gg_status_str(st),
                st != GG_OK ? ": " : "", st != GG_OK ? gg_ctx_errmsg(fuzz_ctx) : "");
    if (getenv("GG_FUZZ_VERBOSE") != NULL && report != NULL)
        fprintf(stderr, " (read %lld, imported %lld, repaired %lld, rejected %lld)", (long long)report->read,
                (long long)report->imported, (long long)report->repaired, (long long)report->rejected);
    if (getenv("GG_FUZZ_VERBOSE") != NULL)
        fputc('\n', stderr);

    int64_t after = layer_features(layer);
    if (st != GG_OK)
        FUZZ_CHECK(after == before, "failed import (%s) changed the layer from %lld to %lld features",
                   gg_status_str(st), (long long)before, (long long)after);
    else
        FUZZ_CHECK(after == report->imported, "layer holds %lld features after importing %lld",
                   (long long)after, (long long)report->imported);
    gg_import_report_free(fuzz_ctx, report);
    if (layer == GG_LAYER_DIVISIONS && st == GG_OK)
        seed_divisions();
}
