/*
 * units.c - units that planners carve dedicated grids for: government
 * centres, schools, hospitals, industrial parks, enterprises, office towers,
 * markets and scenic areas. Parcels are polygons clipped to the one
 * community they are placed in; small units are points. size is the parcel
 * area in m2 for polygons and the number of staff for points.
 */
#include <stdlib.h>
#include <string.h>

#include "community.h"

void sy_units_plan(const sy_world *w, sy_unit_plan *plan)
{
    plan->park = sy_calloc((size_t)w->n_communities, 1);
    plan->scenic = sy_calloc((size_t)w->n_communities, 1);
    for (int t = 0; t < w->n_townships; t++) {
        const sy_township *to = &w->townships[t];
        sy_rng r = sy_rng_for(w->opt.seed, SY_TAG_UNITS, 500000 + (uint64_t)t);
        if (to->kind == SY_TOWNSHIP_STREET ? !sy_rng_chance(&r, 0.2) : !sy_rng_chance(&r, 0.55))
            continue;
        /* Prefer a village or fringe community for the park. */
        int best = -1;
        double best_score = -1;
        for (int i = 0; i < to->n_communities; i++) {
            int ci = w->community_list[to->first_community + i];
            int cls = w->communities[ci].urban_rural;
            double score = (cls == 122 || cls == 112 || cls >= 200 ? 2.0 : 1.0) * sy_rng_uniform(&r);
            if (score > best_score) {
                best_score = score;
                best = ci;
            }
        }
        if (best >= 0)
            plan->park[best] = 1;
    }
    for (int k = 0; k < w->n_counties; k++) {
        const sy_county *co = &w->counties[k];
        sy_rng r = sy_rng_for(w->opt.seed, SY_TAG_UNITS, 900000 + (uint64_t)k);
        int n = sy_rng_int(&r, 1, 2);
        for (int s = 0; s < n; s++) {
            const sy_township *to = &w->townships[w->township_list[co->first_township +
                                                                   sy_rng_int(&r, 0, co->n_townships - 1)]];
            int ci = w->community_list[to->first_community + sy_rng_int(&r, 0, to->n_communities - 1)];
            plan->scenic[ci] = 1;
        }
    }
}

void sy_units_plan_free(sy_unit_plan *plan)
{
    free(plan->park);
    free(plan->scenic);
}

/* A parcel of about area_m2 around a free spot, clipped to the community;
 * returns its area (0 when it came out too small). */
static double parcel(sy_comm *cc, sy_rng *r, double area_m2, int round_shape, sy_mpoly *out)
{
    GEOSContextHandle_t h = cc->w->geos;
    if (area_m2 > 0.45 * cc->area_m2)
        area_m2 = 0.45 * cc->area_m2;
    sy_pt c = sy_comm_random_spot(cc, r);
    sy_pt ring[24];
    int n;
    if (round_shape) {
        n = 20;
        double rad = sqrt(area_m2 / M_PI), ph = sy_rng_range(r, 0, 2 * M_PI), am = sy_rng_range(r, 0.1, 0.3);
        for (int i = 0; i < n; i++) {
            double t = 2 * M_PI * i / n, f = 1 + am * sin(2 * t + ph) + sy_rng_range(r, -0.05, 0.05);
            ring[i].x = c.x + rad * f * cos(t);
            ring[i].y = c.y + rad * f * sin(t);
        }
    } else {
        double aspect = sy_rng_range(r, 0.6, 1.7), wdt = sqrt(area_m2 * aspect), hgt = area_m2 / wdt;
        double rot = sy_rng_range(r, 0, M_PI);
        static const double sx[4] = {-0.5, 0.5, 0.5, -0.5}, sy[4] = {-0.5, -0.5, 0.5, 0.5};
        n = 4;
        for (int i = 0; i < 4; i++) {
            double x = sx[i] * wdt + sy_rng_range(r, -0.03, 0.03) * wdt;
            double y = sy[i] * hgt + sy_rng_range(r, -0.03, 0.03) * hgt;
            ring[i].x = c.x + x * cos(rot) - y * sin(rot);
            ring[i].y = c.y + x * sin(rot) + y * cos(rot);
        }
    }
    sy_mpoly raw = {0};
    sy_mpoly_begin_polygon(&raw);
    sy_mpoly_add_ring(&raw, ring, n);
    GEOSGeometry *g = sy_mpoly_to_geos(h, &raw, 0);
    sy_mpoly_free(&raw);
    GEOSGeometry *cut = GEOSIntersection_r(h, g, cc->geos);
    GEOSGeom_destroy_r(h, g);
    sy_mpoly_clear(out);
    if (!cut)
        return 0;
    sy_mpoly all = {0};
    sy_mpoly_from_geos(h, cut, &all);
    GEOSGeom_destroy_r(h, cut);
    /* Keep the largest piece. */
    int best = -1;
    double best_a = 0;
    for (int k = 0; k < all.n_polys; k++) {
        double a = 0;
        for (int rr = all.poly_ring[k]; rr < all.poly_ring[k + 1]; rr++)
            a += sy_ring_area(sy_mpoly_ring(&all, rr), (size_t)sy_mpoly_ring_len(&all, rr) - 1);
        if (a > best_a) {
            best_a = a;
            best = k;
        }
    }
    if (best >= 0 && best_a >= 0.3 * area_m2) {
        sy_mpoly_begin_polygon(out);
        for (int rr = all.poly_ring[best]; rr < all.poly_ring[best + 1]; rr++)
            sy_mpoly_add_ring(out, sy_mpoly_ring(&all, rr), sy_mpoly_ring_len(&all, rr));
    } else
        best_a = 0;
    sy_mpoly_free(&all);
    return best_a;
}

static void unit_poly(sy_comm *cc, sy_out *o, sy_rng *r, const char *kind, const char *name, double area_m2,
                      int round_shape, sy_mpoly *tmp)
{
    double a = parcel(cc, r, area_m2, round_shape, tmp);
    if (a > 0)
        sy_out_unit_polygon(o, kind, name, round(a * 10) / 10, tmp);
}

static void unit_point(sy_comm *cc, sy_out *o, sy_rng *r, const char *kind, const char *name, double staff)
{
    sy_out_unit_point(o, kind, name, staff, sy_comm_random_spot(cc, r));
}

static void stem(sy_rng *r, char *out)
{
    sy_name_stem(r, out, SY_NAME_CAP);
}

void sy_units_generate(sy_comm *cc, sy_out *o, const sy_unit_plan *plan)
{
    const sy_world *w = cc->w;
    const sy_community *cm = &w->communities[cc->ci];
    const sy_township *to = &w->townships[cm->township];
    const sy_county *co = &w->counties[to->county];
    sy_rng r = sy_rng_for(w->opt.seed, SY_TAG_UNITS, (uint64_t)cc->ci);
    int urban = sy_is_urban_class(cm->urban_rural);
    int township_centre = w->community_list[to->first_community] == cc->ci;
    int county_seat = township_centre && w->township_list[co->first_township] == cm->township;
    char name[SY_NAME_CAP * 2], s[SY_NAME_CAP];
    sy_mpoly tmp = {0};

    if (county_seat) {
        snprintf(name, sizeof name, "%s人民政府", co->name);
        unit_poly(cc, o, &r, "government", name, sy_rng_range(&r, 30000, 60000), 0, &tmp);
        snprintf(name, sizeof name, "%s人民医院", co->name);
        unit_poly(cc, o, &r, "hospital", name, sy_rng_range(&r, 40000, 90000), 0, &tmp);
        snprintf(name, sizeof name, "%s中医院", co->name);
        unit_poly(cc, o, &r, "hospital", name, sy_rng_range(&r, 15000, 40000), 0, &tmp);
        snprintf(name, sizeof name, "%s高级中学", co->name);
        unit_poly(cc, o, &r, "school", name, sy_rng_range(&r, 60000, 120000), 0, &tmp);
        snprintf(name, sizeof name, "%s政务服务中心", co->name);
        unit_point(cc, o, &r, "government", name, sy_rng_int(&r, 80, 300));
    }
    if (township_centre) {
        snprintf(name, sizeof name, "%s%s", to->name, to->kind == SY_TOWNSHIP_STREET ? "办事处" : "人民政府");
        unit_poly(cc, o, &r, "government", name, sy_rng_range(&r, 10000, 25000), 0, &tmp);
        snprintf(name, sizeof name, "%s%s", to->name, to->kind == SY_TOWNSHIP_STREET ? "社区卫生服务中心" : "卫生院");
        unit_poly(cc, o, &r, "hospital", name, sy_rng_range(&r, 5000, 15000), 0, &tmp);
        snprintf(name, sizeof name, "%s中学", to->name);
        unit_poly(cc, o, &r, "school", name, sy_rng_range(&r, 30000, 70000), 0, &tmp);
        snprintf(name, sizeof name, "%s中心小学", to->name);
        unit_poly(cc, o, &r, "school", name, sy_rng_range(&r, 20000, 45000), 0, &tmp);
        stem(&r, s);
        snprintf(name, sizeof name, "%s农贸市场", s);
        unit_poly(cc, o, &r, "market", name, sy_rng_range(&r, 3000, 9000), 0, &tmp);
    }
    /* Community-level services. */
    if (sy_rng_chance(&r, urban ? 0.35 : 0.15)) {
        stem(&r, s);
        snprintf(name, sizeof name, "%s小学", s);
        unit_poly(cc, o, &r, "school", name, sy_rng_range(&r, 15000, 35000), 0, &tmp);
    }
    if (sy_rng_chance(&r, urban ? 0.55 : 0.25)) {
        stem(&r, s);
        snprintf(name, sizeof name, "%s幼儿园", s);
        unit_point(cc, o, &r, "school", name, sy_rng_int(&r, 15, 60));
    }
    if (sy_rng_chance(&r, urban ? 0.4 : 0.5)) {
        stem(&r, s);
        snprintf(name, sizeof name, "%s%s", s, urban ? "社区卫生服务站" : "村卫生室");
        unit_point(cc, o, &r, "hospital", name, sy_rng_int(&r, 2, 15));
    }
    if (sy_rng_chance(&r, urban ? 0.45 : 0.15)) {
        static const char *const m[] = {"菜市场", "商城", "农贸市场", "小商品市场", "购物中心"};
        stem(&r, s);
        snprintf(name, sizeof name, "%s%s", s, m[sy_rng_int(&r, 0, 4)]);
        unit_point(cc, o, &r, "market", name, sy_rng_int(&r, 10, 400));
    }
    if (cm->urban_rural == 111 || cm->urban_rural == 121) {
        int n = cm->urban_rural == 111 ? sy_rng_int(&r, 0, 6) : sy_rng_int(&r, 0, 1);
        for (int i = 0; i < n; i++) {
            static const char *const t[] = {"大厦", "国际商务中心", "金融中心", "科技大厦", "广场写字楼"};
            stem(&r, s);
            snprintf(name, sizeof name, "%s%s", s, t[sy_rng_int(&r, 0, 4)]);
            unit_point(cc, o, &r, "office", name, sy_rng_int(&r, 150, 3000));
        }
    }
    {
        int n = urban ? sy_rng_int(&r, 0, 2) : sy_rng_int(&r, 1, 4);
        static const char *const t[] = {"机械", "纺织", "电子", "化工", "食品", "光学", "五金", "建材", "眼镜", "服装"};
        for (int i = 0; i < n; i++) {
            stem(&r, s);
            snprintf(name, sizeof name, "%s%s%s", s, t[sy_rng_int(&r, 0, 9)],
                     sy_rng_chance(&r, 0.6) ? "有限公司" : "厂");
            if (!urban && sy_rng_chance(&r, 0.3))
                unit_poly(cc, o, &r, "enterprise", name, sy_rng_range(&r, 8000, 50000), 0, &tmp);
            else
                unit_point(cc, o, &r, "enterprise", name, sy_rng_int(&r, 20, 800));
        }
    }
    if (plan->park[cc->ci]) {
        stem(&r, s);
        static const char *const t[] = {"工业园", "工业集中区", "经济开发区", "科技产业园", "高新技术产业园"};
        snprintf(name, sizeof name, "%s%s", s, t[sy_rng_int(&r, 0, 4)]);
        unit_poly(cc, o, &r, "industrial", name, sy_rng_range(&r, 2e5, 2e6), 0, &tmp);
    }
    if (plan->scenic[cc->ci]) {
        stem(&r, s);
        static const char *const t[] = {"风景区", "湿地公园", "古镇景区", "森林公园", "生态园"};
        snprintf(name, sizeof name, "%s%s", s, t[sy_rng_int(&r, 0, 4)]);
        unit_poly(cc, o, &r, "scenic", name, sy_rng_range(&r, 3e5, 3e6), 1, &tmp);
    }
    sy_mpoly_free(&tmp);
}
