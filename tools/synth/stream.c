#include "stream.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "community.h"
#include "depts.h"

void sy_progress(const sy_world *w, const char *fmt, ...)
{
    if (!w->opt.progress)
        return;
    va_list ap;
    fputs("\rgovgrid-synth: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\033[K", stderr);
    fflush(stderr);
}

/* Cells ordered county -> township -> community, with the start of every
 * division's run, so each division's cells are one contiguous slice. */
typedef struct cell_order {
    int *cells;
    int *county_start, *county_n;
    int *township_start, *township_n;
    int *county_label, *township_label;
} cell_order;

static void order_cells(const sy_world *w, cell_order *co)
{
    co->cells = sy_malloc(sizeof(int) * (size_t)w->n_cells);
    co->county_start = sy_malloc(sizeof(int) * (size_t)w->n_counties);
    co->county_n = sy_malloc(sizeof(int) * (size_t)w->n_counties);
    co->township_start = sy_malloc(sizeof(int) * (size_t)w->n_townships);
    co->township_n = sy_malloc(sizeof(int) * (size_t)w->n_townships);
    co->county_label = sy_malloc(sizeof(int) * (size_t)w->n_cells);
    co->township_label = sy_malloc(sizeof(int) * (size_t)w->n_cells);
    int n = 0;
    for (int k = 0; k < w->n_counties; k++) {
        const sy_county *cy = &w->counties[k];
        co->county_start[k] = n;
        for (int i = 0; i < cy->n_townships; i++) {
            int t = w->township_list[cy->first_township + i];
            const sy_township *to = &w->townships[t];
            co->township_start[t] = n;
            for (int j = 0; j < to->n_communities; j++) {
                const sy_community *cm = &w->communities[w->community_list[to->first_community + j]];
                for (int c = 0; c < cm->n_cells; c++) {
                    int cell = w->community_cells[cm->first_cell + c];
                    co->cells[n++] = cell;
                    co->county_label[cell] = k;
                    co->township_label[cell] = t;
                }
            }
            co->township_n[t] = n - co->township_start[t];
        }
        co->county_n[k] = n - co->county_start[k];
    }
}

static void free_order(cell_order *co)
{
    free(co->cells);
    free(co->county_start);
    free(co->county_n);
    free(co->township_start);
    free(co->township_n);
    free(co->county_label);
    free(co->township_label);
}

static void write_divisions(sy_world *w, sy_out *o, const cell_order *co)
{
    sy_mpoly m = {0};
    char cls[8];
    for (int k = 0; k < w->n_counties; k++) {
        sy_region_build(w, co->cells + co->county_start[k], co->county_n[k], co->county_label, k, &m);
        sy_out_division(o, w->counties[k].code, w->counties[k].name, "", "", &m);
    }
    for (int k = 0; k < w->n_counties; k++) {
        const sy_county *cy = &w->counties[k];
        for (int i = 0; i < cy->n_townships; i++) {
            int t = w->township_list[cy->first_township + i];
            sy_region_build(w, co->cells + co->township_start[t], co->township_n[t], co->township_label, t, &m);
            sy_out_division(o, w->townships[t].code, w->townships[t].name, cy->code, "", &m);
        }
    }
    for (int k = 0; k < w->n_counties; k++) {
        const sy_county *cy = &w->counties[k];
        for (int i = 0; i < cy->n_townships; i++) {
            const sy_township *to = &w->townships[w->township_list[cy->first_township + i]];
            for (int j = 0; j < to->n_communities; j++) {
                int ci = w->community_list[to->first_community + j];
                const sy_community *cm = &w->communities[ci];
                sy_region_build(w, w->community_cells + cm->first_cell, cm->n_cells, w->cell_community, ci, &m);
                snprintf(cls, sizeof cls, "%d", cm->urban_rural);
                sy_out_division(o, cm->code, cm->name, to->code, cls, &m);
            }
        }
    }
    sy_mpoly_free(&m);
}

/* Maximal runs of a path's half-edges that the path owns, as polylines. */
static void write_path(const sy_world *w, sy_out *o, const sy_path *p, int idx, int is_road)
{
    sy_pt *line = NULL, *seg = NULL;
    size_t line_cap = 0, seg_cap = 0;
    int n = 0;
    for (int i = 0; i <= p->n_he; i++) {
        int owned = 0;
        if (i < p->n_he) {
            const sy_edge *e = &w->edge[p->he[i] >> 1];
            owned = (is_road ? e->road_path : e->water_path) == idx;
        }
        int contiguous = owned && n > 0 && sy_he_from(w, p->he[i]) == sy_he_to(w, p->he[i - 1]);
        if (n > 0 && !contiguous) {
            if (is_road)
                sy_out_road(o, sy_road_class_name[p->kind], p->name, line, n);
            else
                sy_out_water_line(o, sy_water_kind_name[p->kind], p->name, line, n);
            n = 0;
        }
        if (!owned)
            continue;
        int ns = sy_half_edge_points(w, p->he[i], &seg, &seg_cap);
        sy_reserve((void **)&line, &line_cap, (size_t)(n + ns), sizeof(sy_pt));
        int skip = n > 0 ? 1 : 0;
        memcpy(line + n, seg + skip, sizeof(sy_pt) * (size_t)(ns - skip));
        n += ns - skip;
    }
    free(line);
    free(seg);
}

static void write_networks(sy_world *w, sy_out *o)
{
    GEOSContextHandle_t h = w->geos;
    for (int i = 0; i < w->n_water_paths; i++)
        write_path(w, o, &w->water_paths[i], i, 0);
    for (int i = 0; i < w->n_waters; i++)
        sy_out_water_polygons(o, sy_water_kind_name[w->waters[i].kind], w->waters[i].name, &w->waters[i].geom);
    GEOSGeometry *outline = NULL;
    sy_pt *buf = NULL;
    size_t cap = 0;
    for (int i = 0; i < w->n_road_paths; i++) {
        const sy_path *p = &w->road_paths[i];
        if (p->he) {
            write_path(w, o, p, i, 1);
            continue;
        }
        if (!outline)
            outline = sy_mpoly_to_geos(h, &w->outline, 1);
        GEOSGeometry *ls = sy_line_to_geos(h, p->pts, p->n_pts);
        GEOSGeometry *cut = GEOSIntersection_r(h, ls, outline);
        GEOSGeom_destroy_r(h, ls);
        if (!cut)
            continue;
        GEOSGeometry *merged = GEOSLineMerge_r(h, cut);
        GEOSGeom_destroy_r(h, cut);
        int ng = merged ? GEOSGetNumGeometries_r(h, merged) : 0;
        for (int k = 0; k < ng; k++) {
            const GEOSGeometry *g = GEOSGetGeometryN_r(h, merged, k);
            if (GEOSGeomTypeId_r(h, g) != GEOS_LINESTRING)
                continue;
            const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, g);
            unsigned m = 0;
            GEOSCoordSeq_getSize_r(h, cs, &m);
            if (m < 2)
                continue;
            sy_reserve((void **)&buf, &cap, m, sizeof(sy_pt));
            GEOSCoordSeq_copyToBuffer_r(h, cs, &buf[0].x, 0, 0);
            sy_out_road(o, "motorway", p->name, buf, (int)m);
        }
        if (merged)
            GEOSGeom_destroy_r(h, merged);
    }
    free(buf);
    if (outline)
        GEOSGeom_destroy_r(h, outline);
}

/* Splits total over n items in proportion to weight (largest remainder). */
static long *apportion(long total, const double *weight, int n)
{
    long *out = sy_calloc((size_t)n, sizeof(long));
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += weight[i];
    if (sum <= 0 || n == 0)
        return out;
    long given = 0;
    double *rem = sy_malloc(sizeof(double) * (size_t)n);
    for (int i = 0; i < n; i++) {
        double x = (double)total * weight[i] / sum;
        out[i] = (long)floor(x);
        rem[i] = x - (double)out[i];
        given += out[i];
    }
    while (given < total) {
        int best = 0;
        for (int i = 1; i < n; i++)
            if (rem[i] > rem[best])
                best = i;
        out[best]++;
        rem[best] = -1;
        given++;
    }
    free(rem);
    return out;
}

void sy_stream_write(sy_world *w, sy_out *o)
{
    cell_order co;
    order_cells(w, &co);
    sy_progress(w, "writing divisions");
    write_divisions(w, o, &co);
    free_order(&co);
    sy_progress(w, "writing roads and waterways");
    write_networks(w, o);

    long n_inc = w->opt.households / 10 > 1000 ? w->opt.households / 10 : 1000;
    long n_near = (long)lround(0.75 * (double)n_inc), n_vertex = (long)lround(0.10 * (double)n_inc);
    long n_uniform = (long)lround(0.10 * (double)n_inc), n_outside = n_inc - n_near - n_vertex - n_uniform;
    double *wt = sy_malloc(sizeof(double) * (size_t)w->n_communities);
    for (int i = 0; i < w->n_communities; i++)
        wt[i] = (double)w->communities[i].households;
    long *near = apportion(n_near, wt, w->n_communities);
    for (int i = 0; i < w->n_communities; i++)
        wt[i] = w->communities[i].n_cells;
    long *vert = apportion(n_vertex, wt, w->n_communities);
    free(wt);

    sy_unit_plan plan;
    sy_units_plan(w, &plan);
    sy_comm cc;
    memset(&cc, 0, sizeof cc);
    int done = 0;
    for (int t = 0; t < w->n_townships; t++) {
        const sy_township *to = &w->townships[t];
        for (int j = 0; j < to->n_communities; j++) {
            int ci = w->community_list[to->first_community + j];
            sy_comm_load(&cc, w, ci);
            sy_households_generate(&cc, o);
            sy_units_generate(&cc, o, &plan);
            sy_grids_generate(&cc, o, vert[ci]);
            sy_incidents_near_households(&cc, o, near[ci]);
            sy_comm_release(&cc);
            done++;
            if (done % 50 == 0 || done == w->n_communities)
                sy_progress(w, "communities %d/%d, households %ld/%ld", done, w->n_communities,
                            sy_out_household_sum(o), w->opt.households);
        }
    }
    sy_comm_free(&cc);
    sy_units_plan_free(&plan);
    free(near);
    free(vert);
    sy_workers_orphans(w, o);
    sy_progress(w, "writing departmental grids");
    sy_depts_generate(w, o);
    sy_incidents_area(w, o, n_uniform, n_outside);
    sy_progress(w, "closing files");
}
