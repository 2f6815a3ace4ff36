/* The maps of the departments' grids over the unified plan, conflicts
 * highlighted. The calling thread reads the store (the plan's grids
 * once for every map) and draws each map's text on an overlay; workers,
 * each with a context of its own, parse the geometries, draw and write
 * the PNGs, while the caller goes on with the next map and the other
 * files. */
#include "render/dedup_map.h"
#include "render/canvas.h"
#include "render/mask.h"
#include "geo/blob.h"
#include "store/store.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const double relation_rgb[GG_RELATION_COUNT][3] = {
    {0.10, 0.55, 0.20}, /* equal */
    {0.15, 0.35, 0.80}, /* union-of */
    {0.55, 0.25, 0.70}, /* part-of */
    {0.85, 0.35, 0.05}, /* cuts */
    {0.45, 0.45, 0.45}, /* outside */
    {0.00, 0.00, 0.00}, /* invalid */
};

static const double conflict_rgba[4][4] = {
    {0.90, 0.10, 0.10, 0.55}, /* cut */
    {0.85, 0.00, 0.75, 0.60}, /* overlap */
    {1.00, 0.80, 0.00, 0.70}, /* gap */
    {0.30, 0.30, 0.30, 0.45}, /* outside */
};

static const char *const relation_cn[GG_RELATION_COUNT] = {"一致", "整格合并", "格内", "切割", "网外", "无效"};
static const char *const conflict_cn[4] = {"切割片", "重叠", "空缺", "网外部分"};

static void legend(cairo_t *cr, const gg_dedup_dept *d, double x, double y, double unit, double metres_per_px)
{
    double row = 18 * unit, sw = 22 * unit;
    cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
    cairo_rectangle(cr, x - 8 * unit, y - 8 * unit, 250 * unit, row * 14 + 24 * unit);
    cairo_fill(cr);
    gg_text(cr, "部门网格 relation", x, y, 13 * unit, 1, 0, 0.1, 0.1, 0.1);
    char label[128];
    for (int k = 0; k < GG_RELATION_COUNT; k++) {
        double yy = y + row * (k + 1) + 4 * unit;
        cairo_set_source_rgb(cr, relation_rgb[k][0], relation_rgb[k][1], relation_rgb[k][2]);
        cairo_set_line_width(cr, 2.5 * unit);
        cairo_rectangle(cr, x, yy, sw, row * 0.7);
        cairo_stroke(cr);
        snprintf(label, sizeof label, "%s %s: %zu", relation_cn[k], gg_relation_name((gg_relation)k),
                 d->by_relation[k]);
        gg_text(cr, label, x + sw + 8 * unit, yy - 2 * unit, 12 * unit, 0, 0, 0.1, 0.1, 0.1);
    }
    size_t counts[4] = {d->n_cuts, d->n_overlaps, d->n_gaps, 0};
    counts[3] = d->by_relation[GG_RELATION_OUTSIDE];
    for (int k = 0; k < 4; k++) {
        double yy = y + row * (GG_RELATION_COUNT + 1 + k) + 8 * unit;
        cairo_set_source_rgba(cr, conflict_rgba[k][0], conflict_rgba[k][1], conflict_rgba[k][2], conflict_rgba[k][3]);
        cairo_rectangle(cr, x, yy, sw, row * 0.7);
        cairo_fill(cr);
        if (k == 3)
            snprintf(label, sizeof label, "%s outside", conflict_cn[k]);
        else
            snprintf(label, sizeof label, "%s %s: %zu", conflict_cn[k], gg_conflict_kind_name((gg_conflict_kind)k),
                     counts[k]);
        gg_text(cr, label, x + sw + 8 * unit, yy - 2 * unit, 12 * unit, 0, 0, 0.1, 0.1, 0.1);
    }
    cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
    double yy = y + row * 11 + 12 * unit;
    cairo_rectangle(cr, x, yy, sw, row * 0.7);
    cairo_fill(cr);
    gg_text(cr, "统一网格 unified grids", x + sw + 8 * unit, yy - 2 * unit, 12 * unit, 0, 0, 0.1, 0.1, 0.1);
    gg_scale_bar(cr, x, y + row * 13 + 8 * unit, unit, metres_per_px);
}


/* A geometry as read from the store: its SpatiaLite BLOB (read in place
 * when drawn), its box (lon/lat) and what colour it takes (a relation
 * for a departmental grid). */
typedef struct shape {
    unsigned char *blob;
    size_t size;
    double box[4];
    int cls;
} shape;

typedef struct shapes {
    shape *v;
    size_t n, cap;
} shapes;

static void shapes_free(gg_ctx *ctx, shapes *s)
{
    for (size_t i = 0; i < s->n; i++)
        gg_free(ctx, s->v[i].blob);
    gg_free(ctx, s->v);
    memset(s, 0, sizeof *s);
}

/* Steps stmt, whose column col is a geometry BLOB, into s; cls(user,
 * stmt) gives each row's class (cls NULL: 0). */
static gg_status read_shapes(gg_ctx *ctx, sqlite3_stmt *stmt, int col, int (*cls)(void *, sqlite3_stmt *),
                             void *user, shapes *s)
{
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const void *blob = sqlite3_column_blob(stmt, col);
        int size = sqlite3_column_bytes(stmt, col);
        if (blob == NULL || size <= 0)
            continue;
        if (gg_grow(ctx, (void **)&s->v, &s->cap, s->n + 1, sizeof *s->v) != GG_OK)
            return GG_ERR_NOMEM;
        shape *x = &s->v[s->n];
        x->blob = gg_malloc(ctx, (size_t)size);
        if (x->blob == NULL)
            return GG_ERR_NOMEM;
        memcpy(x->blob, blob, (size_t)size);
        x->size = (size_t)size;
        if (!gg_blob_box(x->blob, x->size, x->box))
            x->box[0] = x->box[1] = x->box[2] = x->box[3] = NAN; /* drawn wherever it is */
        x->cls = cls ? cls(user, stmt) : 0;
        s->n++;
    }
    if (rc != SQLITE_DONE)
        return gg_error(ctx, GG_ERR_STORE, "reading the grids to draw: %s", sqlite3_errmsg(sqlite3_db_handle(stmt)));
    return GG_OK;
}

typedef struct map_job {
    size_t dept;
    char path[4096];
    gg_page page;
    cairo_surface_t *overlay;   /* title and legend, over everything */
    double box[4];
    shapes dgrids;              /* cls: relation */
    int begun, ran;             /* the page exists; the job was drawn (or failed) */
    gg_status status;
    char msg[GG_ERRMSG_MAX];
    struct map_job *all_next, *queue_next;
} map_job;

struct gg_dedup_maps {
    gg_ctx *ctx;
    gg_store *store;
    const gg_dedup_result *r;
    shapes grids;               /* the plan's */
    map_job *jobs;              /* every job, newest first */
    map_job *queue, **queue_tail;
    int closed, n_threads;
    pthread_t threads[GG_DEDUP_MAPS_MAX_JOBS];
    pthread_mutex_t lock;
    pthread_cond_t ready;
};

/* Walks a shape into sink: in place, or through GEOS for a BLOB of a
 * kind not read so (compressed); one that cannot be read at all is left
 * out (the run has reported the departmental ones), one that ran out of
 * memory fails the map. */
static gg_status walk_shape(gg_ctx *ctx, const gg_sink *sink, const gg_view *v, const shape *x)
{
    if (gg_walk_blob(sink, v, x->blob, x->size))
        return GG_OK;
    GEOSGeometry *g = NULL;
    gg_status st = gg_blob_to_geos(ctx, x->blob, x->size, &g);
    if (st == GG_ERR_NOMEM)
        return st;
    if (g != NULL) {
        gg_walk_geom(sink, ctx->geos, v, g);
        GEOSGeom_destroy_r(ctx->geos, g);
    }
    gg_ctx_clear_error(ctx);
    return GG_OK;
}

/* Draws job on its page: the plan's grids in the box filled and outlined,
 * the department's conflicts filled a path a kind, its grids outlined in
 * the colour of their relation, the overlay; then writes the PNG. Fills
 * are one path a layer, their rings oriented so that the nonzero rule
 * fills the union (gg_path_geom); outlines go through coverage masks, a
 * mask a colour (render/mask.h). */
static gg_status draw(gg_ctx *ctx, const gg_dedup_maps *m, map_job *job)
{
    GEOSContextHandle_t h = ctx->geos;
    const gg_dedup_result *r = m->r;
    const gg_dedup_dept *d = &r->depts[job->dept];
    gg_page *page = &job->page;
    cairo_t *cr = page->cr;
    double unit = page->unit;
    const double *box = job->box;
    /* the map's frame: cairo's clip, and the masks' */
    double clip[4] = {page->view.x0, page->view.y0, page->width - page->margin, page->view.y0 + page->view.height};
    cairo_save(cr);
    cairo_rectangle(cr, clip[0], clip[1], clip[2] - clip[0], clip[3] - clip[1]);
    cairo_clip(cr);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
    /* the fills' edges lie under the outlines: 4 x 4 samples a pixel do */
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_FAST);
    gg_mask masks[GG_RELATION_COUNT];
    int n_masks = 0;
    gg_status st = GG_OK;
    for (; st == GG_OK && n_masks < GG_RELATION_COUNT; n_masks++)
        st = gg_mask_init(ctx, &masks[n_masks], (int)page->width, (int)page->height, clip);
    cairo_new_path(cr);
    /* the plan's grids walked once: the fill's path and the outline's mask */
    gg_mask_pen pen;
    gg_sink both[2] = {gg_cairo_sink(cr), gg_mask_sink(&pen, &masks[0], 0.8 * unit)};
    const gg_sink fill_and_outline = gg_tee_sink(both);
    for (size_t i = 0; st == GG_OK && i < m->grids.n; i++) {
        const shape *x = &m->grids.v[i];
        if (x->box[2] < box[0] || x->box[0] > box[2] || x->box[3] < box[1] || x->box[1] > box[3])
            continue;
        st = walk_shape(ctx, &fill_and_outline, &page->view, x);
    }
    if (st == GG_OK) {
        cairo_set_source_rgb(cr, 0.90, 0.90, 0.90);
        cairo_fill(cr);
        st = gg_mask_paint(ctx, &masks[0], page->surface, 0.60, 0.60, 0.60);
    }
    for (int kind = 0; st == GG_OK && kind < 4; kind++) {
        cairo_new_path(cr);
        for (size_t i = 0; i < r->n_conflicts; i++) {
            const gg_dedup_conflict *c = &r->conflicts[i];
            if ((int)c->kind != kind || strcmp(c->dept, d->dept) != 0)
                continue;
            GEOSGeometry *g = GEOSGeomFromWKB_buf_r(h, c->wkb, c->wkb_size);
            if (g == NULL)
                continue;
            gg_path_geom(cr, h, &page->view, g);
            GEOSGeom_destroy_r(h, g);
        }
        const double *rgba = conflict_rgba[kind];
        cairo_set_source_rgba(cr, rgba[0], rgba[1], rgba[2], rgba[3]);
        cairo_fill(cr);
    }
    gg_mask_pen pens[GG_RELATION_COUNT];
    gg_sink outlines[GG_RELATION_COUNT];
    for (int rel = 0; rel < n_masks; rel++)
        outlines[rel] = gg_mask_sink(&pens[rel], &masks[rel], 1.8 * unit);
    for (size_t i = 0; st == GG_OK && i < job->dgrids.n; i++)
        st = walk_shape(ctx, &outlines[job->dgrids.v[i].cls], &page->view, &job->dgrids.v[i]);
    for (int rel = 0; st == GG_OK && rel < GG_RELATION_COUNT; rel++)
        st = gg_mask_paint(ctx, &masks[rel], page->surface, relation_rgb[rel][0], relation_rgb[rel][1],
                           relation_rgb[rel][2]);
    for (int i = 0; i < n_masks; i++)
        gg_mask_free(ctx, &masks[i]);
    cairo_restore(cr);
    cairo_set_source_surface(cr, job->overlay, 0, 0);
    cairo_paint(cr);
    st = gg_page_end(ctx, page, job->path, 1, st);
    page->cr = NULL;
    return st;
}

/* Draws a job and keeps what became of it in the job. */
static void run_job(gg_ctx *ctx, const gg_dedup_maps *m, map_job *job)
{
    job->ran = 1;
    job->status = draw(ctx, m, job);
    if (job->status != GG_OK)
        snprintf(job->msg, sizeof job->msg, "%s", gg_ctx_errmsg(ctx));
    gg_ctx_clear_error(ctx);
    shapes_free(ctx, &job->dgrids);
}

typedef struct worker_arg {
    gg_dedup_maps *m;
    gg_ctx *ctx;
} worker_arg;

static void *worker_main(void *arg)
{
    gg_dedup_maps *m = ((worker_arg *)arg)->m;
    gg_ctx *ctx = ((worker_arg *)arg)->ctx;
    gg_free(m->ctx, arg);
    for (;;) {
        pthread_mutex_lock(&m->lock);
        while (m->queue == NULL && !m->closed)
            pthread_cond_wait(&m->ready, &m->lock);
        map_job *job = m->queue;
        if (job != NULL) {
            m->queue = job->queue_next;
            if (m->queue == NULL)
                m->queue_tail = &m->queue;
        }
        pthread_mutex_unlock(&m->lock);
        if (job == NULL)
            break;
        run_job(ctx, m, job);
    }
    gg_ctx_free(ctx);
    return NULL;
}

gg_status gg_dedup_maps_begin(gg_ctx *ctx, gg_store *store, const gg_dedup_result *r, int jobs, gg_dedup_maps **out)
{
    *out = NULL;
    gg_dedup_maps *m = gg_calloc(ctx, 1, sizeof *m);
    if (m == NULL)
        return GG_ERR_NOMEM;
    m->ctx = ctx;
    m->store = store;
    m->r = r;
    m->queue_tail = &m->queue;
    pthread_mutex_init(&m->lock, NULL);
    pthread_cond_init(&m->ready, NULL);
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT geom FROM grid WHERE plan = ?1 AND geom IS NOT NULL",
                                    &stmt);
    if (st == GG_OK) {
        sqlite3_bind_int64(stmt, 1, r->plan);
        st = read_shapes(ctx, stmt, 0, NULL, NULL, &m->grids);
        sqlite3_finalize(stmt);
    }
    /* Workers: none when jobs is 1 (each map is drawn as it is added). A
     * worker that cannot be started is no failure while one runs or the
     * caller can draw. */
    for (int t = 0; st == GG_OK && jobs > 1 && t < jobs && t < GG_DEDUP_MAPS_MAX_JOBS; t++) {
        worker_arg *arg = gg_malloc(ctx, sizeof *arg);
        if (arg == NULL) {
            st = GG_ERR_NOMEM;
            break;
        }
        arg->m = m;
        if (gg_ctx_new_with_allocator(&ctx->alloc, &arg->ctx) != GG_OK) {
            gg_free(ctx, arg);
            break;
        }
        if (pthread_create(&m->threads[m->n_threads], NULL, worker_main, arg) != 0) {
            gg_ctx_free(arg->ctx);
            gg_free(ctx, arg);
            break;
        }
        m->n_threads++;
    }
    if (st != GG_OK) {
        gg_dedup_maps_end(m, st);
        return st;
    }
    *out = m;
    return GG_OK;
}

typedef struct relation_of {
    const gg_dedup_result *r;
    const char *dept;
    size_t k;
} relation_of;

/* A departmental grid's relation: that of its item. The department's
 * items are contiguous and in id order, as the rows are read. */
static int read_relation(void *user, sqlite3_stmt *stmt)
{
    relation_of *ro = user;
    const gg_dedup_result *r = ro->r;
    const char *id = (const char *)sqlite3_column_text(stmt, 0);
    if (id == NULL)
        return GG_RELATION_INVALID;
    while (ro->k < r->n_items && strcmp(r->items[ro->k].dept, ro->dept) == 0 && strcmp(r->items[ro->k].id, id) < 0)
        ro->k++;
    return ro->k < r->n_items && strcmp(r->items[ro->k].dept, ro->dept) == 0 && strcmp(r->items[ro->k].id, id) == 0
               ? (int)r->items[ro->k].relation
               : GG_RELATION_INVALID;
}

/* The box of a department's grids, a margin around. */
static gg_status dept_box(gg_ctx *ctx, const shapes *s, const char *dept, double box[4])
{
    if (s->n == 0)
        return gg_error(ctx, GG_ERR_NOT_FOUND, "department %s has no grid with a geometry to draw", dept);
    box[0] = box[1] = INFINITY;
    box[2] = box[3] = -INFINITY;
    for (size_t i = 0; i < s->n; i++) {
        box[0] = fmin(box[0], s->v[i].box[0]);
        box[1] = fmin(box[1], s->v[i].box[1]);
        box[2] = fmax(box[2], s->v[i].box[2]);
        box[3] = fmax(box[3], s->v[i].box[3]);
    }
    if (!(box[0] <= box[2] && box[1] <= box[3] && isfinite(box[0]) && isfinite(box[2])))
        return gg_error(ctx, GG_ERR_GEOMETRY, "department %s: none of its grids' geometries gives a box to draw",
                        dept);
    double dx = (box[2] - box[0]) * 0.03 + 1e-5, dy = (box[3] - box[1]) * 0.03 + 1e-5;
    box[0] -= dx, box[1] -= dy, box[2] += dx, box[3] += dy;
    return GG_OK;
}

gg_status gg_dedup_maps_add(gg_dedup_maps *m, size_t dept, const char *path)
{
    gg_ctx *ctx = m->ctx;
    const gg_dedup_result *r = m->r;
    const gg_dedup_dept *d = &r->depts[dept];
    map_job *job = gg_calloc(ctx, 1, sizeof *job);
    if (job == NULL)
        return GG_ERR_NOMEM;
    job->dept = dept;
    job->all_next = m->jobs;
    m->jobs = job;
    if ((size_t)snprintf(job->path, sizeof job->path, "%s", path) >= sizeof job->path)
        return gg_error(ctx, GG_ERR_ARG, "%s: path too long", path);
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(m->store,
                                    "SELECT id, geom FROM dept_grid WHERE dept = ?1 AND geom IS NOT NULL ORDER BY id",
                                    &stmt);
    if (st == GG_OK) {
        relation_of ro = {r, d->dept, 0};
        while (ro.k < r->n_items && strcmp(r->items[ro.k].dept, d->dept) != 0)
            ro.k++;
        sqlite3_bind_text(stmt, 1, d->dept, -1, SQLITE_STATIC);
        st = read_shapes(ctx, stmt, 1, read_relation, &ro, &job->dgrids);
        sqlite3_finalize(stmt);
    }
    if (st == GG_OK)
        st = dept_box(ctx, &job->dgrids, d->dept, job->box);
    if (st == GG_OK)
        st = gg_page_begin(ctx, path, 1, job->box, 1600, &job->page);
    if (st != GG_OK)
        return st;
    job->begun = 1;
    /* the text, drawn here: pango stays on the calling thread */
    job->overlay = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)job->page.width, (int)job->page.height);
    cairo_t *cr = cairo_create(job->overlay);
    char title[512];
    snprintf(title, sizeof title, "一张网 %s: %zu grids over plan %lld", d->dept, d->n_grids, (long long)r->plan);
    gg_text(cr, title, job->page.margin, job->page.margin * 0.5, 22 * job->page.unit, 1, 0, 0.1, 0.1, 0.1);
    legend(cr, d, job->page.width - job->page.margin - 240 * job->page.unit,
           job->page.margin + job->page.title_h + 10 * job->page.unit, job->page.unit, job->page.metres_per_px);
    cairo_destroy(cr);
    if (cairo_surface_status(job->overlay) != CAIRO_STATUS_SUCCESS)
        return gg_error(ctx, GG_ERR_NOMEM, "%s: cannot draw the legend: %s", path,
                        cairo_status_to_string(cairo_surface_status(job->overlay)));
    if (m->n_threads == 0) {
        run_job(ctx, m, job);
        if (job->status != GG_OK)
            return gg_error(ctx, job->status, "%s", job->msg);
        return GG_OK;
    }
    pthread_mutex_lock(&m->lock);
    *m->queue_tail = job;
    m->queue_tail = &job->queue_next;
    pthread_cond_signal(&m->ready);
    pthread_mutex_unlock(&m->lock);
    return GG_OK;
}

gg_status gg_dedup_maps_end(gg_dedup_maps *m, gg_status st)
{
    if (m == NULL)
        return st;
    gg_ctx *ctx = m->ctx;
    pthread_mutex_lock(&m->lock);
    m->closed = 1;
    pthread_cond_broadcast(&m->ready);
    pthread_mutex_unlock(&m->lock);
    for (int t = 0; t < m->n_threads; t++)
        pthread_join(m->threads[t], NULL);
    /* the first failure in the order the maps were added */
    map_job *failed = NULL;
    for (map_job *job = m->jobs; job != NULL; job = job->all_next)
        if (job->ran && job->status != GG_OK)
            failed = job;
    if (st == GG_OK && failed != NULL)
        st = gg_error(ctx, failed->status, "%s", failed->msg);
    for (map_job *job = m->jobs, *next; job != NULL; job = next) {
        next = job->all_next;
        if (job->begun && !job->ran) {
            cairo_destroy(job->page.cr);
            cairo_surface_destroy(job->page.surface);
        }
        if (job->overlay != NULL)
            cairo_surface_destroy(job->overlay);
        if (st != GG_OK)
            remove(job->path);
        shapes_free(ctx, &job->dgrids);
        gg_free(ctx, job);
    }
    shapes_free(ctx, &m->grids);
    pthread_mutex_destroy(&m->lock);
    pthread_cond_destroy(&m->ready);
    gg_free(ctx, m);
    return st;
}
