/* Private: the locator's insides, shared by the files of src/locate. */
#ifndef GG_LOCATE_LOCATE_H
#define GG_LOCATE_LOCATE_H

#include "core/ctx.h"
#include "govgrid/locate.h"
#include "locate/index.h"
#include "locate/indexfile.h"

/* Strings that live as long as the locator, in blocks that never move. */
typedef struct gg_arena_block {
    struct gg_arena_block *next;
    size_t used, size;
    char data[];
} gg_arena_block;

typedef struct gg_arena {
    gg_ctx *ctx;
    gg_arena_block *head;
} gg_arena;

const char *gg_arena_strdup(gg_arena *a, const char *s);
void *gg_arena_alloc(gg_arena *a, size_t size);
void gg_arena_free(gg_arena *a);

struct gg_locator {
    gg_ctx *ctx;
    int64_t plan;
    double near_m, snap_m;
    gg_located_grid *grids;     /* by code */
    int32_t n_grids;
    int32_t *rank;              /* the boundary rule: dedicated first, then by code */
    gg_roster_person *people;
    size_t n_people;
    gg_cell_index index;
    gg_arena strings;
    uint64_t fingerprint;       /* of the plan's grids as read (gg_locator_index_write) */
    gg_locator_index_source index_source;
    char index_reason[4800];   /* a path of up to 4096 bytes and why */
    gg_locidx_map map;          /* the index file, when the index was loaded from it */
};

/* Metres per degree of longitude and latitude at a latitude (WGS 84). */
void gg_metres_per_degree(double lat, double *mx, double *my);

#endif
