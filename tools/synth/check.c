/*
 * check.c - govgrid-synth-check: verifies a directory written by
 * govgrid-synth and prints one line per property, ending with
 * "N passed, M failed".
 *
 *   govgrid-synth-check DIR [--households N] [--grid-vertices MIN-MAX]
 *
 * Properties: every polygon valid (GEOS); communities tile their township and
 * townships their county, grids tile their community, with identical shared
 * vertices (every child segment is either shared by exactly two children in
 * opposite directions or lies on the parent's boundary in the same
 * direction, and the parent has no other segment) and equal areas; codes
 * well-formed; household counts add up; every household point lies in the
 * community named in its address and in no water polygon; a community has an
 * island holding 50 or more households; parcels lie in one community;
 * rosters and incidents are present.
 *
 * Exit status: 0 all passed, 1 a check failed, 2 usage or unreadable input.
 */
#include <ctype.h>
#include <gdal.h>
#include <ogr_api.h>
#include <cpl_conv.h>
#include <cpl_error.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geom.h"

static int n_pass, n_fail;

static void result(int ok, const char *fmt, ...)
{
    va_list ap;
    printf("%s: ", ok ? "ok" : "FAIL");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    if (ok)
        n_pass++;
    else
        n_fail++;
}

typedef struct feat {
    char *code, *name, *parent, *cls;
    sy_mpoly geom;
    GEOSGeometry *g;
    double area;
    int level; /* divisions: 0 county, 1 township, 2 community */
    int first_child, n_children;
    int parent_idx;
} feat;

typedef struct layer {
    feat *f;
    int n;
} layer;

static GEOSContextHandle_t H;

static void ogr_to_mpoly(OGRGeometryH g, sy_mpoly *m)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    if (t == wkbMultiPolygon || t == wkbGeometryCollection) {
        for (int i = 0; i < OGR_G_GetGeometryCount(g); i++)
            ogr_to_mpoly(OGR_G_GetGeometryRef(g, i), m);
        return;
    }
    if (t != wkbPolygon)
        return;
    sy_mpoly_begin_polygon(m);
    for (int r = 0; r < OGR_G_GetGeometryCount(g); r++) {
        OGRGeometryH ring = OGR_G_GetGeometryRef(g, r);
        int n = OGR_G_GetPointCount(ring);
        sy_pt *pts = sy_malloc(sizeof(sy_pt) * (size_t)(n ? n : 1));
        for (int i = 0; i < n; i++) {
            pts[i].x = OGR_G_GetX(ring, i);
            pts[i].y = OGR_G_GetY(ring, i);
        }
        sy_mpoly_add_ring(m, pts, n);
        free(pts);
    }
}

static char *field_dup(OGRFeatureH f, const char *name)
{
    int i = OGR_F_GetFieldIndex(f, name);
    return sy_strdup(i >= 0 && OGR_F_IsFieldSetAndNotNull(f, i) ? OGR_F_GetFieldAsString(f, i) : "");
}

static GDALDatasetH open_ds(const char *dir, const char *file)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds) {
        fprintf(stderr, "govgrid-synth-check: cannot open %s\n", path);
        exit(2);
    }
    return ds;
}

/* Reads a polygon layer: code/name/parent/cls come from the named fields. */
static void read_polygons(const char *dir, const char *file, const char *fcode, const char *fname,
                          const char *fparent, const char *fcls, layer *out)
{
    GDALDatasetH ds = open_ds(dir, file);
    OGRLayerH l = GDALDatasetGetLayer(ds, 0);
    size_t cap = 0;
    out->f = NULL;
    out->n = 0;
    OGRFeatureH f;
    OGR_L_ResetReading(l);
    while ((f = OGR_L_GetNextFeature(l))) {
        feat x;
        memset(&x, 0, sizeof x);
        x.code = field_dup(f, fcode);
        x.name = field_dup(f, fname);
        x.parent = field_dup(f, fparent);
        x.cls = field_dup(f, fcls);
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        if (g)
            ogr_to_mpoly(g, &x.geom);
        x.g = sy_mpoly_to_geos(H, &x.geom, 1);
        x.area = sy_mpoly_area(&x.geom);
        x.parent_idx = -1;
        SY_PUSH(out->f, out->n, cap, x);
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
}

static void free_layer(layer *l)
{
    for (int i = 0; i < l->n; i++) {
        free(l->f[i].code);
        free(l->f[i].name);
        free(l->f[i].parent);
        free(l->f[i].cls);
        sy_mpoly_free(&l->f[i].geom);
        GEOSGeom_destroy_r(H, l->f[i].g);
    }
    free(l->f);
}

static int count_invalid(const layer *l, char *example, size_t cap)
{
    int bad = 0;
    for (int i = 0; i < l->n; i++)
        if (GEOSisValid_r(H, l->f[i].g) != 1) {
            if (!bad)
                snprintf(example, cap, "%s", l->f[i].code);
            bad++;
        }
    return bad;
}

/* ---- exact tiling by segments ---- */

typedef struct seg {
    double ax, ay, bx, by; /* canonical: (ax,ay) < (bx,by) */
    int forward;           /* 1 when stored as written */
    int parent;            /* 1 from the parent, 0 from a child */
} seg;

static int cmp_seg(const void *p, const void *q)
{
    const seg *a = p, *b = q;
    if (a->ax != b->ax)
        return a->ax < b->ax ? -1 : 1;
    if (a->ay != b->ay)
        return a->ay < b->ay ? -1 : 1;
    if (a->bx != b->bx)
        return a->bx < b->bx ? -1 : 1;
    if (a->by != b->by)
        return a->by < b->by ? -1 : 1;
    return 0;
}

static void add_segs(const sy_mpoly *m, int is_parent, seg **arr, int *n, size_t *cap)
{
    for (int r = 0; r < m->n_rings; r++) {
        const sy_pt *p = sy_mpoly_ring(m, r);
        int k = sy_mpoly_ring_len(m, r);
        /* Orientation-normalised: shells CCW, holes CW, as written by govgrid-synth. */
        for (int i = 0; i + 1 < k; i++) {
            sy_pt a = p[i], b = p[i + 1];
            seg s;
            int fwd = a.x < b.x || (a.x == b.x && a.y < b.y);
            if (!fwd) {
                sy_pt t = a;
                a = b;
                b = t;
            }
            s.ax = a.x;
            s.ay = a.y;
            s.bx = b.x;
            s.by = b.y;
            s.forward = fwd;
            s.parent = is_parent;
            SY_PUSH(*arr, *n, *cap, s);
        }
    }
}

/* 0 when the children tile the parent with identical shared vertices. */
static int tiles_exactly(const sy_mpoly *parent, const sy_mpoly *const *children, int nc)
{
    seg *arr = NULL;
    size_t cap = 0;
    int n = 0;
    add_segs(parent, 1, &arr, &n, &cap);
    for (int i = 0; i < nc; i++)
        add_segs(children[i], 0, &arr, &n, &cap);
    if (n > 0)
        qsort(arr, (size_t)n, sizeof(seg), cmp_seg);
    int bad = 0;
    for (int i = 0; i < n;) {
        int j = i, np = 0, nch = 0, fwd_c = 0, fwd_p = 0;
        while (j < n && cmp_seg(&arr[i], &arr[j]) == 0) {
            if (arr[j].parent) {
                np++;
                fwd_p = arr[j].forward;
            } else {
                nch++;
                fwd_c += arr[j].forward;
            }
            j++;
        }
        int ok = (np == 0 && nch == 2 && fwd_c == 1) || (np == 1 && nch == 1 && fwd_c == fwd_p);
        if (!ok)
            bad++;
        i = j;
    }
    free(arr);
    return bad;
}

static int digits(const char *s, size_t n)
{
    if (strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int find_code(char **sorted, int n, const char *code)
{
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int c = strcmp(sorted[mid], code);
        if (!c)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

/* Parent-child tiling over a layer of children whose parent field names a
 * feature of parents. */
static void check_tiling(const char *what, layer *parents, layer *children, const char *(*parent_of)(const feat *))
{
    int np = parents->n;
    char **codes = sy_malloc(sizeof(char *) * (size_t)(np ? np : 1));
    for (int i = 0; i < np; i++)
        codes[i] = parents->f[i].code;
    if (np > 0)
        qsort(codes, (size_t)np, sizeof(char *), cmp_str);
    int *idx_of_sorted = sy_malloc(sizeof(int) * (size_t)(np ? np : 1));
    for (int i = 0; i < np; i++)
        idx_of_sorted[find_code(codes, np, parents->f[i].code)] = i;
    int *count = sy_calloc((size_t)(np ? np : 1), sizeof(int));
    int orphans = 0;
    for (int i = 0; i < children->n; i++) {
        int k = find_code(codes, np, parent_of(&children->f[i]));
        if (k < 0) {
            orphans++;
            children->f[i].parent_idx = -1;
            continue;
        }
        children->f[i].parent_idx = idx_of_sorted[k];
        count[idx_of_sorted[k]]++;
    }
    result(orphans == 0, "%s: every child names an existing parent (%d orphans)", what, orphans);
    int *start = sy_calloc((size_t)np + 1, sizeof(int));
    for (int i = 0; i < np; i++)
        start[i + 1] = start[i] + count[i];
    const sy_mpoly **list = sy_malloc(sizeof(sy_mpoly *) * (size_t)(children->n ? children->n : 1));
    int *fill = sy_malloc(sizeof(int) * (size_t)(np ? np : 1));
    memcpy(fill, start, sizeof(int) * (size_t)np);
    double *child_area = sy_calloc((size_t)(np ? np : 1), sizeof(double));
    for (int i = 0; i < children->n; i++) {
        int p = children->f[i].parent_idx;
        if (p < 0)
            continue;
        list[fill[p]++] = &children->f[i].geom;
        child_area[p] += children->f[i].area;
    }
    int bad_topo = 0, bad_area = 0, empty = 0;
    double worst = 0;
    char example[128] = "";
    for (int p = 0; p < np; p++) {
        if (count[p] == 0) {
            empty++;
            continue;
        }
        int bad = tiles_exactly(&parents->f[p].geom, list + start[p], count[p]);
        if (bad) {
            if (!bad_topo)
                snprintf(example, sizeof example, "%s (%d segments)", parents->f[p].code, bad);
            bad_topo++;
        }
        double rel = fabs(child_area[p] - parents->f[p].area) / parents->f[p].area;
        if (rel > worst)
            worst = rel;
        if (rel > 1e-6)
            bad_area++;
    }
    result(empty == 0, "%s: every parent has children (%d without)", what, empty);
    result(bad_topo == 0, "%s: children tile each parent with identical shared vertices (%d parents fail%s%s)",
           what, bad_topo, bad_topo ? ", e.g. " : "", example);
    result(bad_area == 0, "%s: sum of child areas equals parent area (worst relative difference %.2e)", what,
           worst);
    free(codes);
    free(idx_of_sorted);
    free(count);
    free(start);
    free(list);
    free(fill);
    free(child_area);
}

static const char *division_parent(const feat *f)
{
    return f->parent;
}

static const char *grid_parent(const feat *f)
{
    return f->parent; /* the community field */
}


typedef struct hits {
    int idx[256];
    int n;
} hits;

static void collect_int(void *item, void *userdata)
{
    hits *h = userdata;
    if (h->n < 256)
        h->idx[h->n++] = *(int *)item;
}

static void collect_prep(void *item, void *userdata)
{
    hits *h = userdata;
    if (h->n < 256)
        h->idx[h->n++] = (int)(intptr_t)item;
}

int main(int argc, char **argv)
{
    const char *dir = NULL;
    long want_households = -1;
    int vmin = 30, vmax = 200;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--households") && i + 1 < argc)
            want_households = atol(argv[++i]);
        else if (!strcmp(argv[i], "--grid-vertices") && i + 1 < argc) {
            if (sscanf(argv[++i], "%d-%d", &vmin, &vmax) != 2) {
                fprintf(stderr, "govgrid-synth-check: --grid-vertices MIN-MAX\n");
                return 2;
            }
        } else if (argv[i][0] != '-' && !dir)
            dir = argv[i];
        else {
            fprintf(stderr, "usage: govgrid-synth-check DIR [--households N] [--grid-vertices MIN-MAX]\n");
            return 2;
        }
    }
    if (!dir) {
        fprintf(stderr, "usage: govgrid-synth-check DIR [--households N] [--grid-vertices MIN-MAX]\n");
        return 2;
    }
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALAllRegister();
    H = GEOS_init_r();

    layer div, grids, depts;
    read_polygons(dir, "divisions.gpkg", "code", "name", "parent", "urban_rural", &div);
    read_polygons(dir, "grids.gpkg", "code", "name", "community", "type", &grids);
    read_polygons(dir, "dept_grids.gpkg", "id", "name", "dept", "dept", &depts);
    char ex[128] = "";
    int bad = count_invalid(&div, ex, sizeof ex);
    result(bad == 0, "divisions: %d polygons, %d invalid%s%s", div.n, bad, bad ? ", e.g. " : "", ex);
    bad = count_invalid(&grids, ex, sizeof ex);
    result(bad == 0, "grids: %d polygons, %d invalid%s%s", grids.n, bad, bad ? ", e.g. " : "", ex);
    bad = count_invalid(&depts, ex, sizeof ex);
    result(bad == 0, "dept_grids: %d polygons, %d invalid", depts.n, bad);

    /* Split divisions by level and check codes. */
    layer lv[3] = {{NULL, 0}, {NULL, 0}, {NULL, 0}};
    size_t lcap[3] = {0, 0, 0};
    int bad_codes = 0;
    for (int i = 0; i < div.n; i++) {
        feat *f = &div.f[i];
        size_t len = strlen(f->code);
        int level = len == 6 ? 0 : len == 9 ? 1 : len == 12 ? 2 : -1;
        if (level < 0 || !digits(f->code, len) || strncmp(f->code, "32", 2)) {
            bad_codes++;
            continue;
        }
        if (level == 0 && f->parent[0])
            bad_codes++;
        if (level > 0 && (strlen(f->parent) != len - 3 || strncmp(f->parent, f->code, len - 3)))
            bad_codes++;
        int seq = atoi(f->code + len - 3);
        if (level == 1 && (seq < 1 || seq > 299))
            bad_codes++;
        if (level == 2) {
            int c = atoi(f->cls);
            int urban = c == 111 || c == 112 || c == 121 || c == 122 || c == 123;
            int rural = c == 210 || c == 220;
            if (!(urban && seq >= 1 && seq <= 199) && !(rural && seq >= 200 && seq <= 399))
                bad_codes++;
        } else if (f->cls[0])
            bad_codes++;
        SY_PUSH(lv[level].f, lv[level].n, lcap[level], *f);
    }
    result(bad_codes == 0, "divisions: %d counties, %d townships, %d communities; %d malformed codes/classes",
           lv[0].n, lv[1].n, lv[2].n, bad_codes);
    check_tiling("townships in counties", &lv[0], &lv[1], division_parent);
    check_tiling("communities in townships", &lv[1], &lv[2], division_parent);
    check_tiling("grids in communities", &lv[2], &grids, grid_parent);

    /* Grid codes and vertex counts. */
    int bad_grid_codes = 0, below = 0, above = 0, vmin_seen = 1 << 30, vmax_seen = 0;
    long vsum = 0;
    for (int i = 0; i < grids.n; i++) {
        const feat *g = &grids.f[i];
        if (!digits(g->code, 16) || strncmp(g->code, g->parent, 12) || g->code[12] != '1' || atoi(g->cls) != 1)
            bad_grid_codes++;
        int v = sy_mpoly_vertex_count(&g->geom);
        vsum += v;
        if (v < vmin)
            below++;
        if (v > vmax)
            above++;
        if (v < vmin_seen)
            vmin_seen = v;
        if (v > vmax_seen)
            vmax_seen = v;
    }
    result(bad_grid_codes == 0, "grids: %d malformed codes", bad_grid_codes);
    result(below + above == 0, "grids: vertices per grid %d..%d (mean %.1f), %d below %d, %d above %d", vmin_seen,
           vmax_seen, grids.n ? (double)vsum / grids.n : 0.0, below, vmin, above, vmax);

    /* Water polygons and parcels. */
    GDALDatasetH wds = open_ds(dir, "waterways.gpkg");
    OGRLayerH wl = GDALDatasetGetLayer(wds, 0);
    GEOSSTRtree *wtree = GEOSSTRtree_create_r(H, 10);
    GEOSGeometry **water = NULL;
    const GEOSPreparedGeometry **wprep = NULL;
    size_t wcap = 0, wpcap = 0;
    int n_water = 0, n_wp = 0, n_wlines = 0, bad_water = 0;
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(wl))) {
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        OGRwkbGeometryType t = g ? wkbFlatten(OGR_G_GetGeometryType(g)) : wkbUnknown;
        if (t == wkbPolygon || t == wkbMultiPolygon) {
            sy_mpoly m = {0};
            ogr_to_mpoly(g, &m);
            GEOSGeometry *gg = sy_mpoly_to_geos(H, &m, 1);
            sy_mpoly_free(&m);
            if (GEOSisValid_r(H, gg) != 1)
                bad_water++;
            const GEOSPreparedGeometry *p = GEOSPrepare_r(H, gg);
            SY_PUSH(water, n_water, wcap, gg);
            SY_PUSH(wprep, n_wp, wpcap, p);
        } else
            n_wlines++;
        OGR_F_Destroy(f);
    }
    GDALClose(wds);
    for (int i = 0; i < n_water; i++)
        GEOSSTRtree_insert_r(H, wtree, water[i], (void *)(intptr_t)i);
    result(bad_water == 0 && n_water > 0 && n_wlines > 0, "waterways: %d lines, %d polygons, %d invalid", n_wlines,
           n_water, bad_water);

    /* Communities: STR tree for point and parcel queries. */
    GEOSSTRtree *ctree = GEOSSTRtree_create_r(H, 10);
    const GEOSPreparedGeometry **cprep = sy_malloc(sizeof(void *) * (size_t)(lv[2].n ? lv[2].n : 1));
    int *cidx = sy_malloc(sizeof(int) * (size_t)(lv[2].n ? lv[2].n : 1));
    char **tname = sy_malloc(sizeof(char *) * (size_t)(lv[2].n ? lv[2].n : 1));
    for (int i = 0; i < lv[2].n; i++) {
        cprep[i] = GEOSPrepare_r(H, lv[2].f[i].g);
        cidx[i] = i;
        tname[i] = lv[2].f[i].parent_idx >= 0 ? lv[1].f[lv[2].f[i].parent_idx].name : (char *)"";
        GEOSSTRtree_insert_r(H, ctree, lv[2].f[i].g, &cidx[i]);
    }

    GDALDatasetH hds = open_ds(dir, "households.gpkg");
    OGRLayerH hl = GDALDatasetGetLayer(hds, 0);
    long sum = 0, n_pts = 0, outside = 0, ambiguous = 0, wrong = 0, wet = 0;
    long *part_hh = sy_calloc((size_t)(lv[2].n ? lv[2].n : 1), sizeof(long));
    int icount = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(hl), "count");
    int iaddr = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(hl), "address");
    char example[512] = "";
    /* Communities with more than one part: households outside the largest. */
    int *largest = sy_malloc(sizeof(int) * (size_t)(lv[2].n ? lv[2].n : 1));
    for (int i = 0; i < lv[2].n; i++) {
        const sy_mpoly *m = &lv[2].f[i].geom;
        largest[i] = 0;
        double best = -1;
        for (int k = 0; k < m->n_polys; k++) {
            double a = sy_ring_area(sy_mpoly_ring(m, m->poly_ring[k]), (size_t)sy_mpoly_ring_len(m, m->poly_ring[k]) - 1);
            if (a > best) {
                best = a;
                largest[i] = k;
            }
        }
    }
    OGR_L_ResetReading(hl);
    while ((f = OGR_L_GetNextFeature(hl))) {
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        int cnt = OGR_F_GetFieldAsInteger(f, icount);
        const char *addr = OGR_F_GetFieldAsString(f, iaddr);
        sum += cnt;
        n_pts++;
        sy_pt p = {OGR_G_GetX(g, 0), OGR_G_GetY(g, 0)};
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(H, p.x, p.y);
        hits hc = {{0}, 0};
        GEOSSTRtree_query_r(H, ctree, pt, collect_int, &hc);
        int found = -1, n_found = 0;
        for (int k = 0; k < hc.n; k++)
            if (GEOSPreparedContains_r(H, cprep[hc.idx[k]], pt) == 1) {
                n_found++;
                if (found < 0 || hc.idx[k] < found)
                    found = hc.idx[k];
            }
        if (n_found == 0) {
            outside++;
            if (!example[0])
                snprintf(example, sizeof example, "%s outside every community", addr);
        } else {
            if (n_found > 1)
                ambiguous++;
            const feat *c = &lv[2].f[found];
            size_t lt = strlen(tname[found]);
            if (strncmp(addr, tname[found], lt) || strncmp(addr + lt, c->name, strlen(c->name))) {
                wrong++;
                if (!example[0])
                    snprintf(example, sizeof example, "%s lies in %s%s", addr, tname[found], c->name);
            }
            if (c->geom.n_polys > 1) {
                int part = -1;
                for (int k = 0; k < c->geom.n_polys && part < 0; k++) {
                    int in = 0;
                    for (int r = c->geom.poly_ring[k]; r < c->geom.poly_ring[k + 1]; r++)
                        if (sy_ring_contains(sy_mpoly_ring(&c->geom, r), (size_t)sy_mpoly_ring_len(&c->geom, r), p))
                            in = !in;
                    if (in)
                        part = k;
                }
                if (part >= 0 && part != largest[found])
                    part_hh[found] += cnt;
            }
        }
        hits hw = {{0}, 0};
        GEOSSTRtree_query_r(H, wtree, pt, collect_prep, &hw);
        for (int k = 0; k < hw.n; k++)
            if (GEOSPreparedContains_r(H, wprep[hw.idx[k]], pt) == 1) {
                wet++;
                break;
            }
        GEOSGeom_destroy_r(H, pt);
        OGR_F_Destroy(f);
    }
    GDALClose(hds);
    if (want_households >= 0)
        result(sum == want_households, "households: %ld points, sum of count %ld (expected %ld)", n_pts, sum,
               want_households);
    else
        result(sum > 0, "households: %ld points, sum of count %ld", n_pts, sum);
    result(outside == 0 && ambiguous == 0 && wrong == 0,
           "households: %ld outside every community, %ld in two, %ld not in the community of their address%s%s",
           outside, ambiguous, wrong, example[0] ? "; e.g. " : "", example);
    result(wet == 0, "households: %ld inside a water polygon", wet);
    long best_island = 0;
    const char *island_code = "";
    for (int i = 0; i < lv[2].n; i++)
        if (part_hh[i] > best_island) {
            best_island = part_hh[i];
            island_code = lv[2].f[i].code;
        }
    result(best_island >= 50, "island: community %s has %ld households outside its main part", island_code,
           best_island);

    /* Parcels: valid and inside one community. */
    GDALDatasetH uds = open_ds(dir, "units.gpkg");
    OGRLayerH ul = GDALDatasetGetLayer(uds, 0);
    int n_units = 0, n_parcels = 0, bad_parcels = 0, loose_parcels = 0;
    while ((f = OGR_L_GetNextFeature(ul))) {
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        n_units++;
        if (g && wkbFlatten(OGR_G_GetGeometryType(g)) == wkbPolygon) {
            n_parcels++;
            sy_mpoly m = {0};
            ogr_to_mpoly(g, &m);
            GEOSGeometry *gg = sy_mpoly_to_geos(H, &m, 0);
            double area = sy_mpoly_area(&m);
            sy_mpoly_free(&m);
            if (GEOSisValid_r(H, gg) != 1)
                bad_parcels++;
            hits hc = {{0}, 0};
            GEOSSTRtree_query_r(H, ctree, gg, collect_int, &hc);
            int inside = 0;
            for (int k = 0; k < hc.n && !inside; k++) {
                GEOSGeometry *x = GEOSIntersection_r(H, gg, lv[2].f[hc.idx[k]].g);
                double a = 0;
                if (x) {
                    GEOSArea_r(H, x, &a);
                    GEOSGeom_destroy_r(H, x);
                }
                if (a >= area * (1 - 1e-6))
                    inside = 1;
            }
            if (!inside)
                loose_parcels++;
            GEOSGeom_destroy_r(H, gg);
        }
        OGR_F_Destroy(f);
    }
    GDALClose(uds);
    result(bad_parcels == 0 && loose_parcels == 0, "units: %d units, %d parcels, %d invalid, %d not inside one community",
           n_units, n_parcels, bad_parcels, loose_parcels);

    /* Rosters. */
    char path[4096];
    snprintf(path, sizeof path, "%s/workers.csv", dir);
    FILE *wf = fopen(path, "r");
    if (!wf) {
        fprintf(stderr, "govgrid-synth-check: cannot open %s\n", path);
        return 2;
    }
    char **gcodes = sy_malloc(sizeof(char *) * (size_t)(grids.n ? grids.n : 1));
    for (int i = 0; i < grids.n; i++)
        gcodes[i] = grids.f[i].code;
    if (grids.n > 0)
        qsort(gcodes, (size_t)grids.n, sizeof(char *), cmp_str);
    int dup_codes = 0;
    for (int i = 1; i < grids.n; i++)
        if (!strcmp(gcodes[i], gcodes[i - 1]))
            dup_codes++;
    result(dup_codes == 0, "grids: %d duplicate codes", dup_codes);
    int *leaders = sy_calloc((size_t)(grids.n ? grids.n : 1), sizeof(int));
    int *workers = sy_calloc((size_t)(grids.n ? grids.n : 1), sizeof(int));
    int *fulltime = sy_calloc((size_t)(grids.n ? grids.n : 1), sizeof(int));
    char line[1024];
    long rows = 0, orphan_rows = 0;
    int header = 1;
    while (fgets(line, sizeof line, wf)) {
        if (header) {
            header = 0;
            continue;
        }
        char *fld[5];
        int nf = 0;
        char *save = line;
        for (char *tok = strsep(&save, ",\n"); tok && nf < 5; tok = strsep(&save, ",\n"))
            fld[nf++] = tok;
        if (nf < 5)
            continue;
        rows++;
        int k = find_code(gcodes, grids.n, fld[4]);
        if (k < 0) {
            orphan_rows++;
            continue;
        }
        if (!strcmp(fld[2], "leader"))
            leaders[k]++;
        if (!strcmp(fld[2], "fulltime") || !strcmp(fld[2], "parttime"))
            workers[k]++;
        if (!strcmp(fld[2], "fulltime"))
            fulltime[k]++;
    }
    fclose(wf);
    int breaking = 0;
    for (int i = 0; i < grids.n; i++)
        if (leaders[i] != 1 || workers[i] < 2 || fulltime[i] < 1)
            breaking++;
    double share = grids.n ? 100.0 * breaking / grids.n : 0;
    result(rows > 0 && orphan_rows > 0 && share < 15, "workers: %ld rows, %ld with unknown grid codes, %d grids (%.1f%%) break 1+2+N",
           rows, orphan_rows, breaking, share);

    snprintf(path, sizeof path, "%s/incidents.csv", dir);
    FILE *inf = fopen(path, "r");
    long inc = 0, per[4] = {0, 0, 0, 0};
    static const char *const placement[4] = {"near_household", "uniform", "grid_vertex", "outside"};
    if (inf) {
        while (fgets(line, sizeof line, inf)) {
            for (int k = 0; k < 4; k++)
                if (strstr(line, placement[k]))
                    per[k]++;
            inc++;
        }
        fclose(inf);
        inc--;
    }
    result(inc >= 1000 && per[0] && per[1] && per[2] && per[3],
           "incidents: %ld rows (near_household %ld, uniform %ld, grid_vertex %ld, outside %ld)", inc, per[0], per[1],
           per[2], per[3]);

    for (int i = 0; i < n_wp; i++)
        GEOSPreparedGeom_destroy_r(H, wprep[i]);
    for (int i = 0; i < n_water; i++)
        GEOSGeom_destroy_r(H, water[i]);
    free(water);
    free(wprep);
    for (int i = 0; i < lv[2].n; i++)
        GEOSPreparedGeom_destroy_r(H, cprep[i]);
    GEOSSTRtree_destroy_r(H, wtree);
    GEOSSTRtree_destroy_r(H, ctree);
    free(cprep);
    free(cidx);
    free(tname);
    free(part_hh);
    free(largest);
    free(gcodes);
    free(leaders);
    free(workers);
    free(fulltime);
    for (int k = 0; k < 3; k++)
        free(lv[k].f);
    free_layer(&div);
    free_layer(&grids);
    free_layer(&depts);
    GEOS_finish_r(H);
    printf("%d passed, %d failed\n", n_pass, n_fail);
    return n_fail ? 1 : 0;
}
