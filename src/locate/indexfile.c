/* The locator index file: writing a built cell index, and checking and
 * mapping one (see indexfile.h for the format). */
#include "locate/indexfile.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* stdio's buffer when writing the file: a page-cache folio of the largest
 * size (see gg_locidx_write). */
#define WRITE_BUFFER ((size_t)2 << 20)

_Static_assert(sizeof(gg_locidx_header) == 632, "the index file header has no padding");
_Static_assert(sizeof(gg_locidx_grid) == 40, "gg_locidx_grid is 40 bytes");
_Static_assert(sizeof(gg_locidx_person) == 16, "gg_locidx_person is 16 bytes");
_Static_assert(sizeof(gg_top_edge) == 20, "gg_top_edge is 20 bytes");
_Static_assert(sizeof(gg_seg) == 40, "gg_seg is 40 bytes");
_Static_assert(sizeof(gg_poly_head) == 24, "gg_poly_head is 24 bytes");
_Static_assert(sizeof(gg_chunk) == 96, "gg_chunk is 96 bytes");
_Static_assert(sizeof(gg_leaf_slot) == 8, "a leaf slot is 8 bytes");

static const char magic[8] = {'G', 'G', 'L', 'O', 'C', 'I', 'D', 'X'};

/* The index's own word layout (index.c). */
#define TAG_SET 0u
#define TAG_LEAF 1u
#define TAG_NODE 2u
#define TAG_SHIFT 30
#define PAYLOAD_MASK 0x3FFFFFFFu
#define MAX_TOP_CELLS (1u << 24)

/* ---- XXH64 ---- */

#define XXP1 11400714785074694791ULL
#define XXP2 14029467366897019727ULL
#define XXP3 1609587929392839161ULL
#define XXP4 9650029242287828579ULL
#define XXP5 2870177450012600261ULL

static inline uint64_t rotl64(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static inline uint64_t read64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v; /* the format is native-endian: the hash is of the bytes as words read here */
}

static inline uint64_t xx_round(uint64_t acc, uint64_t in)
{
    acc += in * XXP2;
    acc = rotl64(acc, 31);
    return acc * XXP1;
}

static inline uint64_t xx_merge(uint64_t acc, uint64_t v)
{
    acc ^= xx_round(0, v);
    return acc * XXP1 + XXP4;
}

/* XXH64 as published (little-endian reads on little-endian machines,
 * which is where it matches the reference; elsewhere the same function of
 * native words, which is all a checksum of a native-endian file needs). */
uint64_t gg_locidx_hash(const void *data, size_t n)
{
    const unsigned char *p = data, *end = p + n;
    uint64_t h;
    if (n >= 32) {
        uint64_t v1 = XXP1 + XXP2, v2 = XXP2, v3 = 0, v4 = (uint64_t)0 - XXP1;
        const unsigned char *limit = end - 32;
        do {
            v1 = xx_round(v1, read64(p));
            v2 = xx_round(v2, read64(p + 8));
            v3 = xx_round(v3, read64(p + 16));
            v4 = xx_round(v4, read64(p + 24));
            p += 32;
        } while (p <= limit);
        h = rotl64(v1, 1) + rotl64(v2, 7) + rotl64(v3, 12) + rotl64(v4, 18);
        h = xx_merge(h, v1);
        h = xx_merge(h, v2);
        h = xx_merge(h, v3);
        h = xx_merge(h, v4);
    } else {
        h = XXP5;
    }
    h += (uint64_t)n;
    while (p + 8 <= end) {
        h ^= xx_round(0, read64(p));
        h = rotl64(h, 27) * XXP1 + XXP4;
        p += 8;
    }
    if (p + 4 <= end) {
        uint32_t w;
        memcpy(&w, p, sizeof w);
        h ^= (uint64_t)w * XXP1;
        h = rotl64(h, 23) * XXP2 + XXP3;
        p += 4;
    }
    while (p < end) {
        h ^= (uint64_t)*p * XXP5;
        h = rotl64(h, 11) * XXP1;
        p++;
    }
    h ^= h >> 33;
    h *= XXP2;
    h ^= h >> 29;
    h *= XXP3;
    h ^= h >> 32;
    return h;
}

uint64_t gg_locidx_header_hash(const gg_locidx_header *h)
{
    gg_locidx_header copy = *h;
    copy.header_checksum = 0;
    copy.checksum = 0;
    return gg_locidx_hash(&copy, sizeof copy);
}

/* ---- sizes ---- */

static size_t box_count(const uint32_t *count, uint32_t levels)
{
    size_t n = 0;
    for (uint32_t l = 0; l < levels && l < GG_SEGTREE_MAX_LEVELS; l++)
        n += count[l];
    return n;
}

/* ---- writing ---- */

typedef struct writer {
    FILE *f;
    uint64_t at;
    int failed;
} writer;

static void put(writer *w, const void *data, size_t n)
{
    if (n == 0 || w->failed)
        return;
    if (fwrite(data, 1, n, w->f) != n)
        w->failed = 1;
    w->at += n;
}

static void pad(writer *w)
{
    static const char zeros[GG_LOCIDX_ALIGN];
    size_t n = (size_t)((GG_LOCIDX_ALIGN - w->at % GG_LOCIDX_ALIGN) % GG_LOCIDX_ALIGN);
    put(w, zeros, n);
}

static void section(writer *w, gg_locidx_header *h, int k, const void *data, size_t n)
{
    pad(w);
    h->section[k].offset = w->at;
    h->section[k].bytes = n;
    put(w, data, n);
}

/* The R-tree's edges one by one, so that the 4 bytes of padding after
 * each polygon number are written as zeros (the file is then the same
 * for the same index). */
static void section_segs(writer *w, gg_locidx_header *h, int k, const gg_segtree *t)
{
    pad(w);
    h->section[k].offset = w->at;
    h->section[k].bytes = (uint64_t)t->n_edges * sizeof(gg_seg);
    for (uint32_t i = 0; i < t->n_edges; i++) {
        gg_seg s;
        memset(&s, 0, sizeof s);
        s.ax = t->seg[i].ax;
        s.ay = t->seg[i].ay;
        s.bx = t->seg[i].bx;
        s.by = t->seg[i].by;
        s.poly = t->seg[i].poly;
        put(w, &s, sizeof s);
    }
}

static void section_boxes(writer *w, gg_locidx_header *h, int k, const gg_segtree *t)
{
    pad(w);
    h->section[k].offset = w->at;
    h->section[k].bytes = box_count(t->count, (uint32_t)t->levels) * 4 * sizeof(double);
    for (int l = 0; l < t->levels; l++)
        put(w, t->box[l], (size_t)t->count[l] * 4 * sizeof(double));
}

static gg_status write_error(gg_ctx *ctx, const char *path, const char *what)
{
    return gg_error(ctx, GG_ERR_IO, "%s: %s: %s", path, what, strerror(errno));
}

/* The strings of the names, one after another, each NUL-terminated. */
typedef struct strbuf {
    gg_ctx *ctx;
    char *data;
    size_t n, cap;
    int failed;
} strbuf;

static uint32_t add_string(strbuf *b, const char *s)
{
    if (s == NULL)
        s = "";
    size_t len = strlen(s) + 1;
    if (b->failed || b->n + len > UINT32_MAX ||
        gg_grow(b->ctx, (void **)&b->data, &b->cap, b->n + len, 1) != GG_OK) {
        b->failed = 1;
        return 0;
    }
    memcpy(b->data + b->n, s, len);
    uint32_t at = (uint32_t)b->n;
    b->n += len;
    return at;
}

/* The names as the file keeps them: grids, people, worker lists and
 * strings (freed by the caller, also on failure). */
typedef struct names_out {
    gg_locidx_grid *grids;
    gg_locidx_person *people;
    uint32_t *workers;
    size_t n_workers;
    strbuf strings;
} names_out;

static gg_status flatten_names(gg_ctx *ctx, const gg_locidx_names *nm, int32_t n_grids, names_out *o)
{
    memset(o, 0, sizeof *o);
    o->strings.ctx = ctx;
    size_t n_refs = 0;
    for (int32_t g = 0; g < n_grids; g++)
        n_refs += (size_t)(nm->grids[g].n_workers > 0 ? nm->grids[g].n_workers : 0);
    o->grids = gg_calloc(ctx, (size_t)(n_grids > 0 ? n_grids : 1), sizeof *o->grids);
    o->people = gg_calloc(ctx, nm->n_people ? nm->n_people : 1, sizeof *o->people);
    o->workers = gg_calloc(ctx, n_refs ? n_refs : 1, sizeof *o->workers);
    if (o->grids == NULL || o->people == NULL || o->workers == NULL || nm->n_people >= UINT32_MAX)
        return gg_error_nomem(ctx);
    add_string(&o->strings, ""); /* offset 0: "" */
    for (size_t i = 0; i < nm->n_people; i++) {
        const gg_roster_person *p = &nm->people[i];
        o->people[i] = (gg_locidx_person){add_string(&o->strings, p->id), add_string(&o->strings, p->name),
                                          add_string(&o->strings, p->role), add_string(&o->strings, p->phone)};
    }
    for (int32_t g = 0; g < n_grids; g++) {
        const gg_located_grid *src = &nm->grids[g];
        gg_locidx_grid *d = &o->grids[g];
        d->code = add_string(&o->strings, src->code);
        d->name = add_string(&o->strings, src->name);
        d->community = add_string(&o->strings, src->community);
        d->community_name = add_string(&o->strings, src->community_name);
        d->township = add_string(&o->strings, src->township);
        d->county = add_string(&o->strings, src->county);
        d->type = src->type;
        d->leader = src->leader ? (int32_t)(src->leader - nm->people) : -1;
        d->workers_first = (uint32_t)o->n_workers;
        d->n_workers = (uint32_t)(src->n_workers > 0 ? src->n_workers : 0);
        for (int k = 0; k < src->n_workers; k++)
            o->workers[o->n_workers++] = (uint32_t)(src->workers[k] - nm->people);
    }
    if (o->strings.failed)
        return gg_error_nomem(ctx);
    return GG_OK;
}

static void names_out_free(gg_ctx *ctx, names_out *o)
{
    gg_free(ctx, o->grids);
    gg_free(ctx, o->people);
    gg_free(ctx, o->workers);
    gg_free(ctx, o->strings.data);
}

gg_status gg_locidx_write(gg_ctx *ctx, const gg_cell_index *ix, const gg_locidx_names *names, int64_t plan,
                          uint64_t fingerprint, const char *path)
{
    size_t n_top = (size_t)ix->nx * (size_t)ix->ny;
    if (ix->top == NULL || ix->top_edge == NULL || ix->phead == NULL || ix->hint == NULL)
        return gg_error(ctx, GG_ERR_ARG, "%s: the index is not built", path);
    names_out nm;
    gg_status fst = flatten_names(ctx, names, ix->n_polys, &nm);
    if (fst != GG_OK) {
        names_out_free(ctx, &nm);
        return fst;
    }
    size_t len = strlen(path);
    char *tmp = gg_malloc(ctx, len + 32);
    if (tmp == NULL) {
        names_out_free(ctx, &nm);
        return gg_error_nomem(ctx);
    }
    snprintf(tmp, len + 32, "%s.tmp%ld", path, (long)getpid());
    gg_locidx_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, magic, sizeof magic);
    h.version = GG_LOCIDX_VERSION;
    h.endian = GG_LOCIDX_ENDIAN;
    h.header_bytes = sizeof h;
    h.n_sections = GG_LOCIDX_SECTIONS;
    h.plan = plan;
    h.fingerprint = fingerprint;
    h.x0 = ix->x0;
    h.y0 = ix->y0;
    h.cell = ix->cell;
    h.nx = ix->nx;
    h.ny = ix->ny;
    h.n_polys = ix->n_polys;
    h.n_vertices = ix->n_vertices;
    h.n_nodes = ix->n_nodes;
    h.n_leaves = ix->n_leaves;
    h.n_leaf_edges = ix->n_leaf_edges;
    h.max_depth = ix->max_depth;
    h.n_sets = ix->n_sets;
    h.segs_edges = ix->segs.n_edges;
    h.segs_levels = (uint32_t)ix->segs.levels;
    h.outer_edges = ix->outer.n_edges;
    h.outer_levels = (uint32_t)ix->outer.levels;
    memcpy(h.segs_count, ix->segs.count, sizeof h.segs_count);
    memcpy(h.outer_count, ix->outer.count, sizeof h.outer_count);
    h.n_leaf = ix->n_leaf;
    h.n_chunks = ix->n_chunks;
    h.n_people = (uint32_t)names->n_people;
    h.n_worker_refs = nm.n_workers;
    h.strings_bytes = nm.strings.n;
    h.names_stamp = names->stamp;

    gg_status st = GG_OK;
    FILE *f = fopen(tmp, "w+b"); /* read too: the checksum reads it back */
    /* Written in pieces of 2 MiB at 2 MiB boundaries (stdio writes whole
     * buffers, and passes larger writes through in whole buffers): the
     * page cache then holds the file in 2 MiB folios, which a reader's
     * map takes with one page-table entry each. On the benchmark plan's
     * 266 MB, mapping and checking the file took 36-46 ms when its cache
     * was in small pages and 10-13 ms so, unmapping it 14 ms and 0.2 ms;
     * the queries miss the TLB less. */
    char *wbuf = f != NULL ? gg_malloc(ctx, WRITE_BUFFER) : NULL;
    if (f == NULL || wbuf == NULL || setvbuf(f, wbuf, _IOFBF, WRITE_BUFFER) != 0) {
        st = f == NULL ? write_error(ctx, tmp, "cannot create the index file") : gg_error_nomem(ctx);
        if (f != NULL) {
            fclose(f);
            unlink(tmp);
        }
        gg_free(ctx, wbuf);
        gg_free(ctx, tmp);
        names_out_free(ctx, &nm);
        return st;
    }
    writer w = {f, 0, 0};
    put(&w, &h, sizeof h); /* written again once the sections are placed */
    section(&w, &h, GG_LOCIDX_TOP, ix->top, n_top * sizeof *ix->top);
    section(&w, &h, GG_LOCIDX_TOP_START, ix->top_start, (n_top + 1) * sizeof *ix->top_start);
    section(&w, &h, GG_LOCIDX_TOP_EDGE, ix->top_edge, (size_t)ix->top_start[n_top] * sizeof *ix->top_edge);
    section(&w, &h, GG_LOCIDX_HAS_EDGES, ix->has_edges, (n_top / 64 + 1) * sizeof *ix->has_edges);
    section(&w, &h, GG_LOCIDX_HINT, ix->hint, n_top * sizeof *ix->hint);
    section(&w, &h, GG_LOCIDX_NODES, ix->nodes, (size_t)ix->n_nodes * 4 * sizeof *ix->nodes);
    section(&w, &h, GG_LOCIDX_LEAF, ix->leaf, ix->n_leaf * sizeof *ix->leaf);
    section(&w, &h, GG_LOCIDX_SET_WINNER, ix->set_winner, (size_t)ix->n_sets * sizeof *ix->set_winner);
    section(&w, &h, GG_LOCIDX_PHEAD, ix->phead, (size_t)(ix->n_polys > 0 ? ix->n_polys : 0) * sizeof *ix->phead);
    section(&w, &h, GG_LOCIDX_CHUNK, ix->chunk, ix->n_chunks * sizeof *ix->chunk);
    section(&w, &h, GG_LOCIDX_CLEAN_DIST, ix->clean_dist, n_top);
    section_segs(&w, &h, GG_LOCIDX_SEGS, &ix->segs);
    section_boxes(&w, &h, GG_LOCIDX_SEGS_BOX, &ix->segs);
    section_segs(&w, &h, GG_LOCIDX_OUTER, &ix->outer);
    section_boxes(&w, &h, GG_LOCIDX_OUTER_BOX, &ix->outer);
    size_t np = (size_t)(ix->n_polys > 0 ? ix->n_polys : 0);
    section(&w, &h, GG_LOCIDX_RANK, names->rank, np * sizeof *names->rank);
    section(&w, &h, GG_LOCIDX_GRIDS, nm.grids, np * sizeof *nm.grids);
    section(&w, &h, GG_LOCIDX_PEOPLE, nm.people, names->n_people * sizeof *nm.people);
    section(&w, &h, GG_LOCIDX_WORKERS, nm.workers, nm.n_workers * sizeof *nm.workers);
    section(&w, &h, GG_LOCIDX_STRINGS, nm.strings.data, nm.strings.n);
    names_out_free(ctx, &nm);
    pad(&w);
    h.file_bytes = w.at;
    if (w.failed || fflush(f) != 0)
        st = write_error(ctx, tmp, "writing the index file");
    /* The checksum of what was written, read back through a map (the
     * sections are not contiguous in memory), then the header. */
    if (st == GG_OK) {
        void *m = mmap(NULL, (size_t)h.file_bytes, PROT_READ, MAP_SHARED, fileno(f), 0);
        if (m == MAP_FAILED) {
            st = write_error(ctx, tmp, "mapping the index file to checksum it");
        } else {
            h.checksum = gg_locidx_checksum(m, (size_t)h.file_bytes);
            munmap(m, (size_t)h.file_bytes);
            h.header_checksum = gg_locidx_header_hash(&h);
            if (fseek(f, 0, SEEK_SET) != 0 || fwrite(&h, 1, sizeof h, f) != sizeof h || fflush(f) != 0 ||
                fsync(fileno(f)) != 0)
                st = write_error(ctx, tmp, "writing the index file's header");
        }
    }
    if (fclose(f) != 0 && st == GG_OK)
        st = write_error(ctx, tmp, "closing the index file");
    gg_free(ctx, wbuf);
    if (st == GG_OK && rename(tmp, path) != 0)
        st = write_error(ctx, path, "cannot move the new index file into place");
    if (st != GG_OK)
        unlink(tmp);
    gg_free(ctx, tmp);
    return st;
}

/* ---- checking ---- */

static gg_status refuse(gg_status st, char *why, size_t why_size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (why_size > 0)
        vsnprintf(why, why_size, fmt, ap);
    va_end(ap);
    return st;
}


/* The checksum is over blocks of the data (everything after the header):
 * XXH64 of each block, then XXH64 of the blocks' hashes, so that two
 * threads can each take a run of blocks, and check what a block holds
 * while it is in cache. */
#define BLOCK ((uint64_t)1 << 20)

/* The blocks' hashes folded 63 at a time: XXH64 of (the hash so far, the
 * next blocks' hashes), in a fixed buffer. block(i) gives block i's hash. */
#define FOLD_BLOCKS(n_blocks, block_expr, out)                    \
    do {                                                          \
        uint64_t fold_[64], acc_ = gg_locidx_hash("", 0);          \
        for (uint64_t i = 0; i < (n_blocks);) {                   \
            size_t m_ = 0;                                        \
            fold_[m_++] = acc_;                                   \
            while (m_ < 64 && i < (n_blocks)) {                   \
                fold_[m_++] = (block_expr);                       \
                i++;                                              \
            }                                                     \
            acc_ = gg_locidx_hash(fold_, m_ * sizeof *fold_);     \
        }                                                         \
        (out) = acc_;                                             \
    } while (0)

static uint64_t block_hash_of(const char *base, size_t size, uint64_t i)
{
    uint64_t lo = sizeof(gg_locidx_header) + i * BLOCK, hi = lo + BLOCK < size ? lo + BLOCK : size;
    return gg_locidx_hash(base + lo, (size_t)(hi - lo));
}

uint64_t gg_locidx_checksum(const void *file, size_t size)
{
    uint64_t start = sizeof(gg_locidx_header);
    uint64_t n_blocks = size > start ? (size - start + BLOCK - 1) / BLOCK : 0;
    uint64_t sum;
    FOLD_BLOCKS(n_blocks, block_hash_of(file, size, i), sum);
    return sum;
}

/* One thread's part of the checks: blocks [first, end) of the data. */
typedef struct pass {
    const gg_cell_index *ix;
    const gg_locidx_header *h;
    const gg_locidx_names_view *names;
    const char *base;
    uint64_t size;
    uint64_t first, end;        /* block numbers */
    uint64_t *block_hash;       /* per block of the whole data */
    uint64_t *leaf_starts;      /* a bit per leaf slot */
    int walks_leaves;           /* this pass holds the leaves */
    uint64_t leaf_at, leaves;   /* the walk: next slot, leaves seen */
    gg_status st;
    char why[256];
} pass;

/* The elements of section k (elem bytes each) that start in file bytes
 * [a, b): [*first, *last). */
static int elements_in(const gg_locidx_header *h, int k, uint64_t elem, uint64_t a, uint64_t b, uint64_t *first,
                       uint64_t *last)
{
    uint64_t s0 = h->section[k].offset, s1 = s0 + h->section[k].bytes;
    if (s1 <= a || s0 >= b)
        return 0;
    uint64_t lo = a > s0 ? a - s0 : 0, hi = (b < s1 ? b : s1) - s0;
    *first = (lo + elem - 1) / elem;
    *last = (hi + elem - 1) / elem;
    return *first < *last;
}

/* The leaf at slot at: its chains inside the leaves, naming polygons that
 * exist. Returns the slot after it, or 0 with p->st set. */
static uint64_t check_leaf(pass *p, uint64_t at)
{
    const gg_cell_index *ix = p->ix;
    const gg_leaf_slot *l = ix->leaf;
    if (ix->n_leaf - at < 3) {
        p->st = refuse(GG_ERR_FORMAT, p->why, sizeof p->why, "leaf at slot %llu is cut short", (unsigned long long)at);
        return 0;
    }
    int32_t base = l[at + 2].w.i;
    if (base < -1 || base >= ix->n_polys) {
        p->st = refuse(GG_ERR_FORMAT, p->why, sizeof p->why, "leaf at slot %llu names polygon %d of %d",
                       (unsigned long long)at, (int)base, (int)ix->n_polys);
        return 0;
    }
    uint32_t n_chains = l[at + 2].w.u & ~GG_LEAF_SHARED;
    p->leaf_starts[at >> 6] |= (uint64_t)1 << (at & 63);
    uint64_t s = at + 3;
    for (uint32_t c = 0; c < n_chains; c++) {
        if (s >= ix->n_leaf) {
            p->st = refuse(GG_ERR_FORMAT, p->why, sizeof p->why, "leaf at slot %llu: chain %u is past the leaves",
                           (unsigned long long)at, c);
            return 0;
        }
        int32_t poly = l[s].w.i;
        uint64_t n_pts = l[s].w.u & ~GG_CHAIN_IN_REF;
        if (poly < 0 || poly >= ix->n_polys) {
            p->st = refuse(GG_ERR_FORMAT, p->why, sizeof p->why, "leaf at slot %llu: chain %u names polygon %d of %d",
                           (unsigned long long)at, c, (int)poly, (int)ix->n_polys);
            return 0;
        }
        if (n_pts > (ix->n_leaf - s - 1) / 2) {
            p->st = refuse(GG_ERR_FORMAT, p->why, sizeof p->why, "leaf at slot %llu: chain %u runs past the leaves",
                           (unsigned long long)at, c);
            return 0;
        }
        s += 1 + 2 * n_pts;
    }
    return s;
}

#define FAIL(...)                                                         \
    do {                                                                  \
        p->st = refuse(GG_ERR_FORMAT, p->why, sizeof p->why, __VA_ARGS__); \
        return;                                                           \
    } while (0)

/* What the elements starting in file bytes [a, b) hold: every index a
 * query follows, in range. */
static void check_block(pass *p, uint64_t a, uint64_t b)
{
    const gg_cell_index *ix = p->ix;
    const gg_locidx_header *h = p->h;
    const gg_locidx_names_view *v = p->names;
    uint64_t n_top = (uint64_t)ix->nx * (uint64_t)ix->ny, f, l;
    int32_t np = ix->n_polys;
    if (elements_in(h, GG_LOCIDX_TOP_START, 4, a, b, &f, &l))
        for (uint64_t c = f; c < l && c < n_top; c++)
            if (ix->top_start[c + 1] < ix->top_start[c])
                FAIL("top cell %llu's edges end before they start", (unsigned long long)c);
    if (elements_in(h, GG_LOCIDX_TOP_EDGE, sizeof(gg_top_edge), a, b, &f, &l))
        for (uint64_t k = f; k < l; k++)
            if (ix->top_edge[k].poly < 0 || ix->top_edge[k].poly >= np)
                FAIL("top edge %llu names polygon %d of %d", (unsigned long long)k, (int)ix->top_edge[k].poly, (int)np);
    if (elements_in(h, GG_LOCIDX_HINT, 4, a, b, &f, &l))
        for (uint64_t c = f; c < l; c++)
            if (ix->hint[c] != UINT32_MAX && ix->hint[c] >= n_top)
                FAIL("top cell %llu's hint is cell %u of %llu", (unsigned long long)c, ix->hint[c],
                     (unsigned long long)n_top);
    if (p->walks_leaves && h->section[GG_LOCIDX_LEAF].bytes > 0) {
        uint64_t s0 = h->section[GG_LOCIDX_LEAF].offset;
        while (p->leaf_at < ix->n_leaf && s0 + p->leaf_at * sizeof(gg_leaf_slot) < b) {
            uint64_t next = check_leaf(p, p->leaf_at);
            if (next == 0)
                return;
            p->leaf_at = next;
            p->leaves++;
        }
    }
    if (elements_in(h, GG_LOCIDX_SET_WINNER, 4, a, b, &f, &l))
        for (uint64_t k = f; k < l; k++)
            if (ix->set_winner[k] < 0 || ix->set_winner[k] >= np)
                FAIL("set %llu's winner is polygon %d of %d", (unsigned long long)k, (int)ix->set_winner[k], (int)np);
    if (elements_in(h, GG_LOCIDX_PHEAD, sizeof(gg_poly_head), a, b, &f, &l))
        for (uint64_t k = f; k < l; k++)
            if ((uint64_t)ix->phead[k].first + ix->phead[k].count > ix->n_chunks)
                FAIL("polygon %llu's runs of edges are past the %llu runs", (unsigned long long)k,
                     (unsigned long long)ix->n_chunks);
    const gg_segtree *trees[2] = {&ix->segs, &ix->outer};
    int tree_sec[2] = {GG_LOCIDX_SEGS, GG_LOCIDX_OUTER};
    for (int t = 0; t < 2; t++)
        if (elements_in(h, tree_sec[t], sizeof(gg_seg), a, b, &f, &l))
            for (uint64_t k = f; k < l; k++)
                if (trees[t]->seg[k].poly < 0 || trees[t]->seg[k].poly >= np)
                    FAIL("R-tree %d: edge %llu names polygon %d of %d", t, (unsigned long long)k,
                         (int)trees[t]->seg[k].poly, (int)np);
    uint64_t sb = h->strings_bytes;
    if (elements_in(h, GG_LOCIDX_GRIDS, sizeof(gg_locidx_grid), a, b, &f, &l))
        for (uint64_t g = f; g < l; g++) {
            const gg_locidx_grid *d = &v->grids[g];
            if (d->code >= sb || d->name >= sb || d->community >= sb || d->community_name >= sb ||
                d->township >= sb || d->county >= sb)
                FAIL("grid %llu's strings are past the strings", (unsigned long long)g);
            if (d->leader < -1 || (int64_t)d->leader >= (int64_t)h->n_people ||
                (uint64_t)d->workers_first + d->n_workers > h->n_worker_refs || d->n_workers > INT32_MAX)
                FAIL("grid %llu's people are past the roster", (unsigned long long)g);
        }
    if (elements_in(h, GG_LOCIDX_PEOPLE, sizeof(gg_locidx_person), a, b, &f, &l))
        for (uint64_t i = f; i < l; i++) {
            const gg_locidx_person *q = &v->people[i];
            if (q->id >= sb || q->name >= sb || q->role >= sb || q->phone >= sb)
                FAIL("person %llu's strings are past the strings", (unsigned long long)i);
        }
    if (elements_in(h, GG_LOCIDX_WORKERS, 4, a, b, &f, &l))
        for (uint64_t k = f; k < l; k++)
            if (v->workers[k] >= h->n_people)
                FAIL("worker %llu is person %u of %u", (unsigned long long)k, v->workers[k], h->n_people);
}

#undef FAIL

/* Hashes and checks blocks [first, end). */
static void *pass_main(void *arg)
{
    pass *p = arg;
    uint64_t start = p->h->header_bytes;
    for (uint64_t blk = p->first; blk < p->end; blk++) {
        uint64_t lo = start + blk * BLOCK, hi = lo + BLOCK < p->size ? lo + BLOCK : p->size;
        p->block_hash[blk] = gg_locidx_hash(p->base + lo, (size_t)(hi - lo));
        if (p->st == GG_OK)
            check_block(p, lo, hi);
    }
    return NULL;
}

/* Is the tagged word w (of a top cell or a node, node number parent or
 * -1) one a query may follow: a set that exists, a leaf that starts where
 * a leaf starts, a node after parent (so the descent ends)? */
static int word_ok(uint32_t w, int64_t parent, const gg_cell_index *ix, const uint64_t *leaf_starts)
{
    uint32_t tag = w >> TAG_SHIFT, v = w & PAYLOAD_MASK;
    switch (tag) {
    case TAG_SET:
        return (uint64_t)v <= (uint64_t)ix->n_polys + ix->n_sets;
    case TAG_LEAF:
        return v < ix->n_leaf && (leaf_starts[v >> 6] >> (v & 63) & 1);
    case TAG_NODE:
        return (int64_t)v > parent && v < ix->n_nodes;
    default:
        return 0;
    }
}

/* A part of the check of the cell and node words: top cells [first, end),
 * then the nodes when nodes is set; the first bad one found, or SIZE_MAX
 * and UINT32_MAX. */
typedef struct words_part {
    const gg_cell_index *ix;
    const uint64_t *leaf_starts;
    size_t first, end;
    int nodes;
    size_t bad_cell;
    uint32_t bad_node;
    int bad_k;
} words_part;

static void *words_main(void *arg)
{
    words_part *w = arg;
    const gg_cell_index *ix = w->ix;
    for (size_t c = w->first; c < w->end; c++)
        if (!word_ok(ix->top[c], -1, ix, w->leaf_starts)) {
            w->bad_cell = c;
            return NULL;
        }
    for (uint32_t node = 0; w->nodes && node < ix->n_nodes; node++)
        for (int k = 0; k < 4; k++)
            if (!word_ok(ix->nodes[(size_t)node * 4 + (size_t)k], node, ix, w->leaf_starts)) {
                w->bad_node = node;
                w->bad_k = k;
                return NULL;
            }
    return NULL;
}

static gg_status check_segtree(const gg_segtree *t, const char *name, char *why, size_t why_size)
{
    if (t->n_edges == 0) {
        if (t->levels != 0)
            return refuse(GG_ERR_FORMAT, why, why_size, "%s: levels without edges", name);
        return GG_OK;
    }
    if (t->levels < 1 || t->levels > GG_SEGTREE_MAX_LEVELS)
        return refuse(GG_ERR_FORMAT, why, why_size, "%s: %d levels", name, t->levels);
    uint64_t below = t->n_edges;
    for (int l = 0; l < t->levels; l++) {
        uint64_t want = (below + GG_SEGTREE_FANOUT - 1) / GG_SEGTREE_FANOUT;
        if (t->count[l] != want)
            return refuse(GG_ERR_FORMAT, why, why_size, "%s: level %d has %u nodes, not %llu", name, l,
                          t->count[l], (unsigned long long)want);
        below = want;
    }
    if (below != 1)
        return refuse(GG_ERR_FORMAT, why, why_size, "%s: no single root", name);
    return GG_OK;
}

/* The checksum and the whole structure, once the sections are in place:
 * blocks hashed and checked on one thread or two, then the cell and node
 * words (which need every leaf's start). */
static gg_status check_file(gg_ctx *ctx, const gg_locidx_header *h, const char *base, uint64_t size,
                            const gg_cell_index *ix, const gg_locidx_names_view *names, int threads, char *why,
                            size_t why_size)
{
    if (ix->top_start[0] != 0)
        return refuse(GG_ERR_FORMAT, why, why_size, "the top cells' edges do not start at 0");
    if (h->strings_bytes == 0 || names->strings[h->strings_bytes - 1] != '\0')
        return refuse(GG_ERR_FORMAT, why, why_size, "the strings do not end with a NUL");
    gg_status st = check_segtree(&ix->segs, "the R-tree of edges", why, why_size);
    if (st == GG_OK)
        st = check_segtree(&ix->outer, "the R-tree of outer edges", why, why_size);
    if (st != GG_OK)
        return st;
    uint64_t start = h->header_bytes;
    uint64_t n_blocks = size > start ? (size - start + BLOCK - 1) / BLOCK : 0;
    uint64_t *block_hash = gg_calloc(ctx, (size_t)(n_blocks ? n_blocks : 1), sizeof *block_hash);
    uint64_t *leaf_starts = gg_calloc(ctx, (size_t)(ix->n_leaf / 64 + 1), sizeof *leaf_starts);
    if (block_hash == NULL || leaf_starts == NULL) {
        gg_free(ctx, block_hash);
        gg_free(ctx, leaf_starts);
        return gg_error_nomem(ctx);
    }
    /* Two runs of blocks, split after the leaves (walked in order, by one
     * thread). */
    uint64_t leaf_end = h->section[GG_LOCIDX_LEAF].offset + h->section[GG_LOCIDX_LEAF].bytes;
    uint64_t split = leaf_end > start ? (leaf_end - start + BLOCK - 1) / BLOCK : 0;
    if (threads < 2 || split == 0 || split >= n_blocks)
        split = n_blocks;
    pass parts[2];
    for (int k = 0; k < 2; k++) {
        memset(&parts[k], 0, sizeof parts[k]);
        parts[k] = (pass){ix, h, names, base, size, k == 0 ? 0 : split, k == 0 ? split : n_blocks, block_hash,
                          leaf_starts, k == 0, 0, 0, GG_OK, ""};
    }
    pthread_t thread;
    int threaded = split < n_blocks && pthread_create(&thread, NULL, pass_main, &parts[1]) == 0;
    pass_main(&parts[0]);
    if (threaded)
        pthread_join(thread, NULL);
    else if (split < n_blocks)
        pass_main(&parts[1]);
    /* the checksum first: a corrupt file is said to be corrupt */
    uint64_t sum;
    FOLD_BLOCKS(n_blocks, block_hash[i], sum);
    if (sum != h->checksum)
        st = refuse(GG_ERR_FORMAT, why, why_size, "the checksum does not match: the file is corrupt");
    for (int k = 0; k < 2 && st == GG_OK; k++)
        if (parts[k].st != GG_OK)
            st = refuse(parts[k].st, why, why_size, "%s", parts[k].why);
    if (st == GG_OK && (parts[0].leaf_at != ix->n_leaf || parts[0].leaves != ix->n_leaves))
        st = refuse(GG_ERR_FORMAT, why, why_size, "%llu leaves where the header says %u",
                    (unsigned long long)parts[0].leaves, ix->n_leaves);
    if (st == GG_OK) {
        /* the top cells in two halves, the second half and the nodes on
         * a second thread; the first bad word in this order is said */
        size_t n_top = (size_t)ix->nx * (size_t)ix->ny;
        words_part w[2] = {{ix, leaf_starts, 0, threads >= 2 ? n_top / 2 : n_top, 0, SIZE_MAX, UINT32_MAX, 0},
                           {ix, leaf_starts, threads >= 2 ? n_top / 2 : n_top, n_top, 1, SIZE_MAX, UINT32_MAX, 0}};
        pthread_t wthread;
        int wthreaded = threads >= 2 && pthread_create(&wthread, NULL, words_main, &w[1]) == 0;
        words_main(&w[0]);
        if (wthreaded)
            pthread_join(wthread, NULL);
        else
            words_main(&w[1]);
        size_t bad_cell = w[0].bad_cell != SIZE_MAX ? w[0].bad_cell : w[1].bad_cell;
        if (bad_cell != SIZE_MAX)
            st = refuse(GG_ERR_FORMAT, why, why_size, "top cell %zu's word 0x%08x points nowhere", bad_cell,
                        ix->top[bad_cell]);
        else if (w[1].bad_node != UINT32_MAX)
            st = refuse(GG_ERR_FORMAT, why, why_size, "node %u's word %d points nowhere", w[1].bad_node,
                        w[1].bad_k);
    }
    gg_free(ctx, block_hash);
    gg_free(ctx, leaf_starts);
    return st;
}

/* Multiplies and adds sizes, telling an overflow. */
static int size_mul(uint64_t a, uint64_t b, uint64_t *out)
{
    if (a != 0 && b > UINT64_MAX / a)
        return 0;
    *out = a * b;
    return 1;
}

gg_status gg_locidx_open(gg_ctx *ctx, const void *data, size_t size, const gg_locidx_expect *expect,
                         gg_cell_index *ix, gg_locidx_names_view *names, char *why, size_t why_size)
{
    memset(ix, 0, sizeof *ix);
    memset(names, 0, sizeof *names);
    if (why_size > 0)
        why[0] = '\0';
    gg_locidx_header h;
    if (size < sizeof h)
        return refuse(GG_ERR_FORMAT, why, why_size, "%zu bytes, shorter than the %zu-byte header", size, sizeof h);
    memcpy(&h, data, sizeof h);
    if (memcmp(h.magic, magic, sizeof magic) != 0)
        return refuse(GG_ERR_FORMAT, why, why_size, "not a govgrid locator index (bad magic)");
    if (h.endian != GG_LOCIDX_ENDIAN)
        return refuse(GG_ERR_FORMAT, why, why_size, "written on a machine of another byte order");
    if (h.version != GG_LOCIDX_VERSION)
        return refuse(GG_ERR_FORMAT, why, why_size, "format version %u, this govgrid reads version %u", h.version,
                      GG_LOCIDX_VERSION);
    if (h.header_bytes != sizeof h || h.n_sections != GG_LOCIDX_SECTIONS)
        return refuse(GG_ERR_FORMAT, why, why_size, "a header of %u bytes and %u sections, not %zu and %d",
                      h.header_bytes, h.n_sections, sizeof h, GG_LOCIDX_SECTIONS);
    if (gg_locidx_header_hash(&h) != h.header_checksum)
        return refuse(GG_ERR_FORMAT, why, why_size, "the header's checksum does not match: it is corrupt");
    if (h.file_bytes != size)
        return refuse(GG_ERR_FORMAT, why, why_size, "%zu bytes where the header says %llu: truncated or extended",
                      size, (unsigned long long)h.file_bytes);
    if (h.plan != expect->plan)
        return refuse(GG_ERR_NOT_FOUND, why, why_size, "it is the index of plan %lld, not %lld", (long long)h.plan,
                      (long long)expect->plan);
    if (h.fingerprint != expect->fingerprint)
        return refuse(GG_ERR_NOT_FOUND, why, why_size,
                      "stale: made for other grids of plan %lld (fingerprint %016llx, the project's %016llx)",
                      (long long)h.plan, (unsigned long long)h.fingerprint,
                      (unsigned long long)expect->fingerprint);
    if ((expect->n_polys >= 0 && h.n_polys != expect->n_polys) || h.n_polys < 0)
        return refuse(GG_ERR_FORMAT, why, why_size, "%d polygons where the plan has %d grids", (int)h.n_polys,
                      (int)expect->n_polys);
    if (!(h.cell > 0) || !(h.cell < 1e300) || !(h.x0 > -1e300 && h.x0 < 1e300) || !(h.y0 > -1e300 && h.y0 < 1e300) ||
        h.nx < 1 || h.ny < 1 || (uint64_t)h.nx * (uint64_t)h.ny > MAX_TOP_CELLS)
        return refuse(GG_ERR_FORMAT, why, why_size, "top grid %d x %d of %g degrees is not one the index makes",
                      (int)h.nx, (int)h.ny, h.cell);
    if (h.n_nodes >= PAYLOAD_MASK / 4 || h.n_leaf >= PAYLOAD_MASK || h.n_sets >= PAYLOAD_MASK ||
        h.segs_levels > GG_SEGTREE_MAX_LEVELS || h.outer_levels > GG_SEGTREE_MAX_LEVELS)
        return refuse(GG_ERR_FORMAT, why, why_size, "counts beyond what the index makes");
    /* every section where its size says, inside the file, in order */
    uint64_t n_top = (uint64_t)h.nx * (uint64_t)h.ny;
    uint64_t want[GG_LOCIDX_SECTIONS];
    int ok = 1;
    want[GG_LOCIDX_TOP] = n_top * 4;
    want[GG_LOCIDX_TOP_START] = (n_top + 1) * 4;
    want[GG_LOCIDX_TOP_EDGE] = 0; /* from top_start's last word, below */
    want[GG_LOCIDX_HAS_EDGES] = (n_top / 64 + 1) * 8;
    want[GG_LOCIDX_HINT] = n_top * 4;
    want[GG_LOCIDX_NODES] = (uint64_t)h.n_nodes * 16;
    ok &= size_mul(h.n_leaf, sizeof(gg_leaf_slot), &want[GG_LOCIDX_LEAF]);
    want[GG_LOCIDX_SET_WINNER] = (uint64_t)h.n_sets * 4;
    want[GG_LOCIDX_PHEAD] = (uint64_t)h.n_polys * sizeof(gg_poly_head);
    ok &= size_mul(h.n_chunks, sizeof(gg_chunk), &want[GG_LOCIDX_CHUNK]);
    want[GG_LOCIDX_CLEAN_DIST] = n_top;
    want[GG_LOCIDX_SEGS] = (uint64_t)h.segs_edges * sizeof(gg_seg);
    want[GG_LOCIDX_SEGS_BOX] = (uint64_t)box_count(h.segs_count, h.segs_levels) * 32;
    want[GG_LOCIDX_OUTER] = (uint64_t)h.outer_edges * sizeof(gg_seg);
    want[GG_LOCIDX_OUTER_BOX] = (uint64_t)box_count(h.outer_count, h.outer_levels) * 32;
    want[GG_LOCIDX_RANK] = (uint64_t)h.n_polys * 4;
    want[GG_LOCIDX_GRIDS] = (uint64_t)h.n_polys * sizeof(gg_locidx_grid);
    want[GG_LOCIDX_PEOPLE] = (uint64_t)h.n_people * sizeof(gg_locidx_person);
    ok &= size_mul(h.n_worker_refs, 4, &want[GG_LOCIDX_WORKERS]);
    want[GG_LOCIDX_STRINGS] = h.strings_bytes;
    if (!ok)
        return refuse(GG_ERR_FORMAT, why, why_size, "section sizes overflow");
    uint64_t end = sizeof h;
    for (int k = 0; k < GG_LOCIDX_SECTIONS; k++) {
        const gg_locidx_section *s = &h.section[k];
        if (s->offset % GG_LOCIDX_ALIGN != 0 || s->offset < end || s->offset > size || s->bytes > size - s->offset)
            return refuse(GG_ERR_FORMAT, why, why_size,
                          "section %d (offset %llu, %llu bytes) is not inside the file after the one before", k,
                          (unsigned long long)s->offset, (unsigned long long)s->bytes);
        if (k != GG_LOCIDX_TOP_EDGE && s->bytes != want[k])
            return refuse(GG_ERR_FORMAT, why, why_size, "section %d has %llu bytes where its counts make %llu", k,
                          (unsigned long long)s->bytes, (unsigned long long)want[k]);
        end = s->offset + s->bytes;
    }
    {
        const gg_locidx_section *s = &h.section[GG_LOCIDX_TOP_START];
        uint32_t last;
        memcpy(&last, (const char *)data + s->offset + n_top * 4, sizeof last);
        const gg_locidx_section *e = &h.section[GG_LOCIDX_TOP_EDGE];
        if (e->bytes != (uint64_t)last * sizeof(gg_top_edge))
            return refuse(GG_ERR_FORMAT, why, why_size, "the top cells' edges take %llu bytes, not %llu",
                          (unsigned long long)e->bytes, (unsigned long long)last * sizeof(gg_top_edge));
    }
    const char *base = data;
#define AT(k) ((void *)(uintptr_t)(base + h.section[k].offset))
    ix->ctx = ctx;
    ix->borrowed = 1;
    ix->n_polys = h.n_polys;
    ix->rank = expect->rank ? expect->rank : AT(GG_LOCIDX_RANK);
    names->grids = AT(GG_LOCIDX_GRIDS);
    names->people = AT(GG_LOCIDX_PEOPLE);
    names->workers = AT(GG_LOCIDX_WORKERS);
    names->strings = AT(GG_LOCIDX_STRINGS);
    names->n_people = h.n_people;
    names->stamp = h.names_stamp;
    ix->n_vertices = h.n_vertices;
    ix->x0 = h.x0;
    ix->y0 = h.y0;
    ix->cell = h.cell;
    ix->nx = h.nx;
    ix->ny = h.ny;
    ix->top = AT(GG_LOCIDX_TOP);
    ix->top_start = AT(GG_LOCIDX_TOP_START);
    ix->top_edge = AT(GG_LOCIDX_TOP_EDGE);
    ix->has_edges = AT(GG_LOCIDX_HAS_EDGES);
    ix->hint = AT(GG_LOCIDX_HINT);
    ix->nodes = AT(GG_LOCIDX_NODES);
    ix->n_nodes = h.n_nodes;
    ix->cap_nodes = h.n_nodes * 4;
    ix->leaf = AT(GG_LOCIDX_LEAF);
    ix->n_leaf = (size_t)h.n_leaf;
    ix->cap_leaf = (size_t)h.n_leaf;
    ix->n_leaves = h.n_leaves;
    ix->n_leaf_edges = h.n_leaf_edges;
    ix->set_winner = AT(GG_LOCIDX_SET_WINNER);
    ix->n_sets = ix->cap_sets = h.n_sets;
    ix->phead = AT(GG_LOCIDX_PHEAD);
    ix->chunk = AT(GG_LOCIDX_CHUNK);
    ix->n_chunks = (size_t)h.n_chunks;
    ix->clean_dist = AT(GG_LOCIDX_CLEAN_DIST);
    ix->max_depth = h.max_depth;
    gg_segtree *trees[2] = {&ix->segs, &ix->outer};
    const uint32_t *edges[2] = {&h.segs_edges, &h.outer_edges};
    const uint32_t *levels[2] = {&h.segs_levels, &h.outer_levels};
    const uint32_t *counts[2] = {h.segs_count, h.outer_count};
    int seg_sec[2] = {GG_LOCIDX_SEGS, GG_LOCIDX_OUTER}, box_sec[2] = {GG_LOCIDX_SEGS_BOX, GG_LOCIDX_OUTER_BOX};
    for (int t = 0; t < 2; t++) {
        gg_segtree *tree = trees[t];
        tree->ctx = ctx;
        tree->borrowed = 1;
        tree->n_edges = *edges[t];
        tree->levels = (int)*levels[t];
        tree->seg = AT(seg_sec[t]);
        memcpy(tree->count, counts[t], sizeof tree->count);
        double *box = AT(box_sec[t]);
        for (int l = 0; l < tree->levels; l++) {
            tree->box[l] = box;
            box += 4 * (size_t)tree->count[l];
        }
    }
#undef AT
    gg_status st = check_file(ctx, &h, base, size, ix, names, expect->threads, why, why_size);
    if (st != GG_OK) {
        memset(ix, 0, sizeof *ix);
        memset(names, 0, sizeof *names);
    }
    return st;
}

gg_status gg_locidx_load(gg_ctx *ctx, const char *path, const gg_locidx_expect *expect, gg_cell_index *ix,
                         gg_locidx_names_view *names, gg_locidx_map *map, char *why, size_t why_size)
{
    memset(ix, 0, sizeof *ix);
    map->addr = NULL;
    map->bytes = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return refuse(errno == ENOENT ? GG_ERR_NOT_FOUND : GG_ERR_IO, why, why_size, "%s", strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        gg_status st = refuse(GG_ERR_IO, why, why_size, "%s", strerror(errno));
        close(fd);
        return st;
    }
    if (sb.st_size < (off_t)sizeof(gg_locidx_header)) {
        close(fd);
        return refuse(GG_ERR_FORMAT, why, why_size, "%lld bytes, shorter than the %zu-byte header",
                      (long long)sb.st_size, sizeof(gg_locidx_header));
    }
    size_t bytes = (size_t)sb.st_size;
    /* Not MAP_POPULATE: the checks read every page, and fault them in as
     * they go, each thread its run of blocks, where MAP_POPULATE mapped
     * them all on this thread first (25 ms of the 50 on the benchmark
     * plan, when the file's cache is in small pages). */
    void *addr = mmap(NULL, bytes, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (addr == MAP_FAILED)
        return refuse(GG_ERR_IO, why, why_size, "cannot map it: %s", strerror(errno));
    gg_status st = gg_locidx_open(ctx, addr, bytes, expect, ix, names, why, why_size);
    if (st != GG_OK) {
        munmap(addr, bytes);
        return st;
    }
    map->addr = addr;
    map->bytes = bytes;
    return GG_OK;
}

void gg_locidx_unmap(gg_locidx_map *map)
{
    if (map->addr != NULL)
        munmap(map->addr, map->bytes);
    map->addr = NULL;
    map->bytes = 0;
}
