/*
 * out.h - the writers: one GeoPackage per layer (divisions, households,
 * roads, waterways, units, grids, dept_grids) and two CSV files (workers,
 * incidents), plus README.txt.
 *
 * Geometries arrive in the working plane (EPSG:4549) and are transformed to
 * the requested CRS; incidents are always written as WGS-84 lon/lat. Each
 * GeoPackage is written in transactions of at most SY_OUT_BATCH features.
 * OGR_CURRENT_DATE is pinned so that two runs give identical bytes.
 */
#ifndef SYNTH_OUT_H
#define SYNTH_OUT_H

#include <stdio.h>

#include "geom.h"

#define SY_OUT_BATCH 100000

typedef struct sy_out sy_out;

enum {
    SY_LAYER_DIVISIONS,
    SY_LAYER_HOUSEHOLDS,
    SY_LAYER_ROADS,
    SY_LAYER_WATERWAYS,
    SY_LAYER_UNITS,
    SY_LAYER_GRIDS,
    SY_LAYER_DEPT_GRIDS,
    SY_LAYER_COUNT
};

/* Opens every output in dir (which must exist). force: replace existing
 * files; otherwise an existing output is an error. Returns NULL after
 * printing a message on failure. */
sy_out *sy_out_open(const char *dir, int epsg, int force);
/* Commits, closes and frees. Returns 0 on success. */
int sy_out_close(sy_out *o);

void sy_out_division(sy_out *o, const char *code, const char *name, const char *parent,
                     const char *urban_rural, const sy_mpoly *m);
/* Returns the sequence number used in the id (H%08ld). */
long sy_out_household(sy_out *o, sy_pt p, int count, int persons, const char *address);
void sy_out_road(sy_out *o, const char *road_class, const char *name, const sy_pt *pts, int n);
void sy_out_water_line(sy_out *o, const char *kind, const char *name, const sy_pt *pts, int n);
void sy_out_water_polygons(sy_out *o, const char *kind, const char *name, const sy_mpoly *m);
void sy_out_unit_point(sy_out *o, const char *kind, const char *name, double size, sy_pt p);
void sy_out_unit_polygon(sy_out *o, const char *kind, const char *name, double size, const sy_mpoly *m);
void sy_out_grid(sy_out *o, const char *code, const char *community, const char *name, const sy_mpoly *m);
void sy_out_worker(sy_out *o, const char *name, const char *role, const char *phone, const char *grid_code);
void sy_out_dept_grid(sy_out *o, const char *dept, const char *id, const char *name, const sy_mpoly *m);
void sy_out_incident(sy_out *o, sy_pt p, const char *category, const char *placement);

/* Working plane -> lon/lat (WGS-84 / CGCS2000, which agree to the metre). */
void sy_out_to_lonlat(sy_out *o, sy_pt p, double *lon, double *lat);

long sy_out_count(const sy_out *o, int layer);
long sy_out_workers(const sy_out *o);
long sy_out_incidents(const sy_out *o);
long sy_out_household_sum(const sy_out *o);

#endif
