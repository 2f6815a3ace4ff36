/* Fuzz target: gg_locate_batch over fuzzed input (CSV, NDJSON or GeoJSON,
 * told apart by content as the CLI does), against a plan of four square
 * grids made once per process in an in-memory project. Checked: no crash,
 * every failure is one of the documented statuses with a message, and on
 * success every row read is counted once in the summary's statuses. The
 * first byte picks the input CRS, so that the GCJ-02/BD-09 inverses and
 * the CGCS2000 path see fuzzed coordinates too. */
#define _GNU_SOURCE /* fmemopen */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "govgrid/govgrid.h"

static gg_ctx *ctx;
static gg_store *store;
static gg_locator *loc;

static void teardown(void)
{
    gg_locator_free(loc);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void setup(void)
{
    if (loc != NULL)
        return;
    FUZZ_CHECK(gg_ctx_new(&ctx) == GG_OK, "gg_ctx_new");
    FUZZ_CHECK(gg_store_create(ctx, ":memory:", &store) == GG_OK, "create: %s", gg_ctx_errmsg(ctx));
    static const char grids[] =
        "code,type,community,wkt\n"
        "1101080010011001,1,110108001001,\"POLYGON((116 40,116.01 40,116.01 40.01,116 40.01,116 40))\"\n"
        "1101080010011002,1,110108001001,\"POLYGON((116.01 40,116.02 40,116.02 40.01,116.01 40.01,116.01 40))\"\n"
        "1101080010011003,1,110108001001,\"POLYGON((116 40.01,116.01 40.01,116.01 40.02,116 40.02,116 40.01))\"\n"
        "1101080010014001,4,110108001001,\"POLYGON((116.01 40.01,116.02 40.01,116.02 40.02,116.01 40.02,"
        "116.01 40.01),(116.012 40.012,116.014 40.012,116.014 40.014,116.012 40.014,116.012 40.012))\"\n";
    const char *path = "/tmp/govgrid_fuzz_locate_grids.csv";
    FILE *f = fopen(path, "wb");
    FUZZ_CHECK(f != NULL, "cannot write %s", path);
    fwrite(grids, 1, sizeof grids - 1, f);
    fclose(f);
    gg_import_options opts;
    gg_import_options_init(&opts);
    gg_import_report *report = NULL;
    FUZZ_CHECK(gg_import(ctx, store, GG_LAYER_GRIDS, path, &opts, &report) == GG_OK, "import: %s", gg_ctx_errmsg(ctx));
    gg_import_report_free(ctx, report);
    remove(path);
    FUZZ_CHECK(gg_locator_new(ctx, store, NULL, &loc) == GG_OK, "locator: %s", gg_ctx_errmsg(ctx));
    atexit(teardown);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    gg_locate_batch_options o;
    gg_locate_batch_options_init(&o);
    static const gg_coord_system systems[] = {GG_COORD_WGS84, GG_COORD_GCJ02, GG_COORD_BD09, GG_COORD_CGCS2000};
    if (size > 0) {
        o.crs = systems[data[0] % 4];
        o.output_format = (gg_table_format)(data[0] / 4 % 4);
        o.jobs = 1 + data[0] / 16 % 2;
    }
    char *copy = malloc(size ? size : 1); /* fmemopen wants a writable buffer */
    FUZZ_CHECK(copy != NULL, "out of memory");
    if (size)
        memcpy(copy, data, size);
    FILE *in = size > 0 ? fmemopen(copy, size, "rb") : fopen("/dev/null", "rb");
    FILE *out = fopen("/dev/null", "wb");
    FUZZ_CHECK(in != NULL && out != NULL, "cannot open the streams");
    gg_locate_summary sum;
    gg_dispatcher *d = NULL;
    FUZZ_CHECK(gg_dispatcher_new(ctx, loc, &d) == GG_OK, "dispatcher: %s", gg_ctx_errmsg(ctx));
    o.pick = gg_dispatcher_as_pick(d);
    gg_status st = gg_locate_batch(ctx, loc, &o, in, "fuzz", out, &sum);
    gg_dispatcher_free(d);
    if (st == GG_OK) {
        int64_t n = 0;
        for (int i = 0; i < 5; i++)
            n += sum.by_status[i];
        FUZZ_CHECK(n == sum.rows, "statuses %lld, rows %lld", (long long)n, (long long)sum.rows);
    } else {
        FUZZ_CHECK(st == GG_ERR_FORMAT || st == GG_ERR_NOT_FOUND || st == GG_ERR_IO || st == GG_ERR_NOMEM,
                   "unexpected status %s: %s", gg_status_str(st), gg_ctx_errmsg(ctx));
        FUZZ_CHECK(gg_ctx_errmsg(ctx)[0] != '\0', "a failure without a message");
        gg_ctx_clear_error(ctx);
    }
    fclose(in);
    fclose(out);
    free(copy);
    return 0;
}
