/* The item catalogue: the shipped one, loaded through the importer so that
 * it passes the same checks as a city's own. */
#include "core/ctx.h"
#include "govgrid/incident.h"
#include "govgrid/io.h"
#include "store/store.h"

#include <cpl_vsi.h>
#include <stdint.h>
#include <stdio.h>

extern const unsigned char gg_shipped_catalogue[];
extern const size_t gg_shipped_catalogue_size;

gg_status gg_catalogue_load_shipped(gg_ctx *ctx, gg_store *store, int64_t *version)
{
    char path[96];
    /* A name of its own per call: contexts may load at the same time. */
    snprintf(path, sizeof path, "/vsimem/govgrid-%p/catalogue.csv", (void *)ctx);
    VSILFILE *f = VSIFileFromMemBuffer(path, (GByte *)(uintptr_t)gg_shipped_catalogue,
                                       (vsi_l_offset)gg_shipped_catalogue_size, FALSE);
    if (f == NULL)
        return gg_error(ctx, GG_ERR_INTERNAL, "cannot open the shipped catalogue in memory");
    VSIFCloseL(f);
    gg_import_options opts;
    gg_import_options_init(&opts);
    char note[64];
    snprintf(note, sizeof note, "the catalogue shipped with govgrid %s", gg_version());
    opts.note = note;
    opts.jobs = 1;
    gg_import_report *report = NULL;
    gg_status st = gg_import(ctx, store, GG_LAYER_CATALOGUE, path, &opts, &report);
    if (st == GG_OK && version != NULL)
        *version = report->catalogue_version;
    gg_import_report_free(ctx, report);
    VSIUnlink(path);
    return st;
}

gg_status gg_catalogue_current(gg_ctx *ctx, gg_store *store, int64_t *version)
{
    (void)ctx;
    sqlite3_stmt *stmt = NULL;
    *version = 0;
    gg_status st = gg_store_prepare(store, "SELECT coalesce(max(version), 0) FROM catalogue_version", &stmt);
    if (st != GG_OK)
        return st;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        *version = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return GG_OK;
}
