/*
 * incidents.c - incident reports in WGS-84 lon/lat: most near households
 * (weighted by the households at each point), some uniform over the area,
 * some exactly on grid vertices (grids.c), some just outside the area.
 */
#include <stdlib.h>

#include "depts.h"

const char *sy_incident_category(sy_rng *r)
{
    static const char *const cat[] = {"sanitation", "municipal_facility", "neighbour_dispute", "public_security",
                                      "traffic", "noise", "fire_safety", "illegal_construction",
                                      "social_assistance", "other"};
    static const double wt[] = {18, 14, 12, 8, 10, 9, 5, 8, 6, 10};
    return cat[sy_rng_pick(r, wt, 10)];
}

void sy_incidents_near_households(const sy_comm *cc, sy_out *o, long n)
{
    if (n <= 0 || cc->n_hh == 0)
        return;
    sy_rng r = sy_rng_for(cc->w->opt.seed, SY_TAG_INCIDENTS, (uint64_t)cc->ci);
    long *cum = sy_malloc(sizeof(long) * (size_t)cc->n_hh);
    long total = 0;
    for (int i = 0; i < cc->n_hh; i++) {
        total += cc->hh_count[i];
        cum[i] = total;
    }
    for (long k = 0; k < n; k++) {
        long u = (long)(sy_rng_next(&r) % (uint64_t)total);
        int lo = 0, hi = cc->n_hh - 1;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (cum[mid] > u)
                hi = mid;
            else
                lo = mid + 1;
        }
        double ang = sy_rng_range(&r, 0, 2 * M_PI), d = 30.0 * sqrt(sy_rng_uniform(&r));
        sy_pt p = {cc->hh_pt[lo].x + d * cos(ang), cc->hh_pt[lo].y + d * sin(ang)};
        sy_out_incident(o, p, sy_incident_category(&r), "near_household");
    }
    free(cum);
}

void sy_incidents_area(const sy_world *w, sy_out *o, long n_uniform, long n_outside)
{
    sy_rng r = sy_rng_for(w->opt.seed, SY_TAG_INCIDENTS, 0xffffffffu);
    sy_pip pip;
    sy_pip_build(&pip, &w->outline);
    double minx, miny, maxx, maxy;
    sy_mpoly_bbox(&w->outline, &minx, &miny, &maxx, &maxy);
    for (long k = 0; k < n_uniform;) {
        sy_pt p = {sy_rng_range(&r, minx, maxx), sy_rng_range(&r, miny, maxy)};
        if (!sy_pip_contains(&pip, p))
            continue;
        sy_out_incident(o, p, sy_incident_category(&r), "uniform");
        k++;
    }
    /* Just outside: from an outline vertex, 10-500 m outwards. */
    const sy_pt *ring = sy_mpoly_ring(&w->outline, 0);
    int nv = sy_mpoly_ring_len(&w->outline, 0) - 1;
    for (long k = 0; k < n_outside;) {
        sy_pt v = ring[sy_rng_int(&r, 0, nv - 1)];
        double ang = sy_rng_range(&r, 0, 2 * M_PI), d = sy_rng_range(&r, 10, 500);
        sy_pt p = {v.x + d * cos(ang), v.y + d * sin(ang)};
        if (sy_pip_contains(&pip, p))
            continue;
        sy_out_incident(o, p, sy_incident_category(&r), "outside");
        k++;
    }
    sy_pip_free(&pip);
}
