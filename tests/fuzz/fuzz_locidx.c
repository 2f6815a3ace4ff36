/* Fuzz target: the locator index file's loader (gg_locidx_open) over
 * fuzzed bytes, then queries over the index it accepts. The header's two
 * checksums are made right before loading, as a forger would, so that
 * the fuzzer reaches the structural checks behind them instead of
 * stopping at the checksum; the expected plan, fingerprint and polygon
 * count are taken from the header for the same reason. Checked: no
 * crash, no read outside the bytes (ASan), every refusal says why, and
 * the queries of an accepted index terminate. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "govgrid/govgrid.h"
#include "locate/indexfile.h"
#include "locate/locate.h"

static gg_ctx *ctx;

static void teardown(void)
{
    gg_ctx_free(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (ctx == NULL) {
        FUZZ_CHECK(gg_ctx_new(&ctx) == GG_OK, "gg_ctx_new");
        atexit(teardown);
    }
    uint64_t *copy = malloc(size + 8); /* 8-byte aligned, as a map is */
    FUZZ_CHECK(copy != NULL, "out of memory");
    if (size)
        memcpy(copy, data, size);
    gg_locidx_header h;
    memset(&h, 0, sizeof h);
    if (size >= sizeof h) {
        memcpy(&h, copy, sizeof h);
        h.checksum = gg_locidx_checksum(copy, size);
        h.header_checksum = gg_locidx_header_hash(&h);
        memcpy(copy, &h, sizeof h);
    }
    int32_t n_polys = h.n_polys >= 0 && h.n_polys <= 4096 ? h.n_polys : 0;
    int32_t *rank = malloc((size_t)(n_polys ? n_polys : 1) * sizeof *rank);
    FUZZ_CHECK(rank != NULL, "out of memory");
    for (int32_t i = 0; i < n_polys; i++)
        rank[i] = n_polys - 1 - i;
    gg_locidx_expect expect = {h.plan, h.fingerprint, n_polys, rank, 1};
    gg_cell_index ix;
    gg_locidx_names_view names;
    char why[256];
    gg_status st = gg_locidx_open(ctx, copy, size, &expect, &ix, &names, why, sizeof why);
    if (st != GG_OK) {
        FUZZ_CHECK(st == GG_ERR_FORMAT || st == GG_ERR_NOT_FOUND || st == GG_ERR_NOMEM, "status %d", (int)st);
        FUZZ_CHECK(st == GG_ERR_NOMEM || why[0] != '\0', "a refusal without a reason");
    } else {
        /* points over the extent and a little beyond, and a few odd ones */
        double w = ix.nx * ix.cell, hgt = ix.ny * ix.cell;
        for (int j = -1; j <= 9; j++)
            for (int i = -1; i <= 9; i++) {
                double x = ix.x0 + w * i / 8.0, y = ix.y0 + hgt * j / 8.0;
                double mx, my, d;
                gg_metres_per_degree(isfinite(y) && fabs(y) <= 90 ? y : 0, &mx, &my);
                int on = 0, sole = 0;
                int32_t p = gg_cell_index_locate(&ix, x, y, &on, &sole);
                FUZZ_CHECK(p >= -1 && p < n_polys, "polygon %d of %d", (int)p, (int)n_polys);
                if (p >= 0 && sole)
                    gg_cell_index_distance_inside(&ix, x, y, p, mx, my, &d);
                int32_t q = gg_cell_index_nearest(&ix, x, y, p, mx, my, INFINITY, &d);
                FUZZ_CHECK(q >= -1 && q < n_polys, "nearest polygon %d of %d", (int)q, (int)n_polys);
                q = gg_cell_index_nearest_outside(&ix, x, y, mx, my, &d);
                FUZZ_CHECK(q >= -1 && q < n_polys, "nearest outside %d of %d", (int)q, (int)n_polys);
                for (int s = 0; s < 4; s++)
                    gg_cell_index_prefetch(&ix, x, y, p, s);
            }
        int32_t out[16];
        double xs[16], ys[16];
        for (int k = 0; k < 16; k++) {
            xs[k] = ix.x0 + w * (k % 4) / 3.0;
            ys[k] = ix.y0 + hgt * (k / 4) / 3.0;
        }
        gg_cell_index_find_many(&ix, xs, ys, 16, out);
        /* the names: every string readable to its NUL */
        size_t total = 0;
        for (int32_t g = 0; g < n_polys; g++) {
            const gg_locidx_grid *d = &names.grids[g];
            total += strlen(names.strings + d->code) + strlen(names.strings + d->county);
            for (uint32_t k = 0; k < d->n_workers; k++)
                total += strlen(names.strings + names.people[names.workers[d->workers_first + k]].name);
            if (d->leader >= 0)
                total += strlen(names.strings + names.people[d->leader].phone);
        }
        (void)total;
        gg_cell_index_free(&ix);
    }
    free(rank);
    free(copy);
    return 0;
}
