/* Fixtures for the import tests: projects, sample-data paths, and sources
 * written on the fly (shapefiles need OGR; text sources are plain files). */
#ifndef GG_TEST_IO_FIXTURES_H
#define GG_TEST_IO_FIXTURES_H

#include "govgrid/govgrid.h"
#include "store/store.h"

/* data/<rel> of the project, in a rotating static buffer. */
const char *fx_data(const char *rel);

/* A new context and a new project in the test's directory. */
gg_ctx *fx_ctx(void);
gg_store *fx_project(gg_ctx *ctx, const char *name);

/* A project of four square grids of 0.01 degree near Beijing (1001,
 * 1002, 1003 comprehensive, 4001 dedicated) and a roster: 1001 a leader,
 * two full-time and one part-time worker and a volunteer; 1002 a leader
 * and a part-time worker; 1003 a leader alone; X1 a worker of grid 9999,
 * which does not exist. */
gg_store *fx_square_plan(gg_ctx *ctx, const char *name);

/* A project holding data/<area>/ (communities, households, roads,
 * waterways, units), ready to partition. */
gg_store *fx_sample_project(gg_ctx *ctx, const char *area, const char *name);

/* Imports with the given maps ("target=field", NULL-terminated list or
 * NULL), returning the status; the report is kept in *report when not
 * NULL (free it), else freed. */
gg_status fx_import(gg_ctx *ctx, gg_store *store, gg_layer layer, const char *source,
                    const char *src_layer, const char *const *maps, int append,
                    gg_import_report **report);

/* Imports Monaco's twelve communities. */
void fx_import_monaco_communities(gg_ctx *ctx, gg_store *store);

/* One value from the store (first column of the first row), -1 if none. */
int64_t fx_scalar(gg_store *store, const char *sql);
double fx_scalar_double(gg_store *store, const char *sql);
/* First column of the first row as text into buf ("" if none). */
const char *fx_scalar_text(gg_store *store, const char *sql, char *buf, size_t size);

/* A shapefile of two communities in EPSG:4326, written with GBK text and
 * its .cpg removed (as shapefiles from older Chinese GIS software come):
 * 980100001901 蝴蝶社区 a self-intersecting "bow tie", 980100001902
 * 正常社区 a square. Returns the .shp path. */
const char *fx_gbk_bowtie_shapefile(void);

/* Does the issue list hold an issue of kind for id whose message contains
 * text? */
int fx_has_issue(const gg_import_report *r, gg_issue_kind kind, const char *id, const char *text);

/* A progress callback (gg_ctx_set_progress) that looks at the project from
 * connections of its own while a long job runs: whether another writer can
 * take the write lock (BEGIN IMMEDIATE with a 250 ms busy timeout, then a
 * write; refused counts the times it could not), the sum of what count_sql
 * answered (seen), and at its first call, when reimport is set, that
 * source imported into reimport_layer by another connection (its status
 * in reimported). */
typedef struct fx_lock_probe {
    const char *path;
    const char *count_sql;
    gg_layer reimport_layer;
    const char *reimport;
    int calls, refused;
    int64_t seen;
    gg_status reimported;
} fx_lock_probe;

int fx_lock_probe_progress(void *user, const char *stage, uint64_t done, uint64_t total);

#endif
