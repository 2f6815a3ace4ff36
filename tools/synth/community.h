/*
 * community.h - the per-community working set used while streaming: the
 * territory as polygon, point-in-polygon index and GEOS geometry, the water
 * bodies that touch it, the road and river lines along its edges, and the
 * household points placed so far (for incidents).
 */
#ifndef SYNTH_COMMUNITY_H
#define SYNTH_COMMUNITY_H

#include "out.h"
#include "world.h"

typedef struct sy_comm {
    const sy_world *w;
    int ci;
    sy_mpoly poly;
    sy_pip pip;
    GEOSGeometry *geos;
    double minx, miny, maxx, maxy, area_m2;

    int *water;
    int n_water;
    size_t cap_water;

    /* Polylines of road and river edges of the community's cells. */
    sy_pt *line_pts;
    int *line_start; /* n_lines + 1 */
    signed char *line_is_road;
    int n_lines, n_line_pts;
    size_t cap_line_pts, cap_lines, cap_line_flags;

    /* Island (only for the island community). */
    sy_mpoly island;
    sy_pip island_pip;
    int has_island;

    /* Households placed in this community. */
    sy_pt *hh_pt;
    int *hh_count;
    int n_hh;
    size_t cap_hh_pt, cap_hh_count;

    sy_str addr;
    sy_pt *scratch;
    size_t cap_scratch;
} sy_comm;

void sy_comm_load(sy_comm *cc, const sy_world *w, int ci);
void sy_comm_release(sy_comm *cc); /* frees per-community parts, keeps buffers */
void sy_comm_free(sy_comm *cc);

int sy_comm_in_water(const sy_comm *cc, sy_pt p);
int sy_comm_free_spot(const sy_comm *cc, sy_pt p); /* inside and not in water */
/* Distance to the nearest road line of the community, capped at cap_m. */
double sy_comm_road_dist(const sy_comm *cc, sy_pt p, double cap_m);
/* A random free spot; falls back to a point on the surface. */
sy_pt sy_comm_random_spot(const sy_comm *cc, sy_rng *r);

/* Households of the community (streets and hamlet tracks go to roads). */
void sy_households_generate(sy_comm *cc, sy_out *o);

/* Units: plan once, then generate per community. */
typedef struct sy_unit_plan {
    signed char *park;   /* per community: an industrial park here */
    signed char *scenic; /* per community: a scenic area here */
} sy_unit_plan;
void sy_units_plan(const sy_world *w, sy_unit_plan *plan);
void sy_units_generate(sy_comm *cc, sy_out *o, const sy_unit_plan *plan);
void sy_units_plan_free(sy_unit_plan *plan);

#endif
