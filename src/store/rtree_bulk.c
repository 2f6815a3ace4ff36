/* Bulk loading of SQLite R*Tree indexes.
 *
 * SQLite's R*Tree inserts one entry at a time with the R* split heuristics,
 * about 10 µs per entry: a million household points spend ten seconds in it.
 * It has no bulk-load interface, but its storage is documented in rtree.c
 * and stable: three shadow tables, <name>_node(nodeno, data),
 * <name>_rowid(rowid, nodeno) and <name>_parent(nodeno, parentnode). Every
 * node is a blob of the root's size: 2 bytes of tree depth (root only),
 * 2 bytes of entry count, then entries of an 8-byte id (a row id in a leaf,
 * a child node number above) and four 4-byte floats (xmin, xmax, ymin,
 * ymax), all big-endian. The root is node 1.
 *
 * This file writes such a tree packed by Sort-Tile-Recursive (Leutenegger,
 * Lopez and Edgington, 1997): entries sorted into vertical slices by x, each
 * slice by y, packed full. The result is a valid R*Tree that SQLite then
 * maintains as usual (rtreecheck() verifies it in the tests), with fuller
 * nodes and less overlap than one-at-a-time insertion gives. */
#include "store/rtree_bulk.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

gg_status gg_rtree_entries_add(gg_ctx *ctx, gg_rtree_entries *list, int64_t id, const double box[4])
{
    if (list->n == list->cap) {
        gg_status st = gg_grow(ctx, (void **)&list->items, &list->cap, list->n + 1, sizeof *list->items);
        if (st != GG_OK)
            return st;
    }
    gg_rtree_entry *e = &list->items[list->n++];
    e->id = id;
    memcpy(e->box, box, sizeof e->box);
    return GG_OK;
}

void gg_rtree_entries_free(gg_ctx *ctx, gg_rtree_entries *list)
{
    gg_free(ctx, list->items);
    memset(list, 0, sizeof *list);
}

/* SQLite stores boxes as 32-bit floats rounded outward, so that a stored
 * box always contains the true one. */
static float round_down(double d)
{
    float f = (float)d;
    return (double)f > d ? nextafterf(f, -INFINITY) : f;
}

static float round_up(double d)
{
    float f = (float)d;
    return (double)f < d ? nextafterf(f, INFINITY) : f;
}

static void put_be16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

static void put_be64(unsigned char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)v;
}

static void put_be_float(unsigned char *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    p[0] = (unsigned char)(u >> 24);
    p[1] = (unsigned char)(u >> 16);
    p[2] = (unsigned char)(u >> 8);
    p[3] = (unsigned char)u;
}

/* Sorts entries[0..n) by the centre of their boxes along one axis (0: x,
 * 2: y): the centres are scaled to 32-bit keys over their range (2^-32 of
 * it is far finer than packing needs) and sorted with an LSD radix sort of
 * (key, position) pairs, 8 bits a pass, skipping bytes that every key
 * shares: stable, so ties keep their input order and the result is
 * deterministic. a and b hold n pairs each, copy n entries. */
static void sort_by_centre(gg_rtree_entry *entries, size_t n, int axis, uint64_t *a, uint64_t *b,
                           gg_rtree_entry *copy)
{
    if (n < 2)
        return;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double c = entries[i].box[axis] + entries[i].box[axis + 1];
        lo = c < lo ? c : lo;
        hi = c > hi ? c : hi;
    }
    if (!(hi > lo))
        return; /* one centre (or no finite ones): the order stays */
    double scale = 4294967040.0 / (hi - lo);
    for (size_t i = 0; i < n; i++) {
        double c = (entries[i].box[axis] + entries[i].box[axis + 1] - lo) * scale;
        uint32_t key = c >= 0 && c <= 4294967040.0 ? (uint32_t)c : c > 0 ? UINT32_MAX : 0;
        a[i] = (uint64_t)key << 32 | (uint32_t)i;
    }
    for (int shift = 32; shift < 64; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[((a[i] >> shift) & 0xFF) + 1]++;
        if (count[((a[0] >> shift) & 0xFF) + 1] == n)
            continue; /* every key has the same byte here */
        for (int d = 0; d < 256; d++)
            count[d + 1] += count[d];
        for (size_t i = 0; i < n; i++)
            b[count[(a[i] >> shift) & 0xFF]++] = a[i];
        uint64_t *t = a;
        a = b;
        b = t;
    }
    memcpy(copy, entries, n * sizeof *copy);
    for (size_t i = 0; i < n; i++)
        entries[i] = copy[(uint32_t)a[i]];
}

/* Orders entries for packing into nodes of `per_node`: slices by x, then
 * each slice by y. */
int gg_rtree_str_order(gg_ctx *ctx, gg_rtree_entry *e, size_t n, size_t per_node)
{
    size_t nodes = (n + per_node - 1) / per_node;
    size_t slices = (size_t)ceil(sqrt((double)nodes));
    size_t slice_len = slices * per_node;
    if (n < 2)
        return 1;
    if (n > UINT32_MAX)
        return 0;
    uint64_t *a = gg_malloc(ctx, n * sizeof *a), *b = gg_malloc(ctx, n * sizeof *b);
    gg_rtree_entry *copy = gg_malloc(ctx, n * sizeof *copy);
    if (a == NULL || b == NULL || copy == NULL) {
        gg_free(ctx, a);
        gg_free(ctx, b);
        gg_free(ctx, copy);
        return 0;
    }
    sort_by_centre(e, n, 0, a, b, copy);
    for (size_t start = 0; start < n; start += slice_len) {
        size_t len = n - start < slice_len ? n - start : slice_len;
        sort_by_centre(e + start, len, 2, a, b, copy);
    }
    gg_free(ctx, a);
    gg_free(ctx, b);
    gg_free(ctx, copy);
    return 1;
}

typedef struct rowid_node {
    int64_t rowid, nodeno;
} rowid_node;

typedef struct rtree_writer {
    gg_store *store;
    sqlite3_stmt *node, *rowid, *parent;
    rowid_node *leaf_of;        /* every row id with its leaf, written last in row id order */
    size_t n_leaf_of;
    size_t node_size;
    size_t per_node;
    unsigned char *blob;
    int64_t next_nodeno;
} rtree_writer;

static gg_status write_node(rtree_writer *w, int64_t nodeno, int depth_or_zero,
                            const gg_rtree_entry *e, size_t n, int leaf, int64_t parent)
{
    memset(w->blob, 0, w->node_size);
    put_be16(w->blob, (unsigned)depth_or_zero);
    put_be16(w->blob + 2, (unsigned)n);
    for (size_t i = 0; i < n; i++) {
        unsigned char *cell = w->blob + 4 + i * 24;
        put_be64(cell, (uint64_t)e[i].id);
        put_be_float(cell + 8, round_down(e[i].box[0]));
        put_be_float(cell + 12, round_up(e[i].box[1]));
        put_be_float(cell + 16, round_down(e[i].box[2]));
        put_be_float(cell + 20, round_up(e[i].box[3]));
    }
    sqlite3_bind_int64(w->node, 1, nodeno);
    sqlite3_bind_blob(w->node, 2, w->blob, (int)w->node_size, SQLITE_STATIC);
    int rc = sqlite3_step(w->node);
    sqlite3_reset(w->node);
    if (rc != SQLITE_DONE)
        return gg_store_sql_error(w->store, "writing the spatial index");
    if (parent > 0) {
        sqlite3_bind_int64(w->parent, 1, nodeno);
        sqlite3_bind_int64(w->parent, 2, parent);
        rc = sqlite3_step(w->parent);
        sqlite3_reset(w->parent);
        if (rc != SQLITE_DONE)
            return gg_store_sql_error(w->store, "writing the spatial index");
    }
    for (size_t i = 0; leaf && i < n; i++) {
        w->leaf_of[w->n_leaf_of].rowid = e[i].id;
        w->leaf_of[w->n_leaf_of++].nodeno = nodeno;
    }
    return GG_OK;
}

static int compare_rowid(const void *a, const void *b)
{
    const rowid_node *p = a, *q = b;
    return p->rowid < q->rowid ? -1 : p->rowid > q->rowid;
}

/* The row id map is a table keyed by row id: written in key order, each
 * insert appends to the B-tree instead of seeking a random page. Row ids
 * of a table are nearly dense, so they are placed by direct address when
 * their range allows and sorted otherwise. */
static gg_status write_rowids(rtree_writer *w, gg_ctx *ctx)
{
    size_t n = w->n_leaf_of;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        lo = w->leaf_of[i].rowid < lo ? w->leaf_of[i].rowid : lo;
        hi = w->leaf_of[i].rowid > hi ? w->leaf_of[i].rowid : hi;
    }
    int64_t *node_of = NULL;
    size_t span = n ? (size_t)(hi - lo) + 1 : 0;
    if (n > 0 && hi - lo < (int64_t)(4 * n + 1024))
        node_of = gg_calloc(ctx, span, sizeof *node_of);
    if (node_of != NULL) {
        for (size_t i = 0; i < n; i++)
            node_of[w->leaf_of[i].rowid - lo] = w->leaf_of[i].nodeno;
        size_t k = 0;
        for (size_t i = 0; i < span; i++)
            if (node_of[i] != 0) {
                w->leaf_of[k].rowid = lo + (int64_t)i;
                w->leaf_of[k++].nodeno = node_of[i];
            }
        gg_free(ctx, node_of);
    } else {
        if (n > 1)
            qsort(w->leaf_of, n, sizeof *w->leaf_of, compare_rowid);
    }
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_int64(w->rowid, 1, w->leaf_of[i].rowid);
        sqlite3_bind_int64(w->rowid, 2, w->leaf_of[i].nodeno);
        int rc = sqlite3_step(w->rowid);
        sqlite3_reset(w->rowid);
        if (rc != SQLITE_DONE)
            return gg_store_sql_error(w->store, "writing the spatial index");
    }
    return GG_OK;
}

/* Builds the tree level by level. Each level is a list of entries: the
 * data at the bottom, then one entry per node of the level below, whose id
 * is that node's number and whose box encloses it. Node numbers are given
 * as nodes are made; the root, made last, is written as node 1, so its
 * children record 1 as their parent: the parents of a level are known only
 * when the level above is packed, hence parents are written with the level
 * above (children_of). */
static gg_status build(rtree_writer *w, gg_ctx *ctx, gg_rtree_entry *level, size_t n)
{
    gg_status st = GG_OK;
    int depth = 0;
    int leaf = 1;
    gg_rtree_entry *owned = NULL;
    while (st == GG_OK) {
        if (n <= w->per_node) {
            /* The root: its children (if any) are nodes whose parent is 1. */
            st = write_node(w, 1, depth, level, n, leaf, 0);
            for (size_t i = 0; st == GG_OK && !leaf && i < n; i++) {
                sqlite3_bind_int64(w->parent, 1, level[i].id);
                sqlite3_bind_int64(w->parent, 2, 1);
                int rc = sqlite3_step(w->parent);
                sqlite3_reset(w->parent);
                if (rc != SQLITE_DONE)
                    st = gg_store_sql_error(w->store, "writing the spatial index");
            }
            break;
        }
        if (!gg_rtree_str_order(ctx, level, n, w->per_node)) {
            st = gg_error_nomem(ctx);
            break;
        }
        size_t nodes = (n + w->per_node - 1) / w->per_node;
        gg_rtree_entry *up = gg_malloc(ctx, nodes * sizeof *up);
        if (up == NULL) {
            st = gg_error_nomem(ctx);
            break;
        }
        for (size_t k = 0; k < nodes && st == GG_OK; k++) {
            size_t first = k * w->per_node;
            size_t count = n - first < w->per_node ? n - first : w->per_node;
            int64_t nodeno = w->next_nodeno++;
            /* The parent is written when the level above is packed. */
            st = write_node(w, nodeno, 0, level + first, count, leaf, 0);
            up[k].id = nodeno;
            up[k].box[0] = up[k].box[2] = INFINITY;
            up[k].box[1] = up[k].box[3] = -INFINITY;
            for (size_t i = first; i < first + count; i++) {
                up[k].box[0] = fmin(up[k].box[0], level[i].box[0]);
                up[k].box[1] = fmax(up[k].box[1], level[i].box[1]);
                up[k].box[2] = fmin(up[k].box[2], level[i].box[2]);
                up[k].box[3] = fmax(up[k].box[3], level[i].box[3]);
            }
        }
        if (st == GG_OK && !leaf) {
            /* Now the nodes of this level are known: record them as the
             * parents of the level below's nodes (the ids in `level`). */
            for (size_t k = 0; k < nodes && st == GG_OK; k++) {
                size_t first = k * w->per_node;
                size_t count = n - first < w->per_node ? n - first : w->per_node;
                for (size_t i = first; i < first + count && st == GG_OK; i++) {
                    sqlite3_bind_int64(w->parent, 1, level[i].id);
                    sqlite3_bind_int64(w->parent, 2, up[k].id);
                    int rc = sqlite3_step(w->parent);
                    sqlite3_reset(w->parent);
                    if (rc != SQLITE_DONE)
                        st = gg_store_sql_error(w->store, "writing the spatial index");
                }
            }
        }
        gg_free(ctx, owned);
        owned = up;
        level = up;
        n = nodes;
        depth++;
        leaf = 0;
    }
    gg_free(ctx, owned);
    return st;
}

static gg_status read_existing(gg_store *store, const char *rtree, gg_rtree_entries *list)
{
    /* Columns by position: id, xmin, xmax, ymin, ymax whatever their names. */
    char *sql = sqlite3_mprintf("SELECT * FROM \"%w\"", rtree);
    if (sql == NULL)
        return gg_error_nomem(store->ctx);
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store, sql, &stmt);
    sqlite3_free(sql);
    if (st != GG_OK)
        return st;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        double box[4];
        for (int i = 0; i < 4; i++)
            box[i] = sqlite3_column_double(stmt, i + 1);
        st = gg_rtree_entries_add(store->ctx, list, sqlite3_column_int64(stmt, 0), box);
        if (st != GG_OK)
            break;
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading the spatial index");
    sqlite3_finalize(stmt);
    return st;
}

gg_status gg_rtree_rebuild(gg_store *store, const char *rtree, gg_rtree_entries *list, int keep_existing)
{
    gg_ctx *ctx = store->ctx;
    gg_status st = keep_existing ? read_existing(store, rtree, list) : GG_OK;
    if (st != GG_OK)
        return st;
    rtree_writer w;
    memset(&w, 0, sizeof w);
    w.store = store;
    w.next_nodeno = 2;
    char *sql = sqlite3_mprintf("SELECT length(data) FROM \"%w_node\" WHERE nodeno = 1", rtree);
    sqlite3_stmt *stmt = NULL;
    st = sql ? gg_store_prepare(store, sql, &stmt) : gg_error_nomem(ctx);
    sqlite3_free(sql);
    if (st != GG_OK)
        return st;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        w.node_size = (size_t)sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    if (w.node_size < 4 + 24 * 2)
        return gg_error(ctx, GG_ERR_STORE, "%s: spatial index %s has no valid root node", store->path, rtree);
    w.per_node = (w.node_size - 4) / 24;

    sql = sqlite3_mprintf("DELETE FROM \"%w_node\"; DELETE FROM \"%w_rowid\"; DELETE FROM \"%w_parent\";",
                          rtree, rtree, rtree);
    st = sql ? gg_store_exec(store, sql) : gg_error_nomem(ctx);
    sqlite3_free(sql);
    char *node_sql = sqlite3_mprintf("INSERT INTO \"%w_node\"(nodeno, data) VALUES (?1, ?2)", rtree);
    char *rowid_sql = sqlite3_mprintf("INSERT INTO \"%w_rowid\"(rowid, nodeno) VALUES (?1, ?2)", rtree);
    char *parent_sql = sqlite3_mprintf("INSERT INTO \"%w_parent\"(nodeno, parentnode) VALUES (?1, ?2)", rtree);
    if (st == GG_OK && (node_sql == NULL || rowid_sql == NULL || parent_sql == NULL))
        st = gg_error_nomem(ctx);
    if (st == GG_OK)
        st = gg_store_prepare(store, node_sql, &w.node);
    if (st == GG_OK)
        st = gg_store_prepare(store, rowid_sql, &w.rowid);
    if (st == GG_OK)
        st = gg_store_prepare(store, parent_sql, &w.parent);
    sqlite3_free(node_sql);
    sqlite3_free(rowid_sql);
    sqlite3_free(parent_sql);
    if (st == GG_OK) {
        w.blob = gg_malloc(ctx, w.node_size);
        w.leaf_of = gg_malloc(ctx, (list->n ? list->n : 1) * sizeof *w.leaf_of);
        if (w.blob == NULL || w.leaf_of == NULL)
            st = gg_error_nomem(ctx);
    }
    if (st == GG_OK)
        st = build(&w, ctx, list->items, list->n);
    if (st == GG_OK)
        st = write_rowids(&w, ctx);
    gg_free(ctx, w.blob);
    gg_free(ctx, w.leaf_of);
    sqlite3_finalize(w.node);
    sqlite3_finalize(w.rowid);
    sqlite3_finalize(w.parent);
    return st;
}
