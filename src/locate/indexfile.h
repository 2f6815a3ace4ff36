/* Private: a built cell index kept in a file (a published plan's
 * "<project>-locate/plan-N.ggloc"), used in place from a read-only
 * memory map. See docs/architecture.md, "The locator index file".
 *
 * The file is the cell index's own arrays, each a section aligned to 64
 * bytes, after a fixed header: magic, format version, an endianness
 * word, the plan and its fingerprint (what the locator reads of the plan
 * from the store: a stale file is refused), the index's scalars, a table
 * of (offset, bytes) per section, and two XXH64 checksums, one of the
 * header and one of everything after it. The loader treats the file as
 * untrusted: every size, offset and index that a query follows is
 * checked before the index is used, so that a file that passed is safe to
 * query whatever it holds (a forged file can give wrong answers, never
 * reads outside the map). */
#ifndef GG_LOCATE_INDEXFILE_H
#define GG_LOCATE_INDEXFILE_H

#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"
#include "govgrid/locate.h"
#include "locate/index.h"

#define GG_LOCIDX_VERSION 1u
#define GG_LOCIDX_ENDIAN 0x01020304u
#define GG_LOCIDX_ALIGN 64u

enum {
    GG_LOCIDX_TOP,          /* uint32 per top cell */
    GG_LOCIDX_TOP_START,    /* uint32 per top cell + 1 */
    GG_LOCIDX_TOP_EDGE,     /* gg_top_edge, top_start[n_top] of them */
    GG_LOCIDX_HAS_EDGES,    /* uint64, n_top / 64 + 1 */
    GG_LOCIDX_HINT,         /* uint32 per top cell */
    GG_LOCIDX_NODES,        /* uint32, 4 per node */
    GG_LOCIDX_LEAF,         /* gg_leaf_slot, n_leaf */
    GG_LOCIDX_SET_WINNER,   /* int32 per set of two or more polygons */
    GG_LOCIDX_PHEAD,        /* gg_poly_head per polygon */
    GG_LOCIDX_CHUNK,        /* gg_chunk, n_chunks */
    GG_LOCIDX_CLEAN_DIST,   /* uint8 per top cell */
    GG_LOCIDX_SEGS,         /* gg_seg of the R-tree of all edges */
    GG_LOCIDX_SEGS_BOX,     /* its node boxes, level 0 first (4 doubles a node) */
    GG_LOCIDX_OUTER,        /* gg_seg of the R-tree of the unshared edges */
    GG_LOCIDX_OUTER_BOX,
    GG_LOCIDX_RANK,         /* int32 per polygon: the boundary rule's order */
    GG_LOCIDX_GRIDS,        /* gg_locidx_grid per polygon (grid), by code */
    GG_LOCIDX_PEOPLE,       /* gg_locidx_person per person on the roster */
    GG_LOCIDX_WORKERS,      /* uint32: the people each grid's worker lists name */
    GG_LOCIDX_STRINGS,      /* NUL-terminated strings, the last byte NUL */
    GG_LOCIDX_SECTIONS
};

/* A grid as the locator knows it (gg_located_grid): strings as offsets
 * into the strings section. */
typedef struct gg_locidx_grid {
    uint32_t code, name, community, community_name, township, county;
    int32_t type;
    int32_t leader;             /* person, -1 for none */
    uint32_t workers_first, n_workers; /* into the workers section */
} gg_locidx_grid;

typedef struct gg_locidx_person {
    uint32_t id, name, role, phone;
} gg_locidx_person;

typedef struct gg_locidx_section {
    uint64_t offset, bytes;
} gg_locidx_section;

/* The header, at offset 0, in the writer's byte order (checked with
 * endian). Every field is a fixed-width type, laid out with no padding. */
typedef struct gg_locidx_header {
    char magic[8];              /* "GGLOCIDX" */
    uint32_t version;           /* GG_LOCIDX_VERSION */
    uint32_t endian;            /* GG_LOCIDX_ENDIAN as written */
    uint32_t header_bytes;      /* sizeof (gg_locidx_header) */
    uint32_t n_sections;        /* GG_LOCIDX_SECTIONS */
    int64_t plan;
    uint64_t fingerprint;       /* gg_locator's fingerprint of the plan */
    uint64_t file_bytes;
    uint64_t header_checksum;   /* XXH64 of this header with both checksums 0 */
    uint64_t checksum;          /* gg_locidx_checksum of bytes [header_bytes, file_bytes) */
    double x0, y0, cell;
    int32_t nx, ny, n_polys;
    uint32_t n_vertices, n_nodes, n_leaves, n_leaf_edges, max_depth, n_sets;
    uint32_t segs_edges, segs_levels, outer_edges, outer_levels;
    uint32_t segs_count[GG_SEGTREE_MAX_LEVELS];
    uint32_t outer_count[GG_SEGTREE_MAX_LEVELS];
    uint32_t n_people;
    uint64_t n_leaf, n_chunks;
    uint64_t n_worker_refs, strings_bytes;
    int64_t names_stamp;        /* the project's worker and division change counters when the names were read */
    gg_locidx_section section[GG_LOCIDX_SECTIONS];
} gg_locidx_header;

/* XXH64 (seed 0) of n bytes. */
uint64_t gg_locidx_hash(const void *data, size_t n);

/* The data's checksum for a file of size bytes: XXH64 of each 1 MiB
 * block after the header, folded 63 at a time (XXH64 of the fold so far
 * and the next blocks' hashes). */
uint64_t gg_locidx_checksum(const void *file, size_t size);

/* The header's checksum: XXH64 of the header with both checksums zeroed. */
uint64_t gg_locidx_header_hash(const gg_locidx_header *h);

/* The locator's names and roster, as kept with the index: the grids (one
 * per polygon of the index, by code), their rank, the people and the
 * change stamp of the tables they were read from. */
typedef struct gg_locidx_names {
    const gg_located_grid *grids;
    const int32_t *rank;
    const gg_roster_person *people;
    size_t n_people;
    int64_t stamp;
} gg_locidx_names;

/* The same, in a checked file: arrays in the map. */
typedef struct gg_locidx_names_view {
    const gg_locidx_grid *grids;
    const gg_locidx_person *people;
    const uint32_t *workers;
    const char *strings;
    uint32_t n_people;
    int64_t stamp;
} gg_locidx_names_view;

/* Writes the built index ix (of plan, with fingerprint) and names to
 * path, through a temporary file in the same directory renamed over it,
 * so that a reader sees the old file or the new one, never a part.
 * GG_ERR_IO or GG_ERR_NOMEM, the message naming the file. */
gg_status gg_locidx_write(gg_ctx *ctx, const gg_cell_index *ix, const gg_locidx_names *names, int64_t plan,
                          uint64_t fingerprint, const char *path);

/* What the loader expects of a file. */
typedef struct gg_locidx_expect {
    int64_t plan;
    uint64_t fingerprint;
    int32_t n_polys;            /* -1: as the file says */
    const int32_t *rank;        /* n_polys entries, borrowed by the index; NULL: the file's */
    int threads;                /* 2 or more: checked on two threads, each hashing and checking half the blocks */
} gg_locidx_expect;

/* Checks the bytes [data, data + size) (8-byte aligned, to stay as they
 * are while ix is used) as an index file for expect, and on success points
 * ix's arrays into them (ix->borrowed set: gg_cell_index_free frees none of
 * them). On failure returns GG_ERR_FORMAT, GG_ERR_NOMEM, or GG_ERR_NOT_FOUND
 * (another plan, or a stale fingerprint), with why (why_size bytes) saying
 * what is wrong; ix is left empty. Records nothing in ctx but NOMEM. */
gg_status gg_locidx_open(gg_ctx *ctx, const void *data, size_t size, const gg_locidx_expect *expect,
                         gg_cell_index *ix, gg_locidx_names_view *names, char *why, size_t why_size);

/* A mapped file. */
typedef struct gg_locidx_map {
    void *addr;
    size_t bytes;
} gg_locidx_map;

/* Maps path read-only and opens it (gg_locidx_open). On failure the map
 * is undone and why says why ("no such file", "checksum mismatch", ...),
 * without the path. */
gg_status gg_locidx_load(gg_ctx *ctx, const char *path, const gg_locidx_expect *expect, gg_cell_index *ix,
                         gg_locidx_names_view *names, gg_locidx_map *map, char *why, size_t why_size);

void gg_locidx_unmap(gg_locidx_map *map);

#endif
